// Every git scenario ends right, against the built binary and real repositories: `whauto trigger`
// (and its --dry-run first, whose exit code must equal the run's outcome) on a checkout that a
// bare "forge" remote moves on. Ending right: the checkout at the remote tip, HEAD on the branch
// (detached only for tags), `git status` clean but for the server's own files, commands run
// exactly when the git step succeeded, and the run record's result and commit what is on disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRemote } from '../helpers/git.ts';
import { dryThenReal, outcome, type Outcome } from '../helpers/dry-and-real.ts';
import { runProcess, whauto } from '../helpers/run.ts';
import { tempDir } from '../helpers/tmp.ts';

/** git for the daemon's side: no user config, and local submodules allowed (git refuses file:// submodules by default). */
const ENV = {
  ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'protocol.file.allow', GIT_CONFIG_VALUE_0: 'always',
};

interface World {
  dir: string;
  /** The forge's repository and the author's clone that pushes to it. */
  bare: string;
  author: string;
  /** The server's checkout. */
  site: string;
  /** Commits `content` into `file` (in the author's clone, on its current branch) and pushes (forced with `force`); returns the commit. */
  push(file: string, content?: string, opts?: { force?: boolean }): string;
  /** `whauto trigger` (args after ENTRY), its exit status and output. */
  trigger(...args: string[]): Outcome;
  /** The dry run, then the run: asserts their exit codes agree, returns both. */
  both(...args: string[]): { dry: Outcome; real: Outcome };
  /** The newest run's record as `status --json` shows it. */
  record(): { result: string; commit: string | null; message: string | null };
  /** The newest run's log. */
  log(): string;
  /** The commits the commands saw as WHAUTO_AFTER, one per run that reached them. */
  ran(): string[];
  cleanup(): void;
}

interface WorldOptions {
  update?: 'reset' | 'ff-only';
  submodules?: boolean;
  tags?: boolean;
  branch?: string;
  /** Leave the checkout to the first run's clone (default: a first run deploys it now). */
  noFirstDeploy?: boolean;
  /** A .gitignore the first commit carries. */
  gitignore?: string;
}

function world(opts: WorldOptions = {}): World {
  const branch = opts.branch ?? 'main';
  const remote = makeRemote(tempDir('whauto-scenario-').dir, { branch, first: { README: 'one\n', '.gitignore': opts.gitignore ?? '.env\nnode_modules/\n' } });
  const { dir, bare, work: author } = remote;
  const site = join(dir, 'site');
  // The forge lets a push delete or rename its default branch.
  git(bare, 'config', 'receive.denyDeleteCurrent', 'ignore');
  const settings = join(dir, 'settings.yaml');
  writeFileSync(settings, [
    'state_dir: ./state',
    'entries:',
    '  site:',
    '    provider: plain',
    `    branch: ${branch}`,
    `    tags: ${opts.tags ? 'true' : 'false'}`,
    '    repodir: ./site',
    `    clone_url: ${bare}`,
    `    update: ${opts.update ?? 'reset'}`,
    `    submodules: ${opts.submodules ? 'true' : 'false'}`,
    '    commands:',
    '      - \'echo "$WHAUTO_AFTER" >> ../ran.txt\'',
    '',
  ].join('\n'));
  const run = (args: string[]): Outcome => outcome(args, ENV);
  const w: World = {
    dir, bare, author, site,
    push(file, content, o = {}) {
      const commit = remote.commit(file, content);
      git(author, 'push', '-q', ...(o.force ? ['--force'] : []), 'origin', 'HEAD');
      return commit;
    },
    trigger: (...args) => run(['trigger', settings, 'site', ...args]),
    both: (...args) => dryThenReal((...dry) => w.trigger(...dry, ...args)),
    record() {
      const r = run(['status', settings, 'site', '--json']);
      const runs = JSON.parse(r.out.slice(0, r.out.lastIndexOf('}') + 1)).entries[0].runs;
      return runs[0];
    },
    log: () => run(['status', settings, 'site', '--log']).out,
    ran: () => (existsSync(join(dir, 'ran.txt')) ? readFileSync(join(dir, 'ran.txt'), 'utf8').trim().split('\n') : []),
    cleanup: remote.cleanup,
  };
  if (!opts.noFirstDeploy) {
    const first = w.trigger();
    assert.equal(first.status, 0, first.out);
  }
  return w;
}

/** git status --porcelain of the checkout, the server's own files (untracked `??`) left out. */
function trackedChanges(site: string): string[] {
  return git(site, 'status', '--porcelain', '--ignore-submodules=none').split('\n').filter((l) => l !== '' && !l.startsWith('?? '));
}

