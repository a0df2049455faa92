// provider: plain, as scripts call it: an empty body deploys the entry's own branch, whatever
// content type the client's tool adds to nothing (curl -H 'Content-Type: application/json', curl -d '').
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDaemon, type Daemon } from '../helpers/daemon.ts';
import { post } from '../helpers/http.ts';
import { writeSettings } from '../helpers/settings.ts';
import { finishedRuns, runRecords } from '../helpers/state.ts';
import { tempDir } from '../helpers/tmp.ts';
import { plainEntry } from './lib.ts';

describe('plain: an empty body', () => {
  let t: { dir: string; cleanup: () => void };
  let daemon: Daemon;
  const token = 'plain-empty-body-token';

  before(async () => {
    t = tempDir();
    daemon = await startDaemon(writeSettings(t.dir, {
      entries: { hook: { ...plainEntry(t.dir, 'hook', ['echo "deploying $WHAUTO_BRANCH"']), provider: 'plain', secret: token } },
    }));
  });
  after(async () => {
    await daemon?.stop();
    t.cleanup();
  });

  for (const [name, type] of [['no content type', null], ['application/json', 'application/json'], ['a form (curl -d \'\')', 'application/x-www-form-urlencoded']] as const) {
    it(`with ${name} deploys the entry's branch (202)`, async () => {
      const before = runRecords(join(t.dir, 'state'), 'hook').length;
      const res = await post(`${daemon.base}/webhook/hook`, { 'x-webhook-token': token, ...(type ? { 'content-type': type } : {}) }, Buffer.alloc(0)); // a string body would get text/plain from fetch
      assert.equal(res.status, 202, JSON.stringify(res.json));
      const runs = await finishedRuns(join(t.dir, 'state'), 'hook', before + 1);
      assert.equal(runs.at(-1).target.name, 'main');
    });
  }

  it('a body that is not empty still has to be JSON', async () => {
    const res = await post(`${daemon.base}/webhook/hook`, { 'x-webhook-token': token, 'content-type': 'application/json' }, 'deploy please');
    assert.equal(res.status, 400);
  });
});
