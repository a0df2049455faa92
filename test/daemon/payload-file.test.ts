// WHAUTO_PAYLOAD, against the built binary: the body as the forge sent it, or for a form
// delivery the decoded `payload=` JSON; an older Gogs delivery's body "secret" (what it is
// verified with) is not in it, nor in the run's payload file in the state dir.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type Daemon } from '../helpers/daemon.ts';
import { post } from '../helpers/http.ts';
import { pushDelivery, signFor } from '../helpers/payloads.ts';
import { writeSettings } from '../helpers/settings.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';

const GOGS_SECRET = 'gogs-body-secret-value';

describe('WHAUTO_PAYLOAD', () => {
  let t: { dir: string; cleanup: () => void };
  let daemon: Daemon;
  // Each entry copies the payload file it gets to copy-<entry>.json.
  const copying = (entry: string) => ({ branch: 'main', update: 'none', workdir: t.dir, commands: [`cp "$WHAUTO_PAYLOAD" copy-${entry}.json`] });
  const copied = async (entry: string): Promise<Buffer> => {
    const file = join(t.dir, `copy-${entry}.json`);
    await waitFor(`copy-${entry}.json`, () => existsSync(file));
    await daemon.waitForLine(new RegExp(`run finished .*entry=${entry} `));
    return readFileSync(file);
  };

  before(async () => {
    t = tempDir();
    daemon = await startDaemon(writeSettings(t.dir, {
      entries: {
        json: { ...copying('json'), provider: 'github', secret: 'gh-secret', repo: 'acme/json' },
        form: { ...copying('form'), provider: 'github', secret: 'gh-secret', repo: 'acme/form' },
        gogs: { ...copying('gogs'), provider: 'gogs', secret: GOGS_SECRET, repo: 'acme/gogs' },
      },
    }));
  });
  after(async () => {
    await daemon?.stop();
    t.cleanup();
  });

  it('a JSON delivery: the body, byte for byte', async () => {
    const d = pushDelivery('github', { repo: 'acme/json', branch: 'main' }, 'gh-secret');
    assert.equal((await post(`${daemon.base}/webhook/json`, d.headers, d.body)).status, 202);
    assert.equal((await copied('json')).toString('utf8'), d.body);
  });

  it('a form delivery: the decoded payload= JSON, not the form body', async () => {
    const json = pushDelivery('github', { repo: 'acme/form', branch: 'main' }, null).body;
    const headers = { ...pushDelivery('github', { repo: 'acme/form', branch: 'main' }, null).headers, 'content-type': 'application/x-www-form-urlencoded' };
    const body = new URLSearchParams({ payload: json }).toString();
    // GitHub signs the form body as sent.
    assert.equal((await post(`${daemon.base}/webhook/form`, { ...headers, ...signFor('github', 'gh-secret', body) }, body)).status, 202);
    assert.equal((await copied('form')).toString('utf8'), json);
  });

  it('an older Gogs delivery verified by its body "secret": accepted, and the secret is in no payload file', async () => {
    const d = pushDelivery('gogs', { repo: 'acme/gogs', branch: 'main' }, null);
    const body = d.body.replace(/^\{/, `{"secret":${JSON.stringify(GOGS_SECRET)},`);
    assert.equal((await post(`${daemon.base}/webhook/gogs`, d.headers, body)).status, 202);
    const got = (await copied('gogs')).toString('utf8');
    assert.equal(got, d.body, 'the body without its secret member, the rest as sent');
    const runs = join(t.dir, 'state', 'runs', 'gogs');
    for (const f of readdirSync(runs)) assert.ok(!readFileSync(join(runs, f), 'utf8').includes(GOGS_SECRET), f);
    // A wrong body secret is still refused: what is verified did not change.
    const wrong = d.body.replace(/^\{/, '{"secret":"not-it",');
    assert.equal((await post(`${daemon.base}/webhook/gogs`, d.headers, wrong)).status, 403);
  });
});