/** The run deployed `tip`: at it, on the branch (or detached for a tag), clean, commands ran with it, the record says so. */
function deployed(w: World, tip: string, on: { branch: string } | { tag: string } = { branch: 'main' }): void {
  assert.equal(git(w.site, 'rev-parse', 'HEAD'), tip, 'the checkout is at the remote tip');
  if ('branch' in on) assert.equal(git(w.site, 'symbolic-ref', 'HEAD'), `refs/heads/${on.branch}`, 'HEAD on the branch');
  else assert.throws(() => git(w.site, 'symbolic-ref', '-q', 'HEAD'), 'HEAD detached for a tag');
  assert.deepEqual(trackedChanges(w.site), [], 'git status clean but for the server\'s own files');
  assert.equal(w.ran().at(-1), tip, 'the commands ran, with WHAUTO_AFTER the tip');
  const r = w.record();
  assert.equal(r.result, 'succeeded', r.message ?? '');
  assert.equal(r.commit, tip, 'the record names the commit on disk');
}

/** The run failed at its git step: no command ran, the record's commit is HEAD, its message matches. */
function failedAtGit(w: World, ranBefore: number, message: RegExp): void {
  assert.equal(w.ran().length, ranBefore, 'no command ran');
  const r = w.record();
  assert.equal(r.result, 'failed');
  assert.match(r.message ?? '', message);
  assert.equal(r.commit, git(w.site, 'rev-parse', 'HEAD'), 'the record names what HEAD is');
}

function scenario(name: string, opts: WorldOptions, body: (w: World) => void): void {
  test(name, { timeout: 300_000 }, () => {
    const w = world(opts);
    try {
      body(w);
    } finally {
      w.cleanup();
    }
  });
}

// --- clone, fast-forward, force push, re-created and renamed branches ---

scenario('clone into a missing repodir', { noFirstDeploy: true }, (w) => {
  w.both();
  deployed(w, git(w.author, 'rev-parse', 'HEAD'));
});

scenario('clone into an empty repodir', { noFirstDeploy: true }, (w) => {
  mkdirSync(w.site);
  w.both();
  deployed(w, git(w.author, 'rev-parse', 'HEAD'));
});

scenario('fast-forward', {}, (w) => {
  const tip = w.push('app.txt');
  w.both();
  deployed(w, tip);
});

for (const update of ['reset', 'ff-only'] as const) {
  scenario(`force push (${update}: ${update === 'reset' ? 'deploys' : 'refuses the diverged branch'})`, { update }, (w) => {
    w.push('app.txt', 'v2\n');
    w.both();
    git(w.author, 'reset', '-q', '--hard', 'HEAD~1');
    const rewritten = w.push('app.txt', 'rewritten\n', { force: true });
    const before = git(w.site, 'rev-parse', 'HEAD');
    const ran = w.ran().length;
    w.both();
    if (update === 'reset') deployed(w, rewritten);
    else {
      failedAtGit(w, ran, /has diverged from origin\/main; update ff-only refuses/);
      assert.equal(git(w.site, 'rev-parse', 'HEAD'), before);
    }
  });
}

