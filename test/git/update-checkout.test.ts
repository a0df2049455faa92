import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { updateCheckout } from '../helpers/update.ts';
import { dryRun } from '../../src/runs/dry-run.ts';
import type { Target } from '../../src/model/target.ts';
import { git, GIT_ENV, makeRemote } from '../helpers/git.ts';

const MAIN: Target = { kind: 'branch', name: 'main' };
const opts = (lines: string[] = []) => ({ env: GIT_ENV, onLine: (l: string) => lines.push(l), timeoutMs: 60_000 });

test('updateCheckout clones a missing repodir and leaves HEAD on the branch', async () => {
  const repo = makeRemote();
  try {
    const tip = git(repo.work, 'rev-parse', 'HEAD');
    const lines: string[] = [];
    const r = await updateCheckout(repo.entry(), MAIN, opts(lines));
    assert.deepEqual(r, { ok: true, previous: null, commit: tip, message: null });
    assert.equal(git(repo.deploy, 'symbolic-ref', 'HEAD'), 'refs/heads/main');
    assert.ok(lines.some((l) => l.startsWith('$ git clone')), 'the clone step is in the output');
  } finally {
    repo.cleanup();
  }
});

test('updateCheckout fails clearly when repodir is missing and there is no clone_url', async () => {
  const repo = makeRemote();
  try {
    const r = await updateCheckout(repo.entry({ cloneUrl: null }), MAIN, opts());
    assert.equal(r.ok, false);
    assert.equal(r.message, `repodir ${repo.deploy} does not exist and no clone_url is set`);
  } finally {
    repo.cleanup();
  }
});

test('updateCheckout fetches and deploys a new commit, recording previous and commit', async () => {
  const repo = makeRemote();
  try {
    const first = git(repo.work, 'rev-parse', 'HEAD');
    await updateCheckout(repo.entry(), MAIN, opts());
    const second = repo.commit('app.txt', 'v2\n');
    git(repo.work, 'push', '--quiet', 'origin', 'main');
    const r = await updateCheckout(repo.entry(), MAIN, opts());
    assert.deepEqual(r, { ok: true, previous: first, commit: second, message: null });
    assert.equal(fs.readFileSync(path.join(repo.deploy, 'app.txt'), 'utf8'), 'v2\n');
  } finally {
    repo.cleanup();
  }
});

test('updateCheckout deploys a force push', async () => {
  const repo = makeRemote();
  try {
    repo.commit('app.txt', 'v2\n');
    git(repo.work, 'push', '--quiet', 'origin', 'main');
    await updateCheckout(repo.entry(), MAIN, opts());
    git(repo.work, 'reset', '--quiet', '--hard', 'HEAD~1');
    const rewritten = repo.commit('app.txt', 'rewritten\n');
    git(repo.work, 'push', '--quiet', '--force', 'origin', 'main');
    const r = await updateCheckout(repo.entry(), MAIN, opts());
    assert.equal(r.ok, true);
    assert.equal(r.commit, rewritten);
    assert.equal(git(repo.deploy, 'rev-parse', 'HEAD'), rewritten);
  } finally {
    repo.cleanup();
  }
});

test('updateCheckout (reset) discards changes to tracked files and keeps untracked ones', async () => {
  const repo = makeRemote();
  try {
    await updateCheckout(repo.entry(), MAIN, opts());
    fs.writeFileSync(path.join(repo.deploy, 'README'), 'edited on the server\n');
    fs.writeFileSync(path.join(repo.deploy, '.env'), 'SECRET=1\n');
    const r = await updateCheckout(repo.entry(), MAIN, opts());
    assert.equal(r.ok, true);
    assert.equal(fs.readFileSync(path.join(repo.deploy, 'README'), 'utf8'), 'initial\n');
    assert.equal(fs.readFileSync(path.join(repo.deploy, '.env'), 'utf8'), 'SECRET=1\n');
  } finally {
    repo.cleanup();
  }
});

