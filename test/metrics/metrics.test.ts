// GET /metrics: the exposition parses, counts deliveries and runs, and only loopback and
// the entries' allow_ips may read it; off unless `metrics: true`.
import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createMetrics, DURATION_BUCKETS } from '../../src/server/metrics.ts';
import type { RunRecord } from '../../src/model/run-record.ts';
import { startDaemon, type Daemon } from '../helpers/daemon.ts';
import { post } from '../helpers/http.ts';
import { pushDelivery } from '../helpers/payloads.ts';
import { writeSettings } from '../helpers/settings.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';
import { parseExposition, sampleValue, type Sample } from './parse-exposition.ts';

const SECRET = 'metrics-secret';

function record(entry: string, result: RunRecord['result'], seconds: number): RunRecord {
  const start = Date.parse('2026-01-01T00:00:00Z');
  return {
    id: `r-${entry}-${seconds}`, entry, trigger: 'webhook', target: { kind: 'branch', name: 'main' }, deliveries: [],
    previous: null, commit: null, startedAt: new Date(start).toISOString(), endedAt: new Date(start + seconds * 1000).toISOString(),
    step: null, steps: [], result, message: null, pid: 1, logFile: '/dev/null',
  };
}

/** Checks the histogram invariants of `name` for `entry`: buckets grow, +Inf equals _count. */
function checkHistogram(samples: Sample[], name: string, entry: string): { count: number; sum: number } {
  const buckets = samples.filter((s) => s.name === `${name}_bucket` && s.labels['entry'] === entry);
  assert.deepEqual(buckets.map((b) => b.labels['le']), [...DURATION_BUCKETS.map(String), '+Inf']);
  for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i]!.value >= buckets[i - 1]!.value, 'cumulative buckets');
  const count = sampleValue(samples, `${name}_count`, { entry })!;
  assert.equal(buckets.at(-1)!.value, count);
  return { count, sum: sampleValue(samples, `${name}_sum`, { entry })! };
}

test('render() counts polls by entry and result (whauto_polls_total)', () => {
  const m = createMetrics('9.9.9');
  m.countPoll('site', 'current');
  m.countPoll('site', 'current');
  m.countPoll('site', 'failed');
  m.countPoll('api', 'queued');
  const { types, samples } = parseExposition(m.render({ snapshot: () => ({ running: [], waiting: [] }) }));
  assert.equal(types.get('whauto_polls_total'), 'counter');
  assert.equal(sampleValue(samples, 'whauto_polls_total', { entry: 'site', result: 'current' }), 2);
  assert.equal(sampleValue(samples, 'whauto_polls_total', { entry: 'site', result: 'failed' }), 1);
  assert.equal(sampleValue(samples, 'whauto_polls_total', { entry: 'api', result: 'queued' }), 1);
});

test('render() counts runs by entry and result, and fills the duration histogram cumulatively', () => {
  const m = createMetrics('9.9.9', Date.parse('2026-01-01T00:00:00Z'));
  m.countRun(record('site', 'succeeded', 3));
  m.countRun(record('site', 'succeeded', 100));
  m.countRun(record('site', 'timed out', 4000));
  m.countRun(record('we"ird\\name', 'failed', 0.5));
  const { types, samples } = parseExposition(m.render({ snapshot: () => ({ running: [{ entry: 'site', id: 'x', since: '' }], waiting: [] }) }));
  assert.equal(types.get('whauto_run_duration_seconds'), 'histogram');
  assert.equal(types.get('whauto_runs_total'), 'counter');
  assert.equal(sampleValue(samples, 'whauto_runs_total', { entry: 'site', result: 'succeeded' }), 2);
  assert.equal(sampleValue(samples, 'whauto_runs_total', { entry: 'site', result: 'timed out' }), 1);
  assert.equal(sampleValue(samples, 'whauto_runs_total', { entry: 'we"ird\\name', result: 'failed' }), 1, 'label values are escaped');
  const h = checkHistogram(samples, 'whauto_run_duration_seconds', 'site');
  assert.equal(h.count, 3);
  assert.equal(h.sum, 4103);
  assert.equal(sampleValue(samples, 'whauto_run_duration_seconds_bucket', { entry: 'site', le: '5' }), 1);
  assert.equal(sampleValue(samples, 'whauto_run_duration_seconds_bucket', { entry: 'site', le: '120' }), 2);
  assert.equal(sampleValue(samples, 'whauto_run_duration_seconds_bucket', { entry: 'site', le: '3600' }), 2);
  assert.equal(sampleValue(samples, 'whauto_queue_runs', { state: 'running' }), 1);
  assert.equal(sampleValue(samples, 'whauto_queue_runs', { state: 'waiting' }), 0);
  assert.equal(sampleValue(samples, 'process_start_time_seconds'), Date.parse('2026-01-01T00:00:00Z') / 1000);
  assert.equal(sampleValue(samples, 'whauto_build_info', { version: '9.9.9' }), 1);
});

