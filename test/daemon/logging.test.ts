// Issue 4, point 4: one line per delivery, run start/end and output line; JSON lines; log_level; no secret; no colour.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { freePort, startDaemon, type Daemon } from '../helpers/daemon.ts';
import { post } from '../helpers/http.ts';
import { pushDelivery } from '../helpers/payloads.ts';
import { headerList, rawBytes, rawRequest } from '../helpers/raw.ts';
import { writeSettings } from '../helpers/settings.ts';
import { finishedRuns } from '../helpers/state.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';
import { deliver, plainEntry, SECRET } from './lib.ts';

const GITLAB_SECRET = 'gitlab-token-7f3e9a';
const PLAIN_SECRET = 'plain-token-c0ffee';
const WRONG = 'wrong-token-5a5a5a';

describe('serve: logging (log_format json)', () => {
  let t: { dir: string; cleanup: () => void };
  let daemon: Daemon;
  let state: string;

  before(async () => {
    t = tempDir();
    state = join(t.dir, 'state');
    const settings = writeSettings(t.dir, {
      log_format: 'json',
      entries: {
        hub: plainEntry(t.dir, 'hub', ['echo "hello from $WHAUTO_ENTRY"; echo "second line" >&2']),
        lab: { ...plainEntry(t.dir, 'lab', ['echo lab']), provider: 'gitlab', secret: GITLAB_SECRET },
        hook: { ...plainEntry(t.dir, 'hook', ['echo hook']), provider: 'plain', secret: PLAIN_SECRET },
      },
    });
    daemon = await startDaemon(settings);
  });
  after(async () => {
    await daemon?.stop();
    t.cleanup();
  });

  it('every line is one JSON object; deliveries, run start and finish, and output lines each have theirs', async () => {
    const good = await deliver(daemon, 'hub');
    assert.equal(good.status, 202);
    const bad = await deliver(daemon, 'hub', '3'.repeat(40), WRONG);
    assert.equal(bad.status, 403);
    const [run] = await finishedRuns(state, 'hub', 1);
    await daemon.waitForLine(/"msg":"run finished"/);
    // The refused delivery's line may come after the run's: it is written when its answer is sent.
    await daemon.waitForLine(/"msg":"delivery".*"answer":403/);

    const objs = daemon.lines.map((l) => {
      assert.doesNotThrow(() => JSON.parse(l), `not JSON: ${l}`);
      return JSON.parse(l);
    });
    for (const o of objs) {
      assert.ok(Number.isFinite(Date.parse(o.time)) && typeof o.level === 'string' && typeof o.msg === 'string', JSON.stringify(o));
    }
    const delivery = objs.filter((o) => o.msg === 'delivery' && o.delivery === good.id);
    assert.equal(delivery.length, 1, 'one line per delivery');
    assert.deepEqual(
      [delivery[0].level, delivery[0].entry, delivery[0].forge, delivery[0].event, delivery[0].client, delivery[0].answer],
      ['info', 'hub', 'github', 'push', '127.0.0.1', 202],
    );
    // A refused delivery is logged too (its headers are unverified: no delivery id from them).
    const refused = objs.filter((o) => o.msg === 'delivery' && o.answer === 403);
    assert.equal(refused.length, 1);
    assert.deepEqual([refused[0].level, refused[0].entry, refused[0].client], ['warn', 'hub', '127.0.0.1']);
    assert.equal(JSON.stringify(refused[0]).includes(bad.id), false);
    const started = objs.filter((o) => o.msg === 'run started' && o.run === run.id);
    assert.equal(started.length, 1);
    assert.deepEqual([started[0].entry, started[0].trigger, started[0].ref, started[0].delivery], ['hub', 'webhook', 'refs/heads/main', good.id]);
    const finished = objs.filter((o) => o.msg === 'run finished' && o.run === run.id);
    assert.equal(finished.length, 1);
    assert.equal(finished[0].result, 'succeeded');
    assert.ok(Number.isInteger(finished[0].duration_ms));
    const output = objs.filter((o) => o.msg === 'output' && o.run === run.id).map((o) => o.line);
    assert.ok(output.includes('hello from hub'), output.join('\n'));
    assert.ok(output.includes('second line'), 'stderr lines too');
  });

  it('a mistyped entry in the hook URL and a request refused before its handler get a line; other paths do not', async () => {
    const d = pushDelivery('github', { repo: 'acme/hub', branch: 'main' }, SECRET);
    assert.equal((await post(`${daemon.base}/webhook/hbu`, d.headers, d.body)).status, 404);
    assert.equal((await post(`${daemon.base}/wp-login.php`, d.headers, d.body)).status, 404);
    const big = await rawRequest(daemon.base, rawBytes('POST', '/webhook/hub', [...headerList(d.headers), ['X-Pad', 'p'.repeat(20_000)]], d.body));
    assert.deepEqual(big.statuses, [431], big.text);
    const line = (msg: string, pred: (o: Record<string, unknown>) => boolean) => waitFor(msg, () => daemon.lines.map((l) => JSON.parse(l)).find((o) => o.msg === msg && pred(o)));
    const typo = await line('delivery', (o) => o.answer === 404);
    assert.deepEqual([typo.level, typo.entry, typo.path, typo.client, typo.reason], ['warn', undefined, '/webhook/hbu', '127.0.0.1', 'no such entry']);
    const refused = await line('request refused', (o) => o.answer === 431);
    assert.deepEqual([refused.level, refused.client, refused.reason], ['warn', '127.0.0.1', 'headers too large']);
    assert.equal(daemon.lines.some((l) => l.includes('wp-login')), false, 'a path outside the webhook path stays at debug');
  });

  it('no secret, sent or configured, and no colour in any line', async () => {
    const deliveryLines = (): number => daemon.lines.filter((l) => /"msg":"delivery"/.test(l)).length;
    const before = deliveryLines();
    for (const token of [GITLAB_SECRET, WRONG]) {
      const d = pushDelivery('gitlab', { repo: 'acme/lab', branch: 'main' }, token);
      await post(`${daemon.base}/webhook/lab`, d.headers, d.body);
    }
    for (const token of [PLAIN_SECRET, WRONG]) {
      const d = pushDelivery('plain', { repo: 'acme/hook', branch: 'main' }, token);
      await post(`${daemon.base}/webhook/hook`, d.headers, d.body);
      await post(`${daemon.base}/webhook/hook`, { 'content-type': 'application/json', authorization: `Bearer ${token}` }, d.body);
    }
    await finishedRuns(state, 'lab', 1);
    await finishedRuns(state, 'hook', 1);
    await waitFor('six more delivery lines', () => deliveryLines() >= before + 6);
    const all = daemon.lines.join('\n') + daemon.stderr();
    for (const secret of [SECRET, GITLAB_SECRET, PLAIN_SECRET, WRONG]) assert.equal(all.includes(secret), false, `${secret} is in the log`);
    assert.equal(/\x1b\[/.test(all), false, 'no ANSI escape');
  });
});

describe('serve: log_level warn (text)', () => {
  let t: { dir: string; cleanup: () => void };
  let daemon: Daemon | undefined;

  before(() => { t = tempDir(); });
  after(async () => {
    await daemon?.stop();
    t.cleanup();
  });

  it('drops info lines and keeps warnings', async () => {
    const port = await freePort();
    const state = join(t.dir, 'state');
    const settings = writeSettings(t.dir, {
      listen: `127.0.0.1:${port}`, log_level: 'warn',
      entries: { ok: plainEntry(t.dir, 'ok', ['echo fine']), bad: plainEntry(t.dir, 'bad', ['echo oops; exit 1']) },
    });
    daemon = await startDaemon(settings, { port });
    assert.equal((await deliver(daemon, 'ok')).status, 202);
    assert.equal((await deliver(daemon, 'bad')).status, 202);
    assert.equal((await deliver(daemon, 'ok', '1'.repeat(40), 'not-the-secret')).status, 403);
    await finishedRuns(state, 'ok', 1);
    await finishedRuns(state, 'bad', 1);
    await daemon.waitForLine(/ warn run finished entry=bad /);
    await daemon.waitForLine(/ warn delivery entry=ok .*answer=403/);
    for (const l of daemon.lines) assert.match(l, /^\S+ (warn|error) /, `an info or debug line: ${l}`);
    assert.equal(daemon.lines.some((l) => l.includes('fine')), false, 'no output lines (info)');
  });
});