for (const update of ['reset', 'ff-only'] as const) {
  test(`updateCheckout (${update}) refuses a commit that adds a path the server has untracked or ignored, and changes nothing`, async () => {
    const repo = makeRemote();
    try {
      await updateCheckout(repo.entry(), MAIN, opts());
      const before = git(repo.deploy, 'rev-parse', 'HEAD');
      fs.writeFileSync(path.join(repo.deploy, '.gitignore'), '.env\n');
      fs.writeFileSync(path.join(repo.deploy, '.env'), 'SECRET=server\n');
      fs.writeFileSync(path.join(repo.deploy, 'a b.png'), 'server\n');
      fs.writeFileSync(path.join(repo.deploy, 'tab\there'), 'server\n');
      fs.writeFileSync(path.join(repo.deploy, 'new\nline'), 'server\n');
      repo.commit('.env', 'SECRET=repo\n');
      repo.commit('a b.png', 'repo\n');
      repo.commit('tab\there', 'repo\n');
      repo.commit('new\nline', 'repo\n');
      repo.commit('other.txt', 'new\n');
      git(repo.work, 'push', '--quiet', 'origin', 'main');
      const r = await updateCheckout(repo.entry({ update }), MAIN, opts());
      assert.equal(r.ok, false);
      assert.equal(r.message, `update ${update} refuses: the new commit puts files where ${repo.deploy} has .env, a b.png, "new\\nline", "tab\\there", which git does not track there; `
        + 'the update would overwrite or delete them. Move them away, or delete them if the repository\'s copy should win, and deploy again');
      assert.equal(git(repo.deploy, 'rev-parse', 'HEAD'), before);
      assert.equal(fs.readFileSync(path.join(repo.deploy, '.env'), 'utf8'), 'SECRET=server\n');
      assert.equal(fs.readFileSync(path.join(repo.deploy, 'a b.png'), 'utf8'), 'server\n');
      assert.equal(fs.existsSync(path.join(repo.deploy, 'other.txt')), false);
      // Once they are moved away, the same update goes through.
      fs.rmSync(path.join(repo.deploy, '.env'));
      fs.rmSync(path.join(repo.deploy, 'a b.png'));
      fs.rmSync(path.join(repo.deploy, 'tab\there'));
      fs.rmSync(path.join(repo.deploy, 'new\nline'));
      const again = await updateCheckout(repo.entry({ update }), MAIN, opts());
      assert.equal(again.ok, true, again.message ?? '');
      assert.equal(fs.readFileSync(path.join(repo.deploy, '.env'), 'utf8'), 'SECRET=repo\n');
    } finally {
      repo.cleanup();
    }
  });
}

for (const update of ['reset', 'ff-only'] as const) {
  test(`updateCheckout (${update}) refuses a commit that puts a file where the server has a folder of its own, or a folder where it has a file`, async () => {
    const repo = makeRemote();
    try {
      await updateCheckout(repo.entry(), MAIN, opts());
      const before = git(repo.deploy, 'rev-parse', 'HEAD');
      fs.mkdirSync(path.join(repo.deploy, 'uploads', '2026'), { recursive: true });
      fs.writeFileSync(path.join(repo.deploy, 'uploads', '2026', 'a.jpg'), 'photo\n');
      fs.writeFileSync(path.join(repo.deploy, 'data'), 'local data\n');
      repo.commit('uploads', 'a file now\n');
      fs.mkdirSync(path.join(repo.work, 'data'));
      repo.commit('data/x', 'in a folder now\n');
      git(repo.work, 'push', '--quiet', 'origin', 'main');
      const r = await updateCheckout(repo.entry({ update }), MAIN, opts());
      assert.equal(r.ok, false);
      assert.match(r.message ?? '', new RegExp(`^update ${update} refuses: the new commit puts files where \\S+ has data, uploads/, which git does not track there`));
      assert.equal(git(repo.deploy, 'rev-parse', 'HEAD'), before);
      assert.equal(fs.readFileSync(path.join(repo.deploy, 'uploads', '2026', 'a.jpg'), 'utf8'), 'photo\n');
      assert.equal(fs.readFileSync(path.join(repo.deploy, 'data'), 'utf8'), 'local data\n');
    } finally {
      repo.cleanup();
    }
  });
}

