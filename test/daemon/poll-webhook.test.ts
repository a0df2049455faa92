// Webhooks and polling on one entry never deploy one commit twice: a poll that sees a tip a
// run deployed, runs or waits for does nothing, and a delivery of a commit a poll's run
// already deploys runs nothing more. Real repositories, the built binary.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type Daemon } from '../helpers/daemon.ts';
import { git, makeRemote, type Remote } from '../helpers/git.ts';
import { writeSettings } from '../helpers/settings.ts';
import { finishedRuns, lines, runRecords } from '../helpers/state.ts';
import { tempDir } from '../helpers/tmp.ts';
import { deliver, pollAfter, SECRET } from './lib.ts';
import { waitFor } from '../helpers/wait.ts';

describe('serve: webhook and poll on one entry', () => {
  let t: { dir: string; cleanup: () => void };
  let remote: Remote;
  let daemon: Daemon;
  let state = '';

  before(async () => {
    t = tempDir();
    remote = makeRemote(join(t.dir, 'forge'));
    const checkout = join(t.dir, 'site');
    git(t.dir, 'clone', '-q', '-b', 'main', remote.bare, checkout);
    state = join(t.dir, 'state');
    const settings = writeSettings(t.dir, {
      entries: {
        site: {
          provider: 'github', secret: SECRET, repo: 'acme/site', branch: 'main', repodir: checkout, poll: '10s',
          env: { DEPLOYED: join(t.dir, 'deployed'), GATE: join(t.dir, 'gate') },
          // Says which commit it deploys, then holds while the gate file exists.
          commands: ['git rev-parse HEAD >> "$DEPLOYED"; while [ -e "$GATE" ]; do sleep 0.05; done'],
        },
      },
    });
    daemon = await startDaemon(settings);
  });
  after(async () => {
    rmSync(join(t.dir, 'gate'), { force: true });
    await daemon?.stop();
    t?.cleanup();
  });

  it('exactly one run per pushed commit, whichever of the two sees it first', async () => {
    const deployed = join(t.dir, 'deployed');
    await pollAfter(state, 'site', '');

    // A delivered push: deployed by its webhook run; the polls after it find it deployed.
    const c1 = remote.push('main');
    assert.equal((await deliver(daemon, 'site', c1)).status, 202);
    const [r1] = await finishedRuns(state, 'site', 1);
    assert.equal(r1.commit, c1);
    const seen = await pollAfter(state, 'site', r1.endedAt);
    assert.equal(seen.last.result, 'current');
    // This poll, or one while the run went, saw c1 in hand.
    assert.match(seen.last.message, new RegExp(`(deployed|being deployed|waited for) by run ${r1.id}|no new commits`));

    // A run that runs (c2) and one that waits (c3) while a poll looks: it queues nothing.
    writeFileSync(join(t.dir, 'gate'), '');
    const c2 = remote.push('main');
    assert.equal((await deliver(daemon, 'site', c2)).status, 202);
    await waitFor('c2 being deployed', () => lines(deployed).includes(c2));
    const c3 = remote.push('main');
    assert.equal((await deliver(daemon, 'site', c3)).status, 202);
    const during = await pollAfter(state, 'site', new Date().toISOString());
    assert.equal(during.last.result, 'current', during.last.message);
    rmSync(join(t.dir, 'gate'));
    await finishedRuns(state, 'site', 3);

    // A push no webhook tells of: the poll deploys it; its delivery, coming late, runs nothing more.
    const c4 = remote.push('main');
    const r4 = await waitFor('the poll deploys c4', () => runRecords(state, 'site').find((r) => r.commit === c4 && r.result !== 'running'), 40_000);
    assert.equal(r4.trigger, 'poll');
    const late = await deliver(daemon, 'site', c4);
    assert.equal(late.status, 200);
    assert.equal(late.json.status, 'ignored');
    assert.match(late.json.reason, new RegExp(`commit ${c4.slice(0, 12)} of branch main is already deployed by run ${r4.id}, which a poll started`));
    await pollAfter(state, 'site', new Date().toISOString());

    const runs = runRecords(state, 'site');
    assert.deepEqual(runs.map((r) => r.commit), [c1, c2, c3, c4], runs.map((r) => `${r.id} ${r.trigger} ${r.commit}`).join('\n'));
    assert.deepEqual(lines(deployed), [c1, c2, c3, c4]);
    assert.ok(runs.every((r) => r.result === 'succeeded'));
  });
});
