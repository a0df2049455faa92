// `whauto notify SETTINGS ENTRY --test [--status COMMIT]` and `whauto trigger`'s own
// notifications, through the built binary against local stand-ins.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary, start, WHAUTO } from '../helpers/run.ts';
import { writeSettings } from '../helpers/settings.ts';
import { standIn, type StandIn } from '../helpers/stand-in.ts';
import { tempDir } from '../helpers/tmp.ts';

const SHA = 'e'.repeat(40);
const URL_SECRET = 'B0CCC/cli-url-secret-8f4';

/** Runs the binary to its end (async, so this process's stand-ins keep answering). */
function whauto(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return start(WHAUTO, args, { env: { ...process.env, ...env } }).ended();
}

describe('whauto notify --test', () => {
  let t: { dir: string; cleanup: () => void };
  let ok: StandIn;
  let missing: StandIn;
  let settings: string;

  before(async () => {
    requireBinary();
    t = tempDir();
    [ok, missing] = await Promise.all([standIn({ status: 201 }), standIn({ status: 404 })]);
    const work = join(t.dir, 'work');
    mkdirSync(work);
    const base = { provider: 'github', secret: 's', repo: 'acme/site', update: 'none', workdir: work, commands: ['true'] };
    settings = writeSettings(t.dir, {
      entries: {
        good: { ...base, notify: [{ url: `${ok.url}/services/${URL_SECRET}`, format: 'slack' }], commit_status: { token_env: 'GH_TOKEN', api_url: ok.url } },
        mixed: { ...base, notify: [{ url: `${ok.url}/services/${URL_SECRET}`, format: 'slack' }, { url: `${missing.url}/gone`, format: 'json' }] },
        none: base,
      },
    });
  });
  after(async () => {
    await Promise.all([ok?.close(), missing?.close()]);
    t.cleanup();
  });

  it('sends a test message to each target and prints its HTTP status; exit 0 when all were taken; says commit_status was not tested', async () => {
    const n = ok.requests.length;
    const r = await whauto(['notify', settings, 'good', '--test'], { GH_TOKEN: 'gh-cli-token' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `slack ${ok.url}: HTTP 201\ncommit_status: not tested (give --status COMMIT to set a test status on that commit)\n`);
    const [msg] = ok.requests.slice(n);
    assert.equal(msg!.path, `/services/${URL_SECRET}`);
    assert.equal(msg!.json.text, 'good: test message (main)');
  });

  it('exit 1 when a target refuses, naming it by scheme and host only', async () => {
    const r = await whauto(['notify', settings, 'mixed', '--test']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, `slack ${ok.url}: HTTP 201\njson ${missing.url}: failed: HTTP 404\n`);
    assert.ok(!r.stdout.includes(URL_SECRET) && !r.stderr.includes(URL_SECRET));
    assert.equal(missing.requests.at(-1)!.json.event, 'test');
  });

  it('--status COMMIT sets a test status on the commit through commit_status', async () => {
    const n = ok.requests.length;
    const r = await whauto(['notify', settings, 'good', '--test', '--status', SHA], { GH_TOKEN: 'gh-cli-token' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^commit_status ${ok.url.replace(/[.]/g, '\\.')}: HTTP 201$`, 'm'));
    const status = ok.requests.slice(n).find((q) => q.path === `/repos/acme/site/statuses/${SHA}`);
    assert.ok(status, JSON.stringify(ok.requests.slice(n).map((q) => q.path)));
    assert.equal(status.headers['authorization'], 'Bearer gh-cli-token');
    assert.deepEqual(status.json, { state: 'success', description: 'a test status from whauto notify --test (no deploy ran)', context: 'whauto/good' });
  });

  it('usage errors: no --test, a commit that is not a full id, an entry with nothing to send', async () => {
    assert.equal((await whauto(['notify', settings, 'good'])).code, 2);
    const short = await whauto(['notify', settings, 'good', '--test', '--status', 'abc123']);
    assert.equal(short.code, 2);
    assert.match(short.stderr, /--status takes a full commit id/);
    const none = await whauto(['notify', settings, 'none', '--test']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /entry 'none' has no notify targets/);
    assert.equal((await whauto(['notify', settings, 'nope', '--test'])).code, 2);
  });
});

describe('whauto trigger and its notifications', () => {
  let t: { dir: string; cleanup: () => void };
  let srv: StandIn;

  before(async () => {
    requireBinary();
    t = tempDir();
    srv = await standIn();
  });
  after(async () => {
    await srv?.close();
    t.cleanup();
  });

  it('waits for its own notifications (a try again included) before it exits', async () => {
    const work = join(t.dir, 'work');
    mkdirSync(work);
    const settings = writeSettings(t.dir, {
      entries: { site: { provider: 'github', secret: 's', update: 'none', workdir: work, commands: ['exit 3'], notify: [{ url: `${srv.url}/hook`, on: ['failed'] }] } },
    });
    srv.answers.push({ status: 503 }, { status: 200 });
    const r = await whauto(['trigger', settings, 'site']);
    assert.equal(r.code, 1, r.stderr);
    // Had it not waited, the second try (after a backoff) would never have come.
    assert.equal(srv.requests.length, 2);
    assert.deepEqual(srv.requests.map((q) => q.json.event), ['failed', 'failed']);
    assert.match(r.stderr, /notify sent entry=site run=\S+ event=failed kind=json target=http:\/\/127\.0\.0\.1:\d+ status=200 tries=2\n/);
    assert.ok(r.stderr.indexOf('notify sent') < r.stderr.indexOf('whauto trigger: run '), 'the last line still says how the run went');
    assert.equal(srv.requests[0]!.json.log_tail.at(-1), '==> failed: commands `exit 3` exited with 3');
  });
});