test('updateCheckout (reset) replaces a tracked folder by a file, and a tracked file by a folder, when nothing of the server\'s is in them', async () => {
  const repo = makeRemote();
  try {
    fs.mkdirSync(path.join(repo.work, 'lib'));
    repo.commit('lib/a.js', 'a\n');
    repo.commit('conf', 'a file\n');
    git(repo.work, 'push', '--quiet', 'origin', 'main');
    await updateCheckout(repo.entry(), MAIN, opts());
    git(repo.work, 'rm', '--quiet', '-r', 'lib', 'conf');
    git(repo.work, 'commit', '--quiet', '-m', 'swap');
    repo.commit('lib', 'a file now\n');
    fs.mkdirSync(path.join(repo.work, 'conf'));
    const tip = repo.commit('conf/main', 'in a folder now\n');
    git(repo.work, 'push', '--quiet', 'origin', 'main');
    const r = await updateCheckout(repo.entry(), MAIN, opts());
    assert.equal(r.ok, true, r.message ?? '');
    assert.equal(r.commit, tip);
    assert.equal(fs.readFileSync(path.join(repo.deploy, 'lib'), 'utf8'), 'a file now\n');
    assert.equal(fs.readFileSync(path.join(repo.deploy, 'conf', 'main'), 'utf8'), 'in a folder now\n');
  } finally {
    repo.cleanup();
  }
});

test('updateCheckout (reset) deploys a commit that deletes a tracked file the server replaced by a folder of its own, and the folder stays', async () => {
  const repo = makeRemote();
  try {
    repo.commit('index.html', 'site\n');
    git(repo.work, 'push', '--quiet', 'origin', 'main');
    await updateCheckout(repo.entry(), MAIN, opts());
    fs.rmSync(path.join(repo.deploy, 'index.html'));
    fs.mkdirSync(path.join(repo.deploy, 'index.html'));
    fs.writeFileSync(path.join(repo.deploy, 'index.html', 'upload.dat'), 'precious\n');
    git(repo.work, 'rm', '--quiet', 'index.html');
    git(repo.work, 'commit', '--quiet', '-m', 'drop index.html');
    const tip = git(repo.work, 'rev-parse', 'HEAD');
    git(repo.work, 'push', '--quiet', 'origin', 'main');
    const r = await updateCheckout(repo.entry(), MAIN, opts());
    assert.equal(r.ok, true, r.message ?? '');
    assert.equal(r.commit, tip);
    assert.equal(fs.readFileSync(path.join(repo.deploy, 'index.html', 'upload.dat'), 'utf8'), 'precious\n');
  } finally {
    repo.cleanup();
  }
});

test('updateCheckout (reset) keeps a file only staged on the server, unstaged (never committed, it is the server\'s own)', async () => {
  const repo = makeRemote();
  try {
    await updateCheckout(repo.entry(), MAIN, opts());
    fs.writeFileSync(path.join(repo.deploy, 'staged.txt'), 'x\n');
    git(repo.deploy, 'add', 'staged.txt');
    const r = await updateCheckout(repo.entry(), MAIN, opts());
    assert.equal(r.ok, true, r.message ?? '');
    assert.equal(fs.readFileSync(path.join(repo.deploy, 'staged.txt'), 'utf8'), 'x\n');
    assert.match(git(repo.deploy, 'status', '--porcelain'), /^\?\? staged\.txt$/m, 'untracked now');
  } finally {
    repo.cleanup();
  }
});

test('updateCheckout (ff-only) refuses a checkout with local changes and changes nothing', async () => {
  const repo = makeRemote();
  try {
    await updateCheckout(repo.entry(), MAIN, opts());
    const before = git(repo.deploy, 'rev-parse', 'HEAD');
    fs.writeFileSync(path.join(repo.deploy, 'README'), 'edited\n');
    repo.commit('app.txt', 'v2\n');
    git(repo.work, 'push', '--quiet', 'origin', 'main');
    const r = await updateCheckout(repo.entry({ update: 'ff-only' }), MAIN, opts());
    assert.equal(r.ok, false);
    assert.match(r.message ?? '', /local changes/);
    assert.equal(git(repo.deploy, 'rev-parse', 'HEAD'), before);
    assert.equal(fs.readFileSync(path.join(repo.deploy, 'README'), 'utf8'), 'edited\n');
  } finally {
    repo.cleanup();
  }
});

