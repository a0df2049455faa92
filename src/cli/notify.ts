import { parseArgs } from 'node:util';
import { showControls } from '../log/logger.ts';
import { sendTests } from '../notify/test-send.ts';
import { argsError, EXIT, type Io } from './io.ts';
import { entryOrReport, loadOrReport } from './load.ts';

const HELP = `usage: whauto notify SETTINGS ENTRY --test [--status COMMIT]

Sends a test message to each of ENTRY's notify targets (whatever their 'on' says) and prints
each target's HTTP status, to check the setup before the first deploy. Nothing runs.

  --test            send the test messages (required: the command does nothing else)
  --status COMMIT   also set a test commit status (success, "a test status from whauto
                    notify --test") on COMMIT (a full commit id) through ENTRY's commit_status

exit codes: 0 every target answered 2xx, 1 some did not, 2 usage error or invalid settings
`;

/** `whauto notify SETTINGS ENTRY --test [--status COMMIT]`: returns the exit code. */
export async function runNotify(io: Io, args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args, allowPositionals: true,
      options: { help: { type: 'boolean', short: 'h' }, test: { type: 'boolean' }, status: { type: 'string' } },
    });
  } catch (err) {
    io.stderr(`whauto notify: ${argsError(err)}\n\n${HELP}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  const problem = positionals.length !== 2 ? 'give SETTINGS and ENTRY'
    : !values.test ? '--test is required'
      : values.status !== undefined && !/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i.test(values.status) ? `--status takes a full commit id (40 or 64 hex digits), not '${showControls(values.status)}'`
        : null;
  if (problem) {
    io.stderr(`whauto notify: ${problem}\n\n${HELP}`);
    return EXIT.usage;
  }
  // The webhook secret is not needed; the targets' urls and tokens are read all the same.
  const settings = loadOrReport(io, positionals[0]!, undefined, { readSecrets: false });
  if (!settings) return EXIT.usage;
  const entry = entryOrReport(io, 'notify', settings, positionals[1]!);
  if (!entry) return EXIT.usage;
  if (entry.notify.length === 0 && values.status === undefined) {
    io.stderr(`whauto notify: entry '${entry.name}' has no notify targets (and no --status was asked for)\n`);
    return EXIT.usage;
  }
  const results = await sendTests(entry, values.status?.toLowerCase() ?? null);
  for (const { kind, target, result } of results) {
    const how = result.ok ? `HTTP ${result.status}` : `failed: ${result.error}`;
    const tries = result.tries > 1 ? ` (${result.tries} tries)` : '';
    io.stdout(`${kind} ${target}: ${how}${tries}\n`);
  }
  if (entry.commitStatus !== null && values.status === undefined) {
    io.stdout('commit_status: not tested (give --status COMMIT to set a test status on that commit)\n');
  }
  return results.every((r) => r.result.ok) ? EXIT.ok : EXIT.failed;
}
