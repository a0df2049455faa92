import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { dryRun } from '../../src/runs/dry-run.ts';
import { updateCheckout } from '../../src/git/update-checkout.ts';
import type { RunRequest } from '../../src/runs/types.ts';
import { GIT_TEST_ENV, makeRemote } from '../git/remote-repo.ts';

test('dryRun names the remote tip, the commands and their cwd, and changes nothing', async () => {
  const repo = makeRemote();
  try {
    const main = { kind: 'branch', name: 'main' } as const;
    const entry = repo.entry({ commands: [{ run: 'touch ran', timeout: null }], env: { TOKEN: 'hunter2' } });
    await updateCheckout(entry, main, { env: GIT_TEST_ENV });
    const deployed = repo.git(['rev-parse', 'HEAD']);
    const next = repo.commit('app.txt', 'v2\n');
    repo.git(['push', '--quiet', 'origin', 'main']);
    const req: RunRequest = { id: 'r1', entry, trigger: 'manual', target: main, deliveries: [], payloadFile: null };

    const { lines, problem } = await dryRun(req);
    assert.equal(problem, null);
    const text = lines.join('\n');
    assert.ok(text.includes(`${deployed} -> ${next}`), text);
    assert.ok(lines.includes(`commands: touch ran   (in ${repo.deploy})`), text);
    assert.ok(lines.includes('  WHAUTO_TRIGGER=manual'), text);
    assert.ok(lines.includes('  WHAUTO_REF=refs/heads/main'), text);
    assert.ok(!text.includes('hunter2'), 'entry env values are not shown');
    assert.equal(repo.git(['rev-parse', 'HEAD'], repo.deploy), deployed);
    assert.equal(repo.git(['rev-parse', 'refs/remotes/origin/main'], repo.deploy), deployed, 'nothing fetched');
    assert.equal(fs.existsSync(path.join(repo.deploy, 'ran')), false);
  } finally {
    repo.cleanup();
  }
});

test('dryRun of a missing checkout says it would clone, and does not', async () => {
  const repo = makeRemote();
  try {
    const tip = repo.git(['rev-parse', 'HEAD']);
    const req: RunRequest = { id: 'r1', entry: repo.entry(), trigger: 'manual', target: { kind: 'branch', name: 'main' }, deliveries: [], payloadFile: null };
    const { lines, problem } = await dryRun(req);
    assert.equal(problem, null);
    const text = lines.join('\n');
    assert.ok(text.includes(`git: clone ${repo.bare} into ${repo.deploy}`), text);
    assert.ok(text.includes(`-> ${tip}`), text);
    assert.equal(fs.existsSync(repo.deploy), false);
  } finally {
    repo.cleanup();
  }
});

test('dryRun says the run would fail when the remote tip cannot be read, or there is nothing to clone', async () => {
  const repo = makeRemote();
  try {
    const main = { kind: 'branch', name: 'main' } as const;
    const gone = path.join(repo.deploy, '..', 'no-such-remote.git');
    const unreachable = await dryRun({ id: 'r1', entry: repo.entry({ cloneUrl: gone }), trigger: 'manual', target: main, deliveries: [], payloadFile: null });
    assert.match(unreachable.problem ?? '', /^the remote tip of branch main is unknown: /);
    assert.ok(unreachable.lines.some((l) => l.includes('(remote tip unknown: ')), unreachable.lines.join('\n'));
    const noClone = await dryRun({ id: 'r2', entry: repo.entry({ cloneUrl: null }), trigger: 'manual', target: main, deliveries: [], payloadFile: null });
    assert.match(noClone.problem ?? '', /^repodir .* does not exist and no clone_url is set$/);
    assert.equal(fs.existsSync(repo.deploy), false);
  } finally {
    repo.cleanup();
  }
});