test('updateCheckout (ff-only) refuses a diverged checkout and fast-forwards a clean one', async () => {
  const repo = makeRemote();
  try {
    await updateCheckout(repo.entry(), MAIN, opts());
    const next = repo.commit('app.txt', 'v2\n');
    git(repo.work, 'push', '--quiet', 'origin', 'main');
    const ok = await updateCheckout(repo.entry({ update: 'ff-only' }), MAIN, opts());
    assert.equal(ok.ok, true);
    assert.equal(ok.commit, next);

    fs.writeFileSync(path.join(repo.deploy, 'local.txt'), 'x\n');
    git(repo.deploy, 'add', 'local.txt');
    git(repo.deploy, 'commit', '--quiet', '-m', 'local');
    const local = git(repo.deploy, 'rev-parse', 'HEAD');
    repo.commit('app.txt', 'v3\n');
    git(repo.work, 'push', '--quiet', 'origin', 'main');
    const r = await updateCheckout(repo.entry({ update: 'ff-only' }), MAIN, opts());
    assert.equal(r.ok, false);
    assert.match(r.message ?? '', /diverged/);
    assert.equal(git(repo.deploy, 'rev-parse', 'HEAD'), local);
  } finally {
    repo.cleanup();
  }
});

test('updateCheckout (none) does no git work', async () => {
  const repo = makeRemote();
  try {
    await updateCheckout(repo.entry(), MAIN, opts());
    const before = git(repo.deploy, 'rev-parse', 'HEAD');
    repo.commit('app.txt', 'v2\n');
    git(repo.work, 'push', '--quiet', 'origin', 'main');
    const r = await updateCheckout(repo.entry({ update: 'none' }), MAIN, opts());
    assert.deepEqual(r, { ok: true, previous: before, commit: before, message: null });
    assert.equal(git(repo.deploy, 'rev-parse', 'refs/remotes/origin/main'), before, 'nothing was fetched');
  } finally {
    repo.cleanup();
  }
});

test('updateCheckout fails clearly when the remote branch was deleted', async () => {
  const repo = makeRemote();
  try {
    git(repo.work, 'push', '--quiet', 'origin', 'main:feature');
    const feature: Target = { kind: 'branch', name: 'feature' };
    assert.equal((await updateCheckout(repo.entry(), feature, opts())).ok, true);
    git(repo.work, 'push', '--quiet', 'origin', '--delete', 'feature');
    const r = await updateCheckout(repo.entry(), feature, opts());
    assert.equal(r.ok, false);
    assert.equal(r.message, 'branch feature does not exist on remote origin (deleted?)');
  } finally {
    repo.cleanup();
  }
});

test('updateCheckout fails clearly when repodir is not a git repository', async () => {
  const repo = makeRemote();
  try {
    fs.mkdirSync(repo.deploy);
    fs.writeFileSync(path.join(repo.deploy, 'index.html'), 'hi\n');
    const r = await updateCheckout(repo.entry(), MAIN, opts());
    assert.equal(r.ok, false);
    assert.equal(r.message, `repodir ${repo.deploy} is not a git repository: point repodir at the checkout, or empty it (or remove it) so that clone_url is cloned there`);
  } finally {
    repo.cleanup();
  }
});

test('updateCheckout fails clearly when the remote cannot be reached', async () => {
  const repo = makeRemote();
  try {
    await updateCheckout(repo.entry(), MAIN, opts());
    git(repo.deploy, 'remote', 'set-url', 'origin', path.join(repo.dir, 'gone.git'));
    const r = await updateCheckout(repo.entry(), MAIN, opts());
    assert.equal(r.ok, false);
    assert.match(r.message ?? '', /^cannot reach remote origin: /);
  } finally {
    repo.cleanup();
  }
});

