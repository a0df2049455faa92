// Issue 4, point 6: the server protects itself from slow, greedy and numerous clients.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { startDaemon, type Daemon } from '../helpers/daemon.ts';
import { pushDelivery } from '../helpers/payloads.ts';
import { openRaw, type RawConnection } from '../helpers/raw.ts';
import { writeSettings } from '../helpers/settings.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';
import { createLogger } from '../../src/log/logger.ts';
import type { Queue } from '../../src/queue/queue.ts';
import { createWebhookServer, LIMITS } from '../../src/server/server.ts';
import { loadSettings } from '../../src/settings/load.ts';
import { deliver, plainEntry, SECRET } from './lib.ts';

/** Writes `text` one byte a second until the socket closes or the text is spent. */
function dribble(raw: RawConnection, text: string): void {
  let i = 0;
  const tick = setInterval(() => {
    if (raw.isClosed() || i >= text.length) return clearInterval(tick);
    raw.socket.write(text[i++]!);
  }, 1000);
  raw.closed.then(() => clearInterval(tick));
}

describe('serve: limits against the built binary', () => {
  let t: { dir: string; cleanup: () => void };
  let daemon: Daemon;

  before(async () => {
    t = tempDir();
    const settings = writeSettings(t.dir, { max_body: '1kb', workers: 1, entries: { a: plainEntry(t.dir, 'a', ['true']) } });
    daemon = await startDaemon(settings);
  });
  after(async () => {
    await daemon?.stop();
    t.cleanup();
  });

  it('a client dribbling its headers or its body a byte a second is cut off, while others are answered', async () => {
    const slowHeaders = await openRaw(daemon.base);
    dribble(slowHeaders, 'POST /webhook/a HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Padding: ' + 'x'.repeat(200));
    const d = pushDelivery('github', { repo: 'acme/a', branch: 'main' }, SECRET);
    const slowBody = await openRaw(daemon.base);
    slowBody.socket.write(`POST /webhook/a HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${d.body.length}\r\n` +
      Object.entries(d.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n');
    dribble(slowBody, d.body);

    // Others are answered meanwhile, promptly (well before the slow ones are cut).
    for (let i = 0; i < 3; i++) {
      const res = await deliver(daemon, 'a', String(i + 1).repeat(40));
      assert.equal(res.status, 202);
      assert.equal(slowHeaders.isClosed() || slowBody.isClosed(), false, 'answered while both slow connections are still open');
    }
    const [h, b] = await Promise.all([slowHeaders.closed, slowBody.closed]);
    assert.ok(h < 30_000, `slow headers cut after ${h} ms`);
    // By the 15 s request deadline, not the 20 s backstop (which would close without a 408).
    assert.ok(b < 19_000, `slow body cut after ${b} ms`);
    assert.match(slowBody.received(), /^HTTP\/1\.1 408 /);
    // The log says what the clients got: 408 for both, not a 400 for the unfinished body.
    await daemon.waitForLine(/ warn delivery entry=a .*answer=408 .*reason="the request was not complete in time"/);
    await daemon.waitForLine(/ warn request refused client=127\.0\.0\.1 answer=408 reason="the request was not complete in time"/);
    assert.equal(daemon.lines.some((l) => / delivery .*answer=400 /.test(l)), false, 'no 400 logged for a timed-out body');
    assert.equal(daemon.lines.filter((l) => / answer=408 /.test(l)).length, 2, 'one line for each slow client');
    assert.equal((await fetch(`${daemon.base}/healthz`)).status, 200);
  });

  it('one client holding more connections than its share (slow bodies) neither blocks others nor holds them long', async () => {
    // 200 connections from 127.0.0.2, each stuck in its body: past the per-client cap they are
    // dropped at once; the rest are cut by the request deadline. 127.0.0.1 is served throughout.
    const flood: RawConnection[] = [];
    for (let i = 0; i < 200; i++) {
      const r = await openRaw(daemon.base, '127.0.0.2').catch(() => null);
      if (!r) continue;
      r.socket.write('POST /webhook/a HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"a":');
      flood.push(r);
    }
    try {
      const res = await deliver(daemon, 'a', '7'.repeat(40));
      assert.equal(res.status, 202, 'another client is answered while the flood holds its connections');
      assert.equal((await fetch(`${daemon.base}/healthz`)).status, 200);
      await waitFor('every flood connection closed', () => flood.every((r) => r.isClosed()), 40_000);
      // The refused ones are said once at first, then counted: one more line at the end of the window.
      const said = daemon.lines.filter((l) => / warn connection refused client=127\.0\.0\.2 /.test(l));
      assert.match(said[0]!, /reason="more than 128 open connections from this address"$/);
      const summary = await daemon.waitForLine(/ warn connection refused client=127\.0\.0\.2 .* more=\d+ within_ms=10000/);
      assert.ok(Number(/more=(\d+)/.exec(summary)![1]) >= 1);
      assert.equal(daemon.lines.filter((l) => / warn connection refused client=127\.0\.0\.2 /.test(l)).length, 2, 'two lines for the whole flood');
    } finally {
      for (const r of flood) r.socket.destroy();
    }
  });

  it('max_body: 413 at once on a declared length, without waiting for the body', async () => {
    const raw = await openRaw(daemon.base);
    raw.socket.write('POST /webhook/a HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"a":');
    await waitFor('a 413 answer', () => /^HTTP\/1\.1 413 /.test(raw.received()));
    assert.ok((await raw.closed) < 30_000);
  });

  it('max_body: 413 for a chunked body once it passes the cap', async () => {
    const raw = await openRaw(daemon.base);
    raw.socket.write('POST /webhook/a HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
    const chunk = 'x'.repeat(600);
    raw.socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    raw.socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    await waitFor('a 413 answer', () => /^HTTP\/1\.1 413 /.test(raw.received()));
    await raw.closed;
  });

  it('an idle keep-alive connection is closed soon', async () => {
    const raw = await openRaw(daemon.base);
    raw.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor('the answer', () => /^HTTP\/1\.1 200 /.test(raw.received()));
    const ms = await raw.closed;
    assert.ok(ms < 30_000, `closed after ${ms} ms`);
  });
});

describe('server: the cap on open connections (in process, small cap)', () => {
  let t: { dir: string; cleanup: () => void };
  const saved = { ...LIMITS };

  before(() => { t = tempDir(); });
  after(() => {
    Object.assign(LIMITS, saved);
    t.cleanup();
  });

  it('connections past maxConnections are dropped at once; those within it are served', async () => {
    // Long header timeouts so only the cap can close a connection here.
    Object.assign(LIMITS, { maxConnections: 3, headersTimeoutMs: 120_000, requestTimeoutMs: 180_000 });
    const file = writeSettings(t.dir, { entries: { a: plainEntry(t.dir, 'a', ['true']) } });
    const { settings } = loadSettings(file, {});
    assert.ok(settings);
    const logger = createLogger({ level: 'error', format: 'text', write: () => undefined });
    const web = createWebhookServer(settings, { canRecord: () => true } as unknown as Queue, logger);
    await new Promise<void>((res) => web.server.listen(0, '127.0.0.1', res));
    const base = `http://127.0.0.1:${(web.server.address() as AddressInfo).port}`;
    const raws: RawConnection[] = [];
    try {
      for (let i = 0; i < 5; i++) raws.push(await openRaw(base));
      await waitFor('two connections dropped', () => raws.filter((r) => r.isClosed()).length >= 2);
      const kept = raws.filter((r) => !r.isClosed());
      assert.equal(kept.length, 3);
      for (const r of kept) r.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      for (const r of kept) await waitFor('healthz answered', () => /^HTTP\/1\.1 200 /.test(r.received()));
    } finally {
      for (const r of raws) r.socket.destroy();
      web.server.closeAllConnections();
      await new Promise((res) => web.server.close(res));
    }
  });
});
