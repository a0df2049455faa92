// Issue 4, point 5: SIGHUP reloads; SIGTERM/SIGINT drain (503), finish or interrupt runs, keep the queue, exit 0.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type Daemon } from '../helpers/daemon.ts';
import { running } from '../helpers/proc.ts';
import { writeSettings } from '../helpers/settings.ts';
import { listPending } from '../../src/state/pending.ts';
import { finishedRuns, lines, runRecords } from '../helpers/state.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';
import { deliver, GATED, plainEntry } from './lib.ts';

describe('serve: SIGHUP', () => {
  let t: { dir: string; cleanup: () => void };
  let daemon: Daemon;
  let state: string;
  let settings: string;

  const write = (version: string, extra: Record<string, unknown> = {}, withAdded = false): void => {
    const held = plainEntry(t.dir, 'held', [GATED, 'echo "version $VERSION" >> "$OUT"']);
    held['env'] = { ...(held['env'] as object), VERSION: version, OUT: join(t.dir, 'out') };
    settings = writeSettings(t.dir, { workers: 2, ...extra, entries: { held, ...(withAdded ? { added: plainEntry(t.dir, 'added', ['echo added']) } : {}) } });
  };

  /** Writes the settings, sends SIGHUP and waits for the reload to be logged. */
  const reload = async (version: string, extra: Record<string, unknown> = {}, withAdded = false): Promise<void> => {
    const reloads = (): number => daemon.lines.filter((l) => / settings reloaded /.test(l)).length;
    const before = reloads();
    write(version, extra, withAdded);
    daemon.proc.kill('SIGHUP');
    await waitFor('the reload logged', () => reloads() > before);
  };
  /** Nothing runs or waits (no run of an earlier test logs or holds anything from here on). */
  const settled = (): Promise<unknown> => waitFor('no run going or waiting', () =>
    listPending(state, () => undefined).length === 0 && ['held', 'added'].every((e) => runRecords(state, e).every((r) => r.result !== 'running')));

  before(async () => {
    t = tempDir();
    state = join(t.dir, 'state');
    write('1');
    daemon = await startDaemon(settings);
  });
  after(async () => {
    rmSync(join(t.dir, 'gate'), { force: true });
    await daemon?.stop();
    t.cleanup();
  });

  it('a valid change takes effect; the run in flight finishes with the settings it started with', async () => {
    writeFileSync(join(t.dir, 'gate'), '');
    assert.equal((await deliver(daemon, 'held')).status, 202);
    await waitFor('held running', () => lines(join(t.dir, 'count')).length === 1);
    assert.equal((await deliver(daemon, 'added')).status, 404);

    write('2', {}, true);
    daemon.proc.kill('SIGHUP');
    await daemon.waitForLine(/ info settings reloaded entries=2/);
    assert.equal((await deliver(daemon, 'added')).status, 202, 'the new entry answers');
    await finishedRuns(state, 'added', 1);

    rmSync(join(t.dir, 'gate'));
    await finishedRuns(state, 'held', 1);
    assert.deepEqual(lines(join(t.dir, 'out')), ['version 1'], 'the run in flight kept its settings');
    assert.equal((await deliver(daemon, 'held')).status, 202);
    await finishedRuns(state, 'held', 2);
    assert.deepEqual(lines(join(t.dir, 'out')), ['version 1', 'version 2'], 'the next run has the new ones');
  });

  it('a file that does not validate is refused and logged; the old settings stay', async () => {
    await reload('2', {}, true);
    const before = daemon.lines.length;
    writeFileSync(settings, 'entries:\n  added:\n    provider: nosuchforge\n    update: sideways\n');
    daemon.proc.kill('SIGHUP');
    await daemon.waitForLine(/ error settings not reloaded: the file does not validate; the old settings stay/);
    const refused = daemon.lines.slice(before).filter((l) => / error reload refused finding=/.test(l));
    assert.ok(refused.length >= 2, `every error is logged:\n${refused.join('\n')}`);
    assert.ok(refused.some((l) => l.includes('settings.yaml:3:')), 'with its position');
    assert.equal((await deliver(daemon, 'added')).status, 202, 'the old entries still answer');
    assert.equal((await deliver(daemon, 'held')).status, 202);
    assert.equal(daemon.proc.exitCode, null);
  });

  it('log_level is reloaded too', async () => {
    await settled();
    await reload('3', { log_level: 'warn' }, true);
    const from = daemon.lines.length;
    const added = runRecords(state, 'added').length;
    assert.equal((await deliver(daemon, 'added')).status, 202);
    await finishedRuns(state, 'added', added + 1);
    assert.equal((await deliver(daemon, 'added', '1'.repeat(40), 'wrong')).status, 403);
    await waitFor('the 403 logged', () => daemon.lines.slice(from).some((l) => / warn delivery .*answer=403/.test(l)));
    assert.deepEqual(daemon.lines.slice(from).filter((l) => / (info|debug) /.test(l)), []);
  });
});

