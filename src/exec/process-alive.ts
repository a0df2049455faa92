import { readFileSync } from 'node:fs';
import { procStat, type ProcStat } from './proc-stat.ts';

let bootId: string | undefined;

/** The identity (see processIdentity) of the process whose /proc stat is `stat`. */
function identityOf(stat: ProcStat): string | null {
  if (stat.start === '') return null;
  if (bootId === undefined) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootId = '';
    }
  }
  return `${bootId}/${stat.start}`;
}

/**
 * What names one process for good: this boot's id and the process's start time (Linux /proc),
 * or null where they cannot be read. A pid alone does not: after a crash, a reboot or in a
 * container (where the daemon is PID 1 every time), another process may have it.
 */
export function processIdentity(pid: number | 'self'): string | null {
  const stat = procStat(pid);
  return stat ? identityOf(stat) : null;
}

/**
 * True when the process `pid` runs (EPERM: it exists but is another user's). A zombie (exited,
 * not yet reaped: PID 1 of a container may be slow to) does not run; nor does a process that
 * only has the pid, when `identity` (see processIdentity) says which one it was. Used to tell
 * a live lock owner or run from one cut off by a crash.
 */
export function processAlive(pid: number, identity?: string | null): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(pid);
  if (stat?.state === 'Z') return false;
  if (!identity || !stat) return true;
  const now = identityOf(stat);
  return now === null || now === identity;
}

let own: { identity?: string } | undefined;

/** `{ identity }` of this process for a record or lock, or nothing where it cannot be read (read once). */
export function ownIdentity(): { identity?: string } {
  if (own === undefined) {
    const identity = processIdentity('self');
    own = identity === null ? {} : { identity };
  }
  return own;
}
