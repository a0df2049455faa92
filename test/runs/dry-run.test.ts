import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { dryRun } from '../../src/runs/dry-run.ts';
import { updateCheckout } from '../helpers/update.ts';
import type { RunRequest } from '../../src/runs/types.ts';
import type { Target } from '../../src/model/target.ts';
import type { Entry } from '../../src/settings/types.ts';
import { git, GIT_ENV, makeRemote, type Remote } from '../helpers/git.ts';

test('dryRun names the remote tip, the commands and their cwd, and changes nothing', async () => {
  const repo = makeRemote();
  try {
    const main = { kind: 'branch', name: 'main' } as const;
    const entry = repo.entry({ commands: [{ run: 'touch ran', timeout: null }], env: { TOKEN: 'hunter2' } });
    await updateCheckout(entry, main, { env: GIT_ENV });
    const deployed = git(repo.work, 'rev-parse', 'HEAD');
    const next = repo.commit('app.txt', 'v2\n');
    git(repo.work, 'push', '--quiet', 'origin', 'main');
    const req: RunRequest = { id: 'r1', entry, trigger: 'manual', target: main, deliveries: [], payloadFile: null };

    const { lines, problem } = await dryRun(req);
    assert.equal(problem, null);
    const text = lines.join('\n');
    assert.ok(text.includes(`${deployed} -> ${next}`), text);
    assert.ok(lines.includes(`commands: touch ran   (in ${repo.deploy})`), text);
    assert.ok(lines.includes('  WHAUTO_TRIGGER=manual'), text);
    assert.ok(lines.includes('  WHAUTO_REF=refs/heads/main'), text);
    assert.ok(!text.includes('hunter2'), 'entry env values are not shown');
    assert.equal(git(repo.deploy, 'rev-parse', 'HEAD'), deployed);
    assert.equal(git(repo.deploy, 'rev-parse', 'refs/remotes/origin/main'), deployed, 'nothing fetched');
    assert.equal(fs.existsSync(path.join(repo.deploy, 'ran')), false);
  } finally {
    repo.cleanup();
  }
});

test('dryRun of a missing checkout says it would clone, and does not', async () => {
  const repo = makeRemote();
  try {
    const tip = git(repo.work, 'rev-parse', 'HEAD');
    const req: RunRequest = { id: 'r1', entry: repo.entry(), trigger: 'manual', target: { kind: 'branch', name: 'main' }, deliveries: [], payloadFile: null };
    const { lines, problem } = await dryRun(req);
    assert.equal(problem, null);
    const text = lines.join('\n');
    assert.ok(text.includes(`git: clone ${repo.bare} into ${repo.deploy}`), text);
    assert.ok(text.includes(`-> ${tip}`), text);
    assert.equal(fs.existsSync(repo.deploy), false);
  } finally {
    repo.cleanup();
  }
});

test('dryRun says the run would fail when the remote tip cannot be read, or there is nothing to clone', async () => {
  const repo = makeRemote();
  try {
    const main = { kind: 'branch', name: 'main' } as const;
    const gone = path.join(repo.deploy, '..', 'no-such-remote.git');
    const unreachable = await dryRun({ id: 'r1', entry: repo.entry({ cloneUrl: gone }), trigger: 'manual', target: main, deliveries: [], payloadFile: null });
    assert.match(unreachable.problem ?? '', /^the remote tip of branch main is unknown: /);
    assert.ok(unreachable.lines.some((l) => l.includes('-> (the remote tip, unknown)')), unreachable.lines.join('\n'));
    assert.ok(unreachable.lines.some((l) => /^ {4}fatal: .* does not appear to be a git repository/.test(l)), 'git\'s own words are under the summary');
    const noClone = await dryRun({ id: 'r2', entry: repo.entry({ cloneUrl: null }), trigger: 'manual', target: main, deliveries: [], payloadFile: null });
    assert.match(noClone.problem ?? '', /^repodir .* does not exist and no clone_url is set$/);
    assert.equal(fs.existsSync(repo.deploy), false);
  } finally {
    repo.cleanup();
  }
});

const MAIN = { kind: 'branch', name: 'main' } as const;
const ask = (entry: Entry, target: Target = MAIN): RunRequest => ({ id: 'r1', entry, trigger: 'manual', target, deliveries: [], payloadFile: null });

