import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { head } from '../git/head.ts';
import { remoteTip } from '../git/remote-tip.ts';
import { redactUrl } from '../git/redact-url.ts';
import type { Command } from '../settings/types.ts';
import { commandName } from './command-name.ts';
import { formatDuration } from './format-duration.ts';
import { whautoVars } from './run-env.ts';
import type { RunRequest } from './types.ts';

/**
 * What `executeRun(req)` would do, as lines for the terminal: the git steps with the remote
 * tip they would deploy (by `git ls-remote`), every command with its working directory, and
 * the WHAUTO_* variables (entry.env values are not shown: they may hold secrets). Changes
 * nothing. Never throws. `problem` says why the run would fail at its git step as far as a
 * dry run can tell (remote tip unknown, no checkout and nothing to clone), else null.
 */
export async function dryRun(req: RunRequest): Promise<{ lines: string[]; problem: string | null }> {
  const { entry, target } = req;
  const lines: string[] = [];
  let problem: string | null = null;
  const what = `${target.kind} ${target.name}`;
  const current = entry.repodir ? await head(entry.repodir, { gitBinary: entry.gitBinary }) : null;
  lines.push(`entry ${entry.name}: would deploy ${what} (dry run: nothing is changed)`);

  let tip: string | null = null;
  if (entry.update === 'none') {
    lines.push(`git: update none: no git work; ${entry.repodir ?? '(no repodir)'} stays at ${current ?? '(no commit)'}`);
  } else {
    let why = '';
    tip = await remoteTip(entry, target, { onError: (m) => { why = m; } });
    const repodir = entry.repodir ?? '(no repodir)';
    if (entry.repodir && !existsSync(entry.repodir)) {
      if (!entry.cloneUrl) problem = `repodir ${repodir} does not exist and no clone_url is set`;
      lines.push(entry.cloneUrl
        ? `git: clone ${redactUrl(entry.cloneUrl)} into ${repodir} (${what})`
        : `git: would fail: ${problem}`);
    }
    if (tip === null) problem ??= `the remote tip of ${what} is unknown: ${why}`;
    const ref = target.kind === 'tag' ? `refs/tags/${target.name}` : `refs/heads/${target.name}`;
    lines.push(`git: fetch ${ref} from ${entry.remote} in ${repodir}`);
    const how = entry.update === 'ff-only' ? 'fast-forward (refusing local changes or a diverged branch)' : 'check out, discarding local changes';
    lines.push(`git: ${how}: ${current ?? '(nothing)'} -> ${tip ?? `(remote tip unknown: ${why})`}`);
    // As the real update: submodule steps only where the checkout has a .gitmodules.
    if (entry.submodules && entry.repodir) {
      const step = 'git: submodule sync and update --init --recursive --force';
      if (!existsSync(entry.repodir)) lines.push(`${step} (if the clone has .gitmodules)`);
      else if (existsSync(join(entry.repodir, '.gitmodules'))) lines.push(step);
    }
  }

  const vars = whautoVars(req, { previous: current, after: entry.update === 'none' ? current : tip });
  const show = (kind: string, commands: Command[]): void => {
    for (const c of commands) {
      const limit = c.timeout !== null ? `, timeout ${formatDuration(c.timeout)}` : '';
      lines.push(`${kind}: ${commandName(c)}   (in ${entry.workdir}${limit})`);
    }
  };
  show('pre_commands', entry.preCommands);
  show('commands', entry.commands);
  show('post_commands', entry.postCommands);
  show('on_failure', entry.onFailure);
  lines.push(`run timeout ${formatDuration(entry.timeout)}; environment: the daemon's${Object.keys(entry.env).length ? ` + env (${Object.keys(entry.env).join(', ')})` : ''} +`);
  for (const [k, v] of Object.entries(vars)) lines.push(`  ${k}=${v}`);
  if (entry.onFailure.length > 0) lines.push('  WHAUTO_FAILED_STEP=<kind: name of the failed step> (on_failure only)');
  return { lines, problem };
}