scenario('a branch deleted and re-created at an unrelated commit', {}, (w) => {
  w.push('app.txt');
  w.both();
  git(w.author, 'push', '-q', 'origin', ':refs/heads/main');
  git(w.author, 'checkout', '-q', '--orphan', 'fresh');
  git(w.author, 'rm', '-q', '-rf', '--cached', '.');
  rmSync(join(w.author, 'app.txt'));
  const unrelated = w.push('other.txt', 'a new history\n');
  git(w.author, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
  w.both();
  deployed(w, unrelated);
  assert.equal(existsSync(join(w.site, 'app.txt')), false, 'the old history\'s files are gone');
  assert.doesNotMatch(w.log(), /discards \d+ commits? only the checkout had/, 'the old history was the remote\'s, not the checkout\'s own');
});

scenario("the remote's default branch renamed", { branch: 'master' }, (w) => {
  git(w.author, 'branch', '-m', 'master', 'main');
  git(w.author, 'push', '-q', 'origin', 'HEAD:refs/heads/main', ':refs/heads/master');
  git(w.bare, 'symbolic-ref', 'HEAD', 'refs/heads/main');
  const tip = w.push('app.txt');
  const settings = join(w.dir, 'settings.yaml');
  writeFileSync(settings, readFileSync(settings, 'utf8').replace('branch: master', 'branch: main'));
  w.both();
  deployed(w, tip);
});

// --- what the server changed: edits, commits of its own, its own files ---

for (const update of ['reset', 'ff-only'] as const) {
  scenario(`edits to tracked files (${update})`, { update }, (w) => {
    writeFileSync(join(w.site, 'README'), 'edited on the server\n');
    const tip = w.push('app.txt');
    const ran = w.ran().length;
    const { dry } = w.both();
    if (update === 'reset') {
      deployed(w, tip);
      assert.equal(readFileSync(join(w.site, 'README'), 'utf8'), 'one\n');
      assert.match(dry.out, /update reset discards the local changes to README/);
      assert.match(w.log(), /note: update reset discards the local changes to README/, 'the run log names the discarded files');
    } else {
      failedAtGit(w, ran, /has local changes to README; update ff-only refuses/);
      assert.equal(readFileSync(join(w.site, 'README'), 'utf8'), 'edited on the server\n');
    }
  });

  scenario(`local commits on the branch (${update})`, { update }, (w) => {
    writeFileSync(join(w.site, 'hotfix.txt'), 'fixed on the server\n');
    git(w.site, 'add', 'hotfix.txt');
    git(w.site, 'commit', '-q', '-m', 'hotfix on the server');
    const local = git(w.site, 'rev-parse', 'HEAD');
    const tip = w.push('app.txt');
    const ran = w.ran().length;
    w.both();
    if (update === 'reset') {
      deployed(w, tip);
      assert.match(w.log(), new RegExp(`note: update reset discards 1 commit only the checkout had: ${local.slice(0, 7)} hotfix on the server`), 'the run log names the discarded commit');
    } else {
      failedAtGit(w, ran, /has diverged from origin\/main; update ff-only refuses/);
      assert.equal(git(w.site, 'rev-parse', 'HEAD'), local);
    }
  });
}

scenario("the server's own untracked and ignored files are kept, and a push that adds one of them is refused", {}, (w) => {
  writeFileSync(join(w.site, '.env'), 'SECRET=server\n');
  mkdirSync(join(w.site, 'uploads'));
  writeFileSync(join(w.site, 'uploads', 'a.png'), 'png');
  const tip = w.push('app.txt');
  w.both();
  deployed(w, tip);
  assert.equal(readFileSync(join(w.site, '.env'), 'utf8'), 'SECRET=server\n');
  assert.equal(readFileSync(join(w.site, 'uploads', 'a.png'), 'utf8'), 'png');
  w.push('.env', 'SECRET=repository\n');
  const before = git(w.site, 'rev-parse', 'HEAD');
  const ran = w.ran().length;
  writeFileSync(join(w.site, 'README'), 'edited on the server\n');
  const { dry } = w.both();
  failedAtGit(w, ran, /refuses: the new commit puts files where \S+ has \.env, which git does not track there/);
  assert.equal(git(w.site, 'rev-parse', 'HEAD'), before);
  assert.equal(readFileSync(join(w.site, '.env'), 'utf8'), 'SECRET=server\n');
  // A refused update discards nothing, and says nothing of discarding.
  assert.equal(readFileSync(join(w.site, 'README'), 'utf8'), 'edited on the server\n');
  for (const text of [dry.out, w.log()]) assert.doesNotMatch(text, /discards/);
});

scenario("a file of the server's own that someone staged (git add) but never committed: reset keeps it, unstaged; a push that adds it is refused", {}, (w) => {
  writeFileSync(join(w.site, 'local.conf'), 'the server\'s\n');
  git(w.site, 'add', '-f', 'local.conf');
  const tip = w.push('app.txt');
  const { dry } = w.both();
  assert.match(dry.out, /update reset unstages local\.conf \(staged, never committed, not in the new commit\): the files stay/);
  deployed(w, tip);
  assert.equal(readFileSync(join(w.site, 'local.conf'), 'utf8'), 'the server\'s\n', 'still on disk');
  git(w.site, 'add', '-f', 'local.conf');
  w.push('local.conf', 'the repository\'s\n');
  const ran = w.ran().length;
  w.both();
  failedAtGit(w, ran, /puts files where \S+ has local\.conf, which git does not track there/);
  assert.equal(readFileSync(join(w.site, 'local.conf'), 'utf8'), 'the server\'s\n');
});

scenario('a tracked folder the server replaced by a symlink to shared storage: reset refuses, naming it, and the link stays', {}, (w) => {
  mkdirSync(join(w.author, 'uploads'));
  w.push('uploads/readme.txt', 'uploads go here\n');
  w.both();
  const storage = join(w.dir, 'storage');
  mkdirSync(storage);
  writeFileSync(join(storage, 'photo.jpg'), 'photo');
  rmSync(join(w.site, 'uploads'), { recursive: true });
  symlinkSync(storage, join(w.site, 'uploads'));
  w.push('uploads/readme.txt', 'uploads still go here\n');
  const before = git(w.site, 'rev-parse', 'HEAD');
  const ran = w.ran().length;
  const { dry } = w.both();
  const refusal = /update reset refuses: the server put a symlink where the checkout has the folder uploads \(uploads -> \S+storage\); the update would put the folder back and cut the link/;
  assert.match(dry.out, refusal);
  failedAtGit(w, ran, refusal);
  assert.equal(git(w.site, 'rev-parse', 'HEAD'), before);
  assert.ok(lstatSync(join(w.site, 'uploads')).isSymbolicLink(), 'the link stays');
  assert.equal(readFileSync(join(w.site, 'uploads', 'photo.jpg'), 'utf8'), 'photo');
});

// A tracked file or symlink the server turned into a folder of its own files: reset would put the
// tracked one back and delete the folder with them.
for (const kind of ['symlink', 'file'] as const) {
  scenario(`a tracked ${kind} the server replaced by a folder holding its own files: reset refuses, naming it, and nothing changes`, {}, (w) => {
    const path = kind === 'symlink' ? 'uploads' : 'index.html';
    if (kind === 'symlink') symlinkSync('../shared-uploads', join(w.author, path));
    else writeFileSync(join(w.author, path), '<h1>site</h1>\n');
    git(w.author, 'add', '--', path);
    git(w.author, 'commit', '-q', '-m', `track ${path}`);
    git(w.author, 'push', '-q', 'origin', 'HEAD');
    w.both();
    rmSync(join(w.site, path));
    mkdirSync(join(w.site, path));
    writeFileSync(join(w.site, path, 'user1.jpg'), 'photo');
    w.push('app.txt');
    const before = git(w.site, 'rev-parse', 'HEAD');
    const changes = trackedChanges(w.site);
    const ran = w.ran().length;
    const { dry } = w.both();
    const refusal = new RegExp(`update reset refuses: the new commit puts files where \\S+ has ${path.replace('.', '\\.')}/, which git does not track there`);
    assert.match(dry.out, refusal, 'the dry run predicts the refusal');
    failedAtGit(w, ran, refusal);
    assert.equal(git(w.site, 'rev-parse', 'HEAD'), before);
    assert.deepEqual(trackedChanges(w.site), changes, 'git status as before');
    assert.ok(lstatSync(join(w.site, path)).isDirectory(), `${path} is still the server's folder`);
    assert.equal(readFileSync(join(w.site, path, 'user1.jpg'), 'utf8'), 'photo');
  });
}

scenario('a tracked file replaced by an empty folder, and one replaced by a symlink to a folder: reset puts them back, the linked folder\'s files stay', {}, (w) => {
  git(w.author, 'mv', 'README', 'index.html');
  w.push('app.txt', 'app\n');
  w.both();
  const elsewhere = join(w.dir, 'elsewhere');
  mkdirSync(elsewhere);
  writeFileSync(join(elsewhere, 'user1.jpg'), 'photo');
  rmSync(join(w.site, 'index.html'));
  mkdirSync(join(w.site, 'index.html'));
  rmSync(join(w.site, 'app.txt'));
  symlinkSync(elsewhere, join(w.site, 'app.txt'));
  const tip = w.push('other.txt');
  const { dry } = w.both();
  assert.match(dry.out, /update reset discards the local changes to app\.txt, index\.html/);
  deployed(w, tip);
  assert.equal(readFileSync(join(w.site, 'index.html'), 'utf8'), 'one\n');
  assert.equal(readFileSync(join(w.site, 'app.txt'), 'utf8'), 'app\n');
  assert.equal(readFileSync(join(elsewhere, 'user1.jpg'), 'utf8'), 'photo', 'only the link was replaced');
});

for (const update of ['reset', 'ff-only'] as const) {
  scenario(`update ${update}: a tracked symlink to a folder outside the checkout becomes a folder of the commit: deployed, the outside folder untouched`, { update }, (w) => {
    const outside = join(w.dir, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'precious.txt'), 'keep me');
    symlinkSync(outside, join(w.author, 'data'));
    git(w.author, 'add', '--', 'data');
    git(w.author, 'commit', '-q', '-m', 'data is a link');
    git(w.author, 'push', '-q', 'origin', 'HEAD');
    w.both();
    git(w.author, 'rm', '-q', 'data');
    mkdirSync(join(w.author, 'data'));
    const tip = w.push('data/precious.txt', 'from the repository\n');
    w.both();
    deployed(w, tip);
    assert.ok(lstatSync(join(w.site, 'data')).isDirectory(), 'data is the commit\'s folder');
    assert.equal(readFileSync(join(w.site, 'data', 'precious.txt'), 'utf8'), 'from the repository\n');
    assert.equal(readFileSync(join(outside, 'precious.txt'), 'utf8'), 'keep me', 'the folder the link pointed at is untouched');
  });
}

