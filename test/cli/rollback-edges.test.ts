// `whauto rollback` and `whauto status` against the built binary and real repositories, at
// the edges: the same commit deployed twice is no going back; a rollback whose post_commands
// fail did go back (status says so) without making the release it went back to, nor the
// commit's status on the forge, a failure; a half-built release is named as such, in status
// and to --to.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRemote, type Remote } from '../helpers/git.ts';
import { currentLink, releaseIds, whauto } from '../helpers/release.ts';
import { requireBinary, start, WHAUTO } from '../helpers/run.ts';
import { writeSettings } from '../helpers/settings.ts';
import { standIn, type StandIn } from '../helpers/stand-in.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';

describe('whauto rollback: the same commit twice, failing post_commands, a half-built release', () => {
  let t: { dir: string; cleanup: () => void };
  let remote: Remote;
  let api: StandIn;
  let settings: string;
  const env = { GH_TOKEN: 'gh-token-rollback' };
  const run = (...args: string[]) => whauto(args, env);
  const deploy = (entry: string): void => {
    const r = run('trigger', settings, entry);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  };
  /** As `run`, but without blocking this process: the forge's stand-in must answer meanwhile. */
  const runAsync = async (...args: string[]) => {
    const r = await start(WHAUTO, args, { env: { ...process.env, ...env } }).ended();
    return r;
  };
  const statusJson = (entry: string) => JSON.parse(run('status', settings, entry, '--json').stdout).entries[0];

  before(async () => {
    requireBinary();
    t = tempDir();
    remote = makeRemote(join(t.dir, 'forge'));
    api = await standIn({ status: 201 });
    const base = { provider: 'plain', branch: 'main', clone_url: remote.bare, commands: ['true'] };
    settings = writeSettings(t.dir, {
      entries: {
        same: { ...base, update: 'release', repodir: join(t.dir, 'same') },
        twice: { ...base, update: 'release', repodir: join(t.dir, 'twice') },
        rstwice: { ...base, update: 'reset', repodir: join(t.dir, 'rstwice') },
        post: {
          ...base, provider: 'github', secret: 'rollback-edges-secret', repo: 'acme/site', update: 'release', repodir: join(t.dir, 'post'),
          post_commands: ['test ! -e FAIL_POST'], commit_status: { token_env: 'GH_TOKEN', api_url: `${api.url}/api/v3` },
        },
        half: {
          ...base, update: 'release', repodir: join(t.dir, 'half'), env: { GATE: join(t.dir, 'gate'), STARTED: join(t.dir, 'started') },
          commands: ['if [ -e "$GATE" ]; then touch "$STARTED"; while [ -e "$GATE" ]; do sleep 0.05; done; fi'],
        },
      },
    });
  });
  after(async () => {
    rmSync(join(t.dir, 'gate'), { force: true });
    await api?.close();
    t?.cleanup();
  });

  it('update: release: with only releases of the live commit (deployed twice) on disk, a rollback is exit 2, saying so; current stays', () => {
    const root = join(t.dir, 'same');
    const c = remote.push('main', 'VERSION', 'same\n');
    deploy('same');
    deploy('same');
    assert.equal(releaseIds(root).length, 2, 'two releases of one commit');
    const live = currentLink(root);
    const r = run('rollback', settings, 'same');
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`no release older than the live one .* holding another commit than ${c.slice(0, 12)}.*nothing to roll back to`));
    assert.equal(currentLink(root), live);
  });

  it('update: release: a rollback goes back past another release of the live commit, to the newest release of another commit', () => {
    const root = join(t.dir, 'twice');
    const v1 = remote.push('main', 'VERSION', 'v1\n');
    deploy('twice');
    const [first] = releaseIds(root);
    const v2 = remote.push('main', 'VERSION', 'v2\n');
    deploy('twice');
    deploy('twice');
    const r = run('rollback', settings, 'twice');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`going back to releases/${first} \\(${v1} .*\\), from ${v2}`));
    assert.equal(currentLink(root), `releases/${first}`);
  });

  it('update: reset: a rollback goes back past another run of the live commit, to the newest run of another commit', () => {
    const dir = join(t.dir, 'rstwice');
    const v1 = remote.push('main', 'VERSION', 'r1\n');
    deploy('rstwice');
    remote.push('main', 'VERSION', 'r2\n');
    deploy('rstwice');
    deploy('rstwice');
    const r = run('rollback', settings, 'rstwice');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(git(dir, 'rev-parse', 'HEAD'), v1);
  });

  it('a rollback whose post_commands fail: current went back, status says "rolled back to" (and that it failed), the release keeps the result of the run that built it, and the commit gets no failure status', async () => {
    const root = join(t.dir, 'post');
    const v1 = remote.push('main', 'VERSION', 'p1\n');
    assert.equal((await runAsync('trigger', settings, 'post')).code, 0);
    const [old] = releaseIds(root);
    const v2 = remote.push('main', 'VERSION', 'p2\n');
    assert.equal((await runAsync('trigger', settings, 'post')).code, 0);
    writeFileSync(join(root, 'releases', old!, 'FAIL_POST'), '');
    const s0 = api.requests.length;
    assert.equal(s0, 4, 'pending and success for each deploy');
    const r = await runAsync('rollback', settings, 'post', '--to', old!);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(currentLink(root), `releases/${old}`, 'current went back');
    const text = run('status', settings, 'post').stdout;
    assert.match(text, new RegExp(`rolled back to ${v1.slice(0, 10)} \\(was ${v2.slice(0, 10)}\\), releases/${old}, by run \\S+ \\(failed: post_commands .*\\), until the next deploy`), text);
    const e = statusJson('post');
    assert.equal(e.rolled_back.to, v1);
    assert.equal(e.rolled_back.result, 'failed');
    assert.equal(e.releases.find((x: { id: string }) => x.id === old).result, 'succeeded', 'the result of the run that built it');
    // `whauto rollback` waits for its notifications before it exits.
    assert.deepEqual(api.requests.slice(s0).map((q) => [q.path, q.json.state]), [], 'a switch back sets no commit status');
  });

  it('a release a cut-off run left is "incomplete" in status (not "running"), and --to naming it says it is incomplete (exit 2)', async () => {
    const root = join(t.dir, 'half');
    deploy('half');
    const [live] = releaseIds(root);
    writeFileSync(join(t.dir, 'gate'), '');
    const trigger = start(WHAUTO, ['trigger', settings, 'half']);
    try {
      await waitFor('the build\'s command to start', () => existsSync(join(t.dir, 'started')), 60_000);
      trigger.proc.kill('SIGKILL');
      await trigger.exited;
    } finally {
      rmSync(join(t.dir, 'gate'), { force: true });
    }
    const half = releaseIds(root).find((id) => id !== live)!;
    assert.ok(half, 'the half-built release is on disk');
    const text = run('status', settings, 'half').stdout;
    assert.match(text, /cut off/);
    assert.match(text, new RegExp(`${half} +\\? +incomplete`), text);
    assert.equal(statusJson('half').releases.find((x: { id: string }) => x.id === half).result, 'incomplete');
    const r = run('rollback', settings, 'half', '--to', half);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`releases/${half} is incomplete \\(its deploy did not succeed\\)`));
    const gone = run('rollback', settings, 'half', '--to', '20200101T000000Z-0000000');
    assert.equal(gone.code, 2);
    assert.match(gone.stderr, /no release 20200101T000000Z-0000000 of entry 'half' is on disk/);
  });
});
