import { parseArgs } from 'node:util';
import type { RunRequest } from '../runs/types.ts';
import type { Target } from '../model/target.ts';
import { defaultBranch, whyNotDeployed } from '../model/deploys.ts';
import type { Entry } from '../settings/types.ts';
import { newRunId } from '../model/run-id.ts';
import { argsError, EXIT, positionalsProblem, usageError, type Io } from './io.ts';
import { entryOrReport, loadOrReport } from './load.ts';
import { dryRunNow, runNow } from './run-now.ts';

const HELP = `usage: whauto trigger SETTINGS ENTRY [--dry-run] [--no-wait] [--branch NAME | --tag NAME]

Runs ENTRY now, in the foreground, exactly as a webhook run would (trigger 'manual'),
streaming its output. Waits while another run holds the same checkout (in the daemon or
another trigger), first come, first served; settings changed meanwhile are read again.
Exit: 0 succeeded, 1 failed, 2 usage or invalid settings (also when they changed while it
waited and no longer deploy what was asked), 75 --no-wait and the checkout is busy.

  --dry-run        run nothing and change no ref or file; print the remote tip that would
                   deploy, every command, and why the git step would fail (exit 1); with
                   --no-wait, exit 75 when the checkout is busy now
  --no-wait        exit 75 at once when the checkout is busy
  --branch NAME    the branch to deploy (default: the entry's branch); it must be one the
                   entry deploys (for entries with globs like release/*)
  --tag NAME       deploy this tag instead (the entry's tags setting must allow it)
`;

/**
 * What a manual run deploys: the entry's own branch, or the --branch/--tag asked for, which
 * must be one the entry would deploy from a webhook too. Returns the target or why not.
 */
function chooseTarget(entry: Entry, branch: string | undefined, tag: string | undefined): Target | string {
  if (branch !== undefined && tag !== undefined) return 'give --branch or --tag, not both';
  const name = tag ?? branch;
  if (name !== undefined && !/^[^-\s][^\s]*$/.test(name)) return `'${name}' is not a usable ${tag !== undefined ? 'tag' : 'branch'} name`;
  if (tag !== undefined) return whyNotDeployed(entry, 'tag', tag) ?? { kind: 'tag', name: tag };
  if (branch !== undefined) return whyNotDeployed(entry, 'branch', branch) ?? { kind: 'branch', name: branch };
  const own = defaultBranch(entry);
  if (own) return { kind: 'branch', name: own };
  if (entry.branches.length === 0) return `entry '${entry.name}' deploys tags only (branch: []); give --tag NAME`;
  return `entry '${entry.name}' names no single branch (${entry.branches.join(', ')}); give --branch NAME`;
}

/** `whauto trigger SETTINGS ENTRY`: returns the exit code. */
export async function runTrigger(io: Io, args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args, allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' }, 'dry-run': { type: 'boolean' }, 'no-wait': { type: 'boolean' },
        branch: { type: 'string' }, tag: { type: 'string' },
      },
    });
  } catch (err) {
    return usageError(io, 'trigger', HELP, argsError(err));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  const problem = positionalsProblem(positionals, ['SETTINGS', 'ENTRY']);
  if (problem) return usageError(io, 'trigger', HELP, problem);
  // It verifies no delivery: a secret it cannot read (CREDENTIALS_DIRECTORY outside systemd) does not matter.
  const settings = loadOrReport(io, positionals[0]!, undefined, { readSecrets: false });
  if (!settings) return EXIT.usage;
  const entry = entryOrReport(io, 'trigger', settings, positionals[1]!);
  if (!entry) return EXIT.usage;
  const target = chooseTarget(entry, values.branch, values.tag);
  if (typeof target === 'string') {
    io.stderr(`whauto trigger: ${target}\n`);
    return EXIT.usage;
  }
  const req: RunRequest = { id: newRunId(), entry, trigger: 'manual', target, deliveries: [], payloadFile: null };
  if (values['dry-run']) return dryRunNow(io, 'trigger', settings, req, { wait: !values['no-wait'] });
  return runNow(io, 'trigger', settings, req, { wait: !values['no-wait'] });
}