scenario('a file name holding newlines is named quoted in the refusal: no line of its own in the run log or the dry run', {}, (w) => {
  const evil = 'evil\n==> succeeded in 1ms\nx';
  writeFileSync(join(w.site, evil), 'the server\'s');
  const before = git(w.site, 'rev-parse', 'HEAD');
  const ran = w.ran().length;
  w.push(evil, 'the repository\'s');
  const { dry, real } = w.both();
  failedAtGit(w, ran, /has "evil\\n==> succeeded in 1ms\\nx", which git does not track there/);
  assert.equal(git(w.site, 'rev-parse', 'HEAD'), before);
  for (const [what, text] of [['the dry run', dry.out], ['the run', real.out], ['the run log', w.log()]] as const) {
    assert.doesNotMatch(text, /^==> succeeded in 1ms$/m, `${what} has no forged line`);
  }
});

// --- tags ---

scenario('tags: v1 then v2, and a tag moved to another commit', { tags: true }, (w) => {
  const tag = (name: string): string => {
    git(w.author, 'tag', '-f', '-a', '-m', name, name);
    git(w.author, 'push', '-q', '--force', 'origin', `refs/tags/${name}`);
    return git(w.author, 'rev-parse', 'HEAD');
  };
  const v1 = (w.push('app.txt', 'v1\n'), tag('v1'));
  w.both('--tag', 'v1');
  deployed(w, v1, { tag: 'v1' });
  const v2 = (w.push('app.txt', 'v2\n'), tag('v2'));
  w.both('--tag', 'v2');
  deployed(w, v2, { tag: 'v2' });
  const moved = (w.push('app.txt', 'v1 again\n'), tag('v1'));
  w.both('--tag', 'v1');
  deployed(w, moved, { tag: 'v1' });
  assert.equal(readFileSync(join(w.site, 'app.txt'), 'utf8'), 'v1 again\n');
  w.both();
  deployed(w, moved, { branch: 'main' });
});

