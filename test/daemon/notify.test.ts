// The daemon's notifications and commit statuses, end to end: the built binary, real git,
// real deliveries, and local stand-ins for Slack, a hung and a failing service, and a GitHub
// Enterprise API (found from the delivery's repository URL). A hung or failing target delays
// no run; the statuses go pending then success on the deployed commit; /metrics counts the
// outcomes; no secret reaches a log, a run's log, status or metrics; what is not sent when
// the daemon stops is said.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type Daemon } from '../helpers/daemon.ts';
import { makeRemote, type Remote } from '../helpers/git.ts';
import { post } from '../helpers/http.ts';
import { pushDelivery } from '../helpers/payloads.ts';
import { writeSettings } from '../helpers/settings.ts';
import { standIn, type StandIn } from '../helpers/stand-in.ts';
import { finishedRuns, runRecords } from '../helpers/state.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';
import { status } from './lib.ts';

const SECRET = 'notify-daemon-secret';
const URL_SECRET = 'T0AAA/B0BBB/slack-url-secret-3d9';
const GH_TOKEN = 'ghp-token-secret-71a';
const NTFY_TOKEN = 'tk-ntfy-secret-c08';
const HUNG_TOPIC = 'hung-topic-secret-5e2';

describe('serve: notify and commit_status', () => {
  let t: { dir: string; cleanup: () => void };
  let remote: Remote;
  let slack: StandIn;
  let forge: StandIn;
  let hung: StandIn;
  let failing: StandIn;
  let daemon: Daemon;
  let settings: string;
  const commits: string[] = [];
  const state = () => join(t.dir, 'state');

  /** The daemon's log lines that say `message` for `kind`. */
  const said = (message: string, kind: string): string[] => daemon.lines.filter((l) => l.includes(` ${message} `) && l.includes(` kind=${kind} `));
  /** Every target but the hung one has its outcome for both runs (the failing one after its three tries each). */
  const allButHungDone = (): Promise<unknown> => waitFor('the outcomes of every target but the hung one', () =>
    said('notify sent', 'slack').length >= 2 && said('notify failed', 'ntfy').length >= 2 && said('notify sent', 'commit_status').length >= 4);

  before(async () => {
    t = tempDir();
    remote = makeRemote(join(t.dir, 'forge'));
    [slack, forge, hung, failing] = await Promise.all([standIn(), standIn({ status: 201 }), standIn('hang'), standIn({ status: 503 })]);
    settings = writeSettings(t.dir, {
      metrics: true,
      shutdown_timeout: '1s',
      entries: {
        site: {
          provider: 'github', secret: SECRET, repo: 'acme/site', branch: 'main',
          clone_url: `${forge.url}/acme/site.git`, repodir: join(t.dir, 'site'), commands: ['echo deploying $WHAUTO_AFTER'],
          notify: [
            { url: `${slack.url}/services/${URL_SECRET}`, format: 'slack', on: ['succeeded', 'failed'] },
            { url: `${hung.url}/${HUNG_TOPIC}`, format: 'json', on: ['started', 'succeeded'] },
            { url: `${failing.url}/deploys`, format: 'ntfy', token_env: 'NTFY_TOKEN', on: ['succeeded'] },
          ],
          commit_status: { token_env: 'GH_TOKEN' },
        },
      },
    });
    // The forge's address is the stand-in's; git fetches it from the local bare repository.
    const gitFromDisk = { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: `url.${remote.bare}.insteadOf`, GIT_CONFIG_VALUE_0: `${forge.url}/acme/site.git` };
    daemon = await startDaemon(settings, { env: { GH_TOKEN, NTFY_TOKEN, ...gitFromDisk } });
    // What every test looks at (so each passes run alone): two pushes deployed, the second
    // while the hung target's first call still waits for an answer.
    await pushAndDeliver();
    await finishedRuns(state(), 'site', 1);
    await hung.waitFor(1); // the first run's 'started' message is out, and gets no answer
    await pushAndDeliver();
    await finishedRuns(state(), 'site', 2);
  });
  after(async () => {
    await daemon?.stop();
    await Promise.all([slack, forge, hung, failing].map((s) => s?.close()));
    t.cleanup();
  });

  /** Pushes a commit and delivers it as GitHub would, the repository's URL on the forge stand-in. */
  const pushAndDeliver = async (): Promise<string> => {
    const commit = remote.push('main');
    commits.push(commit);
    const d = pushDelivery('github', { repo: 'acme/site', branch: 'main', after: commit, cloneUrl: `${forge.url}/acme/site.git` }, SECRET);
    const res = await post(`${daemon.base}/webhook/site`, d.headers, d.body);
    assert.equal(res.status, 202, JSON.stringify(res.json));
    return commit;
  };

  it('a hung and a failing target delay no run: the next run starts and ends while the hung call still waits', async () => {
    const runs = runRecords(state(), 'site');
    assert.deepEqual(runs.map((r) => [r.result, r.commit]), [['succeeded', commits[0]], ['succeeded', commits[1]]]);
    const ended = await daemon.waitForLine(new RegExp(` run finished entry=site run=${runs[1].id} `));
    const secondEnded = daemon.lines.indexOf(ended);
    // Order, not time: the second run ended before the hung target's first call had any outcome.
    const hungOutcome = daemon.lines.findIndex((l) => /notify (sent|failed)/.test(l) && l.includes(' kind=json '));
    assert.ok(hungOutcome === -1 || hungOutcome > secondEnded, daemon.lines.join('\n'));
    assert.equal(said('notify sent', 'json').length + said('notify failed', 'json').length, 0, 'the hung target has told nothing yet');
  });

  it("a 'started' notice names what was deployed then as the previous commit, not the delivery's before", async () => {
    const started = (await hung.waitFor(2)).map((r) => r.json).filter((j) => j.event === 'started');
    assert.deepEqual(started.map((j) => [j.commit, j.previous_commit]), [
      [commits[0], '1'.repeat(40)], // nothing deployed yet: the delivery's before
      [commits[1], commits[0]],
    ]);
  });

  it('the failing target is tried three times per message, then said failed, with its scheme and host only', async () => {
    await waitFor('two ntfy failures', () => said('notify failed', 'ntfy').length >= 2);
    for (const line of said('notify failed', 'ntfy')) {
      assert.match(line, new RegExp(`target=${failing.url.replace(/[.]/g, '\\.')} status=503 tries=3 error="HTTP 503"`));
    }
    const sent = failing.requests;
    assert.equal(sent.length, 6, 'three tries for each of the two runs, no more');
    assert.equal(sent[0]!.headers['authorization'], `Bearer ${NTFY_TOKEN}`);
    assert.equal(sent[0]!.headers['title'], `site: deployed main at ${commits[0]!.slice(0, 7)} (${/\(([^)]+)\)/.exec(String(sent[0]!.headers['title']))?.[1]})`);
  });

  it('sets each deployed commit\'s status on the GitHub Enterprise API of the clone_url\'s host: pending, then success', async () => {
    await forge.waitFor(4);
    for (const commit of commits) {
      const calls = forge.requests.filter((r) => r.path === `/api/v3/repos/acme/site/statuses/${commit}`);
      assert.deepEqual(calls.map((c) => c.json.state), ['pending', 'success'], `statuses of ${commit}`);
      for (const c of calls) {
        assert.equal(c.method, 'POST');
        assert.equal(c.headers['authorization'], `Bearer ${GH_TOKEN}`);
        assert.equal(c.headers['accept'], 'application/vnd.github+json');
        assert.equal(c.json.context, 'whauto/site');
      }
      assert.equal(calls[0]!.json.description, 'deploying main');
      assert.match(calls[1]!.json.description, /^deployed main in /);
    }
    await waitFor('status outcomes logged', () => said('notify sent', 'commit_status').length >= 4);
    assert.match(said('notify sent', 'commit_status')[0]!, new RegExp(`forge=github target=${forge.url.replace(/[.]/g, '\\.')} status=201 tries=1`));
  });

  it('posts each success to Slack with the commit\'s subject', async () => {
    const msgs = await slack.waitFor(2);
    assert.deepEqual(msgs.map((m) => m.path), Array(2).fill(`/services/${URL_SECRET}`));
    assert.equal(msgs[0]!.json.text.startsWith(`site: deployed main at ${commits[0]!.slice(0, 7)} (`), true, msgs[0]!.json.text);
    assert.match(msgs[0]!.json.blocks[0].text.text, /commit: change 1\n/);
    assert.match(msgs[0]!.json.blocks[0].text.text, /pushed by octocat/);
  });

  it('counts the outcomes in /metrics', async () => {
    await allButHungDone();
    const text = await (await fetch(`${daemon.base}/metrics`)).text();
    assert.match(text, /^# TYPE whauto_notifications_total counter$/m);
    assert.match(text, /^whauto_notifications_total\{entry="site",kind="slack",outcome="sent"\} 2$/m);
    assert.match(text, /^whauto_notifications_total\{entry="site",kind="ntfy",outcome="failed"\} 2$/m);
    assert.match(text, /^whauto_notifications_total\{entry="site",kind="commit_status",outcome="sent"\} 4$/m);
  });

  it('says what is not sent when it stops, and no secret is in its log, a run\'s log, status or metrics', async () => {
    await allButHungDone();
    const metricsText = await (await fetch(`${daemon.base}/metrics`)).text();
    assert.equal(await daemon.stop(), 0);
    const unsent = daemon.lines.filter((l) => l.includes(' notify not sent '));
    assert.ok(unsent.length >= 1, daemon.lines.join('\n'));
    for (const l of unsent) assert.match(l, new RegExp(`kind=json target=${hung.url.replace(/[.]/g, '\\.')}$`));
    const logs = runRecords(state(), 'site').map((r) => readFileSync(r.logFile, 'utf8')).join('\n');
    const statusOut = status(settings, '--json').stdout + status(settings, 'site', '--log').stdout;
    for (const [where, text] of [['daemon log', daemon.lines.join('\n')], ['run logs', logs], ['status', statusOut], ['metrics', metricsText]]) {
      for (const secret of [URL_SECRET, GH_TOKEN, NTFY_TOKEN, HUNG_TOPIC]) assert.ok(!text!.includes(secret), `${secret} in the ${where}`);
    }
  });
});
