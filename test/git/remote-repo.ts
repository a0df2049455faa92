// Test helper: a real bare repository as "the forge", a work clone that pushes to it, and
// an Entry pointing at a deploy checkout, all in one temp dir.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Entry } from '../../src/settings/types.ts';
import { runProcess } from '../helpers/run.ts';

/** git's environment in tests: no user or system config can change the outcome. */
export const GIT_TEST_ENV: Record<string, string> = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: os.tmpdir(),
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

export interface RemoteRepo {
  root: string;
  bare: string;
  work: string;
  /** A folder (not yet existing) for the deploy checkout. */
  deploy: string;
  /** Runs git in `cwd` (default work), throws on failure, returns trimmed stdout. */
  git(args: string[], cwd?: string): string;
  /** Writes `file` in work, commits it, returns the commit. */
  commit(file: string, content: string): string;
  entry(over?: Partial<Entry>): Entry;
  cleanup(): void;
}

export function makeRemote(): RemoteRepo {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'whauto-git-')));
  const bare = path.join(root, 'remote.git');
  const work = path.join(root, 'work');
  const deploy = path.join(root, 'deploy');
  const git = (args: string[], cwd = work): string => {
    const r = runProcess('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, env: GIT_TEST_ENV });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  git(['init', '--quiet', '--bare', '-b', 'main', bare], root);
  git(['init', '--quiet', '-b', 'main', work], root);
  git(['remote', 'add', 'origin', bare]);
  const repo: RemoteRepo = {
    root, bare, work, deploy, git,
    commit(file, content) {
      fs.writeFileSync(path.join(work, file), content);
      git(['add', '--', file]);
      git(['commit', '--quiet', '-m', `write ${file}`]);
      return git(['rev-parse', 'HEAD']);
    },
    entry(over = {}) {
      return {
        name: 'site', provider: 'plain', secret: null, repo: null, branches: ['main'], tags: false,
        repodir: deploy, cloneUrl: bare, remote: 'origin', update: 'reset', submodules: false,
        gitBinary: 'git', sshKey: null, workdir: deploy, env: {}, timeout: 60_000,
        preCommands: [], commands: [], postCommands: [], onFailure: [], allowIps: [], ...over,
      };
    },
    cleanup() {
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  repo.commit('README', 'one\n');
  git(['push', '--quiet', 'origin', 'main']);
  return repo;
}
