import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from './run.ts';

const ID = ['-c', 'user.name=whauto test', '-c', 'user.email=test@whauto.invalid', '-c', 'init.defaultBranch=main', '-c', 'protocol.file.allow=always'];

/** Runs git in `cwd` and returns its trimmed stdout. Throws on a non-zero exit, with git's stderr. */
export function git(cwd: string, ...args: string[]): string {
  const r = runProcess('git', [...ID, ...args], { cwd });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} in ${cwd} exited with ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A bare repository (the "forge" remote) and a work clone that commits and pushes to it. */
export interface Remote {
  bare: string;
  work: string;
  /** Commits `content` into `file` on `branch` (created from the current HEAD if new) and pushes; returns the commit id. */
  push(branch: string, file?: string, content?: string, opts?: { force?: boolean }): string;
  /** Tags the work clone's HEAD as `tag` and pushes the tag; returns the tagged commit id. */
  pushTag(tag: string): string;
}

/** Creates `<dir>/remote.git` with an initial commit on `main`. */
export function makeRemote(dir: string): Remote {
  const bare = join(dir, 'remote.git');
  const work = join(dir, 'author');
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '--bare', '-q', bare);
  git(dir, 'clone', '-q', bare, work);
  writeFileSync(join(work, 'README'), 'initial\n');
  git(work, 'add', 'README');
  git(work, 'commit', '-q', '-m', 'initial');
  git(work, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
  let n = 0;
  return {
    bare,
    work,
    push(branch, file = 'deployed.txt', content, opts = {}) {
      n++;
      try {
        git(work, 'checkout', '-q', branch);
      } catch {
        git(work, 'checkout', '-q', '-b', branch);
      }
      writeFileSync(join(work, file), content ?? `change ${n} on ${branch}\n`);
      git(work, 'add', file);
      git(work, 'commit', '-q', '-m', `change ${n}`);
      git(work, 'push', '-q', ...(opts.force ? ['--force'] : []), 'origin', `HEAD:refs/heads/${branch}`);
      return git(work, 'rev-parse', 'HEAD');
    },
    pushTag(tag) {
      git(work, 'tag', '-f', tag);
      git(work, 'push', '-q', '--force', 'origin', `refs/tags/${tag}`);
      return git(work, 'rev-parse', 'HEAD');
    },
  };
}
