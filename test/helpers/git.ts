// Git for tests: git run with no user or system config, and a test remote (a bare repository
// as the forge, an author's clone that commits and pushes to it).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry } from '../../src/settings/types.ts';
import { runProcess } from './run.ts';
import { tempDir } from './tmp.ts';

/** git's environment in tests, also for git that code under test runs: no user or system config changes the outcome. */
export const GIT_ENV: Record<string, string> = {
  PATH: process.env['PATH'] ?? '/usr/bin:/bin',
  HOME: tmpdir(),
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

/** Who commits, and local (file://) submodules allowed, for the test's own git commands. */
const CONFIG = ['-c', 'user.name=whauto test', '-c', 'user.email=test@whauto.invalid', '-c', 'init.defaultBranch=main', '-c', 'protocol.file.allow=always'];

/** Runs git in `cwd` (in GIT_ENV) and returns its trimmed stdout. Throws on a non-zero exit, with git's stderr. */
export function git(cwd: string, ...args: string[]): string {
  const r = runProcess('git', [...CONFIG, ...args], { cwd, env: GIT_ENV });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} in ${cwd}: ${r.error?.message ?? `exit ${r.status}`}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A bare repository (the forge's) and the author's clone that pushes to it, in one folder. */
export interface Remote {
  /** The folder that holds them; a test may put its checkouts here too. */
  dir: string;
  /** The bare repository: `clone_url` for an entry. */
  bare: string;
  /** The author's clone. */
  work: string;
  /** A folder in `dir` for a server checkout of the remote, not made yet. */
  deploy: string;
  /** Writes `content` to `file` in the author's clone and commits it on its current branch (not pushed); returns the commit. */
  commit(file?: string, content?: string): string;
  /** Commits `file` on `branch` (made from the current HEAD when new) and pushes the branch (forced with `force`); returns the commit. */
  push(branch: string, file?: string, content?: string, opts?: { force?: boolean }): string;
  /** Tags the author's HEAD as `tag` and pushes the tag (moving it when it exists); returns the tagged commit. */
  pushTag(tag: string): string;
  /** An entry as settings load it that deploys `deploy` from this remote (reset, plain, no commands), with `over` on top. */
  entry(over?: Partial<Entry>): Entry;
  /** Removes `dir`. */
  cleanup(): void;
}

/**
 * Makes `<dir>/remote.git` (bare) and `<dir>/author` (its clone) with a first commit of `first`
 * (file name to content; default a README) pushed to `branch` (default main). `dir` defaults to
 * a fresh temp folder.
 */
export function makeRemote(dir: string = tempDir('whauto-git-').dir, opts: { branch?: string; first?: Record<string, string> } = {}): Remote {
  const branch = opts.branch ?? 'main';
  const bare = join(dir, 'remote.git');
  const work = join(dir, 'author');
  const deploy = join(dir, 'deploy');
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '--bare', '-b', branch, bare);
  git(dir, 'clone', '-q', bare, work);
  git(work, 'checkout', '-q', '-b', branch);
  let n = 0;
  const commit = (file = 'deployed.txt', content?: string): string => {
    n++;
    writeFileSync(join(work, file), content ?? `change ${n}\n`);
    git(work, 'add', '-f', '--', file);
    git(work, 'commit', '-q', '-m', `change ${n}`);
    return git(work, 'rev-parse', 'HEAD');
  };
  for (const [file, content] of Object.entries(opts.first ?? { README: 'initial\n' })) {
    writeFileSync(join(work, file), content);
    git(work, 'add', '-f', '--', file);
  }
  git(work, 'commit', '-q', '-m', 'first');
  git(work, 'push', '-q', 'origin', `HEAD:refs/heads/${branch}`);
  return {
    dir, bare, work, deploy, commit,
    push(to, file, content, o = {}) {
      try {
        git(work, 'checkout', '-q', to);
      } catch {
        git(work, 'checkout', '-q', '-b', to);
      }
      const id = commit(file, content);
      git(work, 'push', '-q', ...(o.force ? ['--force'] : []), 'origin', `HEAD:refs/heads/${to}`);
      return id;
    },
    pushTag(tag) {
      git(work, 'tag', '-f', tag);
      git(work, 'push', '-q', '--force', 'origin', `refs/tags/${tag}`);
      return git(work, 'rev-parse', 'HEAD');
    },
    entry(over = {}) {
      return {
        name: 'site', provider: 'plain', secret: null, repo: null, branches: [branch], tags: false,
        repodir: deploy, cloneUrl: bare, remote: 'origin', update: 'reset', submodules: false,
        gitBinary: 'git', sshKey: null, workdir: deploy, env: {}, timeout: 60_000,
        preCommands: [], commands: [], postCommands: [], onFailure: [], shared: [], keepReleases: 5, allowIps: [], notify: [], commitStatus: null, poll: null, webhook: true, ...over,
      };
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
