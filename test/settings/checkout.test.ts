// check's look at an existing repodir: 'not-a-repository' (files but no .git) and
// 'remote-missing' (the checkout defines no such remote), read from the files, with git
// itself (`git remote`) as the judge of what a config defines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSettings } from '../../src/settings/load.ts';
import { formatFinding } from '../../src/settings/finding.ts';
import { git } from '../helpers/git.ts';
import { tempDir, writeFile } from '../helpers/tmp.ts';

const CODES = ['nothing-to-clone', 'not-a-repository', 'remote-missing'];

/** The checkout findings for one entry with `repodir` and `extra` lines, as `code@line:col`. */
function said(dir: string, repodir: string, extra = ''): string[] {
  const file = writeFile(dir, 'whauto.yaml', `entries:\n  a:\n    secret: s\n    repodir: ${repodir}\n${extra}`);
  return loadSettings(file, {}).findings.filter((f) => CODES.includes(f.code)).map((f) => `${f.code}@${f.line}:${f.col}`);
}

/** The remotes git itself sees in `dir`, with no user or system config in the way. */
function gitRemotes(dir: string): string[] {
  return git(dir, 'remote').split('\n').filter(Boolean);
}

test('not-a-repository: a repodir with files but no .git, or a file, when the entry updates it', () => {
  const dir = tempDir().dir;
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

test('a clone, a worktree (.git file with commondir) and a submodule-style .git file are checkouts; each remote-missing only when git lists no such remote', () => {
  const dir = tempDir().dir;
  const main = join(dir, 'main');
  mkdirSync(main);
  git(main, 'init', '-q');
  writeFileSync(join(main, 'f'), 'x\n');
  git(main, 'add', 'f');
  git(main, 'commit', '-q', '-m', 'one');
  git(main, 'worktree', 'add', '-q', join(dir, 'wt'));
  // A submodule's checkout: a .git file naming a git dir elsewhere (relative), no commondir.
  mkdirSync(join(dir, 'modules'));
  git(dir, 'init', '-q', '--separate-git-dir', join(dir, 'modules', 'sub'), join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', '.git'), 'gitdir: ../modules/sub\n');
  for (const co of ['main', 'wt', 'sub']) {
    assert.deepEqual(gitRemotes(join(dir, co)), [], co);
    assert.deepEqual(said(dir, co), ['remote-missing@4:14'], co);
    assert.deepEqual(said(dir, co, '    remote: upstream\n'), ['remote-missing@5:13'], co);
  }
  git(main, 'remote', 'add', 'origin', 'https://x/site.git');
  git(join(dir, 'sub'), 'remote', 'add', 'upstream', 'https://x/sub.git');
  assert.deepEqual(said(dir, 'main'), []);
  assert.deepEqual(said(dir, 'wt'), [], 'a worktree shares the main checkout\'s remotes');
  assert.deepEqual(said(dir, 'sub', '    remote: upstream\n'), []);
  assert.deepEqual(said(dir, 'sub'), ['remote-missing@4:14']);
  assert.deepEqual(said(dir, 'main', '    update: none\n    remote: nowhere\n'), [], 'update: none fetches nothing');
  const message = loadSettings(writeFile(dir, 'whauto.yaml', 'entries:\n  a:\n    secret: s\n    repodir: sub\n'), {}).findings.find((f) => f.code === 'remote-missing')?.message;
  const sub = join(dir, 'sub');
  assert.equal(message, `entry 'a': the checkout ${sub} has no remote 'origin' (see git -C ${sub} remote -v): every fetch would fail; set remote to one it has, or add it with git -C ${sub} remote add origin URL`);
});

test('remote-missing reads the config as git does: section name in any case, subsection case-sensitive, spaces or tabs, escapes, the old [remote.x] spelling, continued values', () => {
  const dir = tempDir().dir;
  const co = join(dir, 'co');
  mkdirSync(co);
  git(co, 'init', '-q');
  const config = join(co, '.git', 'config');
  const base = '[core]\n\trepositoryformatversion = 0\n';
  const cases: [string, string][] = [
    ['origin', '[remote "origin"]\n\turl = x\n'],
    ['origin', '  [REMOTE \t "origin"]\n\turl = x\n'],
    ['origin', '[Remote "origin"] url = x\n'],
    ['Origin', '[remote "origin"]\n\turl = x\n'],
    ['origin', '[remote "Origin"]\n\turl = x\n'],
    ['a"b', '[remote "a\\"b"]\n\turl = x\n'],
    ['ab', '[remote "a\\b"]\n\turl = x\n'],
    ['origin', '[remote.origin]\n\turl = x\n'],
    ['origin', '[remote.Origin]\n\turl = x\n'],
    ['Origin', '[remote.Origin]\n\turl = x\n'],
    ['origin', '# [remote "origin"]\n; [remote "origin"]\n'],
    ['origin', '[alias]\n\tx = "!echo \\\n[remote \\"origin\\"]"\n'],
    ['origin', '[remotes "origin"]\n\turl = x\n'],
    ['origin', '[remote "origin2"]\n\turl = x\n'],
  ];
  for (const [remote, text] of cases) {
    writeFileSync(config, base + text);
    const defined = gitRemotes(co).includes(remote);
    const want = defined ? [] : ['remote-missing@5:13'];
    assert.deepEqual(said(dir, 'co', `    remote: '${remote.replace(/'/g, "''")}'\n`), want, `${JSON.stringify(text)} with remote ${remote}: git says ${defined ? 'defined' : 'not defined'}`);
  }
  // The cases above must cover both answers, or they prove little.
  writeFileSync(config, `${base}[remote "origin"]\n\turl = x\n`);
  assert.deepEqual(said(dir, 'co'), []);
  writeFileSync(config, base);
  assert.deepEqual(said(dir, 'co'), ['remote-missing@4:14']);
});

test('remote-missing says nothing when it cannot tell: an include, an unreadable or missing config, an unreadable .git file; an old-style remotes/ file defines the remote', () => {
  const dir = tempDir().dir;
  const co = join(dir, 'co');
  mkdirSync(co);
  git(co, 'init', '-q');
  const config = join(co, '.git', 'config');
  writeFileSync(config, '[core]\n\tbare = false\n[include]\n\tpath = more.config\n');
  assert.deepEqual(said(dir, 'co'), []);
  writeFileSync(config, '[core]\n\tbare = false\n[includeIf "gitdir:/srv/"]\n\tpath = more.config\n');
  assert.deepEqual(said(dir, 'co'), []);
  writeFileSync(config, '[core]\n\tbare = false\n');
  mkdirSync(join(co, '.git', 'remotes'));
  writeFileSync(join(co, '.git', 'remotes', 'origin'), 'URL: https://x/site.git\n');
  assert.deepEqual(said(dir, 'co'), []);
  rmSync(join(co, '.git', 'remotes'), { recursive: true });
  assert.deepEqual(said(dir, 'co'), ['remote-missing@4:14']);
  rmSync(config);
  assert.deepEqual(said(dir, 'co'), []);
  // A .git file that does not say gitdir: git fails, but not for want of a remote.
  const odd = join(dir, 'odd');
  mkdirSync(odd);
  writeFileSync(join(odd, '.git'), 'not a gitfile\n');
  assert.deepEqual(said(dir, 'odd'), []);
  if (process.getuid?.() !== 0) {
    // Root reads it all the same.
    writeFileSync(config, '[core]\n');
    chmodSync(config, 0);
    assert.deepEqual(said(dir, 'co'), []);
  }
});

test('the checkout warnings are reported along with the other findings, nothing more', () => {
  const dir = tempDir().dir;
  mkdirSync(join(dir, 'site'));
  writeFileSync(join(dir, 'site', 'x'), 'x');
  const { settings, findings } = loadSettings(writeFile(dir, 'whauto.yaml', 'entries:\n  a:\n    secret: s\n    branch: main\n    repodir: site\n'), {});
  assert.ok(settings, 'warnings only');
  assert.deepEqual(findings.map((f) => f.code), ['not-a-repository'], findings.map(formatFinding).join('\n'));
});
