// check's look at an existing repodir: 'not-a-repository' (files but no .git).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSettings } from '../../src/settings/load.ts';
import { formatFinding } from '../../src/settings/finding.ts';
import { tempDir, writeFile } from './tmp.ts';

const CODES = ['nothing-to-clone', 'not-a-repository'];

/** The checkout findings for one entry with `repodir` and `extra` lines, as `code@line:col`. */
function said(dir: string, repodir: string, extra = ''): string[] {
  const file = writeFile(dir, 'whauto.yaml', `entries:\n  a:\n    secret: s\n    repodir: ${repodir}\n${extra}`);
  return loadSettings(file, {}).findings.filter((f) => CODES.includes(f.code)).map((f) => `${f.code}@${f.line}:${f.col}`);
}

test('not-a-repository: a repodir with files but no .git, or a file, when the entry updates it', () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'site'));
  writeFileSync(join(dir, 'site', 'index.html'), 'hand-copied\n');
  assert.deepEqual(said(dir, 'site'), ['not-a-repository@4:14']);
  assert.deepEqual(said(dir, 'site', '    update: ff-only\n    clone_url: https://x/site.git\n'), ['not-a-repository@4:14']);
  assert.deepEqual(said(dir, 'site', '    update: none\n'), [], 'update: none does no git work');
  writeFileSync(join(dir, 'plain-file'), 'x');
  assert.deepEqual(said(dir, 'plain-file'), ['not-a-repository@4:14']);
  // An empty folder gets the clone; a missing one is nothing-to-clone's business.
  mkdirSync(join(dir, 'empty'));
  assert.deepEqual(said(dir, 'empty', '    clone_url: https://x/site.git\n'), []);
  assert.deepEqual(said(dir, 'absent'), ['nothing-to-clone@4:14']);
  const message = loadSettings(writeFile(dir, 'whauto.yaml', 'entries:\n  a:\n    secret: s\n    repodir: site\n'), {}).findings.find((f) => f.code === 'not-a-repository')?.message;
  assert.equal(message, `entry 'a': repodir ${join(dir, 'site')} has files but no .git, so it is not a git checkout: every run would fail at its git step; point repodir at the checkout, or empty it (or remove it) so clone_url is cloned there`);
});

test('the checkout warnings are reported along with the other findings, nothing more', () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'site'));
  writeFileSync(join(dir, 'site', 'x'), 'x');
  const { settings, findings } = loadSettings(writeFile(dir, 'whauto.yaml', 'entries:\n  a:\n    secret: s\n    repodir: site\n'), {});
  assert.ok(settings, 'warnings only');
  assert.deepEqual(findings.map((f) => f.code), ['not-a-repository'], findings.map(formatFinding).join('\n'));
});
