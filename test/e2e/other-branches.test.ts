// An update in place (`reset`, `ff-only`) when the checkout has local branches besides the
// target's, against the built binary and real repositories: a branch whose name is a folder of
// the target's (`feat` before `feat/x`, a directory/file conflict in git's ref store), and a
// branch of the server's own HEAD is on. The dry run says what the run does, and exits as it ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRemote, type Remote } from '../helpers/git.ts';
import { writeSettings } from '../helpers/settings.ts';
import { dryThenReal, outcome } from '../helpers/dry-and-real.ts';
import { requireBinary } from '../helpers/run.ts';
import { tempDir } from '../helpers/tmp.ts';

/** whauto's side: no user or system git config. */
const ENV: NodeJS.ProcessEnv = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };

interface Site {
  remote: Remote;
  /** The checkout. */
  repodir: string;
  /** `whauto trigger` of the entry for `branch`: exit status and output. */
  trigger(branch: string, ...args: string[]): { status: number | null; out: string };
  /** The dry run, then the run, for `branch`: asserts their exit codes agree; returns both. */
  both(branch: string): { dry: { status: number | null; out: string }; real: { status: number | null; out: string } };
  /** The newest run's log. */
  log(): string;
}

function site(dir: string, update: 'reset' | 'ff-only', branches: string[]): Site {
  const remote = makeRemote(join(dir, 'forge'));
  const repodir = join(dir, 'deploy');
  const settings = writeSettings(dir, {
    entries: { site: { provider: 'plain', branch: branches, repodir, clone_url: remote.bare, update, commands: ['true'] } },
  });
  const trigger = (branch: string, ...args: string[]) => outcome(['trigger', settings, 'site', '--branch', branch, ...args], ENV);
  return {
    remote, repodir, trigger,
    both: (branch) => dryThenReal((...args) => trigger(branch, ...args)),
    log: () => outcome(['status', settings, 'site', '--log'], ENV).out,
  };
}

/** A temp folder for one test, removed after it. */
function scenario(name: string, body: (dir: string) => void): void {
  test(name, { timeout: 300_000 }, () => {
    requireBinary();
    const t = tempDir('whauto-branches-');
    try {
      body(t.dir);
    } finally {
      t.cleanup();
    }
  });
}

/** Branch `feat` deployed; then the remote deletes it and gets `feat/x` (made from main). Returns feat's and feat/x's commits. */
function featThenFeatX(s: Site): { feat: string; featX: string } {
  const feat = s.remote.push('feat', 'feat.txt');
  const first = s.trigger('feat');
  assert.equal(first.status, 0, first.out);
  git(s.remote.work, 'push', '-q', 'origin', ':refs/heads/feat');
  git(s.remote.work, 'checkout', '-q', 'main');
  git(s.remote.work, 'branch', '-q', '-D', 'feat');
  const featX = s.remote.push('feat/x', 'x.txt');
  return { feat, featX };
}

const head = (repodir: string) => ({ commit: git(repodir, 'rev-parse', 'HEAD'), branch: git(repodir, 'symbolic-ref', '-q', '--short', 'HEAD') });

