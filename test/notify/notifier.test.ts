// The notifier beside the runs: which targets hear of which event, in order per target, the
// commit status pending then the result, one log line per outcome naming only scheme and
// host, and settle() saying what it could not send.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/log/logger.ts';
import { newRunRecord, type RunRecord } from '../../src/model/run-record.ts';
import { createNotifier, type Outcome } from '../../src/notify/notifier.ts';
import type { Entry } from '../../src/settings/types.ts';
import { standIn, type StandIn } from '../helpers/stand-in.ts';
import { entry } from './entry.ts';

const SHA = 'd'.repeat(40);
const URL_SECRET = 'T0AAA/B0BBB/url-secret-51c';
const TOKEN = 'token-secret-0e7';

function record(id: string, trigger: RunRecord['trigger'] = 'webhook'): RunRecord {
  return newRunRecord({
    id, entry: 'site', trigger, target: { kind: 'branch', name: 'main' }, logFile: '/nonexistent/run.log', owner: { pid: process.pid },
    deliveries: [{ forge: 'github', event: 'push', deliveryId: 'd1', ref: 'refs/heads/main', before: null, after: SHA, pusher: 'alice', repository: 'acme/site', repositoryUrl: null, receivedAt: '2026-01-01T00:00:00Z' }],
  });
}

/** Ends `r` with `result` as executeRun would. */
function finish(r: RunRecord, result: RunRecord['result'], message: string | null = null): RunRecord {
  return { ...r, result, message, commit: r.commit ?? SHA, endedAt: new Date(Date.parse(r.startedAt) + 2000).toISOString() };
}

describe('the notifier', () => {
  let srv: StandIn;
  let log: string[];
  let outcomes: Outcome[];
  let site: Entry;
  const notifier = () => createNotifier({
    logger: createLogger({ level: 'debug', format: 'json', write: (l) => log.push(l) }),
    onOutcome: (o) => outcomes.push(o),
    send: { backoffMs: 1, timeoutMs: 30_000 },
  });
  const lines = (msg: string) => log.map((l) => JSON.parse(l)).filter((l) => l.msg === msg);

  before(async () => {
    srv = await standIn();
  });
  after(() => srv.close());

  const fresh = () => {
    srv.requests.length = 0;
    srv.answers.length = 0;
    srv.fallback = { status: 200 };
    log = [];
    outcomes = [];
    site = entry({
      notify: [
        { format: 'json', url: `${srv.url}/all/${URL_SECRET}`, on: ['started', 'failed', 'succeeded'], token: TOKEN },
        { format: 'slack', url: `${srv.url}/failures/${URL_SECRET}`, on: ['failed'], token: null },
      ],
      commitStatus: { token: TOKEN, context: 'whauto/site', apiUrl: `${srv.url}/api/v3`, targetUrl: null },
    });
  };

  it('tells each target the events of its on, one target\'s in order even when the first needs tries', async () => {
    fresh();
    srv.answers.push({ status: 500 }); // the 'started' message's first try
    const n = notifier();
    const r = record('run-1');
    n.onRunStarted(site, r);
    n.onRunFinished(site, finish(r, 'failed', 'commands `make` exited with 2'));
    assert.equal(await n.settle(), 0);
    const toAll = srv.requests.filter((q) => q.path.startsWith('/all/')).map((q) => q.json.event);
    assert.deepEqual(toAll, ['started', 'started', 'failed'], 'the failed message waits for the started one');
    assert.deepEqual(srv.requests.filter((q) => q.path.startsWith('/failures/')).map((q) => q.json.text), ['site: deploy of main at ddddddd failed (2s)']);
    assert.deepEqual(outcomes.map((o) => [o.kind, o.event, o.ok]).sort(), [
      ['commit_status', 'failed', true], ['json', 'failed', true], ['json', 'started', true], ['slack', 'failed', true],
    ]);
  });

  it('sets the commit status pending once the git step found the commit, then to the result, in that order', async () => {
    fresh();
    site.notify = [];
    srv.answers.push('hang'); // the pending status's first try gets no answer (its timeout lets it go)
    const n = createNotifier({ logger: createLogger({ level: 'info', format: 'json', write: (l) => log.push(l) }), send: { backoffMs: 1, timeoutMs: 3000 } });
    const r = record('run-2');
    n.onRunStarted(site, r);
    n.onRunStep(site, r); // before the git step: no commit yet
    r.commit = SHA;
    n.onRunStep(site, r);
    n.onRunStep(site, r); // a later step: no second pending
    n.onRunFinished(site, finish(r, 'succeeded'));
    assert.equal(await n.settle(), 0);
    const statuses = srv.requests.filter((q) => q.path.startsWith('/api/v3/'));
    assert.deepEqual(statuses.map((q) => q.path), Array(3).fill(`/api/v3/repos/acme/site/statuses/${SHA}`));
    assert.deepEqual(statuses.map((q) => q.json.state), ['pending', 'pending', 'success'], 'the result comes after the pending status, tried again');
    assert.equal(statuses[2]!.json.context, 'whauto/site');
  });

  it('a rollback that succeeded is "rolled back"; targets without it in their on hear nothing', async () => {
    fresh();
    site.notify[0]!.on = ['rolled back'];
    const n = notifier();
    const r = record('run-3', 'rollback');
    n.onRunStarted(site, r);
    n.onRunFinished(site, finish(r, 'succeeded'));
    await n.settle();
    assert.deepEqual(srv.requests.filter((q) => q.path.startsWith('/all/')).map((q) => q.json.event), ['rolled back']);
    assert.equal(srv.requests.filter((q) => q.path.startsWith('/failures/')).length, 0);
  });

  it('logs one line per outcome with the target\'s scheme and host only: no URL path, no token', async () => {
    fresh();
    srv.fallback = { status: 404 };
    const n = notifier();
    const r = record('run-4');
    n.onRunStarted(site, r);
    n.onRunFinished(site, finish(r, 'failed', 'exited with 1'));
    await n.settle();
    const failed = lines('notify failed');
    assert.equal(failed.length, 4, log.join('\n'));
    for (const l of failed) {
      assert.equal(l.target, srv.url);
      assert.equal(l.error, 'HTTP 404');
      assert.equal(l.tries, 1);
    }
    const all = log.join('\n');
    assert.ok(!all.includes(URL_SECRET), 'no URL path in the log');
    assert.ok(!all.includes(TOKEN), 'no token in the log');
  });

  it('settle() with a hung target stops at its bound and says what was not sent', async () => {
    fresh();
    srv.fallback = 'hang';
    const n = notifier();
    const r = record('run-5');
    n.onRunFinished(site, finish(r, 'failed'));
    await srv.waitFor(3); // all three calls are out, none answered
    const unsent = await n.settle({ timeoutMs: 50 });
    assert.equal(unsent, 3);
    const said = lines('notify not sent');
    assert.deepEqual(said.map((l) => l.kind).sort(), ['commit_status', 'json', 'slack']);
    for (const l of said) {
      assert.equal(l.run, 'run-5');
      assert.ok(l.target === srv.url, l.target);
    }
    assert.equal(lines('notify failed').length, 0, 'a notice stopped by settle is said once, as not sent');
    assert.ok(!log.join('\n').includes(URL_SECRET));
  });

  it('never throws into the run, whatever the record holds', () => {
    fresh();
    const n = notifier();
    assert.doesNotThrow(() => n.onRunFinished(site, { ...record('run-6'), result: 'running' }));
    assert.equal(lines('notify failed').length, 1);
  });
});
