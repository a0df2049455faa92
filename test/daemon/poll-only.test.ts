// A server no forge can reach: the daemon asks the remote every `poll` and deploys what was
// pushed, without any webhook; a remote that goes away and comes back. Real repositories,
// the built binary. poll's least interval is 10s, so each wait here is up to ~11s plus the run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type Daemon } from '../helpers/daemon.ts';
import { git, makeRemote, type Remote } from '../helpers/git.ts';
import { writeSettings } from '../helpers/settings.ts';
import { finishedRuns, lines, runRecords } from '../helpers/state.ts';
import { pollAfter } from './lib.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';
import { whauto, WHAUTO } from '../helpers/run.ts';

/** ms between a poll state's last poll and its next. */
const gap = (s: any): number => Date.parse(s.next) - Date.parse(s.last.at);

describe('serve: polling, for a server behind NAT', () => {
  let t: { dir: string; cleanup: () => void };
  let remote: Remote;
  let settings = '';
  let state = '';
  let checkout = '';
  let daemon: Daemon;
  const entry = (poll: string) => ({
    branch: 'main', repodir: checkout, poll,
    env: { DEPLOYED: join(t.dir, 'deployed') }, commands: ['git rev-parse HEAD >> "$DEPLOYED"'],
  });

  before(async () => {
    t = tempDir();
    remote = makeRemote(join(t.dir, 'forge'));
    checkout = join(t.dir, 'site');
    git(t.dir, 'clone', '-q', '-b', 'main', remote.bare, checkout);
    state = join(t.dir, 'state');
    settings = writeSettings(t.dir, { metrics: true, entries: { site: entry('10s') } });
    daemon = await startDaemon(settings);
  });
  after(async () => {
    await daemon?.stop();
    t?.cleanup();
  });

  it('check accepts an entry with poll and no provider or secret, says its interval, and it has no webhook route', async () => {
    const r = whauto(['check', settings]);
    assert.equal(r.status, 0, r.stdout);
    assert.match(r.stdout, /note: entry 'site' asks its remote for new commits every 10s \(±10%\); it has no webhook route \(no provider, no secret\)/);
    assert.doesNotMatch(r.stdout, /no-auth|anyone who can reach/);
    const res = await fetch(`${daemon.base}/webhook/site`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 404);
  });

  it('deploys a pushed commit within one interval plus jitter, with no webhook, and only once', async () => {
    const first = await pollAfter(state, 'site', '');
    assert.equal(first.last.result, 'current', 'the checkout is on the remote tip: nothing to deploy');
    assert.ok(gap(first) >= 9_000 && gap(first) <= 11_000, `next poll in ${gap(first)} ms`);
    assert.deepEqual(lines(join(t.dir, 'deployed')), []);

    const pushedAt = Date.now();
    const commit = remote.push('main');
    const [run] = await finishedRuns(state, 'site', 1, 60_000);
    assert.equal(run.trigger, 'poll');
    assert.equal(run.result, 'succeeded', run.message);
    assert.equal(run.commit, commit);
    assert.deepEqual(lines(join(t.dir, 'deployed')), [commit]);
    assert.equal(git(checkout, 'rev-parse', 'HEAD'), commit);
    // The run was queued by the first poll after the push: within 11 s (the run's id is its acceptance time), plus a little for git to answer.
    const accepted = Date.parse(run.id.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)(\d{3})Z.*/, '$1-$2-$3T$4:$5:$6.$7Z'));
    assert.ok(accepted - pushedAt <= 11_000 + 5_000, `queued ${accepted - pushedAt} ms after the push`);
    await daemon.waitForLine(new RegExp(`poll queued a run entry=site run=${run.id} ref=refs/heads/main commit=${commit}`));

    const later = await pollAfter(state, 'site', run.endedAt);
    assert.equal(later.last.result, 'current');
    assert.equal(runRecords(state, 'site').length, 1, 'the deployed tip is not deployed again');
    const status = whauto(['status', settings, 'site']);
    assert.match(status.stdout, /^ {2}polls {4}every 10s: last \d+s ago, current \(no new commits\); next (in \d+s|now)$/m);
  });

  it('a remote that goes away: one line when polls begin to fail, backing off, /healthz 200, counted; one line when it is back', async () => {
    const away = `${remote.bare}.away`;
    renameSync(remote.bare, away);
    const since = new Date().toISOString();
    const failed = await pollAfter(state, 'site', since);
    assert.equal(failed.last.result, 'failed');
    assert.match(failed.last.message, /cannot reach remote .*remote\.git/);
    assert.equal(failed.failures, 1);
    assert.ok(gap(failed) >= 18_000 && gap(failed) <= 22_000, `backed off to twice the interval: ${gap(failed)} ms`);
    await daemon.waitForLine(/ warn polling failed remote=\S+remote\.git entries=site error=.*cannot reach remote/);
    assert.equal((await fetch(`${daemon.base}/healthz`)).status, 200);
    const metrics = await (await fetch(`${daemon.base}/metrics`)).text();
    assert.match(metrics, /^whauto_polls_total\{entry="site",result="failed"\} 1$/m);
    assert.match(metrics, /^whauto_polls_total\{entry="site",result="queued"\} 1$/m);
    const status = JSON.parse(whauto(['status', settings, 'site', '--json']).stdout);
    assert.equal(status.entries[0].poll.last_result, 'failed');
    assert.equal(status.entries[0].poll.failed_polls, 1);
    assert.equal(status.entries[0].poll.next_at, failed.next);

    renameSync(away, remote.bare);
    const back = await pollAfter(state, 'site', failed.last.at);
    assert.equal(back.last.result, 'current');
    assert.equal(back.failures, 0);
    await daemon.waitForLine(/ info polling recovered remote=\S+remote\.git entries=site failed_polls=1/);
    assert.equal(daemon.lines.filter((l) => / polling failed /.test(l)).length, 1, 'said once, not once per poll');
    assert.equal((await fetch(`${daemon.base}/healthz`)).status, 200);
  });

  it('SIGHUP applies a new interval; SIGTERM stops polling', async () => {
    writeSettings(t.dir, { metrics: true, entries: { site: entry('1m') } });
    daemon.proc.kill('SIGHUP');
    await daemon.waitForLine(/poll interval changed entry=site every=60s/);
    const s = await pollAfter(state, 'site', '');
    const status = JSON.parse(whauto(['status', settings, 'site', '--json']).stdout);
    assert.equal(status.entries[0].poll.every_ms, 60_000);
    assert.ok(Date.parse(status.entries[0].poll.next_at) - Date.parse(s.last.at) >= 54_000, 'the next poll a minute after the last');
    assert.equal(await daemon.stop(), 0);
    const text = whauto(['status', settings, 'site']).stdout;
    assert.match(text, /polls {4}every 60s: last .*; next when the daemon runs/);
  });
});
