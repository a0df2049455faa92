// update: release is never half-deployed, measured: a reader process reads current/VERSION in
// a bounded loop while the daemon makes 20 deploys, some failing; and a SIGKILL of the daemon
// while a release is built leaves current alone, and the next run removes the half-built folder.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type Daemon } from '../helpers/daemon.ts';
import { git, makeRemote, type Remote } from '../helpers/git.ts';
import { post } from '../helpers/http.ts';
import { pushDelivery } from '../helpers/payloads.ts';
import { currentLink, releaseIds } from '../helpers/release.ts';
import { finishedRuns, runRecords } from '../helpers/state.ts';
import { writeSettings } from '../helpers/settings.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';
import { start } from '../helpers/run.ts';

const SECRET = 'release-never-half-secret';

/** VERSION of deploy `n`: its tag at both ends of a long line, so that a torn read shows. */
const versionText = (n: number): string => `v${n}:${'x'.repeat(8000)}:v${n}\n`;

/**
 * The reader: reads FILE up to MAX times (or until STOP exists), a millisecond apart, and
 * writes to OUT how many reads it made, the ones that failed, the ones that were not one whole
 * version, and the versions it saw in the order it saw them.
 */
const READER = `
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
const [file, stop, out, max] = process.argv.slice(2);
const pause = new Int32Array(new SharedArrayBuffer(4));
const result = { reads: 0, failed: [], torn: [], seen: [] };
for (let i = 0; i < Number(max) && !existsSync(stop); i++) {
  result.reads++;
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    result.failed.push(err.code ?? String(err));
    continue;
  }
  const m = /^(v\\d+):x{8000}:(v\\d+)\\n$/.exec(text);
  if (!m || m[1] !== m[2]) result.torn.push(text.slice(0, 20));
  else if (result.seen.at(-1) !== m[1]) result.seen.push(m[1]);
  Atomics.wait(pause, 0, 0, 1);
}
writeFileSync(out, JSON.stringify(result));
`;

async function deliver(daemon: Daemon, commit: string): Promise<void> {
  const d = pushDelivery('github', { repo: 'acme/site', branch: 'main', after: commit }, SECRET);
  const res = await post(`${daemon.base}/webhook/site`, d.headers, d.body);
  assert.equal(res.status, 202, JSON.stringify(res.json));
}

