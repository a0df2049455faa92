import { parseArgs } from 'node:util';
import { newRunId } from '../model/run-id.ts';
import type { RunRequest } from '../runs/types.ts';
import type { Entry } from '../settings/types.ts';
import { listRuns } from '../state/runs.ts';
import { chooseRollback, type RollbackChoice } from '../update/rollback-choice.ts';
import { argsError, EXIT, positionalsProblem, usageError, type Io } from './io.ts';
import { entryOrReport, loadOrReport } from './load.ts';
import { dryRunNow, runNow } from './run-now.ts';

const HELP = `usage: whauto rollback SETTINGS ENTRY [--to RUN_ID|COMMIT] [--dry-run] [--no-wait]

Goes back to what ENTRY deployed before, in the foreground, recorded as a run with trigger
'rollback'. update: release switches current back to the newest release older than the live
one, of another commit, that is still on disk: no git, no build (neither pre_commands nor
commands run), then post_commands. update: reset and ff-only deploy the commit of the newest
successful run of another commit before the one that deployed what is there now, as a run
deploys a tip: the git update to
that commit, commands, post_commands. update: none has nothing to go back to. A second
rollback goes further back; the next push deploys as usual. Waits for the checkout as
trigger does.
Exit: 0 succeeded, 1 failed, 2 usage, invalid settings or nothing to go back to, 75
--no-wait and the checkout is busy.

  --to RUN_ID|COMMIT  go back to what that run deployed, or to that commit (a successful
                      run's; for releases also a release id), instead
  --dry-run           change nothing; say what it would switch to or deploy (exit 1 when
                      it would fail; with --no-wait, 75 when the checkout is busy now)
  --no-wait           exit 75 at once when the checkout is busy
`;

/** `whauto rollback SETTINGS ENTRY`: returns the exit code. */
export async function runRollback(io: Io, args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args, allowPositionals: true,
      options: { help: { type: 'boolean', short: 'h' }, to: { type: 'string' }, 'dry-run': { type: 'boolean' }, 'no-wait': { type: 'boolean' } },
    });
  } catch (err) {
    return usageError(io, 'rollback', HELP, argsError(err));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  const problem = positionalsProblem(positionals, ['SETTINGS', 'ENTRY']);
  if (problem) return usageError(io, 'rollback', HELP, problem);
  const settings = loadOrReport(io, positionals[0]!, undefined, { readSecrets: false });
  if (!settings) return EXIT.usage;
  const entry = entryOrReport(io, 'rollback', settings, positionals[1]!);
  if (!entry) return EXIT.usage;
  const asked = values.to ?? null;
  const choose = (e: Entry) => chooseRollback(e, listRuns(settings.stateDir, e.name, () => undefined, { setAside: false }), asked);
  const choice = await choose(entry);
  if ('refused' in choice) {
    io.stderr(`whauto rollback: ${choice.refused}\n`);
    return EXIT.usage;
  }
  const req: RunRequest = {
    id: newRunId(), entry, trigger: 'rollback', target: choice.target, deliveries: [], payloadFile: null, rollback: choice.to,
  };
  const tell = (c: RollbackChoice, would: boolean) => io.stderr(`whauto rollback: ${would ? 'would go' : 'going'} back to ${c.what}, from ${c.left ?? 'nothing known'}\n`);
  if (values['dry-run']) {
    tell(choice, true);
    return dryRunNow(io, 'rollback', settings, req, { wait: !values['no-wait'] });
  }
  // Chosen again once the checkout is this command's: a run it waited for may have changed what is deployed.
  const prepare = async (r: RunRequest): Promise<string | null> => {
    const now = await choose(r.entry);
    if ('refused' in now) return now.refused;
    r.target = now.target;
    r.rollback = now.to;
    tell(now, false);
    return null;
  };
  return runNow(io, 'rollback', settings, req, { wait: !values['no-wait'], prepare });
}