scenario('reset: feat/x after feat was deleted on the remote deploys, dropping the stale origin/feat and the local branch feat (its commits were fetched); the dry run says so', (dir) => {
  const s = site(dir, 'reset', ['main', 'feat', 'feat/*']);
  const { featX } = featThenFeatX(s);
  const { dry, real } = s.both('feat/x');
  assert.equal(real.status, 0, real.out);
  assert.deepEqual(head(s.repodir), { commit: featX, branch: 'feat/x' });
  assert.ok(existsSync(join(s.repodir, 'x.txt')) && !existsSync(join(s.repodir, 'feat.txt')), 'the files are those of feat/x');
  assert.equal(git(s.repodir, 'for-each-ref', '--format=%(refname)', 'refs/heads/feat', 'refs/remotes/origin/feat'), 'refs/heads/feat/x\nrefs/remotes/origin/feat/x');
  assert.match(dry.out, /fetch refs\/heads\/feat\/x from origin, first dropping refs\/remotes\/origin\/feat \(origin has no such branch now/);
  assert.match(dry.out, /git: delete branch feat \(in the way of branch feat\/x\)/);
  const log = s.log();
  assert.match(log, /\$ git update-ref -d refs\/remotes\/origin\/feat [0-9a-f]{40}\n\$ git fetch /);
  assert.match(log, /\$ git branch -D feat\n/);
  for (const out of [dry.out, log]) assert.match(out, /note: update reset deletes branch feat, in the way of branch feat\/x .*its commits were all fetched from origin/);
});

scenario('reset: feat/x while a local branch feat holds commits never fetched (origin/feat pruned) is refused before anything changes, naming feat and the git command; the dry run the same', (dir) => {
  const s = site(dir, 'reset', ['main', 'feat', 'feat/*']);
  const { feat } = featThenFeatX(s);
  git(s.repodir, 'remote', 'prune', 'origin');
  const { dry, real } = s.both('feat/x');
  assert.equal(real.status, 1, real.out);
  const said = new RegExp(`branch feat in ${s.repodir.replace(/[/.]/g, '\\$&')} is in the way of branch feat/x .*1 commit never fetched from origin: ${feat.slice(0, 7)} .*git -C \\S+ branch -m feat <new name>`);
  assert.match(dry.out, said);
  assert.match(real.out, said);
  assert.doesNotMatch(real.out, /\$ git checkout/);
  assert.deepEqual(head(s.repodir), { commit: feat, branch: 'feat' });
  assert.ok(existsSync(join(s.repodir, 'feat.txt')) && !existsSync(join(s.repodir, 'x.txt')), 'the files are still those of feat');
});

scenario('ff-only: feat/x while the local branch feat is in the way is refused (it deletes no branch), naming the command; the checkout stays on feat; the dry run the same', (dir) => {
  const s = site(dir, 'ff-only', ['main', 'feat', 'feat/*']);
  const { feat } = featThenFeatX(s);
  const { dry, real } = s.both('feat/x');
  assert.equal(real.status, 1, real.out);
  const said = /branch feat in \S+ is in the way of branch feat\/x .*update ff-only deletes no branch\. To delete it: git -C \S+ checkout --detach && git -C \S+ branch -D feat/;
  assert.match(dry.out, said);
  assert.match(real.out, said);
  assert.deepEqual(head(s.repodir), { commit: feat, branch: 'feat' });
  assert.ok(!existsSync(join(s.repodir, 'x.txt')));
});

scenario('reset: feat after the remote replaced feat/x by feat deploys, deleting the local branch feat/x HEAD was on', (dir) => {
  const s = site(dir, 'reset', ['main', 'feat', 'feat/*']);
  s.remote.push('feat/x', 'x.txt');
  assert.equal(s.trigger('feat/x').status, 0);
  git(s.remote.work, 'push', '-q', 'origin', ':refs/heads/feat/x');
  git(s.remote.work, 'checkout', '-q', 'main');
  git(s.remote.work, 'branch', '-q', '-D', 'feat/x');
  const feat = s.remote.push('feat', 'feat.txt');
  const { real } = s.both('feat');
  assert.equal(real.status, 0, real.out);
  assert.deepEqual(head(s.repodir), { commit: feat, branch: 'feat' });
  assert.match(s.log(), /note: update reset deletes branch feat\/x, in the way of branch feat /);
});

/** The checkout deployed main, then the server made branch hotfix with a commit of hf.txt on it; the remote's main moved on. */
function onHotfix(s: Site): { hotfix: string; main: string } {
  assert.equal(s.trigger('main').status, 0);
  git(s.repodir, 'checkout', '-q', '-b', 'hotfix');
  writeFileSync(join(s.repodir, 'hf.txt'), 'hot fix\n');
  git(s.repodir, 'add', 'hf.txt');
  git(s.repodir, '-c', 'user.name=ops', '-c', 'user.email=ops@example.invalid', 'commit', '-q', '-m', 'server hot fix');
  return { hotfix: git(s.repodir, 'rev-parse', 'HEAD'), main: s.remote.push('main', 'next.txt') };
}

scenario('ff-only: the checkout on a branch of its own with a commit main lacks is refused, naming the branch and the commit; hf.txt stays; the dry run the same', (dir) => {
  const s = site(dir, 'ff-only', ['main']);
  const { hotfix } = onHotfix(s);
  const { dry, real } = s.both('main');
  assert.equal(real.status, 1, real.out);
  const said = new RegExp(`is on branch hotfix, which has 1 commit not in branch main and never fetched from origin: ${hotfix.slice(0, 7)} server hot fix; update ff-only refuses`);
  assert.match(dry.out, said);
  assert.match(real.out, said);
  assert.deepEqual(head(s.repodir), { commit: hotfix, branch: 'hotfix' });
  assert.ok(existsSync(join(s.repodir, 'hf.txt')));
});

scenario("reset: the checkout on a branch of its own is deployed, and the run log and the dry run name the branch's commit that leaves the live tree (it stays on the branch)", (dir) => {
  const s = site(dir, 'reset', ['main']);
  const { hotfix, main } = onHotfix(s);
  const { dry, real } = s.both('main');
  assert.equal(real.status, 0, real.out);
  const said = new RegExp(`note: update reset moves HEAD off branch hotfix and takes out of the live tree its 1 commit not in branch main and never fetched from origin \\(it stays on branch hotfix\\): ${hotfix.slice(0, 7)} server hot fix`);
  assert.match(dry.out, said);
  assert.match(s.log(), said);
  assert.deepEqual(head(s.repodir), { commit: main, branch: 'main' });
  assert.ok(!existsSync(join(s.repodir, 'hf.txt')));
  assert.equal(git(s.repodir, 'rev-parse', 'refs/heads/hotfix'), hotfix, 'the branch keeps its commit');
});

scenario('ff-only: a local main only ahead of the remote is refused as "ahead of origin/main by 1 commit", not as diverged', (dir) => {
  const s = site(dir, 'ff-only', ['main']);
  assert.equal(s.trigger('main').status, 0);
  writeFileSync(join(s.repodir, 'local.txt'), 'local\n');
  git(s.repodir, 'add', 'local.txt');
  git(s.repodir, '-c', 'user.name=ops', '-c', 'user.email=ops@example.invalid', 'commit', '-q', '-m', 'local');
  const { dry, real } = s.both('main');
  assert.equal(real.status, 1, real.out);
  for (const out of [dry.out, real.out]) {
    assert.match(out, /branch main in \S+ is ahead of origin\/main by 1 commit; update ff-only refuses/);
    assert.doesNotMatch(out, /diverged/);
  }
});
