import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { killGroup } from './kill-group.ts';
import { procStat } from './proc-stat.ts';

/** A process found by findByEnv: its pid and process group. */
interface FoundProcess {
  pid: number;
  pgid: number;
}

/**
 * The running processes (zombies left out) whose environment holds `name=value` exactly, read
 * from /proc/<pid>/environ: only the caller's own user's processes can be read, and a process
 * that cleared its environment (`env -i`) is not found. Never the caller itself. Linux: where
 * /proc cannot be read, an empty list. Never throws.
 */
export function findByEnv(name: string, value: string): FoundProcess[] {
  const wanted = Buffer.from(`${name}=${value}\0`);
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const found: FoundProcess[] = [];
  for (const dir of names) {
    const c = dir.charCodeAt(0);
    if (c < 48 || c > 57 || Number(dir) === process.pid) continue;
    let env: Buffer;
    try {
      env = readFileSync(`/proc/${dir}/environ`);
    } catch {
      continue; // gone meanwhile, or another user's
    }
    // Each variable is NAME=VALUE\0; one at the very start has no \0 before it.
    const at = env.indexOf(wanted);
    if (at < 0 || (at > 0 && env[at - 1] !== 0)) continue;
    const stat = procStat(Number(dir));
    if (stat && stat.state !== 'Z') found.push({ pid: Number(dir), pgid: stat.pgid });
  }
  return found;
}

/**
 * Sends `signal` to each found process and to its process group (children that cleared their
 * environment go along), except the caller's own group (a found process may have started the
 * caller). Never throws.
 */
export function signalFound(found: FoundProcess[], signal: NodeJS.Signals): void {
  const own = procStat('self')?.pgid ?? -1;
  for (const p of found) {
    if (p.pgid > 1 && p.pgid !== own) killGroup(p.pgid, signal);
    try { process.kill(p.pid, signal); } catch { /* gone */ }
  }
}

/** What the open files `fds` of process `pid` are (e.g. 'socket:[6010920]'), from /proc; unreadable ones left out. */
export function openFiles(pid: number, fds: number[] = []): string[] {
  const out: string[] = [];
  let list: string[];
  try {
    list = fds.length > 0 ? fds.map(String) : readdirSync(`/proc/${pid}/fd`);
  } catch {
    return out;
  }
  for (const fd of list) {
    try { out.push(readlinkSync(`/proc/${pid}/fd/${fd}`)); } catch { /* closed meanwhile */ }
  }
  return out;
}