test('updateCheckout deploys an annotated tag detached', async () => {
  const repo = makeRemote();
  try {
    const tagged = repo.commit('app.txt', 'v1\n');
    git(repo.work, 'tag', '-a', '-m', 'release', 'v1.0');
    repo.commit('app.txt', 'later\n');
    git(repo.work, 'push', '--quiet', 'origin', 'main', 'v1.0');
    const r = await updateCheckout(repo.entry(), { kind: 'tag', name: 'v1.0' }, opts());
    assert.equal(r.ok, true);
    assert.equal(r.commit, tagged);
    assert.equal(fs.readFileSync(path.join(repo.deploy, 'app.txt'), 'utf8'), 'v1\n');
    assert.throws(() => git(repo.deploy, 'symbolic-ref', '-q', 'HEAD'), 'HEAD is detached');
  } finally {
    repo.cleanup();
  }
});

test('updateCheckout: a ref name that looks like an option cannot inject one', async () => {
  const repo = makeRemote();
  try {
    const name = '--upload-pack=touch${IFS}pwned';
    const tip = repo.commit('app.txt', 'evil\n');
    git(repo.work, 'push', '--quiet', 'origin', `HEAD:refs/heads/${name}`, `HEAD:refs/tags/${name}`);
    const branch = await updateCheckout(repo.entry(), { kind: 'branch', name }, opts());
    assert.equal(branch.ok, false);
    assert.equal(branch.message, `invalid branch name ${JSON.stringify(name)}: component starts with '-'`);
    assert.equal(fs.existsSync(repo.deploy), false, 'nothing ran');
    // A tag of that name is refused too (as a pushed ref it never gets this far), whether it is cloned or fetched.
    const tag = { kind: 'tag', name } as const;
    assert.equal((await updateCheckout(repo.entry(), tag, opts())).message, `invalid tag name ${JSON.stringify(name)}: component starts with '-'`);
    assert.equal((await updateCheckout(repo.entry(), MAIN, opts())).ok, true);
    const again = await updateCheckout(repo.entry(), tag, opts());
    assert.equal(again.ok, false);
    assert.notEqual(git(repo.deploy, 'rev-parse', 'HEAD'), tip);
    for (const dir of [repo.dir, repo.deploy, repo.bare, repo.work]) assert.equal(fs.existsSync(path.join(dir, 'pwned')), false);
    const bad = await updateCheckout(repo.entry(), { kind: 'branch', name: 'a:b' }, opts());
    assert.equal(bad.ok, false);
    assert.equal(bad.message, 'invalid branch name "a:b": forbidden character');
  } finally {
    repo.cleanup();
  }
});