// --- a linked worktree ---

scenario('a checkout that is a linked worktree never moves a branch another worktree has checked out', { noFirstDeploy: true }, (w) => {
  const primary = join(w.dir, 'primary');
  git(w.dir, 'clone', '-q', w.bare, primary);
  git(primary, 'worktree', 'add', '-q', '-b', 'deploy', w.site);
  const primaryHead = git(primary, 'rev-parse', 'HEAD');
  writeFileSync(join(primary, 'README'), 'staged in the primary worktree\n');
  git(primary, 'add', 'README');
  w.push('app.txt');
  const siteHead = git(w.site, 'rev-parse', 'HEAD');
  const { dry } = w.both();
  assert.match(dry.out, new RegExp(`branch main is checked out in the worktree ${primary} too`));
  failedAtGit(w, 0, new RegExp(`branch main is checked out in the worktree ${primary} too`));
  assert.equal(git(primary, 'rev-parse', 'HEAD'), primaryHead, "the other worktree's branch did not move");
  assert.equal(git(primary, 'symbolic-ref', 'HEAD'), 'refs/heads/main');
  assert.deepEqual(git(primary, 'status', '--porcelain').split('\n'), ['M  README'], 'its index is as it was');
  assert.equal(git(w.site, 'rev-parse', 'HEAD'), siteHead);
  assert.equal(git(w.site, 'symbolic-ref', 'HEAD'), 'refs/heads/deploy', 'nothing changed in the checkout');
});

// --- stale locks and hooks ---

for (const lock of ['.git/index.lock', '.git/refs/heads/main.lock']) {
  scenario(`a stale git lock (${lock}) fails the run, saying so and where the checkout is`, {}, (w) => {
    writeFileSync(join(w.site, lock), '');
    const before = git(w.site, 'rev-parse', 'HEAD');
    w.push('app.txt');
    const ran = w.ran().length;
    const { dry } = w.both();
    assert.match(dry.out, new RegExp(`git lock file in the checkout: \\S+${lock.replace(/\./g, '\\.')}`));
    failedAtGit(w, ran, new RegExp(`git lock file in the checkout: .*; the checkout stays at ${before}`));
    assert.equal(git(w.site, 'rev-parse', 'HEAD'), before);
    assert.deepEqual(trackedChanges(w.site), [], 'the files are still those of the old commit');
    rmSync(join(w.site, lock));
    const { real } = w.both();
    assert.equal(real.status, 0);
  });
}