/** Everything of a checkout a dry run must leave as it is: refs, HEAD, FETCH_HEAD, the index, the work tree. */
function snapshot(repo: Remote): string {
  const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'base64') : '(none)');
  const tree = fs.readdirSync(repo.deploy, { recursive: true }).map(String).filter((f) => f !== '.git' && !f.startsWith(`.git${path.sep}`)).sort()
    .map((f) => { const p = path.join(repo.deploy, f); return fs.statSync(p).isDirectory() ? `${f}/` : `${f}: ${read(p)}`; });
  return [git(repo.deploy, 'for-each-ref'), git(repo.deploy, 'symbolic-ref', 'HEAD'), git(repo.deploy, 'rev-parse', 'HEAD'),
    read(path.join(repo.deploy, '.git', 'FETCH_HEAD')), read(path.join(repo.deploy, '.git', 'index')), ...tree].join('\n');
}

test('dryRun (ff-only) says a diverged branch fails the run, as the real update then does', async () => {
  const repo = makeRemote();
  try {
    await updateCheckout(repo.entry(), MAIN, { env: GIT_ENV });
    fs.writeFileSync(path.join(repo.deploy, 'local.txt'), 'x\n');
    git(repo.deploy, 'add', 'local.txt');
    git(repo.deploy, 'commit', '--quiet', '-m', 'local');
    repo.commit('app.txt', 'v2\n');
    git(repo.work, 'push', '--quiet', 'origin', 'main');
    const entry = repo.entry({ update: 'ff-only' });
    const { lines, problem } = await dryRun(ask(entry));
    assert.equal(problem, `branch main in ${repo.deploy} has diverged from origin/main; update ff-only refuses`);
    assert.ok(lines.includes(`git: would fail: ${problem}`), lines.join('\n'));
    const real = await updateCheckout(entry, MAIN, { env: GIT_ENV });
    assert.equal(real.message, problem);
  } finally {
    repo.cleanup();
  }
});

test('dryRun (ff-only) says local changes to tracked files fail the run', async () => {
  const repo = makeRemote();
  try {
    await updateCheckout(repo.entry(), MAIN, { env: GIT_ENV });
    fs.writeFileSync(path.join(repo.deploy, 'README'), 'edited on the server\n');
    const { lines, problem } = await dryRun(ask(repo.entry({ update: 'ff-only' })));
    assert.equal(problem, `repodir ${repo.deploy} has local changes to README; update ff-only refuses to touch it`);
    assert.ok(lines.includes(`git: would fail: ${problem}`), lines.join('\n'));
    // reset discards them: no problem there.
    assert.equal((await dryRun(ask(repo.entry()))).problem, null);
  } finally {
    repo.cleanup();
  }
});

for (const update of ['reset', 'ff-only'] as const) {
  test(`dryRun (${update}) says a commit adding a path the server has untracked fails the run, and changes nothing`, async () => {
    const repo = makeRemote();
    try {
      await updateCheckout(repo.entry(), MAIN, { env: GIT_ENV });
      fs.writeFileSync(path.join(repo.deploy, '.gitignore'), '.env\n');
      fs.writeFileSync(path.join(repo.deploy, '.env'), 'SECRET=server\n');
      if (update === 'reset') { // (ff-only would refuse a staged file as a local change first)
        fs.writeFileSync(path.join(repo.deploy, 'staged.txt'), 'staged\n');
        git(repo.deploy, 'add', 'staged.txt');
      }
      // A tracked file touched but not changed: git status would refresh (rewrite) the index.
      fs.utimesSync(path.join(repo.deploy, 'README'), new Date(), new Date(Date.now() + 5000));
      const tip = repo.commit('.env', 'SECRET=repo\n');
      git(repo.work, 'push', '--quiet', 'origin', 'main');
      git(repo.work, 'push', '--quiet', 'origin', 'main:other'); // a remote branch the fetch must not bring as a ref
      const before = snapshot(repo);
      const entry = repo.entry({ update });
      const { lines, problem } = await dryRun(ask(entry));
      assert.match(problem ?? '', new RegExp(`^update ${update} refuses: the new commit puts files where \\S+ has \\.env, which git does not track there`));
      assert.ok(lines.includes(`git: would fail: ${problem}`), lines.join('\n'));
      assert.ok(lines.includes(`git: note: fetched the objects of ${tip} to look at the update (no ref or FETCH_HEAD written)`), lines.join('\n'));
      assert.equal(snapshot(repo), before, 'refs, HEAD, FETCH_HEAD, index and work tree unchanged');
      assert.equal(git(repo.deploy, 'cat-file', '-t', tip), 'commit', 'only objects were added');
      // The tip is there now: a second dry run fetches nothing and says the same.
      const again = await dryRun(ask(entry));
      assert.equal(again.problem, problem);
      assert.ok(!again.lines.some((l) => l.startsWith('git: note: fetched')), again.lines.join('\n'));
      assert.equal(snapshot(repo), before);
      assert.equal((await updateCheckout(entry, MAIN, { env: GIT_ENV })).message, problem);
    } finally {
      repo.cleanup();
    }
  });
}

