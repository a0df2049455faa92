// `whauto rollback` against the built binary and real repositories: release (switch back),
// reset and ff-only (deploy the older commit), none and nothing earlier (refused), --to,
// --dry-run, --no-wait and waiting for the checkout, and what status says.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRemote, type Remote } from '../helpers/git.ts';
import { builtRefs, currentLink, releaseIds, whauto } from '../helpers/release.ts';
import { lines, runRecords } from '../helpers/state.ts';
import { writeSettings } from '../helpers/settings.ts';
import { tempDir } from '../helpers/tmp.ts';
import { requireBinary, start, WHAUTO } from '../helpers/run.ts';
import { waitFor } from '../helpers/wait.ts';

describe('whauto rollback', () => {
  let t: { dir: string; cleanup: () => void };
  let remote: Remote;
  let settings: string;
  let marks: string;
  const state = () => join(t.dir, 'state');
  const run = (...args: string[]) => whauto(args);
  const deploy = (entry: string, version: string): string => {
    const commit = remote.push('main', 'VERSION', `${version}\n`);
    const r = run('trigger', settings, entry);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    return commit;
  };
  const lastRecord = (entry: string) => runRecords(state(), entry).at(-1);

  before(() => {
    requireBinary();
    t = tempDir();
    remote = makeRemote(join(t.dir, 'forge'));
    marks = join(t.dir, 'marks');
    const base = { provider: 'plain', branch: 'main', clone_url: remote.bare, env: { MARKS: marks } };
    const steps = {
      pre_commands: ['echo "pre $WHAUTO_TRIGGER" >> "$MARKS"'],
      commands: ['echo "cmd $WHAUTO_TRIGGER $(cat VERSION)" >> "$MARKS"'],
      post_commands: ['echo "post $WHAUTO_TRIGGER $(cat VERSION) $WHAUTO_PREVIOUS $WHAUTO_AFTER" >> "$MARKS"'],
    };
    mkdirSync(join(t.dir, 'work'));
    settings = writeSettings(t.dir, {
      entries: {
        rel: { ...base, ...steps, update: 'release', repodir: join(t.dir, 'rel') },
        rs: { ...base, ...steps, update: 'reset', repodir: join(t.dir, 'rs') },
        ff: { ...base, ...steps, update: 'ff-only', repodir: join(t.dir, 'ff') },
        nogit: { ...base, update: 'none', workdir: join(t.dir, 'work'), commands: ['true'] },
        fresh: { ...base, ...steps, update: 'reset', repodir: join(t.dir, 'fresh') },
        rel2: { ...base, update: 'release', repodir: join(t.dir, 'rel2'), commands: ['true'] },
        rs2: { ...base, update: 'reset', repodir: join(t.dir, 'rs2'), commands: ['true'] },
        gated: {
          ...base, update: 'release', repodir: join(t.dir, 'gated'), env: { GATE: join(t.dir, 'gate'), STARTED: join(t.dir, 'started') },
          commands: ['touch "$STARTED"; while [ -e "$GATE" ]; do sleep 0.05; done'],
        },
      },
    });
  });
  after(() => t.cleanup());

  it('update: release switches current back to the newest older release: no git, no build, then post_commands; recorded with trigger rollback, the commit it left and the one it went back to', () => {
    const root = join(t.dir, 'rel');
    const v1 = deploy('rel', 'v1');
    const v2 = deploy('rel', 'v2');
    const [first] = releaseIds(root);
    const fetched = git(join(root, 'repo'), 'rev-parse', 'refs/remotes/origin/main');
    remote.push('main', 'VERSION', 'v3\n'); // on the remote, not deployed: a rollback does not fetch it
    rmSync(marks, { force: true });
    const r = run('rollback', settings, 'rel');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`going back to releases/${first} \\(${v1} change \\d+\\), from ${v2}`));
    assert.equal(currentLink(root), `releases/${first}`);
    assert.deepEqual(lines(marks), [`post rollback v1 ${v2} ${v1}`], 'neither pre_commands nor commands ran');
    assert.equal(git(join(root, 'repo'), 'rev-parse', 'refs/remotes/origin/main'), fetched, 'no fetch');
    assert.equal(releaseIds(root).length, 2, 'no release built, none removed');
    const record = lastRecord('rel');
    assert.equal(record.trigger, 'rollback');
    assert.equal(record.result, 'succeeded');
    assert.equal(record.commit, v1);
    assert.equal(record.previous, v2);
    assert.equal(record.release, first);
    assert.deepEqual(record.steps.map((s: { kind: string }) => s.kind), ['git', 'post_commands']);
    const s = run('status', settings, 'rel');
    assert.match(s.stdout, new RegExp(`rolled back to ${v1.slice(0, 10)} \\(was ${v2.slice(0, 10)}\\), releases/${first}, by run ${record.id}`));
    assert.equal(JSON.parse(run('status', settings, 'rel', '--json').stdout).entries[0].rolled_back.to, v1);
  });

  it('update: release: nothing older on disk is exit 2, saying so; the next push deploys as usual and ends the rollback in status', () => {
    const again = run('rollback', settings, 'rel');
    assert.equal(again.code, 2);
    assert.match(again.stderr, /^whauto rollback: entry 'rel' has no release older than the live one \(releases\/\S+\) on disk: nothing to roll back to\n$/);
    const v4 = deploy('rel', 'v4');
    assert.equal(lastRecord('rel').commit, v4);
    const s = run('status', settings, 'rel');
    assert.doesNotMatch(s.stdout, /rolled back/);
  });

  it('update: release: --to takes a run id, a release id or a commit; one not on disk is exit 2', () => {
    const root = join(t.dir, 'rel');
    const records = runRecords(state(), 'rel').filter((r) => r.trigger === 'manual');
    const [v1run] = records;
    const r1 = run('rollback', settings, 'rel', '--to', v1run.id);
    assert.equal(r1.code, 0, r1.stderr);
    assert.equal(currentLink(root), `releases/${v1run.release}`, 'the release that run built');
    const [, second] = releaseIds(root);
    const r2 = run('rollback', settings, 'rel', '--to', second!);
    assert.equal(r2.code, 0, r2.stderr);
    assert.equal(currentLink(root), `releases/${second}`);
    const newest = builtRefs(root).at(-1)!;
    const r3 = run('rollback', settings, 'rel', '--to', newest.commit.slice(0, 8));
    assert.equal(r3.code, 0, r3.stderr);
    assert.equal(currentLink(root), `releases/${newest.id}`);
    const missing = run('rollback', settings, 'rel', '--to', '20200101T000000000Z-abcd');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /has no run 20200101T000000000Z-abcd/);
    const bad = run('rollback', settings, 'rel', '--to', 'main');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--to takes a run id, a release id or a commit/);
  });

  it('--dry-run says what it would switch to and changes nothing', () => {
    const root = join(t.dir, 'rel');
    const link = currentLink(root);
    const records = runRecords(state(), 'rel').length;
    const r = run('rollback', settings, 'rel', '--dry-run');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /^whauto rollback: would go back to releases\/\S+ /);
    assert.match(r.stdout, /^git: switch current to releases\/\S+ \(a new symlink renamed over the old one\)/m);
    assert.match(r.stdout, /^post_commands: /m);
    assert.doesNotMatch(r.stdout, /^(pre_commands|commands): /m, 'a switch back runs neither');
    assert.match(r.stdout, /WHAUTO_TRIGGER=rollback/);
    assert.equal(currentLink(root), link);
    assert.equal(runRecords(state(), 'rel').length, records);
  });

  it('update: reset deploys the commit of the newest earlier successful run as a run does; a second rollback goes further back; the next push deploys as usual', () => {
    const dir = join(t.dir, 'rs');
    const c1 = deploy('rs', 'r1');
    const c2 = deploy('rs', 'r2');
    const c3 = deploy('rs', 'r3');
    rmSync(marks, { force: true });
    const r = run('rollback', settings, 'rs');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(git(dir, 'rev-parse', 'HEAD'), c2);
    assert.equal(git(dir, 'symbolic-ref', '--short', 'HEAD'), 'main', 'on the branch, as a deploy leaves it');
    assert.deepEqual(lines(marks), ['pre rollback', 'cmd rollback r2', `post rollback r2 ${c3} ${c2}`]);
    assert.equal(lastRecord('rs').trigger, 'rollback');
    assert.equal(lastRecord('rs').previous, c3);
    assert.equal(run('rollback', settings, 'rs').code, 0);
    assert.equal(git(dir, 'rev-parse', 'HEAD'), c1, 'further back');
    const none = run('rollback', settings, 'rs');
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no earlier successful run of another commit than \w+, which is deployed now: nothing to roll back to/);
    assert.match(run('status', settings, 'rs').stdout, new RegExp(`rolled back to ${c1.slice(0, 10)} \\(was ${c2.slice(0, 10)}\\)`));
    const c4 = deploy('rs', 'r4');
    assert.equal(git(dir, 'rev-parse', 'HEAD'), c4);
    assert.doesNotMatch(run('status', settings, 'rs').stdout, /rolled back/);
    const to = run('rollback', settings, 'rs', '--to', c3.slice(0, 7));
    assert.equal(to.code, 0, to.stderr);
    assert.equal(git(dir, 'rev-parse', 'HEAD'), c3);
  });

  it('update: ff-only moves the branch back when that loses nothing; the next push fast-forwards again; commits only the checkout has stop it', () => {
    const dir = join(t.dir, 'ff');
    const f1 = deploy('ff', 'f1');
    deploy('ff', 'f2');
    const r = run('rollback', settings, 'ff');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(git(dir, 'rev-parse', 'HEAD'), f1);
    assert.equal(git(dir, 'symbolic-ref', '--short', 'HEAD'), 'main');
    const f3 = deploy('ff', 'f3');
    assert.equal(git(dir, 'rev-parse', 'HEAD'), f3, 'fast-forwarded from the older commit');
    writeFileSync(join(dir, 'local.txt'), 'made here\n');
    git(dir, 'add', 'local.txt');
    git(dir, 'commit', '-q', '-m', 'made on the server');
    const mine = git(dir, 'rev-parse', 'HEAD');
    const refused = run('rollback', settings, 'ff');
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    assert.match(refused.stderr, new RegExp(`has commits only it has, which going back to \\w+ would drop: ${mine.slice(0, 7)} made on the server; update ff-only refuses the rollback`));
    assert.equal(git(dir, 'rev-parse', 'HEAD'), mine, 'nothing changed');
  });

  for (const entry of ['rel2', 'rs2']) {
    it(`${entry}: a deploy a rollback undid is skipped: after A, B, a rollback to A, then C, the next rollback goes back to A, not B`, () => {
      const a = deploy(entry, 'A');
      deploy(entry, 'B');
      assert.equal(run('rollback', settings, entry).code, 0);
      deploy(entry, 'C');
      const r = run('rollback', settings, entry);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(lastRecord(entry).commit, a);
      const dir = entry === 'rel2' ? join(t.dir, entry, 'current') : join(t.dir, entry);
      assert.equal(readFileSync(join(dir, 'VERSION'), 'utf8'), 'A\n');
    });
  }

  it('update: none is refused, and so is an entry with no earlier successful run (exit 2, saying so)', () => {
    const none = run('rollback', settings, 'nogit');
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^whauto rollback: entry 'nogit' cannot roll back: update: none does no git work/);
    const fresh = run('rollback', settings, 'fresh');
    assert.equal(fresh.code, 2);
    assert.match(fresh.stderr, /^whauto rollback: entry 'fresh' has no earlier successful run: nothing to roll back to\n$/);
    assert.equal(existsSync(join(t.dir, 'fresh')), false, 'nothing was cloned');
    assert.equal(run('rollback', settings, 'nosuch').code, 2);
  });

  it('--no-wait exits 75 while another run holds the checkout; without it, rollback waits its turn and then goes back', async () => {
    const root = join(t.dir, 'gated');
    deploy('gated', 'g1');
    deploy('gated', 'g2');
    const gate = join(t.dir, 'gate');
    writeFileSync(gate, '');
    rmSync(join(t.dir, 'started')); // left by the two deploys above
    remote.push('main', 'VERSION', 'g3\n');
    const first = start(WHAUTO, ['trigger', settings, 'gated']);
    await waitFor('the deploy holds the checkout', () => existsSync(join(t.dir, 'started')));
    const busy = run('rollback', settings, 'gated', '--no-wait');
    assert.equal(busy.code, 75, busy.stderr);
    assert.match(busy.stderr, /^whauto rollback: checkout \S+ is busy \(run \S+ of entry gated, pid \d+\)/m);
    assert.equal(run('rollback', settings, 'gated', '--no-wait', '--dry-run').code, 75, 'the dry run predicts it');
    const waiting = start(WHAUTO, ['rollback', settings, 'gated']);
    await waitFor('rollback says it waits', () => /waiting for run \S+ of entry gated/.test(waiting.stderr()));
    rmSync(gate);
    assert.equal((await first.ended()).code, 0);
    assert.equal((await waiting.ended()).code, 0, waiting.stderr());
    const ids = releaseIds(root);
    assert.equal(currentLink(root), `releases/${ids.at(-2)}`, 'back from the deploy it waited for');
  });
});