scenario('a failing post-checkout hook fails the run, which says the files are the new commit\'s', {}, (w) => {
  const hook = join(w.site, '.git', 'hooks', 'post-checkout');
  writeFileSync(hook, '#!/bin/sh\necho "hook says no" >&2\nexit 3\n');
  chmodSync(hook, 0o755);
  const tip = w.push('app.txt');
  const ran = w.ran().length;
  const { dry } = w.both();
  assert.match(dry.out, /cannot check: git runs the checkout's post-checkout hook .*a dry run does not run it/);
  failedAtGit(w, ran, new RegExp(`git checkout failed .*; the checkout is at ${tip} now \\(HEAD on branch main\\): the files are those of the new commit`));
  assert.equal(git(w.site, 'rev-parse', 'HEAD'), tip);
  assert.match(w.log(), /hook says no/);
});

// --- git's own words ---

scenario("a checkout another user owns: git's own words (dubious ownership, safe.directory) are in the run log and the dry run", {}, (w) => {
  if (process.getuid?.() !== 0) return; // only root can hand a folder to another user here
  const before = git(w.site, 'rev-parse', 'HEAD');
  runProcess('chown', ['-R', '12345:12345', w.site]);
  w.push('app.txt');
  const ran = w.ran().length;
  const { dry } = w.both();
  assert.match(dry.out, /^ {4}fatal: detected dubious ownership in repository at/m);
  assert.match(dry.out, /git config --global --add safe\.directory/);
  assert.equal(w.ran().length, ran, 'no command ran');
  const r = w.record();
  assert.equal(r.result, 'failed');
  assert.match(r.message ?? '', /git refuses repodir .*: dubious ownership/);
  assert.equal(r.commit, null, 'git tells no one what HEAD is there: the record does not guess');
  assert.equal(git(w.site, '-c', 'safe.directory=*', 'rev-parse', 'HEAD'), before);
  const log = w.log();
  assert.match(log, /==> failed: git update: git refuses repodir .*dubious ownership[^\n]*\n {4}fatal: detected dubious ownership in repository at/);
  assert.match(log, /safe\.directory/);
});

// --- submodules ---

/** A second repository (a library) with its own author clone; `push` commits there and pushes. */
function library(w: World, name: string): { bare: string; author: string; push(file: string): string } {
  const lib = makeRemote(join(w.dir, name), { first: { README: `README of ${name}\n` } });
  return { bare: lib.bare, author: lib.work, push: (file) => lib.push('main', file, `${file} of ${name}\n`) };
}

/** The library `lib` added as submodule libs/sub by a commit the author pushes; that commit. */
function addLibrary(w: World): { lib: ReturnType<typeof library>; commit: string } {
  const lib = library(w, 'lib');
  git(w.author, 'submodule', 'add', '-q', lib.bare, 'libs/sub');
  return { lib, commit: commitAll(w, 'add a submodule') };
}

/** Commits what the author staged and pushes it; returns the commit. */
function commitAll(w: World, message: string): string {
  git(w.author, 'commit', '-q', '-m', message);
  git(w.author, 'push', '-q', 'origin', 'HEAD');
  return git(w.author, 'rev-parse', 'HEAD');
}

/** The author's clone brings its submodule at `path` to the newest commit of its remote's main. */
function bump(w: World, path: string): void {
  const sub = join(w.author, path);
  git(sub, 'fetch', '-q', 'origin');
  git(sub, 'checkout', '-q', 'origin/main');
  git(sub, 'submodule', 'update', '-q', '--init', '--recursive');
  git(w.author, 'add', path);
}

scenario('submodules: added, bumped, and one in a submodule', { submodules: true }, (w) => {
  const { lib, commit: added } = addLibrary(w);
  w.both();
  deployed(w, added);
  assert.equal(readFileSync(join(w.site, 'libs/sub/README'), 'utf8'), 'README of lib\n');

  const libTip = lib.push('lib.txt');
  bump(w, 'libs/sub');
  const bumped = commitAll(w, 'bump the submodule');
  w.both();
  deployed(w, bumped);
  assert.equal(git(join(w.site, 'libs/sub'), 'rev-parse', 'HEAD'), libTip);

  const deep = library(w, 'deep');
  git(lib.author, 'submodule', 'add', '-q', deep.bare, 'deep');
  git(lib.author, 'commit', '-q', '-m', 'lib: add deep');
  git(lib.author, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
  bump(w, 'libs/sub');
  const nested = commitAll(w, 'bump to a lib with a submodule');
  w.both();
  deployed(w, nested);
  assert.equal(readFileSync(join(w.site, 'libs/sub/deep/README'), 'utf8'), 'README of deep\n');
});

scenario('a checkout cloned without its submodule, whose remote cannot be read: dry run and run fail before anything moves, saying so', { submodules: true }, (w) => {
  const { lib, commit: tip } = addLibrary(w);
  rmSync(w.site, { recursive: true, force: true });
  git(w.dir, 'clone', '-q', w.bare, w.site); // no --recurse-submodules: libs/sub is an empty folder
  rmSync(lib.bare, { recursive: true, force: true });
  const ran = w.ran().length;
  const { dry } = w.both();
  const refusal = /submodule libs\/sub at libs\/sub is not cloned yet, and its remote \S+ cannot be read/;
  assert.match(dry.out, refusal);
  failedAtGit(w, ran, refusal);
  assert.equal(git(w.site, 'rev-parse', 'HEAD'), tip);
  assert.deepEqual(trackedChanges(w.site), [], 'nothing changed');
});

scenario('a pushed .gitmodules that sets update = merge: the submodule is at the commit the superproject records all the same', { submodules: true }, (w) => {
  const { lib } = addLibrary(w);
  w.both();
  // A commit of the server's own in the submodule: merge would keep it, checkout leaves it.
  writeFileSync(join(w.site, 'libs/sub/server.txt'), 'server\n');
  git(join(w.site, 'libs/sub'), 'add', 'server.txt');
  git(join(w.site, 'libs/sub'), 'commit', '-q', '-m', 'server commit');
  const libTip = lib.push('two.txt');
  bump(w, 'libs/sub');
  git(w.author, 'config', '-f', '.gitmodules', 'submodule.libs/sub.update', 'merge');
  git(w.author, 'add', '.gitmodules');
  const tip = commitAll(w, 'bump, and update = merge');
  w.both();
  deployed(w, tip);
  assert.equal(git(join(w.site, 'libs/sub'), 'rev-parse', 'HEAD'), libTip, 'the recorded commit, not a merge');
  assert.equal(existsSync(join(w.site, 'libs/sub/server.txt')), false);
});

scenario('a pushed .gitmodules that sets update = !command: refused before anything moves, dry run alike', { submodules: true }, (w) => {
  const { lib, commit: before } = addLibrary(w);
  w.both();
  git(w.author, 'config', '-f', '.gitmodules', 'submodule.libs/sub.update', '!touch pwned');
  git(w.author, 'add', '.gitmodules');
  commitAll(w, 'update = !command');
  const ran = w.ran().length;
  const { dry } = w.both();
  const refusal = /sets update = !touch pwned for submodule libs\/sub, which git refuses/;
  assert.match(dry.out, refusal);
  failedAtGit(w, ran, refusal);
  assert.equal(git(w.site, 'rev-parse', 'HEAD'), before);
  assert.deepEqual(trackedChanges(w.site), []);
});

scenario('a submodule moved to another path: its old folder goes', { submodules: true }, (w) => {
  const { lib } = addLibrary(w);
  w.both();
  mkdirSync(join(w.author, 'vendor'));
  git(w.author, 'mv', 'libs/sub', 'vendor/sub');
  const moved = commitAll(w, 'move the submodule');
  const { real } = w.both();
  deployed(w, moved);
  assert.equal(existsSync(join(w.site, 'libs')), false, 'the old folder (and libs/ it leaves empty) is gone');
  assert.equal(readFileSync(join(w.site, 'vendor/sub/README'), 'utf8'), 'README of lib\n');
  assert.doesNotMatch(real.out, /unable to rmdir/);
});

scenario("a submodule moved away whose old folder holds a file of the server's own: refused, naming it", { submodules: true }, (w) => {
  const { lib } = addLibrary(w);
  w.both();
  writeFileSync(join(w.site, 'libs/sub/uploaded.txt'), 'the server\'s\n');
  const before = git(w.site, 'rev-parse', 'HEAD');
  mkdirSync(join(w.author, 'vendor'));
  git(w.author, 'mv', 'libs/sub', 'vendor/sub');
  commitAll(w, 'move the submodule');
  const ran = w.ran().length;
  w.both();
  failedAtGit(w, ran, /no longer has submodule libs\/sub at libs\/sub, but its folder holds files of the server's own: libs\/sub\/uploaded\.txt/);
  assert.equal(git(w.site, 'rev-parse', 'HEAD'), before);
  assert.equal(readFileSync(join(w.site, 'libs/sub/uploaded.txt'), 'utf8'), 'the server\'s\n');
});

scenario('a submodule removed, then added again at the same path', { submodules: true }, (w) => {
  const { lib } = addLibrary(w);
  w.both();
  git(w.author, 'rm', '-q', 'libs/sub');
  const removed = commitAll(w, 'remove the submodule');
  w.both();
  deployed(w, removed);
  assert.equal(existsSync(join(w.site, 'libs')), false);
  git(w.author, 'submodule', 'add', '-q', '--force', lib.bare, 'libs/sub');
  const again = commitAll(w, 'add it again');
  w.both();
  deployed(w, again);
  assert.equal(readFileSync(join(w.site, 'libs/sub/README'), 'utf8'), 'README of lib\n');
});

scenario("a submodule's URL changed in .gitmodules, the old remote gone", { submodules: true }, (w) => {
  const { lib } = addLibrary(w);
  w.both();
  const moved = join(w.dir, 'lib-moved.git');
  git(w.dir, 'clone', '-q', '--bare', lib.bare, moved);
  git(lib.author, 'remote', 'set-url', 'origin', moved);
  const libTip = lib.push('moved.txt');
  git(w.author, 'submodule', 'set-url', 'libs/sub', moved);
  git(w.author, 'add', '.gitmodules');
  bump(w, 'libs/sub');
  const tip = commitAll(w, 'the library moved');
  rmSync(lib.bare, { recursive: true });
  w.both();
  deployed(w, tip);
  assert.equal(git(join(w.site, 'libs/sub'), 'rev-parse', 'HEAD'), libTip);
  assert.equal(git(join(w.site, 'libs/sub'), 'config', 'remote.origin.url'), moved);
});

/** Library sub1 with its own submodule `nested` (library subsub), added to the app at lib/sub1 (staged, not committed). */
function sub1WithNested(w: World): { sub1: ReturnType<typeof library>; subsub: ReturnType<typeof library> } {
  const sub1 = library(w, 'sub1');
  const subsub = library(w, 'subsub');
  git(sub1.author, 'submodule', 'add', '-q', subsub.bare, 'nested');
  git(sub1.author, 'commit', '-q', '-m', 'sub1: add nested');
  git(sub1.author, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
  git(w.author, 'submodule', 'add', '-q', sub1.bare, 'lib/sub1');
  git(w.author, 'submodule', 'update', '-q', '--init', '--recursive');
  return { sub1, subsub };
}

for (const update of ['reset', 'ff-only'] as const) {
  scenario(`${update}: a nested submodule moved to another remote deploys in one run, the dry run as the run`, { submodules: true, update }, (w) => {
    const { sub1, subsub } = sub1WithNested(w);
    commitAll(w, 'add sub1 with nested');
    w.both();
    // subsub's remote moves; sub1's .gitmodules follows it, and both move on.
    const moved = join(w.dir, 'subsub-new.git');
    renameSync(subsub.bare, moved);
    git(subsub.author, 'remote', 'set-url', 'origin', moved);
    const nestedTip = subsub.push('moved.txt');
    const nested = join(sub1.author, 'nested');
    git(nested, 'remote', 'set-url', 'origin', moved);
    git(sub1.author, 'submodule', 'set-url', 'nested', moved);
    git(nested, 'fetch', '-q', 'origin');
    git(nested, 'checkout', '-q', 'origin/main');
    git(sub1.author, 'add', '.gitmodules', 'nested');
    git(sub1.author, 'commit', '-q', '-m', 'sub1: nested moved');
    git(sub1.author, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
    const authorSub1 = join(w.author, 'lib/sub1');
    git(authorSub1, 'fetch', '-q', '--no-recurse-submodules', 'origin');
    git(authorSub1, 'checkout', '-q', 'origin/main');
    git(w.author, 'add', 'lib/sub1');
    const tip = commitAll(w, 'bump sub1');
    const { real } = w.both();
    assert.equal(real.status, 0, real.out);
    deployed(w, tip);
    const deployedNested = join(w.site, 'lib/sub1/nested');
    assert.equal(git(deployedNested, 'rev-parse', 'HEAD'), nestedTip);
    assert.equal(git(deployedNested, 'config', 'remote.origin.url'), moved);
    assert.equal(readFileSync(join(deployedNested, 'moved.txt'), 'utf8'), 'moved.txt of subsub\n');
  });
}

scenario("a first clone whose commit has a submodule that cannot be read: refused by the dry run as by the run, naming it, and nothing is left", { submodules: true, noFirstDeploy: true }, (w) => {
  const sub2 = library(w, 'sub2');
  // vendor/sub2 keeps the name it had at lib/sub2; lib/sub3's remote cannot be reached, and its URL holds a password.
  git(w.author, 'submodule', 'add', '-q', '--name', 'lib/sub2', sub2.bare, 'vendor/sub2');
  const sub3Url = 'http://deploy:s3cret-pw@127.0.0.1:9/sub3.git';
  git(w.author, 'config', '-f', '.gitmodules', 'submodule.lib/sub3.path', 'lib/sub3');
  git(w.author, 'config', '-f', '.gitmodules', 'submodule.lib/sub3.url', sub3Url);
  git(w.author, 'update-index', '--add', '--cacheinfo', `160000,${git(sub2.author, 'rev-parse', 'HEAD')},lib/sub3`);
  git(w.author, 'add', '.gitmodules');
  commitAll(w, 'add sub2, and sub3 from a remote that cannot be read');
  for (const attempt of ['first', 'again']) {
    const { dry, real } = w.both();
    assert.equal(real.status, 1, `${attempt}: ${real.out}`);
    for (const out of [dry.out, real.out]) {
      assert.match(out, /submodule lib\/sub3 from http:\/\/.*127\.0\.0\.1:9\/sub3\.git/, `${attempt}: names the submodule and its URL\n${out}`);
      assert.doesNotMatch(out, /s3cret-pw/, 'the password in the URL is never shown');
    }
    assert.match(real.out, /nothing is deployed: the clone is removed again/);
    assert.equal(existsSync(w.site), false, `${attempt}: no half-deployed checkout is left`);
    assert.deepEqual(w.ran(), [], 'no command ran');
  }
  // Without sub3 it deploys, vendor/sub2 with it.
  git(w.author, 'rm', '-q', '--cached', 'lib/sub3');
  git(w.author, 'config', '-f', '.gitmodules', '--remove-section', 'submodule.lib/sub3');
  git(w.author, 'add', '.gitmodules');
  const tip = commitAll(w, 'drop sub3');
  w.both();
  deployed(w, tip);
  assert.equal(readFileSync(join(w.site, 'vendor/sub2/README'), 'utf8'), 'README of sub2\n');
});

scenario("a submodule step that fails names the submodule and its URL, not the checkout's remote, and which submodules are behind", { submodules: true }, (w) => {
  const { subsub } = sub1WithNested(w);
  const tip = commitAll(w, 'add sub1 with nested');
  rmSync(subsub.bare, { recursive: true });
  const ran = w.ran().length;
  const real = w.trigger();
  assert.equal(real.status, 1, real.out);
  failedAtGit(w, ran, /submodule lib\/sub1\/nested: cannot reach remote \S*subsub\/remote\.git: /);
  const { message } = w.record();
  assert.doesNotMatch(message ?? '', /remote origin/);
  assert.match(message ?? '', new RegExp(`the checkout is at ${tip} now .*: the files are those of the new commit, but submodule lib/sub1/nested is not at the commit it records`));
});

scenario('a submodule bumped to a commit its remote does not have: refused before anything moves, naming its path and its .gitmodules name', { submodules: true }, (w) => {
  const sub2 = library(w, 'sub2');
  git(w.author, 'submodule', 'add', '-q', '--name', 'lib/sub2', sub2.bare, 'vendor/sub2');
  commitAll(w, 'add sub2');
  w.both();
  const before = git(w.site, 'rev-parse', 'HEAD');
  git(join(w.author, 'vendor/sub2'), 'commit', '-q', '--allow-empty', '-m', 'never pushed');
  git(w.author, 'add', 'vendor/sub2');
  commitAll(w, 'bump sub2 to a commit never pushed');
  const ran = w.ran().length;
  const { dry } = w.both();
  const named = /cannot get commit [0-9a-f]+ of submodule vendor\/sub2 \(named lib\/sub2 in \.gitmodules\) from /;
  assert.match(dry.out, named);
  failedAtGit(w, ran, named);
  assert.equal(git(w.site, 'rev-parse', 'HEAD'), before, 'the checkout did not move');
});
