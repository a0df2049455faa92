// whauto serve SETTINGS --listen ADDR: listens there instead of the file's listen, with the
// same syntax and checks as the settings key; a reload does not take it for a changed listen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { startDaemon } from '../helpers/daemon.ts';
import { requireBinary, whauto } from '../helpers/run.ts';
import { writeSettings } from '../helpers/settings.ts';
import { tempDir } from '../helpers/tmp.ts';

const ENTRIES = { entries: { site: { provider: 'plain', secret: 's', branch: 'main', update: 'none', commands: ['true'] } } };

/** A port some other server holds now, so that a daemon told to listen on it could not. */
async function takenPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

test('serve --listen 127.0.0.1:0 listens on a free port although the file names a taken one; SIGHUP warns of no changed listen', async () => {
  const t = tempDir();
  const taken = await takenPort();
  try {
    const file = writeSettings(t.dir, { ...ENTRIES, listen: `127.0.0.1:${taken.port}` });
    const daemon = await startDaemon(file, { args: ['--listen', '127.0.0.1:0'] });
    try {
      assert.notEqual(new URL(daemon.base).port, String(taken.port));
      const health = await fetch(`${daemon.base}/healthz`);
      assert.equal(health.status, 200);
      daemon.proc.kill('SIGHUP');
      await daemon.waitForLine(/ settings reloaded /);
      assert.ok(!daemon.lines.some((l) => / needs a restart /.test(l)), daemon.lines.join('\n'));
    } finally {
      await daemon.stop();
    }
  } finally {
    taken.server.close();
    t.cleanup();
  }
});

test('serve --listen takes the settings key\'s forms and refuses what the key refuses (exit 2, before anything starts)', () => {
  requireBinary();
  const t = tempDir();
  try {
    const file = writeSettings(t.dir, ENTRIES);
    for (const [value, said] of [
      ['nowhere', /^whauto serve: --listen nowhere is not HOST:PORT/],
      ['127.0.0.1:70000', /^whauto serve: --listen 127\.0\.0\.1:70000 is not HOST:PORT/],
      ['203.0.113.9:5000', /^whauto serve: --listen: 203\.0\.113\.9 is not an address of this machine/],
    ] as const) {
      const r = whauto(['serve', file, '--listen', value]);
      assert.equal(r.status, 2, value);
      assert.match(r.stderr, said);
      assert.match(r.stderr, /usage: whauto serve SETTINGS \[--listen HOST:PORT\]/);
    }
    const help = whauto(['serve', '--help']);
    assert.match(help.stdout, /--listen HOST:PORT +listen here instead of the settings' listen/);
    const usage = whauto(['--help']);
    assert.match(usage.stdout, /whauto serve +SETTINGS \[--listen HOST:PORT\]/);
  } finally {
    t.cleanup();
  }
});
