// The README's first screen: `npm run demo` serves the demo on a free port, and
// `node examples/demo/push.mjs` finds it, pushes and deploys; without a daemon, push.mjs says
// how to start one, pushes nothing and prints no stack trace. Run on a copy of examples/demo.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../helpers/daemon.ts';
import { git } from '../helpers/git.ts';
import { requireBinary, runProcess, start, WHAUTO, type Started } from '../helpers/run.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';

const DEMO = new URL('../../examples/demo/', import.meta.url).pathname;

describe('the demo (examples/demo)', () => {
  let t: { dir: string; cleanup: () => void };
  let demo: string;
  const node = (script: string, ...args: string[]) => runProcess(process.execPath, [join(demo, script), ...args], { cwd: demo });
  const head = (): string => git(join(demo, 'work', 'remote.git'), 'rev-parse', 'main');
  const refusesPlainly = (r: ReturnType<typeof node>, said: RegExp): void => {
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, said);
    assert.match(r.stderr, /npm run demo/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  };

  before(() => {
    requireBinary();
    t = tempDir();
    demo = join(t.dir, 'demo');
    mkdirSync(demo);
    for (const f of ['settings.yaml', 'setup.mjs', 'serve.mjs', 'push.mjs']) copyFileSync(join(DEMO, f), join(demo, f));
  });
  after(() => t.cleanup());

  it('push.mjs before anything is set up: says to start the demo, exit 1', () => {
    refusesPlainly(node('push.mjs'), /the demo daemon is not running/);
  });

  it('push.mjs with no daemon behind the address it has: says so, pushes nothing', async () => {
    assert.equal(node('setup.mjs').status, 0);
    const tip = head();
    // A port nothing listens on: taken, then given back.
    const port = await freePort();
    writeFileSync(join(demo, 'work', 'url'), `http://127.0.0.1:${port}/webhook\n`);
    refusesPlainly(node('push.mjs'), /no daemon answers at http:\/\/127\.0\.0\.1:\d+\/webhook \(ECONNREFUSED\)/);
    assert.equal(head(), tip, 'nothing pushed');
  });

  it('serve.mjs listens on a free port and writes its URL; push.mjs finds it and the push deploys; Ctrl-C stops it and the URL goes', async () => {
    let daemon: Started | null = null;
    assert.equal(node('setup.mjs').status, 0, 'the forge is there (setup keeps what exists)');
    rmSync(join(demo, 'work', 'url'), { force: true });
    try {
      // Its own process group, as a terminal's foreground job: Ctrl-C reaches every process in it.
      daemon = start(process.execPath, [join(demo, 'serve.mjs')], { cwd: demo, env: { ...process.env, WHAUTO }, detached: true });
      const out = daemon.stdout;
      const url = await waitFor('work/url', () => (existsSync(join(demo, 'work', 'url')) ? readFileSync(join(demo, 'work', 'url'), 'utf8').trim() : null));
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/webhook$/);
      assert.notEqual(new URL(url).port, '0');
      await waitFor('the hint to push', () => /node examples\/demo\/push\.mjs/.test(out()));
      const push = node('push.mjs');
      assert.equal(push.status, 0, push.stdout + push.stderr);
      assert.match(push.stdout, /whauto answered 202 /);
      const tip = head();
      await waitFor('the deployed page', () => existsSync(join(demo, 'work', 'deployed.html')) &&
        git(join(demo, 'work', 'checkout'), 'rev-parse', 'HEAD') === tip);
      process.kill(-daemon.proc.pid!, 'SIGINT');
      await daemon.exited;
      assert.equal(existsSync(join(demo, 'work', 'url')), false, 'the URL file goes with the daemon');
      refusesPlainly(node('push.mjs'), /the demo daemon is not running/);
    } finally {
      if (daemon && daemon.proc.exitCode === null && daemon.proc.signalCode === null) process.kill(-daemon.proc.pid!, 'SIGKILL');
    }
  });
});
