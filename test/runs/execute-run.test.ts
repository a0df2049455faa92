import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { executeRun, type ExecuteRunOptions } from '../../src/runs/execute-run.ts';
import type { Command, Entry } from '../../src/settings/types.ts';
import type { DeliveryRef } from '../../src/model/run-record.ts';
import type { RunRequest } from '../../src/runs/types.ts';
import { git, GIT_ENV, makeRemote, type Remote } from '../helpers/git.ts';

const sh = (run: string | string[], timeout: number | null = null): Command => ({ run, timeout });

function delivery(over: Partial<DeliveryRef> = {}): DeliveryRef {
  return {
    forge: 'gitea', event: 'push', deliveryId: 'd-42', ref: 'refs/heads/main', before: 'a'.repeat(40),
    after: 'b'.repeat(40), pusher: 'alice', repository: 'acme/site', receivedAt: new Date().toISOString(), ...over,
  };
}

function request(repo: Remote, entry: Partial<Entry>, deliveries = [delivery()]): RunRequest {
  return {
    id: '20261129T072714Z-3f2a', entry: repo.entry(entry), trigger: 'webhook',
    target: { kind: 'branch', name: 'main' }, deliveries, payloadFile: path.join(repo.dir, 'payload.json'),
  };
}

function options(repo: Remote, over: Partial<ExecuteRunOptions> = {}): ExecuteRunOptions {
  return { logFile: path.join(repo.dir, 'state', 'run.log'), maxLog: 1024 * 1024, graceMs: 500, env: GIT_ENV, ...over };
}

function readEnvFile(file: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) map.set(line.slice(0, i), line.slice(i + 1));
  }
  return map;
}

test('executeRun deploys and hands commands the WHAUTO_* variables and entry env', async () => {
  const repo = makeRemote();
  try {
    const tip = git(repo.work, 'rev-parse', 'HEAD');
    const pre = path.join(repo.dir, 'pre.env');
    const out = path.join(repo.dir, 'cmd.env');
    const steps: string[] = [];
    const record = await executeRun(
      request(repo, {
        env: { NODE_ENV: 'production', PRE: pre, OUT: out },
        preCommands: [sh('mkdir -p "$WHAUTO_PAYLOAD.d" && env > "$PRE"')],
        commands: [sh('env > "$OUT"')],
        workdir: repo.dir,
      }),
      options(repo, { onStep: (r) => steps.push(r.step ?? `-${r.result}`) }),
    );
    assert.equal(record.result, 'succeeded', record.message ?? '');
    assert.equal(record.commit, tip);
    assert.equal(record.previous, null);
    assert.deepEqual(record.steps.map((s) => [s.kind, s.ok]), [['pre_commands', true], ['git', true], ['commands', true]]);
    assert.ok(steps.includes('commands: env > "$OUT"'));
    assert.equal(steps[steps.length - 1], '-succeeded');
    const env = readEnvFile(out);
    const expected: Record<string, string> = {
      WHAUTO_ENTRY: 'site', WHAUTO_RUN_ID: '20261129T072714Z-3f2a', WHAUTO_TRIGGER: 'webhook',
      WHAUTO_FORGE: 'gitea', WHAUTO_EVENT: 'push', WHAUTO_DELIVERY: 'd-42', WHAUTO_REF: 'refs/heads/main',
      WHAUTO_BRANCH: 'main', WHAUTO_TAG: '', WHAUTO_BEFORE: 'a'.repeat(40), WHAUTO_AFTER: tip,
      WHAUTO_PREVIOUS: '', WHAUTO_PUSHER: 'alice', WHAUTO_REPOSITORY: 'acme/site',
      WHAUTO_PAYLOAD: path.join(repo.dir, 'payload.json'), NODE_ENV: 'production', GIT_TERMINAL_PROMPT: '0',
    };
    for (const [k, v] of Object.entries(expected)) assert.equal(env.get(k), v, k);
    assert.equal(env.has('WHAUTO_FAILED_STEP'), false);
    assert.equal(readEnvFile(pre).get('WHAUTO_AFTER'), '', 'pre_commands run before anything is deployed');
    const log = fs.readFileSync(options(repo).logFile, 'utf8');
    assert.match(log, /^==> pre_commands: /m);
    assert.match(log, /^==> git: git update$/m);
    assert.match(log, /^==> commands: env > "\$OUT"$/m);
  } finally {
    repo.cleanup();
  }
});