for (const update of ['reset', 'ff-only'] as const) {
  test(`updateCheckout (${update}, submodules) refuses a submodule bump that would overwrite a file of the server's own inside the submodule`, async () => {
    const repo = makeRemote();
    const sub = makeRemote();
    try {
      // git refuses file:// submodules unless told (CVE-2022-39253); a forge's would be https or ssh.
      const env = { ...GIT_ENV, GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'protocol.file.allow', GIT_CONFIG_VALUE_0: 'always' };
      const withSub = { env, timeoutMs: 60_000 };
      git(repo.work, '-c', 'protocol.file.allow=always', 'submodule', 'add', '--quiet', sub.bare, 'vendor/sub');
      git(repo.work, 'commit', '--quiet', '-m', 'add the submodule');
      git(repo.work, 'push', '--quiet', 'origin', 'main');
      const entry = repo.entry({ submodules: true, update });
      const first = await updateCheckout(entry, MAIN, withSub);
      assert.equal(first.ok, true, first.message ?? '');
      const before = git(repo.deploy, 'rev-parse', 'HEAD');
      fs.writeFileSync(path.join(repo.deploy, 'vendor', 'sub', 'X.txt'), 'MINE\n');

      sub.commit('X.txt', 'up\n');
      git(sub.work, 'push', '--quiet', 'origin', 'main');
      const inWork = path.join(repo.work, 'vendor', 'sub');
      git(inWork, 'pull', '--quiet', 'origin', 'main');
      git(repo.work, 'add', 'vendor/sub');
      git(repo.work, 'commit', '--quiet', '-m', 'bump the submodule');
      git(repo.work, 'push', '--quiet', 'origin', 'main');

      const refusal = new RegExp(`^update ${update} refuses: the new commit puts files where \\S+/vendor/sub has X\\.txt, which git does not track there`);
      // A dry run's git reads process.env: it gets the same allowance of file:// submodules.
      const saved = { ...process.env };
      Object.assign(process.env, { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'protocol.file.allow', GIT_CONFIG_VALUE_0: 'always' });
      const dry = await dryRun({ id: 'r1', entry, trigger: 'manual', target: MAIN, deliveries: [], payloadFile: null })
        .finally(() => { for (const k of ['GIT_CONFIG_COUNT', 'GIT_CONFIG_KEY_0', 'GIT_CONFIG_VALUE_0']) { if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k]; } });
      assert.match(dry.problem ?? '', refusal, 'the dry run says so too');
      const r = await updateCheckout(entry, MAIN, withSub);
      assert.equal(r.ok, false);
      assert.match(r.message ?? '', refusal);
      assert.equal(git(repo.deploy, 'rev-parse', 'HEAD'), before);
      assert.equal(fs.readFileSync(path.join(repo.deploy, 'vendor', 'sub', 'X.txt'), 'utf8'), 'MINE\n');
      // Moved away, the same update goes through, submodule and all.
      fs.rmSync(path.join(repo.deploy, 'vendor', 'sub', 'X.txt'));
      const again = await updateCheckout(entry, MAIN, withSub);
      assert.equal(again.ok, true, again.message ?? '');
      assert.equal(fs.readFileSync(path.join(repo.deploy, 'vendor', 'sub', 'X.txt'), 'utf8'), 'up\n');
    } finally {
      repo.cleanup();
      sub.cleanup();
    }
  });
}

test('updateCheckout (submodules) looks into submodules of submodules too', async () => {
  const repo = makeRemote();
  const lib = makeRemote();
  const deep = makeRemote();
  try {
    const env = { ...GIT_ENV, GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'protocol.file.allow', GIT_CONFIG_VALUE_0: 'always' };
    const withSub = { env, timeoutMs: 60_000 };
    const allow = ['-c', 'protocol.file.allow=always'];
    git(lib.work, ...allow, 'submodule', 'add', '--quiet', deep.bare, 'deep');
    git(lib.work, 'commit', '--quiet', '-m', 'add deep');
    git(lib.work, 'push', '--quiet', 'origin', 'main');
    git(repo.work, ...allow, 'submodule', 'add', '--quiet', lib.bare, 'lib');
    git(repo.work, 'commit', '--quiet', '-m', 'add lib');
    git(repo.work, 'push', '--quiet', 'origin', 'main');
    const entry = repo.entry({ submodules: true });
    const first = await updateCheckout(entry, MAIN, withSub);
    assert.equal(first.ok, true, first.message ?? '');
    fs.writeFileSync(path.join(repo.deploy, 'lib', 'deep', '.env'), 'SERVER\n');

    deep.commit('.env', 'REPO\n');
    git(deep.work, 'push', '--quiet', 'origin', 'main');
    git(path.join(lib.work, 'deep'), 'pull', '--quiet', 'origin', 'main');
    git(lib.work, 'commit', '--quiet', '-am', 'bump deep');
    git(lib.work, 'push', '--quiet', 'origin', 'main');
    git(path.join(repo.work, 'lib'), 'pull', '--quiet', 'origin', 'main');
    git(repo.work, 'commit', '--quiet', '-am', 'bump lib');
    git(repo.work, 'push', '--quiet', 'origin', 'main');

    const r = await updateCheckout(entry, MAIN, withSub);
    assert.equal(r.ok, false);
    assert.match(r.message ?? '', /^update reset refuses: the new commit puts files where \S+\/lib\/deep has \.env, which git does not track there/);
    assert.equal(fs.readFileSync(path.join(repo.deploy, 'lib', 'deep', '.env'), 'utf8'), 'SERVER\n');
  } finally {
    for (const r of [repo, lib, deep]) r.cleanup();
  }
});
