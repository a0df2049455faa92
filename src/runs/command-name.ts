import type { Command } from '../settings/types.ts';

/** How a command reads in logs and records: the string as written, or the argv with quotes where needed. */
export function commandName(command: Command): string {
  if (!Array.isArray(command.run)) return command.run;
  return command.run.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}