test('executeRun: a payload value with $(…) in WHAUTO_PUSHER is passed, never executed', async () => {
  const repo = makeRemote();
  try {
    const evil = '$(touch pwned) `touch pwned2`; touch pwned3';
    const record = await executeRun(
      request(repo, { workdir: repo.dir, commands: [sh('printf %s "$WHAUTO_PUSHER" > pusher.txt'), sh(['sh', '-c', 'printf %s "$WHAUTO_PUSHER" > pusher2.txt'])] },
        [delivery({ pusher: evil })]),
      options(repo),
    );
    assert.equal(record.result, 'succeeded', record.message ?? '');
    assert.equal(fs.readFileSync(path.join(repo.dir, 'pusher.txt'), 'utf8'), evil);
    assert.equal(fs.readFileSync(path.join(repo.dir, 'pusher2.txt'), 'utf8'), evil);
    for (const f of ['pwned', 'pwned2', 'pwned3']) {
      assert.equal(fs.existsSync(path.join(repo.dir, f)), false, f);
      assert.equal(fs.existsSync(path.join(repo.deploy, f)), false, f);
    }
  } finally {
    repo.cleanup();
  }
});

test('executeRun: a failing command fails the run, skips the rest and runs on_failure with WHAUTO_FAILED_STEP', async () => {
  const repo = makeRemote();
  try {
    const record = await executeRun(
      request(repo, {
        workdir: repo.dir,
        commands: [sh('echo building'), sh('exit 3'), sh('touch never')],
        postCommands: [sh('touch post')],
        onFailure: [sh('printf %s "$WHAUTO_FAILED_STEP" > failed.txt')],
      }),
      options(repo),
    );
    assert.equal(record.result, 'failed');
    assert.equal(record.message, 'commands `exit 3` exited with 3');
    assert.equal(fs.readFileSync(path.join(repo.dir, 'failed.txt'), 'utf8'), 'commands: exit 3');
    assert.equal(fs.existsSync(path.join(repo.dir, 'never')), false);
    assert.equal(fs.existsSync(path.join(repo.dir, 'post')), false);
    assert.deepEqual(record.steps.map((s) => `${s.kind}:${s.ok}`), ['git:true', 'commands:true', 'commands:false', 'on_failure:true']);
    assert.ok(record.endedAt !== null);
    // The log says the failure before on_failure's own lines, then the result at the end.
    const said = fs.readFileSync(record.logFile, 'utf8').split('\n').filter((l) => l.startsWith('==> '));
    assert.deepEqual(said.slice(-3), [
      '==> failed: commands `exit 3` exited with 3; on_failure runs',
      '==> on_failure: printf %s "$WHAUTO_FAILED_STEP" > failed.txt',
      '==> failed: commands `exit 3` exited with 3',
    ]);
  } finally {
    repo.cleanup();
  }
});

test('executeRun: a failing git update fails the run before commands, naming the cause', async () => {
  const repo = makeRemote();
  try {
    const record = await executeRun(
      request(repo, {
        cloneUrl: null, workdir: repo.dir, commands: [sh('touch ran')],
        onFailure: [sh('printf %s "$WHAUTO_FAILED_STEP" > failed.txt')],
      }),
      options(repo),
    );
    assert.equal(record.result, 'failed');
    assert.equal(record.message, `git update: repodir ${repo.deploy} does not exist and no clone_url is set`);
    assert.equal(fs.readFileSync(path.join(repo.dir, 'failed.txt'), 'utf8'), 'git: git update');
    assert.equal(fs.existsSync(path.join(repo.dir, 'ran')), false);
  } finally {
    repo.cleanup();
  }
});

test('executeRun: a repodir inside another repository\'s work tree is refused, and the record names no commit of that repository', async () => {
  const repo = makeRemote();
  try {
    const inner = path.join(repo.work, 'site');
    fs.mkdirSync(inner);
    fs.writeFileSync(path.join(inner, 'index.html'), 'the server\'s own\n');
    const record = await executeRun(request(repo, { repodir: inner, workdir: inner, commands: [sh('touch ran')] }), options(repo));
    assert.equal(record.result, 'failed');
    assert.equal(record.message, `git update: repodir ${inner} is inside the git repository ${repo.work}, not its top folder`);
    assert.equal(record.commit, null);
    assert.equal(fs.existsSync(path.join(inner, 'ran')), false);
  } finally {
    repo.cleanup();
  }
});

