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
import { standIn, type StandIn } from '../helpers/stand-in.ts';
import { finishedRuns, runRecords } from '../helpers/state.ts';
import { start, WHAUTO } from '../helpers/run.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';

const SECRET = 'cut-off-secret';
const GH_TOKEN = 'ghp-cut-off-token';

/** Stand-ins for a chat service and a GitHub Enterprise forge, a remote, and settings whose entry's first run waits to be killed. */
async function world(): Promise<{ t: { dir: string; cleanup: () => void }; remote: ReturnType<typeof makeRemote>; chat: StandIn; forge: StandIn; settings: string; started: string; env: Record<string, string>; close(): Promise<void> }> {
  const t = tempDir();
  const remote = makeRemote(join(t.dir, 'forge'));
  const [chat, forge] = await Promise.all([standIn(), standIn({ status: 201 })]);
  const started = join(t.dir, 'started');
  const settings = writeSettings(t.dir, {
    entries: {
      site: {
        provider: 'github', secret: SECRET, repo: 'acme/site', branch: 'main',
        clone_url: `${forge.url}/acme/site.git`, repodir: join(t.dir, 'site'),
        // The first run waits to be killed; the next one goes straight through.
        commands: [`if [ ! -e ${started} ]; then touch ${started}; sleep 60; fi`],
        notify: [{ url: `${chat.url}/hook`, format: 'json', on: ['interrupted', 'succeeded'] }],
        commit_status: { token_env: 'GH_TOKEN' },
      },
    },
  });
  // The forge's address is the stand-in's; git fetches it from the local bare repository.
  const env = { GH_TOKEN, GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: `url.${remote.bare}.insteadOf`, GIT_CONFIG_VALUE_0: `${forge.url}/acme/site.git` };
  return { t, remote, chat, forge, settings, started, env, close: async () => { await Promise.all([chat.close(), forge.close()]); t.cleanup(); } };
}

/** What the chat stand-in and the forge's status API were told of `commit`: interrupted then succeeded; pending, error, pending, success. */
async function toldOfCutOff(w: Awaited<ReturnType<typeof world>>, commit: string): Promise<void> {
  const said = (await w.chat.waitFor(2)).map((r) => [r.json.event, r.json.result, r.json.commit]);
  assert.deepEqual(said, [['interrupted', 'interrupted', commit], ['succeeded', 'succeeded', commit]]);
  const path = `/api/v3/repos/acme/site/statuses/${commit}`;
  assert.deepEqual((await w.forge.waitFor(4)).map((r) => [r.path, r.json.state]), [[path, 'pending'], [path, 'error'], [path, 'pending'], [path, 'success']]);
}

/** Waits until the first run runs its command, set the pending status and recorded its commit. */
async function firstRunWaits(w: Awaited<ReturnType<typeof world>>, commit: string): Promise<void> {
  await waitFor('the command runs', () => existsSync(w.started));
  await waitFor('the pending status', () => w.forge.requests.length >= 1);
  await waitFor('the record names the commit', () => runRecords(join(w.t.dir, 'state'), 'site').some((r) => r.targetCommit === commit));
}

test('serve: a run cut off by SIGKILL is told interrupted by the next daemon, and its pending commit status ends as error', { timeout: 180_000 }, async () => {
  const w = await world();
  try {
    const first = await startDaemon(w.settings, { env: w.env });
    const commit = w.remote.push('main');
    const d = pushDelivery('github', { repo: 'acme/site', branch: 'main', after: commit, cloneUrl: `${w.forge.url}/acme/site.git` }, SECRET);
    assert.equal((await post(`${first.base}/webhook/site`, d.headers, d.body)).status, 202);
    await firstRunWaits(w, commit);
    first.proc.kill('SIGKILL');
    await first.exited;
    const second = await startDaemon(w.settings, { env: w.env });
    try {
      await finishedRuns(join(w.t.dir, 'state'), 'site', 2, 60_000);
      await toldOfCutOff(w, commit);
    } finally {
      await second.stop();
    }
  } finally {
    await w.close();
  }
});

test('trigger: a trigger killed with SIGKILL is told interrupted by the next trigger that takes over its checkout, and its pending status ends as error', { timeout: 180_000 }, async () => {
  const w = await world();
  try {
    const env = { ...process.env, ...w.env };
    const commit = w.remote.push('main');
    const first = start(WHAUTO, ['trigger', w.settings, 'site'], { env });
    await firstRunWaits(w, commit);
    first.proc.kill('SIGKILL');
    await first.ended();
    const end = await start(WHAUTO, ['trigger', w.settings, 'site'], { env }).ended();
    assert.equal(end.code, 0, end.stderr);
    assert.match(end.stderr, /was cut off; this run deploys main after it, so it is recorded interrupted/);
    await toldOfCutOff(w, commit);
  } finally {
    await w.close();
  }
});
