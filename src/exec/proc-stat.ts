import { readFileSync } from 'node:fs';

/** What /proc/<pid>/stat says of a process: its state letter ('R', 'S', 'Z' for a zombie…) and process group. */
export interface ProcStat {
  state: string;
  pgid: number;
}

/** Reads /proc/<pid>/stat (Linux); null when the process is gone or /proc cannot be read. Never throws. */
export function procStat(pid: number | 'self'): ProcStat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // After "pid (comm) ": state, ppid, pgrp, … (comm may hold spaces and parentheses).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ', 3);
    return { state: fields[0] ?? '', pgid: Number(fields[2]) };
  } catch {
    return null;
  }
}
