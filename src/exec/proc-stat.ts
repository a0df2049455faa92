import { readFileSync } from 'node:fs';

/** What /proc/<pid>/stat says of a process: its state letter ('R', 'S', 'Z' for a zombie…), process group and start time. */
export interface ProcStat {
  state: string;
  pgid: number;
  /** When it started, in clock ticks since boot (field 22): with the pid, names one process of one boot. */
  start: string;
}

/** Reads /proc/<pid>/stat (Linux); null when the process is gone or /proc cannot be read. Never throws. */
export function procStat(pid: number | 'self'): ProcStat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // After "pid (comm) ": state (field 3), ppid, pgrp, … starttime (field 22). comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ', 20);
    return { state: fields[0] ?? '', pgid: Number(fields[2]), start: fields[19] ?? '' };
  } catch {
    return null;
  }
}
