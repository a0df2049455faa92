import { existsSync, readdirSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { changedPaths } from '../git/changed-paths.ts';
import { explainFailure } from '../git/explain-failure.ts';
import { ensureCommit } from '../git/fetch-commit.ts';
import { submoduleEnv } from '../git/git-env.ts';
import { submoduleLocks } from '../git/git-locks.ts';
import { head } from '../git/head.ts';
import { activeHooks } from '../git/hooks.ts';
import { localChanges } from '../git/local-changes.ts';
import { ownFiles } from '../git/own-files.ts';
import { redactUrl } from '../git/redact-url.ts';
import { runGit } from '../git/run-git.ts';
import { showPaths } from '../git/show-paths.ts';
import { resolveSubmoduleUrl, showSubmodule, submoduleList, type Submodule } from '../git/submodule-list.ts';
import { untrackedInTheWay } from '../git/untracked-in-the-way.ts';
import { failure } from './failure.ts';
import type { PlanStep, UpdateContext, UpdateFailure } from './types.ts';

/** Levels of submodules in submodules looked into; deeper ones are not. */
const MAX_DEPTH = 8;

/** What moving a checkout's submodules to a new commit would do. */
interface SubmoduleLook {
  /** Either commit records submodules: the submodule steps run. */
  any: boolean;
  /** Folders of submodules the new commit no longer has there (removed or moved), holding nothing of the server's own: whauto removes them. */
  leftovers: string[];
  /** Tracked files changed inside such a folder (reset discards them with it; ff-only refuses). */
  changedInLeftovers: string[];
  refusal: UpdateFailure | null;
  /** What a dry run cannot vouch for: hooks git runs in the submodules (plan.unknowns). */
  unknowns: string[];
}

/** The hooks `git submodule update --force` runs in each submodule (it always checks out). */
const SUBMODULE_HOOKS = ['post-checkout', 'reference-transaction'];

/**
 * Looks at what bringing the submodules of `dir` from commit `from` (null: none yet) to
 * commit `to` would do, reading only (but for the objects of a submodule's new commit, fetched
 * objects-only from the URL the new commit's `.gitmodules` gives, as git will after `submodule
 * sync`): files of the server's own a moved submodule would overwrite (the same look as the
 * checkout's, inside each submodule and theirs), the folders of submodules the new commit
 * removes or moves away (whauto removes them, unless they hold files of the server's own:
 * then it refuses, naming them), and new submodules whose remote cannot be reached (the
 * checkout would move and then stop). Its fetches and ls-remote carry GIT_PROTOCOL_FROM_USER=0, as
 * `git submodule`'s do, so a transport git refuses there is refused here. Costs what the submodules cost: their list comes from
 * `.gitmodules` and `ls-tree` of their paths, never from the whole tree. `baseUrl`: the
 * superproject's remote URL, for relative submodule URLs.
 */
export async function lookAtSubmodules(
  ctx: UpdateContext, dir: string, from: string | null, to: string, baseUrl: string | null, depth = 0,
): Promise<SubmoduleLook> {
  const { entry, git } = ctx;
  const look: SubmoduleLook = { any: false, leftovers: [], changedInLeftovers: [], refusal: null, unknowns: [] };
  if (depth >= MAX_DEPTH) return look;
  const before = from ? await submoduleList(entry, dir, from, git) : [];
  const after = await submoduleList(entry, dir, to, git);
  if (before === null || after === null) {
    look.refusal = failure(`cannot read the submodules of ${dir} at ${after === null ? to : from}`);
    return look;
  }
  look.any = before.length > 0 || after.length > 0;
  if (!look.any) return look;
  const at = (path: string) => (depth === 0 ? path : join(dir, path));
  // git refuses a command as a submodule's update mode in .gitmodules: every git status in the checkout would fail after the move.
  const command = after.find((s) => s.update?.startsWith('!'));
  if (command) {
    look.refusal = failure(`the new commit's .gitmodules sets update = ${command.update} for submodule ${showSubmodule(command, at(command.path))}, which git refuses ` +
      '(a command may only come from the server\'s own git config): git would fail in the checkout after the move. Remove that line, push, and deploy again');
    return look;
  }
  const gitDirs = await lookAtGitDirs(ctx, dir, after, depth);
  if ('message' in gitDirs) return { ...look, refusal: gitDirs };
  look.unknowns.push(...gitDirs);
  const next = new Map(after.filter((s) => s.commit).map((s) => [s.path, s]));
  for (const old of before) {
    const folder = join(dir, old.path);
    const checkedOut = existsSync(join(folder, '.git'));
    const now = next.get(old.path);
    if (!checkedOut) continue; // never cloned: `submodule update --init` clones what the new commit has
    if (now) {
      const refusal = await lookInside(ctx, folder, now, at(now.path), baseUrl, depth, look.unknowns);
      if (refusal) return { ...look, refusal };
      continue;
    }
    // Removed, or moved to another path: git leaves its folder behind (its files are not the superproject's).
    const own = await serverFilesIn(ctx, folder, depth);
    if (own === null) return { ...look, refusal: failure(`cannot look into ${folder}, the folder of submodule ${old.name}, which the new commit no longer has there`) };
    if (own.length > 0) {
      return {
        ...look,
        refusal: failure(`the new commit no longer has submodule ${old.name} at ${at(old.path)}, but its folder holds files of the server's own: ` +
          `${showPaths(own.map((p) => `${at(old.path)}/${p}`))}; git does not track them there and removing the folder would delete them. Move them away and deploy again`),
      };
    }
    const changed = await localChanges(entry, folder, git);
    if (Array.isArray(changed)) look.changedInLeftovers.push(...changed.map((c) => `${at(old.path)}/${c.path}`));
    look.leftovers.push(at(old.path));
  }
  // What `submodule update --init` will clone: the submodules the new commit adds, and those
  // the checkout has but never cloned (a clone made without --recurse-submodules).
  const known = new Set(before.map((s) => s.path));
  for (const added of after.filter((s) => s.commit)) {
    if (existsSync(join(dir, added.path, '.git'))) continue;
    const url = added.url ? resolveSubmoduleUrl(added.url, baseUrl) : null;
    if (url === null) continue; // git itself says what is missing
    const r = await runGit(entry, ['ls-remote', '--heads', '--', url], dir, { ...git, env: submoduleEnv(git.env), show: false });
    if (!r.ok) {
      const what = known.has(added.path) ? `submodule ${added.name} at ${at(added.path)} is not cloned yet, and its remote ${redactUrl(url)} cannot be read`
        : `the new commit adds submodule ${added.name} at ${at(added.path)} from ${redactUrl(url)}, which cannot be read`;
      return { ...look, refusal: failure(`${what}: ${explainFailure(r, { step: 'ls-remote', repodir: dir, remote: url, target: ctx.target })}`, r) };
    }
  }
  return look;
}

/**
 * For a submodule `now` that stays (at another commit, perhaps another URL): its new commit's
 * objects are fetched when missing (objects only, by id, from the URL the new commit names),
 * then the files of the server's own the move would overwrite are looked for, in it and in
 * its own submodules. `shownPath`: its path as messages name it. Returns a refusal, or null.
 */
async function lookInside(
  ctx: UpdateContext, folder: string, now: Submodule, shownPath: string, baseUrl: string | null, depth: number, unknowns: string[],
): Promise<UpdateFailure | null> {
  const { entry, git } = ctx;
  const current = await head(folder, { ...git, gitBinary: entry.gitBinary, sshKey: entry.sshKey });
  if (current === now.commit) return null;
  const url = now.url ? resolveSubmoduleUrl(now.url, baseUrl) : 'origin';
  const have = await ensureCommit(entry, folder, now.commit!, url, now.commit!, { ...git, env: submoduleEnv(git.env) });
  if (!('fetched' in have)) {
    return failure(`cannot get commit ${now.commit} of submodule ${showSubmodule(now, shownPath)} from ${redactUrl(url)} to look for files of the server's own it would overwrite`, have.failed);
  }
  const added = current ? await changedPaths(entry, folder, current, now.commit!, git) : [];
  const inTheWay = added === null ? null
    : await untrackedInTheWay(entry, folder, added.filter((c) => c.status === 'A').map((c) => c.path), git);
  if (inTheWay && inTheWay.length > 0) {
    return failure(`update ${entry.update} refuses: the new commit puts files where ${folder} has ${showPaths(inTheWay)}, ` +
      'which git does not track there; the update would overwrite or delete them. Move them away, or delete them if the repository\'s copy should win, and deploy again');
  }
  const nested = await lookAtSubmodules(ctx, folder, current, now.commit!, url, depth + 1);
  unknowns.push(...nested.unknowns);
  return nested.refusal;
}

/**
 * Looks at the git folders `git submodule sync` and `update --init --recursive --force` write
 * in: `dir`'s config and, for each submodule of `list`, its git folder (`.git/modules/<name>`,
 * or a `.git` folder in its checkout). Refuses git lock files there (git would stop part way,
 * as lookAtCheckout refuses them in the checkout); returns the hooks git will run there, for
 * plan.unknowns. One `git rev-parse`, then file looks.
 */
async function lookAtGitDirs(ctx: UpdateContext, dir: string, list: Submodule[], depth: number): Promise<string[] | UpdateFailure> {
  const { entry, git } = ctx;
  const r = await runGit(entry, ['rev-parse', '--git-path', 'config.lock', '--git-path', 'modules'], dir, { ...git, show: false });
  const [configLock, modules] = r.ok ? r.lines.map((l) => resolve(dir, l)) : [];
  if (configLock === undefined || modules === undefined) return failure(`cannot find the git folder of ${dir}`, r);
  const shown = (f: string) => (depth === 0 && !relative(dir, f).startsWith('..') ? relative(dir, f) : f);
  const locks = existsSync(configLock) ? [configLock] : [];
  const hooks: string[] = [];
  for (const s of list.filter((x) => x.commit)) {
    const own = join(dir, s.path, '.git');
    const gitDirs = [join(modules, s.name), ...(isDirectory(own) ? [own] : [])].filter(isDirectory);
    for (const gitDir of gitDirs) {
      locks.push(...submoduleLocks(gitDir));
      const hooksDir = join(gitDir, 'hooks');
      for (const hook of activeHooks(hooksDir, SUBMODULE_HOOKS)) {
        hooks.push(`git runs the ${hook} hook of submodule ${s.name} (${shown(join(hooksDir, hook))}); a dry run does not run it`);
      }
    }
  }
  if (locks.length === 0) return hooks;
  return failure(`git lock file${locks.length === 1 ? '' : 's'} in the checkout: ${locks.map(shown).join(', ')}: a git command runs there, or one was killed ` +
    'and left it; git submodule would stop part way. Remove it once no git runs there, and deploy again');
}

/** Whether `path` is a folder (symlinks followed). */
function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The files of the server's own in `folder` (a submodule's checkout) and in its submodules' checkouts, relative to it; null when git cannot tell. */
async function serverFilesIn(ctx: UpdateContext, folder: string, depth: number): Promise<string[] | null> {
  const { entry, git } = ctx;
  const own = await ownFiles(entry, folder, git);
  if (own === null) return null;
  if (depth + 1 >= MAX_DEPTH) return own;
  const at = await head(folder, { ...git, gitBinary: entry.gitBinary, sshKey: entry.sshKey });
  const nested = at ? await submoduleList(entry, folder, at, git) : [];
  for (const s of nested ?? []) {
    if (!existsSync(join(folder, s.path, '.git'))) continue;
    const inner = await serverFilesIn(ctx, join(folder, s.path), depth + 1);
    if (inner === null) return null;
    own.push(...inner.map((p) => `${s.path}/${p}`));
  }
  return own;
}

/** The step that removes the folders of submodules the new commit no longer has there (and the parent folders that leaves empty). */
export function removeLeftoversStep(repodir: string, leftovers: string[]): PlanStep {
  return {
    name: `remove the folder${leftovers.length === 1 ? '' : 's'} of ${showPaths(leftovers)}, submodule${leftovers.length === 1 ? '' : 's'} the new commit no longer has there`,
    reads: 'nothing',
    changes: showPaths(leftovers),
    run: async () => {
      try {
        for (const path of leftovers) {
          rmSync(join(repodir, path), { recursive: true, force: true });
          // Parents it leaves empty (libs/ of libs/sub) go too: git keeps no empty folders.
          for (let parent = dirname(path); parent !== '.' && parent !== '/'; parent = dirname(parent)) {
            const full = join(repodir, parent);
            if (!existsSync(full) || readdirSync(full).length > 0) break;
            rmdirSync(full);
          }
        }
        return null;
      } catch (err) {
        return failure(`cannot remove the folder of a submodule the new commit no longer has: ${(err as Error).message}`);
      }
    },
  };
}
