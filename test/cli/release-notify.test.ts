// Notifications and commit statuses of `update: release` runs name the commit the run
// deployed or failed on, with its subject from the entry's git store: a failed release
// leaves the live release in place, yet the failure goes on the commit that failed, never
// on the one still live.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { git, makeRemote, type Remote } from '../helpers/git.ts';
import { currentLink } from '../helpers/release.ts';
import { requireBinary, start, WHAUTO } from '../helpers/run.ts';
import { writeSettings } from '../helpers/settings.ts';
import { standIn, type Recorded, type StandIn } from '../helpers/stand-in.ts';
import { tempDir } from '../helpers/tmp.ts';

describe('update: release: notify and commit_status name the commit the run deployed or failed on', () => {
  let t: { dir: string; cleanup: () => void };
  let remote: Remote;
  let api: StandIn;
  let chat: StandIn;
  let settings: string;

  before(async () => {
    requireBinary();
    t = tempDir();
    remote = makeRemote(join(t.dir, 'forge'));
    [api, chat] = await Promise.all([standIn({ status: 201 }), standIn()]);
    settings = writeSettings(t.dir, {
      entries: {
        site: {
          provider: 'github', secret: 'release-notify-secret', repo: 'acme/site', branch: 'main', clone_url: remote.bare,
          repodir: join(t.dir, 'site'), update: 'release', commands: ['test ! -f FAIL'],
          notify: [{ url: `${chat.url}/hook`, format: 'json', on: ['succeeded', 'failed'] }],
          commit_status: { token_env: 'GH_TOKEN', api_url: `${api.url}/api/v3` },
        },
      },
    });
  });
  after(async () => {
    await Promise.all([api?.close(), chat?.close()]);
    t?.cleanup();
  });

  /** `whauto trigger` (it waits for its notifications), and what the stand-ins got meanwhile. */
  const trigger = async (): Promise<{ code: number | null; statuses: Recorded[]; messages: Recorded[] }> => {
    const [s0, m0] = [api.requests.length, chat.requests.length];
    const r = await start(WHAUTO, ['trigger', settings, 'site'], { env: { ...process.env, GH_TOKEN: 'gh-token-release' } }).ended();
    return { code: r.code, statuses: api.requests.slice(s0), messages: chat.requests.slice(m0) };
  };
  const subject = (commit: string): string => git(remote.work, 'log', '-1', '--format=%s', commit);

  it('a deploy that succeeds: pending then success on its commit; the message has the commit and its subject', async () => {
    const good = remote.push('main', 'VERSION', 'good\n');
    const r = await trigger();
    assert.equal(r.code, 0);
    assert.deepEqual(r.statuses.map((s) => [s.path, s.json.state]), [
      [`/api/v3/repos/acme/site/statuses/${good}`, 'pending'],
      [`/api/v3/repos/acme/site/statuses/${good}`, 'success'],
    ]);
    assert.equal(r.messages.length, 1);
    assert.equal(r.messages[0]!.json.commit, good);
    assert.equal(r.messages[0]!.json.commit_subject, subject(good));
  });

  it('a deploy whose build fails: the failure goes on the failed commit, not on the release that stays live', async () => {
    const live = currentLink(join(t.dir, 'site'));
    const good = git(remote.work, 'rev-parse', 'HEAD');
    const bad = remote.push('main', 'FAIL', 'the build fails\n');
    const r = await trigger();
    assert.equal(r.code, 1);
    assert.equal(currentLink(join(t.dir, 'site')), live, 'the live release stays');
    assert.deepEqual(r.statuses.map((s) => [s.path, s.json.state]), [
      [`/api/v3/repos/acme/site/statuses/${bad}`, 'pending'],
      [`/api/v3/repos/acme/site/statuses/${bad}`, 'failure'],
    ]);
    assert.equal(r.statuses.some((s) => s.path.includes(good)), false, 'nothing said of the live commit');
    assert.equal(r.messages.length, 1);
    assert.equal(r.messages[0]!.json.event, 'failed');
    assert.equal(r.messages[0]!.json.commit, bad);
    assert.equal(r.messages[0]!.json.commit_subject, subject(bad));
    const s = await start(WHAUTO, ['status', settings, 'site', '--json']).ended();
    const [run] = JSON.parse(s.stdout).entries[0].runs;
    assert.equal(run.result, 'failed');
    assert.equal(run.target_commit, bad);
    assert.equal(run.commit, good, 'what stays deployed');
  });
});