test('dryRun says a repodir that is not a git repository, or inside another one, fails the run', async () => {
  const repo = makeRemote();
  try {
    fs.mkdirSync(repo.deploy);
    fs.writeFileSync(path.join(repo.deploy, 'index.html'), 'hi\n');
    const plain = await dryRun(ask(repo.entry()));
    assert.equal(plain.problem, `repodir ${repo.deploy} is not a git repository: point repodir at the checkout, or empty it (or remove it) so that clone_url is cloned there`);
    assert.ok(plain.lines.includes(`git: would fail: ${plain.problem}`), plain.lines.join('\n'));
    assert.equal((await updateCheckout(repo.entry(), MAIN, { env: GIT_ENV })).message, plain.problem);

    const inner = path.join(repo.work, 'site');
    fs.mkdirSync(inner);
    fs.writeFileSync(path.join(inner, 'index.html'), 'hi\n');
    const nested = await dryRun(ask(repo.entry({ repodir: inner, workdir: inner })));
    assert.equal(nested.problem, `repodir ${inner} is inside the git repository ${repo.work}, not its top folder`);
    assert.equal(fs.existsSync(path.join(inner, '.git')), false);

    fs.writeFileSync(path.join(repo.dir, 'afile'), '');
    const file = await dryRun(ask(repo.entry({ repodir: path.join(repo.dir, 'afile') })));
    assert.equal(file.problem, `repodir ${path.join(repo.dir, 'afile')} is not a directory`);
    assert.equal((await dryRun(ask(repo.entry(), { kind: 'branch', name: 'a..b' }))).problem, `invalid branch name "a..b": contains '..'`);
  } finally {
    repo.cleanup();
  }
});

test("dryRun says when the checkout's remote is not clone_url (credentials hidden), and deploys from the remote", async () => {
  const repo = makeRemote();
  try {
    await updateCheckout(repo.entry(), MAIN, { env: GIT_ENV });
    const moved = repo.entry({ cloneUrl: 'https://deploy:s3cret@forge.example/acme/moved.git' });
    const { lines, problem } = await dryRun(ask(moved));
    assert.equal(problem, null);
    assert.ok(lines.includes(`git: note: remote origin of ${repo.deploy} is ${repo.bare}, not clone_url https://***@forge.example/acme/moved.git: the checkout's own remote is used`), lines.join('\n'));
    assert.ok(!lines.join('\n').includes('s3cret'));
    const same = await dryRun(ask(repo.entry({ cloneUrl: ` ${repo.bare}\n` })));
    assert.ok(!same.lines.some((l) => l.includes('note:')), 'the same URL after trimming');
  } finally {
    repo.cleanup();
  }
});

test('dryRun (reset) names the local changes the run would discard, and keeps them', async () => {
  const repo = makeRemote();
  try {
    const main = { kind: 'branch', name: 'main' } as const;
    const entry = repo.entry();
    await updateCheckout(entry, main, { env: GIT_ENV });
    fs.writeFileSync(path.join(repo.deploy, 'README'), 'edited on the server\n');
    fs.writeFileSync(path.join(repo.deploy, 'staged file.txt'), 'x\n');
    git(repo.deploy, 'add', 'staged file.txt');
    const req: RunRequest = { id: 'r1', entry, trigger: 'manual', target: main, deliveries: [], payloadFile: null };
    const { lines, problem } = await dryRun(req);
    assert.equal(problem, null);
    assert.ok(lines.includes('git: note: update reset discards the local changes to README'), lines.join('\n'));
    assert.ok(lines.includes('git: note: update reset unstages staged file.txt (staged, never committed, not in the new commit): the files stay, as the server\'s own'), lines.join('\n'));
    assert.equal(fs.readFileSync(path.join(repo.deploy, 'README'), 'utf8'), 'edited on the server\n');
    assert.match(git(repo.deploy, 'status', '--porcelain'), /^A {2}"staged file\.txt"$/m);
  } finally {
    repo.cleanup();
  }
});
