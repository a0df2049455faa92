import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainFailure } from '../../src/git/explain-failure.ts';
import type { GitResult } from '../../src/git/run-git.ts';

const ctx = { step: 'fetch', repodir: '/srv/site', remote: 'origin', target: { kind: 'branch', name: 'main' } as const };
const failed = (lines: string[]): GitResult => ({
  ok: false, exitCode: 128, signal: null, timedOut: false, aborted: false, durationMs: 1, error: null, lines,
});

test("explainFailure names git's dubious ownership refusal", () => {
  const m = explainFailure(failed([
    "fatal: detected dubious ownership in repository at '/srv/site'",
    'To add an exception for this directory, call:',
  ]), ctx);
  assert.match(m, /^git refuses repodir \/srv\/site: dubious ownership/);
});

test('explainFailure names the repository git refuses when it is not the checkout (a local remote)', () => {
  const m = explainFailure(failed(["fatal: detected dubious ownership in repository at '/srv/forge/site.git'"]), ctx);
  assert.match(m, /^git refuses the repository at \/srv\/forge\/site\.git: dubious ownership/);
  assert.ok(!m.includes('/srv/site:'), m);
});

test('explainFailure hides credentials of a remote URL', () => {
  const m = explainFailure(failed(["fatal: unable to access 'https://bot:s3cret@git.example/x.git/': Could not resolve host"]), ctx);
  assert.ok(!m.includes('s3cret'), m);
  assert.match(m, /^cannot reach remote origin: /);
});

test('explainFailure falls back to the last fatal line with the exit code', () => {
  assert.equal(explainFailure(failed(['hint: x', 'fatal: something odd', 'more']), ctx), 'git fetch failed (exit 128): something odd');
});

test('explainFailure says how to allow submodules on this machine (git refuses the file transport)', () => {
  const m = explainFailure(failed([
    "Cloning into '/srv/site/vendor/sub'...",
    "fatal: transport 'file' not allowed",
    "fatal: clone of '/srv/forge/sub.git' into submodule path '/srv/site/vendor/sub' failed",
  ]), { ...ctx, step: 'submodule update' });
  assert.equal(m, "git submodule update failed: git refuses submodules on this machine (file transport) unless allowed: git config --global protocol.file.allow always, as the user whauto runs as");
});

test("explainFailure keeps a message git wrapped onto an indented line whole, not a ref's status line", () => {
  // git fetch (≥ 2.4x) when a remote-tracking ref is in the way, as it prints it.
  const m = explainFailure(failed([
    "error: cannot lock ref 'refs/remotes/origin/feat/x': 'refs/remotes/origin/feat' exists; cannot create 'refs/remotes/origin/feat/x'",
    'From /srv/forge/site',
    ' ! [new branch]      feat/x     -> origin/feat/x  (unable to update local ref)',
    'error: some local refs could not be updated; try running',
    " 'git remote prune origin' to remove any old, conflicting branches",
  ]), ctx);
  assert.equal(m, "git fetch failed (exit 128): some local refs could not be updated; try running 'git remote prune origin' to remove any old, conflicting branches");
  const status = explainFailure(failed([
    "error: cannot lock ref 'refs/remotes/origin/feat/x': 'refs/remotes/origin/feat' exists",
    ' ! [new branch]      feat/x     -> origin/feat/x  (unable to update local ref)',
  ]), ctx);
  assert.equal(status, "git fetch failed (exit 128): cannot lock ref 'refs/remotes/origin/feat/x': 'refs/remotes/origin/feat' exists");
});
