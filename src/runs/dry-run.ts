import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkRefName } from '../git/check-ref-name.ts';
import { checkRepo } from '../git/check-repo.ts';
import { fetchCommit } from '../git/fetch-commit.ts';
import { head } from '../git/head.ts';
import { localChanges } from '../git/local-changes.ts';
import { redactUrl } from '../git/redact-url.ts';
import { remoteTip } from '../git/remote-tip.ts';
import { remoteUrlNote } from '../git/remote-url-note.ts';
import { showPaths } from '../git/show-paths.ts';
import { dirState } from '../git/update-checkout.ts';
import { updateRefusal } from '../git/update-refusal.ts';
import { targetRef } from '../model/target.ts';
import type { Command } from '../settings/types.ts';
import { commandName } from './command-name.ts';
import { formatDuration } from './format-duration.ts';
import { whautoVars } from './run-env.ts';
import type { RunRequest } from './types.ts';

/**
 * What `executeRun(req)` would do, as lines for the terminal: the git steps with the remote
 * tip they would deploy (by `git ls-remote`), every command with its working directory, and
 * the WHAUTO_* variables (entry.env values are not shown: they may hold secrets). Never
 * throws. `problem` says why the run would fail at its git step as far as a dry run can tell,
 * else null: a bad ref name, the remote tip unknown, no checkout and nothing to clone, a
 * repodir that is not a directory, not a git repository, inside another one or refused for
 * dubious ownership (checkRepo), and the refusals of the update (updateRefusal: ff-only's
 * local changes or diverged branch; for reset and ff-only a path the new commit adds that the
 * server has untracked or ignored). A checkout whose remote URL is not clone_url gets a line.
 * It changes no ref, no file of the work tree and not the index, and runs no command; to
 * check the refusals it needs the tip's commit, and when the checkout does not have it yet it
 * fetches its objects without writing any ref or FETCH_HEAD (see fetchCommit): that adds
 * objects only, which git's gc prunes unless a real run fetches them.
 */
export async function dryRun(req: RunRequest): Promise<{ lines: string[]; problem: string | null }> {
  const { entry, target } = req;
  const lines: string[] = [];
  let problem: string | null = null;
  const what = `${target.kind} ${target.name}`;
  const current = entry.repodir ? await head(entry.repodir, { gitBinary: entry.gitBinary }) : null;
  lines.push(`entry ${entry.name}: would deploy ${what} (dry run: no ref, file or index is changed and no command runs)`);

  let tip: string | null = null;
  if (entry.update === 'none') {
    lines.push(`git: update none: no git work; ${entry.repodir ?? '(no repodir)'} stays at ${current ?? '(no commit)'}`);
  } else {
    let why = '';
    tip = await remoteTip(entry, target, { onError: (m) => { why = m; } });
    const repodir = entry.repodir ?? '(no repodir)';
    /** The first reason is the run's; each is said where the real update would stop. */
    const fail = (message: string): void => {
      problem ??= message;
      lines.push(`git: would fail: ${message}`);
    };
    // As updateCheckout, in its order; `checkout`: an existing repository it would update.
    let checkout: string | null = null;
    const badName = await checkRefName(entry, target, {});
    const state = entry.repodir ? dirState(entry.repodir) : null;
    if (badName) fail(badName);
    else if (!entry.repodir) fail('no repodir is set');
    else if (state === 'file') fail(`repodir ${repodir} is not a directory`);
    else if (state !== 'full') {
      if (entry.cloneUrl) lines.push(`git: clone ${redactUrl(entry.cloneUrl)} into ${repodir} (${what})`);
      else fail(`repodir ${repodir} ${state === 'missing' ? 'does not exist' : 'is empty'} and no clone_url is set`);
    } else {
      const notRepo = await checkRepo(entry, entry.repodir, target, {});
      if (notRepo) fail(notRepo);
      else {
        checkout = entry.repodir;
        const note = await remoteUrlNote(entry, checkout, {});
        if (note) lines.push(`git: note: ${note}`);
      }
    }
    if (tip === null) problem ??= `the remote tip of ${what} is unknown: ${why}`;
    lines.push(`git: fetch ${targetRef(target)} from ${entry.remote} in ${repodir}`);
    const how = entry.update === 'ff-only' ? 'fast-forward (refusing local changes or a diverged branch)' : 'check out, discarding local changes';
    lines.push(`git: ${how}: ${current ?? '(nothing)'} -> ${tip ?? `(remote tip unknown: ${why})`}`);
    if (checkout !== null && tip !== null) {
      const have = await fetchCommit(entry, checkout, target, tip, {});
      if ('message' in have) {
        lines.push(`git: cannot check the update to ${tip} (${have.message})`);
      } else {
        if (have.fetched) lines.push(`git: fetched the objects of ${tip} to check the update (no ref or FETCH_HEAD written)`);
        const refusal = await updateRefusal(entry, checkout, target, tip, entry.update, { onUnknown: (m) => lines.push(`git: cannot check: ${m}`) });
        if (refusal) fail(refusal);
        else if (entry.update === 'reset') {
          const discarded = await localChanges(entry, checkout, {});
          if (Array.isArray(discarded) && discarded.length > 0) lines.push(`git: reset discards the local changes to ${showPaths(discarded)}`);
        }
      }
    }
    // As the real update: submodule steps only where the checkout has a .gitmodules.
    if (entry.submodules && entry.repodir) {
      const step = 'git: submodule sync and update --init --recursive --force';
      if (state !== 'full') lines.push(`${step} (if the clone has .gitmodules)`);
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
