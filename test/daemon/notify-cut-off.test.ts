// A run cut off by a SIGKILL of the daemon is told when the next daemon records it interrupted:
// its 'interrupted' notice goes out and the commit status it left pending ends as error, before
// the resumed run deploys the commit (pending, then success).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon } from '../helpers/daemon.ts';
import { makeRemote } from '../helpers/git.ts';
import { post } from '../helpers/http.ts';
import { pushDelivery } from '../helpers/payloads.ts';
import { writeSettings } from '../helpers/settings.ts';
import { standIn } from '../helpers/stand-in.ts';
import { finishedRuns, runRecords } from '../helpers/state.ts';
import { start, WHAUTO } from '../helpers/run.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';

const SECRET = 'cut-off-secret';
const GH_TOKEN = 'ghp-cut-off-token';

test('serve: a run cut off by SIGKILL is told interrupted by the next daemon, and its pending commit status ends as error', { timeout: 180_000 }, async () => {
  const t = tempDir();
  const remote = makeRemote(join(t.dir, 'forge'));
  const [chat, forge] = await Promise.all([standIn(), standIn({ status: 201 })]);
  const started = join(t.dir, 'started');
  try {
    const settings = writeSettings(t.dir, {
      entries: {
        site: {
          provider: 'github', secret: SECRET, repo: 'acme/site', branch: 'main',
          clone_url: `${forge.url}/acme/site.git`, repodir: join(t.dir, 'site'),
          // The first run waits to be killed; the resumed one goes straight through.
          commands: [`if [ ! -e ${started} ]; then touch ${started}; sleep 60; fi`],
          notify: [{ url: `${chat.url}/hook`, format: 'json', on: ['interrupted', 'succeeded'] }],
          commit_status: { token_env: 'GH_TOKEN' },
        },
      },
    });
    // The forge's address is the stand-in's; git fetches it from the local bare repository.
    const env = { GH_TOKEN, GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: `url.${remote.bare}.insteadOf`, GIT_CONFIG_VALUE_0: `${forge.url}/acme/site.git` };
    const first = await startDaemon(settings, { env });
    const commit = remote.push('main');
    const d = pushDelivery('github', { repo: 'acme/site', branch: 'main', after: commit, cloneUrl: `${forge.url}/acme/site.git` }, SECRET);
    assert.equal((await post(`${first.base}/webhook/site`, d.headers, d.body)).status, 202);
    await waitFor('the command runs', () => existsSync(started));
    await waitFor('the pending status', () => forge.requests.length >= 1);
    await waitFor('the record names the commit', () => runRecords(join(t.dir, 'state'), 'site').some((r) => r.targetCommit === commit));
    first.proc.kill('SIGKILL');
    await first.exited;

    const second = await startDaemon(settings, { env });
    try {
      await finishedRuns(join(t.dir, 'state'), 'site', 2, 60_000);
      const said = (await chat.waitFor(2)).map((r) => [r.json.event, r.json.result, r.json.commit]);
      assert.deepEqual(said, [['interrupted', 'interrupted', commit], ['succeeded', 'succeeded', commit]]);
      const states = (await forge.waitFor(4)).map((r) => [r.path, r.json.state]);
      const path = `/api/v3/repos/acme/site/statuses/${commit}`;
      assert.deepEqual(states, [[path, 'pending'], [path, 'error'], [path, 'pending'], [path, 'success']]);
    } finally {
      await second.stop();
    }
  } finally {
    await Promise.all([chat.close(), forge.close()]);
    t.cleanup();
  }
});

test('trigger: a trigger killed with SIGKILL is told interrupted by the next trigger that takes over its checkout, and its pending status ends as error', { timeout: 180_000 }, async () => {
  const t = tempDir();
  const remote = makeRemote(join(t.dir, 'forge'));
  const [chat, forge] = await Promise.all([standIn(), standIn({ status: 201 })]);
  const started = join(t.dir, 'started');
  try {
    const settings = writeSettings(t.dir, {
      entries: {
        site: {
          provider: 'github', secret: SECRET, repo: 'acme/site', branch: 'main',
          clone_url: `${forge.url}/acme/site.git`, repodir: join(t.dir, 'site'),
          commands: [`if [ ! -e ${started} ]; then touch ${started}; sleep 60; fi`],
          notify: [{ url: `${chat.url}/hook`, format: 'json', on: ['interrupted', 'succeeded'] }],
          commit_status: { token_env: 'GH_TOKEN' },
        },
      },
    });
    const env = { ...process.env, GH_TOKEN, GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: `url.${remote.bare}.insteadOf`, GIT_CONFIG_VALUE_0: `${forge.url}/acme/site.git` };
    const commit = remote.push('main');
    const first = start(WHAUTO, ['trigger', settings, 'site'], { env });
    await waitFor('the command runs', () => existsSync(started));
    await waitFor('the pending status', () => forge.requests.length >= 1);
    await waitFor('the record names the commit', () => runRecords(join(t.dir, 'state'), 'site').some((r) => r.targetCommit === commit));
    first.proc.kill('SIGKILL');
    await first.ended();
    const second = start(WHAUTO, ['trigger', settings, 'site'], { env });
    const end = await second.ended();
    assert.equal(end.code, 0, end.stderr);
    assert.match(end.stderr, /was cut off; this run deploys main after it, so it is recorded interrupted/);
    const said = (await chat.waitFor(2)).map((r) => [r.json.event, r.json.commit]);
    assert.deepEqual(said, [['interrupted', commit], ['succeeded', commit]]);
    const path = `/api/v3/repos/acme/site/statuses/${commit}`;
    assert.deepEqual((await forge.waitFor(4)).map((r) => [r.path, r.json.state]), [[path, 'pending'], [path, 'error'], [path, 'pending'], [path, 'success']]);
  } finally {
    await Promise.all([chat.close(), forge.close()]);
    t.cleanup();
  }
});
