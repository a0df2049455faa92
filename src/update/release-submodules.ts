import { existsSync, mkdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { checkoutTree } from '../git/checkout-tree.ts';
import { explainFailure } from '../git/explain-failure.ts';
import { ensureCommit } from '../git/fetch-commit.ts';
import { submoduleEnv } from '../git/git-env.ts';
import { initStore } from '../git/init-store.ts';
import { redactUrl } from '../git/redact-url.ts';
import { runGit } from '../git/run-git.ts';
import { resolveSubmoduleUrl, showSubmodule, submoduleList } from '../git/submodule-list.ts';
import { failure } from './failure.ts';
import type { UpdateContext, UpdateFailure } from './types.ts';

/** Levels of submodules in submodules filled in; deeper ones stay empty folders. */
const MAX_DEPTH = 8;

/** Where a submodule's store keeps the branches fetched when its server will not give a commit by id. */
const SUBMODULE_HEADS = 'refs/whauto/heads/';

/**
 * Fills the submodule folders of the release folder `dir` (built from `commit` of the store
 * `store`) as `git submodule update --init --recursive` would, but as plain trees: for each
 * submodule the commit records (its `.gitmodules` and gitlinks), its objects are kept in a
 * bare store of its own, `<store>/modules/<name>` (made on first use, like git's own
 * `.git/modules/<name>`), fetched from the URL the commit's `.gitmodules` names (relative
 * ones against `baseUrl`) only when the store lacks that commit (by id, objects only; else
 * every branch, kept under refs/whauto/heads/), and its tree is written into `<dir>/<path>`; then its own submodules, the
 * same way. Every release after the first fetches only what changed. The fetches carry
 * GIT_PROTOCOL_FROM_USER=0, so git's protocol.file.allow applies as it does for `git
 * submodule`. Resolves with why it failed, or null.
 */
export async function fillSubmodules(
  ctx: UpdateContext, store: string, dir: string, commit: string, baseUrl: string | null, depth = 0,
): Promise<UpdateFailure | null> {
  const { entry, target, git } = ctx;
  if (depth >= MAX_DEPTH) return null;
  const list = await submoduleList(entry, store, commit, git);
  if (list === null) return failure(`cannot read the submodules of ${commit} (its .gitmodules)`);
  const fetchEnv = submoduleEnv(git.env);
  for (const s of list) {
    if (s.commit === null) continue;
    if (isAbsolute(s.name) || s.name.split('/').includes('..')) return failure(`submodule name ${JSON.stringify(s.name)} in .gitmodules of ${commit} is not a usable folder name`);
    const url = s.url ? resolveSubmoduleUrl(s.url, baseUrl) : null;
    if (url === null) return failure(`submodule ${s.name} at ${s.path} has no url in .gitmodules of ${commit}`);
    const own = join(store, 'modules', s.name);
    if (!existsSync(own)) {
      const made = await initStore(entry, own, null, git);
      if (made) return failure(`cannot make the store ${own} of submodule ${s.name}: ${made instanceof Error ? made.message : made.lines.at(-1) ?? 'git init failed'}`);
    }
    git.onLine?.(redactUrl(`submodule ${s.name} at ${s.path}: ${s.commit} from ${url}`));
    let have = await ensureCommit(entry, own, s.commit, url, s.commit, { ...git, env: fetchEnv });
    // A server that serves no unadvertised commit by id: every branch, then look again. A glob
    // needs a destination (git refuses a bare `refs/heads/*`): the store keeps them as SUBMODULE_HEADS.
    if (!('fetched' in have)) have = await ensureCommit(entry, own, s.commit, url, `+refs/heads/*:${SUBMODULE_HEADS}*`, { ...git, env: fetchEnv });
    if (!('fetched' in have)) {
      const why = have.failed ? explainFailure(have.failed, { step: 'fetch', repodir: own, remote: url, target }) : 'no branch of it has that commit';
      return failure(`cannot get commit ${s.commit} of submodule ${showSubmodule(s)} from ${redactUrl(url)}: ${why}`, have.failed);
    }
    const folder = join(dir, s.path);
    try {
      mkdirSync(folder, { recursive: true });
    } catch (err) {
      return failure(`cannot create ${folder} for submodule ${s.name}: ${(err as Error).message}`);
    }
    const r = await checkoutTree(entry, own, s.commit, folder, git);
    if (r) return failure(explainFailure(r.failed, { step: r.step, repodir: own, remote: url, target }), r.failed);
    const nested = await fillSubmodules(ctx, own, folder, s.commit, url, depth + 1);
    if (nested) return nested;
  }
  return null;
}

/**
 * For a dry run, and for a first clone before it writes files: the submodules of `commit` (a
 * commit or rev in the store `store`, a git folder; top level only) whose
 * commit their own store lacks, so that the build would fetch it, each asked for its branches
 * (`git ls-remote --heads`, with GIT_PROTOCOL_FROM_USER=0 as the build's fetch): a remote the
 * build could not read (a transport git refuses, a missing repository) fails the dry run as
 * it would fail the run, in git's words. Resolves with why, or null.
 */
export async function lookAtReleaseSubmodules(ctx: UpdateContext, store: string, commit: string, baseUrl: string | null): Promise<UpdateFailure | null> {
  const { entry, target, git } = ctx;
  const list = await submoduleList(entry, store, commit, git);
  if (list === null) return failure(`cannot read the submodules of ${commit} (its .gitmodules)`);
  for (const s of list) {
    if (s.commit === null || isAbsolute(s.name) || s.name.split('/').includes('..')) continue; // the build says why
    const url = s.url ? resolveSubmoduleUrl(s.url, baseUrl) : null;
    if (url === null) continue;
    const own = join(store, 'modules', s.name);
    if (existsSync(own) && (await runGit(entry, ['cat-file', '-e', `${s.commit}^{commit}`], own, { ...git, show: false })).ok) continue;
    const r = await runGit(entry, ['ls-remote', '--heads', '--', url], store, { ...git, env: submoduleEnv(git.env), show: false });
    if (!r.ok) {
      return failure(`cannot get commit ${s.commit} of submodule ${showSubmodule(s)} from ${redactUrl(url)}: ` +
        explainFailure(r, { step: 'ls-remote', repodir: store, remote: url, target }), r);
    }
  }
  return null;
}