describe('serve: SIGTERM and SIGINT', () => {
  let t: { dir: string; cleanup: () => void };
  const daemons: Daemon[] = [];

  before(() => { t = tempDir(); });
  after(async () => {
    rmSync(join(t.dir, 'gate'), { force: true });
    for (const d of daemons) await d.stop('SIGKILL');
    t.cleanup();
  });

  it('SIGTERM: 503 while draining (healthz too), the run finishes, the waiting run stays for the next start, exit 0', async () => {
    const dir = join(t.dir, 'term');
    const state = join(dir, 'state');
    const settings = writeSettings(dir, { entries: { held: plainEntry(dir, 'held', [GATED]) } });
    writeFileSync(join(dir, 'gate'), '');
    const d = await startDaemon(settings);
    daemons.push(d);
    assert.equal((await deliver(d, 'held')).status, 202);
    await waitFor('held running', () => lines(join(dir, 'count')).length === 1);
    const waiting = await deliver(d, 'held', '3'.repeat(40));
    assert.equal(waiting.status, 202);

    d.proc.kill('SIGTERM');
    await d.waitForLine(/ info shutting down signal=SIGTERM timeout_ms=60000/);
    const res = await deliver(d, 'held');
    assert.equal(res.status, 503);
    assert.equal((await fetch(`${d.base}/healthz`)).status, 503);
    assert.equal(d.proc.exitCode, null, 'still draining');

    rmSync(join(dir, 'gate'));
    assert.equal(await d.exited, 0);
    const [run] = runRecords(state, 'held');
    assert.equal(run.result, 'succeeded');
    assert.deepEqual(listPending(state, () => undefined).map((p) => [p.entry, p.id]), [['held', waiting.json.runs[0].id]], 'the waiting run is kept');

    const next = await startDaemon(settings);
    daemons.push(next);
    const runs = await finishedRuns(state, 'held', 2);
    assert.equal(runs[1].id, waiting.json.runs[0].id);
    assert.equal(runs[1].trigger, 'webhook');
    assert.equal(lines(join(dir, 'count')).length, 2);
    assert.equal(await next.stop(), 0);
  });

  it('SIGINT past shutdown_timeout: the process group is killed, the run recorded interrupted, exit 0', async () => {
    const dir = join(t.dir, 'int');
    const state = join(dir, 'state');
    const pids = join(dir, 'pids');
    const settings = writeSettings(dir, {
      shutdown_timeout: '1s',
      entries: { stuck: plainEntry(dir, 'stuck', [`sleep 300 & echo $! > "${pids}"; echo $$ >> "${pids}"; ${GATED}`]) },
    });
    writeFileSync(join(dir, 'gate'), '');
    const d = await startDaemon(settings);
    daemons.push(d);
    assert.equal((await deliver(d, 'stuck')).status, 202);
    await waitFor('stuck running', () => lines(pids).length === 2);
    d.proc.kill('SIGINT');
    assert.equal(await d.exited, 0);
    const [run] = runRecords(state, 'stuck');
    assert.equal(run.result, 'interrupted');
    assert.ok(run.endedAt);
    assert.equal(readFileSync(run.logFile, 'utf8').trimEnd().split('\n').at(-1), '==> interrupted', 'the run log ends saying so, once');
    for (const pid of lines(pids).map(Number)) await waitFor(`process ${pid} gone`, () => !running(pid));
    assert.equal(lines(join(dir, 'ends')).length, 0, 'the command never got past the gate');
  });

  it('a second SIGTERM while draining interrupts the runs at once', async () => {
    const dir = join(t.dir, 'twice');
    const state = join(dir, 'state');
    const settings = writeSettings(dir, { shutdown_timeout: '10m', entries: { stuck: plainEntry(dir, 'stuck', [GATED]) } });
    writeFileSync(join(dir, 'gate'), '');
    const d = await startDaemon(settings);
    daemons.push(d);
    assert.equal((await deliver(d, 'stuck')).status, 202);
    await waitFor('stuck running', () => lines(join(dir, 'count')).length === 1);
    d.proc.kill('SIGTERM');
    await d.waitForLine(/ shutting down /);
    d.proc.kill('SIGTERM');
    await d.waitForLine(/ warn second signal: interrupting running runs now/);
    assert.equal(await d.exited, 0);
    assert.equal(runRecords(state, 'stuck')[0].result, 'interrupted');
  });
});
