import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { argsError, EXIT, positionalsProblem, usageError, type Io } from './io.ts';
import { loadSettings } from '../settings/load.ts';
import { formatFinding, type Finding } from '../settings/finding.ts';

const HELP = `usage: whauto check SETTINGS [--json]

Validates the settings file and reports every problem as FILE:LINE:COL: level: message.
Warnings (risky but valid settings) and notes (legacy spellings, an entry that deploys
main because it names no branch) do not fail the check.

  --json     print {"valid":…,"file":…,"entries":N,"findings":[…]} instead
  -h, --help this text

exit codes: 0 valid, 2 invalid settings or usage error
`;

/**
 * `whauto check SETTINGS [--json]`: loads the settings as `serve` would and prints the
 * findings (stdout) and a summary. Returns EXIT.ok when valid (warnings allowed),
 * EXIT.usage when invalid or the arguments are wrong. Never prints a secret.
 */
export async function runCheck(io: Io, args: string[]): Promise<number> {
  let values: { json?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    return usageError(io, 'check', HELP, argsError(err));
  }
  if (values.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  const problem = positionalsProblem(positionals, ['SETTINGS']);
  if (problem) return usageError(io, 'check', HELP, problem);
  const file = positionals[0]!;
  const result = loadSettings(resolve(io.cwd, file), io.env);
  // Findings name the file as the user wrote it, like a compiler does.
  const findings: Finding[] = result.findings.map((f) => ({ ...f, file }));
  const valid = result.settings !== null;
  const entries = result.settings?.entries.length ?? 0;
  if (values.json) {
    io.stdout(JSON.stringify({ valid, file, entries, findings }) + '\n');
  } else {
    for (const f of findings) io.stdout(formatFinding(f) + '\n');
    io.stdout(summary(file, valid, entries, findings) + '\n');
  }
  return valid ? EXIT.ok : EXIT.usage;
}

function summary(file: string, valid: boolean, entries: number, findings: Finding[]): string {
  const count = (level: Finding['level'], word: string): string | null => {
    const n = findings.filter((f) => f.level === level).length;
    return n === 0 ? null : `${n} ${word}${n === 1 ? '' : 's'}`;
  };
  const parts = [count('error', 'error'), count('warning', 'warning'), count('note', 'note')].filter((p) => p !== null);
  const tail = parts.length > 0 ? ` (${parts.join(', ')})` : '';
  return valid
    ? `${file}: valid, ${entries} ${entries === 1 ? 'entry' : 'entries'}${tail}`
    : `${file}: invalid${tail}`;
}