test("executeRun notes in the run log that the checkout's remote is not clone_url, and deploys from that remote", async () => {
  const repo = makeRemote();
  try {
    await executeRun(request(repo, {}), options(repo));
    const tip = repo.commit('app.txt', 'v2\n');
    git(repo.work, 'push', '--quiet', 'origin', 'main');
    const logFile = path.join(repo.dir, 'state', 'moved.log');
    const record = await executeRun(
      request(repo, { cloneUrl: 'https://deploy:s3cret@forge.example/acme/moved.git' }),
      options(repo, { logFile }),
    );
    assert.equal(record.result, 'succeeded', record.message ?? '');
    assert.equal(record.commit, tip);
    const log = fs.readFileSync(logFile, 'utf8');
    const note = `note: remote origin of ${repo.deploy} is ${repo.bare}, not clone_url https://***@forge.example/acme/moved.git: the checkout's own remote is used`;
    assert.equal(log.split('\n').filter((l) => l === note).length, 1, log);
    assert.ok(!log.includes('s3cret'));
    assert.equal(git(repo.deploy, 'config', 'remote.origin.url'), repo.bare, 'the remote is not rewritten');
    const sameLog = path.join(repo.dir, 'state', 'same.log');
    await executeRun(request(repo, { cloneUrl: `${repo.bare} ` }), options(repo, { logFile: sameLog }));
    assert.ok(!fs.readFileSync(sameLog, 'utf8').includes('note:'), 'no note when they are the same after trimming');
  } finally {
    repo.cleanup();
  }
});

test('executeRun: a missing workdir fails the step with "workdir X does not exist"', async () => {
  const repo = makeRemote();
  try {
    const workdir = path.join(repo.dir, 'nowhere');
    const record = await executeRun(request(repo, { update: 'none', workdir, commands: [sh('true')] }), options(repo));
    assert.equal(record.result, 'failed');
    assert.equal(record.message, `commands \`true\`: workdir ${workdir} does not exist`);
  } finally {
    repo.cleanup();
  }
});

test('executeRun: the run timeout covers the whole run and ends it "timed out"', { timeout: 120_000 }, async () => {
  const repo = makeRemote();
  try {
    const record = await executeRun(
      // No git work: on a slow machine a clone alone may take the whole second.
      request(repo, { update: 'none', timeout: 1000, workdir: repo.dir, commands: [sh('sleep 100')], postCommands: [sh('touch post')] }),
      options(repo),
    );
    assert.equal(record.result, 'timed out');
    assert.equal(record.message, "commands `sleep 100` timed out after 1s (the entry's timeout)");
    assert.equal(fs.existsSync(path.join(repo.dir, 'post')), false);
  } finally {
    repo.cleanup();
  }
});

test("executeRun: a command's own timeout ends the run 'timed out' naming the command", { timeout: 120_000 }, async () => {
  const repo = makeRemote();
  try {
    const record = await executeRun(
      request(repo, { update: 'none', workdir: repo.dir, commands: [sh('sleep 100', 500)] }),
      options(repo),
    );
    assert.equal(record.result, 'timed out');
    assert.equal(record.message, 'commands `sleep 100` timed out after 500ms');
  } finally {
    repo.cleanup();
  }
});

test('executeRun: an abort kills the running command and ends the run interrupted', { timeout: 120_000 }, async () => {
  const repo = makeRemote();
  try {
    const ac = new AbortController();
    const record = await executeRun(
      request(repo, {
        update: 'none', workdir: repo.dir, commands: [sh('echo started; sleep 100')], onFailure: [sh('touch on-failure')],
      }),
      options(repo, { signal: ac.signal, onLine: (l) => { if (l === 'started') ac.abort(); } }),
    );
    assert.equal(record.result, 'interrupted');
    assert.equal(record.message, 'interrupted');
    assert.equal(fs.existsSync(path.join(repo.dir, 'on-failure')), false, 'on_failure does not run on shutdown');
  } finally {
    repo.cleanup();
  }
});

test('executeRun caps the log file at maxLog with one note, while onLine gets every line', { timeout: 120_000 }, async () => {
  const repo = makeRemote();
  try {
    let lines = 0;
    const maxLog = 100_000;
    const record = await executeRun(
      request(repo, { update: 'none', workdir: repo.dir, commands: [sh('head -c 52428800 /dev/zero | tr "\\0" x | fold -w 999')] }),
      options(repo, { maxLog, onLine: () => { lines += 1; } }),
    );
    assert.equal(record.result, 'succeeded', record.message ?? '');
    const log = fs.readFileSync(options(repo).logFile, 'utf8');
    // The cap, plus the last 50 dropped lines (999 characters each) and whauto's own lines.
    assert.ok(Buffer.byteLength(log) <= maxLog + 50 * 1000 + 500, `log is ${Buffer.byteLength(log)} bytes`);
    assert.equal(log.split('… log cut').length, 2, 'one note');
    const end = log.trimEnd().split('\n');
    assert.match(end.at(-1)!, /^==> succeeded in /, 'the result is in the log');
    assert.match(end.at(-52)!, /^… \d+ lines not kept; the last 50:$/);
    assert.ok(end.slice(-51, -1).every((l) => /^x{1,999}$/.test(l)), 'the last lines of the output');
    assert.ok(lines > 52428800 / 1000, `onLine got ${lines} lines`);
  } finally {
    repo.cleanup();
  }
});
