// send(): each try's timeout, up to three tries on network errors, 5xx and 429 (after the
// Retry-After they ask for, up to 60 s), none again on other 4xx; redirects not followed.
import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { retryAfterMs } from '../../src/notify/retry-after.ts';
import { send, type SendOptions } from '../../src/notify/send.ts';
import { shownUrl } from '../../src/notify/shown-url.ts';
import type { HttpRequest } from '../../src/notify/types.ts';
import { freePort } from '../helpers/daemon.ts';
import { standIn, type StandIn } from '../helpers/stand-in.ts';

const FAST = { backoffMs: 1 };
const post = (url: string): HttpRequest => ({ method: 'POST', url, headers: { 'Content-Type': 'application/json' }, body: '{"x":1}' });

describe('send', () => {
  let srv: StandIn;
  before(async () => { srv = await standIn(); });
  after(() => srv.close());

  /** Sends once with `answers` queued; returns the result and how many requests came. */
  const run = async (answers: StandIn['answers'], opts: SendOptions = FAST) => {
    const n = srv.requests.length;
    srv.answers.push(...answers);
    const r = await send(post(`${srv.url}/hook`), opts);
    srv.answers.length = 0;
    return { r, requests: srv.requests.length - n };
  };

  it('a URL with user and password (basic auth: ntfy, a JSON endpoint behind a proxy) is sent with them as an Authorization: Basic header, not in the URL', async () => {
    const n = srv.requests.length;
    const r = await send(post(srv.url.replace('http://', 'http://deploy%40web:pa55%3Aword@') + '/hook'), FAST);
    assert.equal(r.ok, true, String(r.error));
    const got = srv.requests[n]!;
    assert.equal(got.path, '/hook');
    assert.equal(got.headers.authorization, `Basic ${Buffer.from('deploy@web:pa55:word').toString('base64')}`);
    // A token the format sends wins over the URL's credentials.
    const withToken = post(srv.url.replace('http://', 'http://u:p@') + '/hook');
    withToken.headers['Authorization'] = 'Bearer tk';
    assert.equal((await send(withToken, FAST)).ok, true);
    assert.equal(srv.requests[n + 1]!.headers.authorization, 'Bearer tk');
  });

  it('a 2xx is sent at the first try', async () => {
    const { r, requests } = await run([{ status: 204 }]);
    assert.deepEqual(r, { ok: true, status: 204, tries: 1, error: null });
    assert.equal(requests, 1);
  });

  it('5xx twice, then 200: sent at the third try', async () => {
    const { r, requests } = await run([{ status: 500 }, { status: 503 }, { status: 200 }]);
    assert.deepEqual(r, { ok: true, status: 200, tries: 3, error: null });
    assert.equal(requests, 3);
  });

  it('5xx every time: given up after 3 tries, no more', async () => {
    const { r, requests } = await run([{ status: 500 }, { status: 502 }, { status: 503 }, { status: 200 }]);
    assert.deepEqual(r, { ok: false, status: 503, tries: 3, error: 'HTTP 503' });
    assert.equal(requests, 3);
  });

  for (const status of [400, 401, 403, 404, 422]) {
    it(`${status} is final: no second try`, async () => {
      const { r, requests } = await run([{ status }, { status: 200 }]);
      assert.deepEqual(r, { ok: false, status, tries: 1, error: `HTTP ${status}` });
      assert.equal(requests, 1);
    });
  }

  it('429 is tried again after its Retry-After', async () => {
    const { r, requests } = await run([{ status: 429, headers: { 'Retry-After': '0' } }, { status: 200 }]);
    assert.deepEqual([r.ok, r.tries], [true, 2]);
    assert.equal(requests, 2);
  });

  it('a Retry-After over 60 s ends the tries and says so', async () => {
    const { r, requests } = await run([{ status: 429, headers: { 'Retry-After': '120' } }, { status: 200 }]);
    assert.deepEqual([r.ok, r.status, r.tries], [false, 429, 1]);
    assert.match(String(r.error), /HTTP 429; it asks to wait 2m, more than 60s/);
    assert.equal(requests, 1);
  });

  it('a target that never answers: each try times out, three tries, then given up', async () => {
    const { r, requests } = await run(['hang', 'hang', 'hang'], { backoffMs: 1, timeoutMs: 200 });
    assert.deepEqual(r, { ok: false, status: null, tries: 3, error: 'no answer within 200ms' });
    assert.equal(requests, 3);
  });

  it('a redirect is not followed (a token must not go elsewhere)', async () => {
    const { r, requests } = await run([{ status: 302, headers: { Location: `${srv.url}/elsewhere` } }]);
    assert.deepEqual([r.ok, r.status, r.tries], [false, 302, 1]);
    assert.equal(requests, 1);
  });

  it('aborting stops the tries at once', async () => {
    srv.answers.push('hang');
    const n = srv.requests.length;
    const ctl = new AbortController();
    const sending = send(post(`${srv.url}/hook`), { signal: ctl.signal });
    await srv.waitFor(n + 1);
    ctl.abort();
    const r = await sending;
    assert.deepEqual([r.ok, r.error, r.tries], [false, 'stopped', 1]);
    srv.answers.length = 0;
  });
});

test('a refused connection is a network error: tried three times, the error names no URL', async () => {
  const port = await freePort(); // free a moment ago: nothing listens there
  const r = await send(post(`http://127.0.0.1:${port}/secret-path-7f3`), FAST);
  assert.deepEqual([r.ok, r.status, r.tries, r.error], [false, null, 3, 'ECONNREFUSED']);
});

test('a URL that does not parse is not sent, and is not shown', async () => {
  const r = await send(post('not a url /secret-9a1'), FAST);
  assert.deepEqual(r, { ok: false, status: null, tries: 0, error: 'not a valid URL' });
  assert.equal(shownUrl('not a url /secret-9a1'), 'an invalid URL');
});

test('shownUrl keeps only scheme, host and port', () => {
  assert.equal(shownUrl('https://hooks.slack.com/services/T0/B0/secret'), 'https://hooks.slack.com');
  assert.equal(shownUrl('https://user:pw@ntfy.example.org:8443/topic?x=1'), 'https://ntfy.example.org:8443');
});

test('retryAfterMs reads seconds and HTTP dates (RFC 9110 10.2.3)', () => {
  assert.equal(retryAfterMs('7'), 7000);
  assert.equal(retryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', Date.parse('2026-01-01T00:00:00Z')), 30_000);
  assert.equal(retryAfterMs('Thu, 01 Jan 2026 00:00:00 GMT', Date.parse('2026-01-01T00:01:00Z')), 0);
  assert.equal(retryAfterMs('soon'), null);
  assert.equal(retryAfterMs(null), null);
});
