// Commands run by a user other than the one whauto runs as (the unit's StateDirectoryMode is
// 0750): status, check and trigger --dry-run say what that user cannot read or make.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary, runProcess, WHAUTO, whauto } from '../helpers/run.ts';
import { writeSettings } from '../helpers/settings.ts';
import { tempDir } from '../helpers/tmp.ts';

const asNobody = (...args: string[]) => runProcess('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', WHAUTO, ...args]);

test('status as a user who cannot read the state dir, or an entry\'s runs: it says so', { skip: process.getuid?.() === 0 ? false : 'needs root to run as another user' }, () => {
  requireBinary();
  const t = tempDir();
  try {
    chmodSync(t.dir, 0o755);
    const file = writeSettings(t.dir, { entries: { a: { provider: 'plain', secret: 's', update: 'none', commands: ['true'] }, b: { provider: 'plain', secret: 's', update: 'none', commands: ['true'] } } });
    chmodSync(file, 0o644);
    const state = join(t.dir, 'state');
    for (const d of ['queue', 'runs/a', 'runs/b']) mkdirSync(join(state, d), { recursive: true });
    chmodSync(state, 0o750);
    const closed = asNobody('status', file);
    assert.equal(closed.status, 2, closed.stdout);
    assert.equal(closed.stderr, `whauto status: cannot read ${state} (EACCES): run status as the user whauto runs as (or as root)\n`);

    chmodSync(state, 0o755);
    chmodSync(join(state, 'runs', 'a'), 0o700);
    const partly = asNobody('status', file);
    assert.equal(partly.status, 0, partly.stderr);
    assert.match(partly.stderr, /cannot read \S+\/runs\/a \(EACCES\): entry a's runs are not shown/);
    assert.match(partly.stdout, /^a\n {2}its runs cannot be read \(see above\)\n/m);
    assert.match(partly.stdout, /^b\n {2}idle\n {2}no runs yet\n/m);
    const log = asNobody('status', file, 'a', '--log');
    assert.equal(log.status, 1);
    assert.match(log.stderr, /cannot read \S+\/runs\/a \(EACCES\)/);

    // Run records are 0600: a folder it can list, with records it cannot read.
    chmodSync(join(state, 'runs', 'a'), 0o755);
    writeFileSync(join(state, 'runs', 'b', '20260101T000000000Z-0001.json'), '{}', { mode: 0o600 });
    const records = asNobody('status', file);
    assert.equal(records.status, 0, records.stderr);
    assert.match(records.stderr, /cannot read \S+\/runs\/b\/20260101T000000000Z-0001\.json \(EACCES\): entry b's runs are not shown/);
    assert.match(records.stdout, /^b\n {2}its runs cannot be read \(see above\)\n/m);
  } finally {
    t.cleanup();
  }
});

test('check and trigger --dry-run, run as a user who cannot make the state dir, say so (serve and trigger would refuse it)', { skip: process.getuid?.() === 0 ? false : 'needs root to run as another user' }, () => {
  requireBinary();
  const t = tempDir();
  try {
    chmodSync(t.dir, 0o755); // root's: nobody cannot make whauto-state in it
    const file = writeSettings(t.dir, { state_dir: 'whauto-state', entries: { a: { provider: 'plain', secret: 's', update: 'none', commands: ['true'] } } });
    chmodSync(file, 0o644);
    const check = asNobody('check', file);
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout + check.stderr, new RegExp(`warning: state_dir ${t.dir}/whauto-state cannot be made by this user: ${t.dir} is not writable \\(EACCES\\); serve and trigger would refuse it`));
    const dry = asNobody('trigger', file, 'a', '--dry-run');
    assert.equal(dry.status, 1, dry.stderr);
    assert.match(dry.stderr, /whauto trigger: dry run: the run would not start: state_dir \S+ cannot be made by this user/);
    const asRoot = whauto(['check', file]);
    assert.doesNotMatch(asRoot.stdout + asRoot.stderr, /state_dir/, 'root can make it: no warning');
  } finally {
    t.cleanup();
  }
});