describe('update: release is never half-deployed', () => {
  let t: { dir: string; cleanup: () => void };
  let remote: Remote;
  let daemon: Daemon | undefined;

  before(() => {
    t = tempDir();
    remote = makeRemote(join(t.dir, 'forge'));
  });
  after(async () => {
    await daemon?.stop();
    t.cleanup();
  });

  it('a reader of current/VERSION during 20 deploys, every fourth failing, reads one whole deployed version every time, never a failing deploy\'s', async () => {
    const root = join(t.dir, 'site');
    const state = join(t.dir, 'state');
    daemon = await startDaemon(writeSettings(t.dir, {
      entries: {
        site: {
          provider: 'github', secret: SECRET, repo: 'acme/site', branch: 'main', repodir: root, clone_url: remote.bare,
          update: 'release', keep_releases: 2, commands: ['sh build.sh'],
        },
      },
    }));
    // A failing build first spoils its own release's VERSION: that must never be read.
    const good = 'sleep 0.1\n';
    const bad = 'echo spoiled > VERSION\nexit 1\n';
    const deploy = async (n: number, fails: boolean): Promise<void> => {
      writeFileSync(join(remote.work, 'build.sh'), fails ? bad : good);
      git(remote.work, 'add', 'build.sh');
      const commit = remote.push('main', 'VERSION', versionText(n));
      await deliver(daemon!, commit);
      const runs = await finishedRuns(state, 'site', n, 60_000);
      const run = runs.at(-1);
      assert.equal(run.result, fails ? 'failed' : 'succeeded', `deploy ${n}`);
      // The daemon's log names the live commit, and for a failed deploy also the one that failed.
      const line = await daemon!.waitForLine(new RegExp(` run finished entry=site run=${run.id} `));
      assert.match(line, fails ? new RegExp(` commit=${run.commit} target_commit=${commit} `) : new RegExp(` commit=${commit} duration_ms=`));
    };
    await deploy(1, false);

    const stop = join(t.dir, 'stop');
    const out = join(t.dir, 'reads.json');
    writeFileSync(join(t.dir, 'reader.mjs'), READER);
    const reader = start(process.execPath, [join(t.dir, 'reader.mjs'), join(root, 'current', 'VERSION'), stop, out, '1000000']);
    const failing = new Set<string>();
    const deployed = new Set(['v1']);
    for (let n = 2; n <= 20; n++) {
      const fails = n % 4 === 0;
      await deploy(n, fails);
      (fails ? failing : deployed).add(`v${n}`);
    }
    writeFileSync(stop, '');
    const readerEnd = await reader.ended();
    assert.equal(readerEnd.code, 0, readerEnd.stderr);
    const reads = JSON.parse(readFileSync(out, 'utf8')) as { reads: number; failed: string[]; torn: string[]; seen: string[] };
    assert.ok(reads.reads > 0, 'the reader read');
    assert.deepEqual(reads.failed, [], 'every read succeeded');
    assert.deepEqual(reads.torn, [], 'every read was one whole version');
    for (const v of reads.seen) assert.ok(deployed.has(v), `${v} was read: a deploy that succeeded`);
    for (const v of failing) assert.ok(!reads.seen.includes(v), `${v}'s build failed: never read`);
    const order = reads.seen.map((v) => Number(v.slice(1)));
    assert.deepEqual(order, [...order].sort((a, b) => a - b), 'never back to an older version');
    assert.equal(readFileSync(join(root, 'current', 'VERSION'), 'utf8'), versionText(19));
    assert.equal(releaseIds(root).length, 2, 'keep_releases');
    assert.equal(runRecords(state, 'site').filter((r) => r.result === 'failed').length, failing.size);
  });

  it('a SIGKILL of the daemon while a release is built leaves current on the old release; the next run removes the half-built folder', async () => {
    await daemon?.stop();
    const root = join(t.dir, 'killed');
    const state = join(t.dir, 'killed-state');
    const gate = join(t.dir, 'gate');
    const started = join(t.dir, 'started');
    const settings = writeSettings(t.dir, {
      state_dir: state,
      entries: {
        site: {
          provider: 'github', secret: SECRET, repo: 'acme/site', branch: 'main', repodir: root, clone_url: remote.bare,
          update: 'release', env: { GATE: gate, STARTED: started },
          // The build leaves its run's id in its release, then holds while the gate exists.
          commands: ['echo "$WHAUTO_RUN_ID" > BUILT_BY; touch "$STARTED"; while [ -e "$GATE" ]; do sleep 0.05; done'],
        },
      },
    }, 'killed.yaml');
    daemon = await startDaemon(settings);
    const first = remote.push('main', 'VERSION', 'before the crash\n');
    await deliver(daemon, first);
    await finishedRuns(state, 'site', 1);
    const [live] = releaseIds(root);
    rmSync(started);
    writeFileSync(gate, '');
    const second = remote.push('main', 'VERSION', 'after the crash\n');
    await deliver(daemon, second);
    await waitFor('the build started', () => existsSync(started));
    const half = releaseIds(root).find((id) => id !== live)!;
    const cut = readFileSync(join(root, 'releases', half, 'BUILT_BY'), 'utf8').trim();
    daemon.proc.kill('SIGKILL');
    await daemon.exited;
    assert.equal(currentLink(root), `releases/${live}`, 'current is left alone');
    assert.equal(readFileSync(join(root, 'current', 'VERSION'), 'utf8'), 'before the crash\n');
    assert.ok(existsSync(join(root, 'releases', half)), 'the half-built folder is still there');

    rmSync(gate);
    daemon = await startDaemon(settings);
    const runs = await waitFor('the cut-off run resumed and finished', () => {
      const done = runRecords(state, 'site').filter((r) => r.trigger === 'resumed' && r.result !== 'running');
      return done.length > 0 ? done : null;
    }, 60_000);
    assert.equal(runs[0].result, 'succeeded', runs[0].message);
    assert.ok(!existsSync(join(root, 'releases', half)), 'the half-built folder is removed');
    const now = releaseIds(root);
    assert.equal(now.length, 2);
    assert.equal(currentLink(root), `releases/${now[1]}`);
    assert.equal(readFileSync(join(root, 'current', 'VERSION'), 'utf8'), 'after the crash\n');
    assert.notEqual(readFileSync(join(root, 'current', 'BUILT_BY'), 'utf8').trim(), cut, 'built again by the next run');
    const log = readFileSync(runs[0].logFile, 'utf8');
    assert.match(log, new RegExp(`release: remove releases/${half} \\(never built whole: a run was cut off while building it\\)`));
  });
});
