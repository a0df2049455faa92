import { existsSync } from 'node:fs';
import type { Command } from '../settings/types.ts';
import { planUpdate } from '../update/apply.ts';
import { liveWorkdir, rollbackHow } from '../update/deployed.ts';
import { describePlan } from '../update/describe.ts';
import { commandCwd } from './command-cwd.ts';
import { commandName } from './command-name.ts';
import { formatDuration } from '../log/format-duration.ts';
import { whautoVars } from './run-env.ts';
import type { RunRequest } from './types.ts';

/**
 * What `executeRun(req)` would do, as lines for the terminal: the update's plan, made by the
 * same strategy with the same read-only looks as a run makes it (planUpdate with `dry`), so the
 * two cannot drift: its steps, what each reads and changes, what the update discards and what
 * a dry run cannot tell; every command with its working directory; the WHAUTO_* variables
 * (entry.env values are not shown: they may hold secrets). `problem`: why the run would fail
 * at its git step (the plan's refusal; git's own lines are among `lines`), or why a dry run
 * cannot tell that it would not (a hook git runs during the update), else null. It changes no ref,
 * no file of the work tree and not the index, and runs no command; it may fetch the tip's
 * objects (no ref, no FETCH_HEAD), which git's gc prunes unless a run fetches them. Never throws.
 */
export async function dryRun(req: RunRequest): Promise<{ lines: string[]; problem: string | null }> {
  const { entry, target } = req;
  const lines: string[] = [];
  const what = req.rollback ? `roll back to ${req.rollback.commit} of` : 'deploy';
  lines.push(`entry ${entry.name}: would ${what} ${target.kind} ${target.name} (dry run: no ref, file or index is changed and no command runs)`);
  const plan = await planUpdate(entry, target, { dry: true, to: req.rollback ?? null });
  lines.push(...describePlan(plan, entry.repodir));
  // As executeRun: a rollback that switches back to a release runs no pre_commands and no commands.
  const switchBack = req.rollback !== undefined && rollbackHow(entry) === 'switch';
  const deployed = liveWorkdir(entry);
  const vars = { ...whautoVars(req, { previous: plan.previous, after: plan.tip }), ...plan.env };
  const show = (kind: string, commands: Command[], cwd: string): void => {
    for (const c of commands) {
      const limit = c.timeout !== null ? `, timeout ${formatDuration(c.timeout)}` : '';
      lines.push(`${kind}: ${commandName(c)}   (in ${cwd}${limit})`);
    }
  };
  const before = commandCwd('pre_commands', deployed);
  if (!switchBack) show('pre_commands', entry.preCommands, existsSync(before) ? before : `${before}, which the run creates first`);
  if (!switchBack) show('commands', entry.commands, commandCwd('commands', deployed, plan.workdir));
  show('post_commands', entry.postCommands, commandCwd('post_commands', deployed));
  show('on_failure', entry.onFailure, commandCwd('on_failure', deployed));
  lines.push(`run timeout ${formatDuration(entry.timeout)}; environment: the daemon's${Object.keys(entry.env).length ? ` + env (${Object.keys(entry.env).join(', ')})` : ''} +`);
  for (const [k, v] of Object.entries(vars)) lines.push(`  ${k}=${v}`);
  if (entry.onFailure.length > 0) lines.push('  WHAUTO_FAILED_STEP=<kind: name of the failed step> (on_failure only)');
  // A hook git would run is code a dry run does not run: it cannot vouch for the git step then.
  const unsure = plan.unknowns.length > 0 ? `a dry run cannot tell whether the git step succeeds: ${plan.unknowns.join('; ')}` : null;
  return { lines, problem: plan.refusal?.message ?? unsure };
}
