// Payload values that reach commands (branch, ref, pusher, delivery id, repository) reach them
// only as environment variables: branches that git allows but that are full of shell
// metacharacters deploy, the commands see the values byte for byte, and nothing in them runs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type Daemon } from '../helpers/daemon.ts';
import { git, makeRemote, type Remote } from '../helpers/git.ts';
import { post } from '../helpers/http.ts';
import { pushDelivery, signFor } from '../helpers/payloads.ts';
import { writeSettings } from '../helpers/settings.ts';
import { finishedRun } from '../helpers/state.ts';
import { tempDir } from '../helpers/tmp.ts';

const SECRET = 'env-only-secret';

// Each would create a file named pwned-… if any shell ever evaluated it.
const BRANCHES = [
  '$(touch${IFS}pwned-b1)',
  '`touch${IFS}pwned-b2`',
  'x;touch${IFS}pwned-b3',
  'x|touch${IFS}pwned-b4&&touch${IFS}pwned-b5',
  "q'\"<>!#%=+,{}>pwned-b6",
];
const PUSHER = "$(touch pwned-p1); touch pwned-p2 `touch pwned-p3` | touch pwned-p4\ntouch pwned-p5 \"'";
const DELIVERY = '$(touch pwned-d1);touch pwned-d2 `touch pwned-d3`';
const REPOSITORY = 'acme/$(touch pwned-r1);`touch pwned-r2`';

/** Every command writes what it sees; the second is careless (unquoted) on purpose. */
const COMMANDS = [
  'printf %s "$WHAUTO_BRANCH" > "$OUT/BRANCH"; printf %s "$WHAUTO_REF" > "$OUT/REF"; printf %s "$WHAUTO_PUSHER" > "$OUT/PUSHER"',
  'printf %s "$WHAUTO_DELIVERY" > "$OUT/DELIVERY"; printf %s "$WHAUTO_REPOSITORY" > "$OUT/REPOSITORY"',
  'echo careless: $WHAUTO_BRANCH $WHAUTO_PUSHER $WHAUTO_DELIVERY $WHAUTO_REPOSITORY',
  ['sh', '-c', 'printf %s "$WHAUTO_PUSHER" > "$OUT/PUSHER-argv"'],
];

describe('payload values reach commands only as environment variables', () => {
  let t: { dir: string; cleanup: () => void };
  let remote: Remote;
  let daemon: Daemon;
  let out: string;

  /** Every pwned-* file in the places a command, git or the daemon work in. */
  function pwned(): string[] {
    const places = [t.dir, join(t.dir, 'checkout'), join(t.dir, 'plain'), out, process.cwd()];
    return places.filter(existsSync).flatMap((p) => readdirSync(p).filter((f) => f.startsWith('pwned')).map((f) => join(p, f)));
  }

  const seen = (name: string): string => readFileSync(join(out, name), 'utf8');

  before(async () => {
    t = tempDir('whauto-env-only-');
    out = join(t.dir, 'out');
    mkdirSync(out);
    remote = makeRemote(join(t.dir, 'forge'));
    daemon = await startDaemon(writeSettings(t.dir, {
      entries: {
        any: {
          provider: 'github', secret: SECRET, repo: 'acme/site', branch: '**',
          repodir: join(t.dir, 'checkout'), clone_url: remote.bare, env: { OUT: out }, commands: COMMANDS,
        },
        plain: {
          provider: 'plain', secret: SECRET, branch: 'main',
          repodir: join(t.dir, 'plain'), clone_url: remote.bare, env: { OUT: out }, commands: COMMANDS,
        },
      },
    }));
  });
  after(async () => {
    await daemon?.stop();
    t?.cleanup();
  });

  for (const branch of BRANCHES) {
    it(`branch ${JSON.stringify(branch)} deploys; its name, the pusher and the delivery id are data`, async () => {
      const commit = remote.push(branch);
      const d = pushDelivery('github', { repo: 'acme/site', branch, after: commit, pusher: PUSHER }, SECRET);
      d.headers['x-github-delivery'] = DELIVERY;
      const res = await post(`${daemon.base}/webhook/any`, d.headers, d.body);
      assert.equal(res.status, 202, JSON.stringify(res.json));
      const run = await finishedRun(join(t.dir, 'state'), 'any', res.json.runs[0].id);
      assert.equal(run.result, 'succeeded', run.message ?? '');
      assert.equal(run.commit, commit);
      assert.equal(git(join(t.dir, 'checkout'), 'symbolic-ref', '--short', 'HEAD'), branch);
      assert.equal(seen('BRANCH'), branch);
      assert.equal(seen('REF'), `refs/heads/${branch}`);
      assert.equal(seen('PUSHER'), PUSHER);
      assert.equal(seen('PUSHER-argv'), PUSHER);
      assert.equal(seen('DELIVERY'), DELIVERY);
      assert.deepEqual(pwned(), [], 'nothing in a value was executed');
    });
  }

  it('a repository name and pusher of a plain delivery are data too', async () => {
    const commit = remote.push('main');
    const body = JSON.stringify({ ref: 'main', after: commit, repository: REPOSITORY, pusher: PUSHER });
    const res = await post(`${daemon.base}/webhook/plain`, { 'content-type': 'application/json', ...signFor('plain', SECRET, body) }, body);
    assert.equal(res.status, 202, JSON.stringify(res.json));
    assert.equal((await finishedRun(join(t.dir, 'state'), 'plain', res.json.runs[0].id)).result, 'succeeded');
    assert.equal(seen('REPOSITORY'), REPOSITORY);
    assert.equal(seen('PUSHER'), PUSHER);
    assert.deepEqual(pwned(), []);
  });

  it('a NUL byte in the pusher (no environment value can hold one) is dropped, and the run still deploys', async () => {
    const commit = remote.push('main');
    const body = JSON.stringify({ ref: 'main', after: commit, pusher: 'ev\u0000il' });
    const res = await post(`${daemon.base}/webhook/plain`, { 'content-type': 'application/json', ...signFor('plain', SECRET, body) }, body);
    assert.equal(res.status, 202, JSON.stringify(res.json));
    const run = await finishedRun(join(t.dir, 'state'), 'plain', res.json.runs[0].id);
    assert.equal(run.result, 'succeeded', run.message ?? '');
    assert.equal(run.commit, commit);
    assert.equal(seen('PUSHER'), 'evil');
  });
});