describe('serve: GET /metrics', () => {
  let t: { dir: string; cleanup: () => void };
  let daemon: Daemon;
  let settingsFile: string;
  let settings: Record<string, unknown>;

  before(async () => {
    t = tempDir();
    const common = { provider: 'github', secret: SECRET, update: 'none', branch: 'main' };
    settings = {
      metrics: true,
      trust_proxy: ['127.0.0.1'], // so a test can speak as another client through X-Forwarded-For
      entries: {
        site: { ...common, repo: 'acme/site', commands: ['true'] },
        broken: { ...common, repo: 'acme/broken', commands: ['exit 3'] },
        guarded: { ...common, repo: 'acme/guarded', allow_ips: ['192.0.2.0/24'] },
      },
    };
    settingsFile = writeSettings(t.dir, settings);
    daemon = await startDaemon(settingsFile);
  });
  after(async () => {
    await daemon?.stop();
    t.cleanup();
  });

  const scrape = (headers: Record<string, string> = {}) => fetch(`${daemon.base}/metrics`, { headers });

  it('counts deliveries by entry and answer code, runs by entry and result, and their durations', async () => {
    const ok = pushDelivery('github', { repo: 'acme/site', branch: 'main' }, SECRET);
    assert.equal((await post(`${daemon.base}/webhook/site`, ok.headers, ok.body)).status, 202);
    const forged = pushDelivery('github', { repo: 'acme/site', branch: 'main' }, 'wrong');
    assert.equal((await post(`${daemon.base}/webhook/site`, forged.headers, forged.body)).status, 403);
    const other = pushDelivery('github', { repo: 'acme/site', branch: 'dev' }, SECRET);
    assert.equal((await post(`${daemon.base}/webhook/site`, other.headers, other.body)).status, 200);
    const broken = pushDelivery('github', { repo: 'acme/broken', branch: 'main' }, SECRET);
    assert.equal((await post(`${daemon.base}/webhook/broken`, broken.headers, broken.body)).status, 202);
    await fetch(`${daemon.base}/healthz`);

    const samples = await waitFor('both runs counted', async () => {
      const res = await scrape();
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const { samples } = parseExposition(await res.text());
      const done = (sampleValue(samples, 'whauto_runs_total', { entry: 'site', result: 'succeeded' }) ?? 0)
        + (sampleValue(samples, 'whauto_runs_total', { entry: 'broken', result: 'failed' }) ?? 0);
      return done === 2 ? samples : null;
    });
    assert.equal(sampleValue(samples, 'whauto_deliveries_total', { entry: 'site', code: '202' }), 1);
    assert.equal(sampleValue(samples, 'whauto_deliveries_total', { entry: 'site', code: '403' }), 1);
    assert.equal(sampleValue(samples, 'whauto_deliveries_total', { entry: 'site', code: '200' }), 1);
    assert.equal(sampleValue(samples, 'whauto_deliveries_total', { entry: 'broken', code: '202' }), 1);
    assert.equal(samples.filter((s) => s.name === 'whauto_deliveries_total').reduce((n, s) => n + s.value, 0), 4, '/healthz and /metrics are not deliveries');
    assert.equal(checkHistogram(samples, 'whauto_run_duration_seconds', 'site').count, 1);
    assert.equal(checkHistogram(samples, 'whauto_run_duration_seconds', 'broken').count, 1);
    assert.equal(sampleValue(samples, 'whauto_queue_runs', { state: 'waiting' }), 0);
    assert.equal(sampleValue(samples, 'whauto_queue_runs', { state: 'running' }), 0);
    const start = sampleValue(samples, 'process_start_time_seconds')!;
    assert.ok(start <= Date.now() / 1000 && start > Date.now() / 1000 - 3600, `process start ${start}`);
  });

  it('answers loopback and addresses in an entry\'s allow_ips; 403 for anyone else, 405 for POST', async () => {
    assert.equal((await scrape()).status, 200);
    assert.equal((await scrape({ 'x-forwarded-for': '192.0.2.77' })).status, 200);
    const stranger = await scrape({ 'x-forwarded-for': '203.0.113.9' });
    assert.equal(stranger.status, 403);
    assert.doesNotMatch(await stranger.text(), /whauto_/);
    assert.equal((await post(`${daemon.base}/metrics`, {}, '')).status, 405);
  });

  it('is off (404) after a reload with metrics: false', async () => {
    writeFileSync(settingsFile, stringify({ ...settings, listen: '127.0.0.1:0', state_dir: join(t.dir, 'state'), metrics: false }));
    daemon.proc.kill('SIGHUP');
    await daemon.waitForLine(/settings reloaded/);
    assert.equal((await scrape()).status, 404);
    assert.match(readFileSync(settingsFile, 'utf8'), /metrics: false/);
  });
});
