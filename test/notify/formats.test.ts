// Each notify format against a local stand-in of its service: method, path, headers and
// body as the service's published reference has them (cited beside each payload builder).
import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { sendNotify } from '../../src/notify/deliver.ts';
import { jsonPayload } from '../../src/notify/json.ts';
import { headline, plainText, statusDescription } from '../../src/notify/text.ts';
import type { NotifyTarget } from '../../src/settings/types.ts';
import { standIn, type StandIn } from '../helpers/stand-in.ts';
import { FAILED, SUCCEEDED } from './announcements.ts';

const FAST = { backoffMs: 1 };

describe('notify formats', () => {
  let srv: StandIn;
  before(async () => { srv = await standIn(); });
  after(() => srv.close());

  /** Sends `a` to a target of `format` at `path` on the stand-in and returns the one request it got. */
  const sent = async (format: NotifyTarget['format'], path: string, token: string | null, a = FAILED) => {
    const n = srv.requests.length;
    const r = await sendNotify({ format, url: srv.url + path, on: ['failed'], token }, a, FAST);
    assert.deepEqual([r.ok, r.status, r.tries], [true, 200, 1], String(r.error));
    const all = await srv.waitFor(n + 1);
    return all[n]!;
  };

  it('json POSTs the versioned payload, with a Bearer token when one is given', async () => {
    const req = await sent('json', '/deploys', 'json-token-1');
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/deploys');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['authorization'], 'Bearer json-token-1');
    assert.equal(req.headers['user-agent'], 'whauto');
    assert.deepEqual(req.json, {
      version: 1, event: 'failed', entry: 'site', result: 'failed', trigger: 'webhook', ref: 'refs/heads/main',
      commit: 'a'.repeat(40), previous_commit: 'b'.repeat(40), commit_subject: 'Fix <login> & logout', pusher: 'alice',
      repository: 'acme/site', started_at: '2026-01-01T00:00:00.000Z', finished_at: '2026-01-01T00:00:12.000Z',
      duration_ms: 12_000, failed_step: 'commands: npm ci', message: 'commands `npm ci` exited with 1', host: 'web1',
      run_id: '20260101T000000000Z-abcd', log_tail: ['npm ERR! code <E404>', '==> failed: commands `npm ci` exited with 1'],
    });
    assert.deepEqual(req.json, jsonPayload(FAILED));
  });

  it('json sends no Authorization header without a token', async () => {
    const req = await sent('json', '/open', null, SUCCEEDED);
    assert.equal(req.headers['authorization'], undefined);
    assert.equal(req.json.log_tail, null, 'a run that succeeded carries no log');
  });

  it('slack POSTs {text, blocks} to the incoming webhook: mrkdwn sections, <, > and & escaped', async () => {
    const req = await sent('slack', '/services/T000/B000/XXXX', null);
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/services/T000/B000/XXXX');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['authorization'], undefined);
    assert.equal(req.json.text, headline(FAILED), 'text is the fallback notifications show');
    assert.equal(req.json.text, 'site: deploy of main at aaaaaaa failed (12s)');
    const [first, tail] = req.json.blocks;
    assert.deepEqual(Object.keys(req.json).sort(), ['blocks', 'text']);
    assert.equal(first.type, 'section');
    assert.equal(first.text.type, 'mrkdwn');
    assert.match(first.text.text, /^\*site: deploy of main at aaaaaaa failed \(12s\)\*\n/);
    assert.match(first.text.text, /commit: Fix &lt;login&gt; &amp; logout/);
    assert.match(first.text.text, /pushed by alice/);
    assert.equal(tail.type, 'section');
    assert.equal(tail.text.text, '```\nnpm ERR! code &lt;E404&gt;\n==&gt; failed: commands `npm ci` exited with 1\n```');
  });

  it('discord POSTs one embed and allows no mentions', async () => {
    const req = await sent('discord', '/api/webhooks/123/tok', null);
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/api/webhooks/123/tok');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.deepEqual(req.json.allowed_mentions, { parse: [] });
    assert.equal(req.json.username, 'whauto');
    assert.equal(req.json.embeds.length, 1);
    const [embed] = req.json.embeds;
    assert.equal(embed.title, headline(FAILED));
    assert.ok(embed.title.length <= 256);
    assert.equal(typeof embed.color, 'number');
    assert.equal(embed.timestamp, '2026-01-01T00:00:12.000Z');
    assert.match(embed.description, /commands `npm ci` exited with 1/);
    assert.match(embed.description, /```\nnpm ERR! code <E404>\n/);
    assert.ok(embed.description.length <= 4096);
  });

  it('matrix PUTs an m.text room message with the access token, to a transaction id of the run and event', async () => {
    const req = await sent('matrix', '/_matrix/client/v3/rooms/!room:example.org', 'syt_matrix_token');
    assert.equal(req.method, 'PUT');
    assert.equal(req.path, '/_matrix/client/v3/rooms/!room%3Aexample.org/send/m.room.message/whauto.20260101T000000000Z-abcd.failed');
    assert.equal(req.headers['authorization'], 'Bearer syt_matrix_token');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.json.msgtype, 'm.text');
    assert.equal(req.json.body, plainText(FAILED));
    assert.equal(req.json.format, 'org.matrix.custom.html');
    assert.match(req.json.formatted_body, /^<b>site: deploy of main at aaaaaaa failed \(12s\)<\/b><br>commit: Fix &lt;login&gt; &amp; logout/);
    assert.match(req.json.formatted_body, /<pre><code>npm ERR! code &lt;E404&gt;/);
  });

  it('matrix keeps a room id written percent-encoded, and tries again with the same transaction id', async () => {
    srv.answers.push({ status: 502 });
    const n = srv.requests.length;
    const r = await sendNotify({ format: 'matrix', url: `${srv.url}/base/_matrix/client/v3/rooms/%21room%3Aexample.org/`, on: ['failed'], token: 't' }, FAILED, FAST);
    assert.deepEqual([r.ok, r.tries], [true, 2]);
    const [first, second] = srv.requests.slice(n);
    assert.equal(first!.path, '/base/_matrix/client/v3/rooms/!room%3Aexample.org/send/m.room.message/whauto.20260101T000000000Z-abcd.failed');
    assert.equal(second!.path, first!.path, 'a try again after a lost answer must not post twice');
  });

  it('ntfy POSTs plain text to the topic with Title, Priority and Tags headers', async () => {
    const req = await sent('ntfy', '/deploys-8d2f', 'tk_ntfy_token');
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/deploys-8d2f');
    assert.equal(req.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(req.headers['title'], headline(FAILED));
    assert.equal(req.headers['priority'], '4', 'a failure is high priority');
    assert.equal(req.headers['tags'], 'x');
    assert.equal(req.headers['authorization'], 'Bearer tk_ntfy_token');
    assert.equal(req.body, plainText(FAILED));
    assert.ok(req.body.startsWith('site: deploy of main at aaaaaaa failed (12s)\n'));
  });

  it('ntfy sends a title that is not ASCII as an RFC 2047 encoded word', async () => {
    const req = await sent('ntfy', '/t', null, { ...SUCCEEDED, target: 'fix/ümlaut' });
    const m = /^=\?UTF-8\?B\?(.+)\?=$/.exec(String(req.headers['title']));
    assert.ok(m, String(req.headers['title']));
    assert.equal(Buffer.from(m[1]!, 'base64').toString('utf8'), 'site: deployed fix/ümlaut at aaaaaaa (3s)');
    assert.equal(req.headers['priority'], '3');
  });

  it('a target whose url could not be read is not sent, and says why', async () => {
    const n = srv.requests.length;
    const r = await sendNotify({ format: 'slack', url: null, on: ['failed'], token: null }, FAILED, FAST);
    assert.deepEqual([r.ok, r.tries], [false, 0]);
    assert.match(String(r.error), /url could not be read/);
    assert.equal(srv.requests.length, n);
  });
});

test("a rollback's start says it rolls back, not that it deploys the branch", () => {
  const started = { ...SUCCEEDED, event: 'started' as const, result: 'running' as const, durationMs: null, finishedAt: null };
  assert.equal(headline(started), `site: deploying main at ${'a'.repeat(7)}`);
  assert.equal(headline({ ...started, trigger: 'rollback' }), `site: rolling back to main at ${'a'.repeat(7)}`);
  assert.equal(statusDescription({ ...started, trigger: 'rollback' }), 'rolling back to main');
});
