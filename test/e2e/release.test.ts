// update: release against the built binary and real repositories: the layout, the shared
// links, a failing deploy, pruning, the dry run, status and submodules.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { git, makeRemote, type Remote } from '../helpers/git.ts';
import { builtRefs, currentLink, RELEASE_ID, releaseIds, whauto } from '../helpers/release.ts';
import { lines, runRecords } from '../helpers/state.ts';
import { writeSettings } from '../helpers/settings.ts';
import { tempDir } from '../helpers/tmp.ts';
import { requireBinary } from '../helpers/run.ts';

/** Every file, symlink and empty folder under `dir`, relative, not following links. */
function walk(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = lstatSync(path);
    if (st.isDirectory()) {
      const inner = walk(path, base);
      out.push(...(inner.length > 0 ? inner : [`${relative(base, path)}/`]));
    } else out.push(relative(base, path));
  }
  return out.sort();
}

describe('update: release', () => {
  let t: { dir: string; cleanup: () => void };
  let remote: Remote;
  let settings: string;
  let root: string;
  let marks: string;
  const trigger = (...args: string[]) => whauto(['trigger', settings, 'site', ...args]);

  before(() => {
    requireBinary();
    t = tempDir();
    remote = makeRemote(join(t.dir, 'forge'));
    root = join(t.dir, 'deploy', 'site');
    marks = join(t.dir, 'marks');
    settings = writeSettings(t.dir, {
      entries: {
        site: {
          provider: 'plain', branch: 'main', repodir: root, clone_url: remote.bare, update: 'release',
          shared: ['.env', 'storage/'], keep_releases: 2, env: { MARKS: marks },
          commands: ['echo "cmd $(pwd -P) $WHAUTO_RELEASE_DIR $WHAUTO_CURRENT_DIR $WHAUTO_PREVIOUS $WHAUTO_AFTER" >> "$MARKS"', 'test ! -e FAIL'],
          post_commands: ['echo "post $(pwd -P) $(cat VERSION)" >> "$MARKS"'],
        },
        plain: { provider: 'plain', branch: 'main', repodir: join(t.dir, 'plain-checkout'), update: 'release', commands: ['true'] },
      },
    });
  });
  after(() => t.cleanup());

  it('the first deploy makes the layout: repo/ (bare), releases/<UTC time>-<short commit>/ holding exactly the commit\'s tree, shared/ linked into it, current a relative symlink', () => {
    const commit = remote.push('main', 'VERSION', 'v1\n');
    const r = trigger();
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(readdirSync(root).sort(), ['current', 'releases', 'repo', 'shared']);
    assert.equal(git(join(root, 'repo'), 'rev-parse', '--is-bare-repository'), 'true');
    const [id, ...more] = releaseIds(root);
    assert.equal(more.length, 0);
    assert.match(id!, RELEASE_ID);
    assert.equal(id!.slice(-7), commit.slice(0, 7));
    assert.equal(currentLink(root), `releases/${id}`, 'a relative link');
    const release = join(root, 'releases', id!);
    const tree = git(remote.bare, 'ls-tree', '-r', '--name-only', commit).split('\n');
    assert.deepEqual(walk(release), [...tree, '.env', 'storage'].sort(), 'the commit\'s files and the shared links, nothing else (no .git)');
    assert.equal(readlinkSync(join(release, '.env')), '../../shared/.env');
    assert.equal(readlinkSync(join(release, 'storage')), '../../shared/storage');
    assert.equal(readFileSync(join(root, 'shared', '.env'), 'utf8'), '', 'a missing shared file is created empty');
    assert.ok(statSync(join(root, 'shared', 'storage')).isDirectory(), 'a trailing / makes a folder');
    const [cmd, post] = lines(marks);
    const real = realpathSync(release);
    assert.equal(cmd, `cmd ${real} ${release} ${join(root, 'current')}  ${commit}`, 'commands run in the new release; nothing was deployed before');
    assert.equal(post, `post ${real} v1`, 'post_commands run in the new current');
    const [record] = runRecords(join(t.dir, 'state'), 'site');
    assert.equal(record.result, 'succeeded');
    assert.equal(record.release, id);
    assert.equal(record.commit, commit);
    assert.deepEqual(builtRefs(root), [{ id: id!, commit }], 'repo/ marks it built');
  });

  it('a failing command leaves current exactly as it was and removes the failed release folder; its log stays in the run record', () => {
    writeFileSync(join(root, 'shared', '.env'), 'SECRET=kept\n');
    const before = releaseIds(root);
    const link = currentLink(root);
    const live = remote.push('main', 'VERSION', 'v2\n');
    assert.equal(trigger().code, 0);
    const liveId = releaseIds(root).at(-1)!;
    remote.push('main', 'FAIL', 'this build fails\n');
    const r = trigger();
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.notEqual(currentLink(root), link);
    assert.equal(currentLink(root), `releases/${liveId}`, 'current still points at the last good release');
    assert.deepEqual(releaseIds(root), [...before, liveId].slice(-2), 'the failed release is gone');
    assert.equal(readFileSync(join(root, 'current', 'VERSION'), 'utf8'), 'v2\n');
    assert.equal(readFileSync(join(root, 'shared', '.env'), 'utf8'), 'SECRET=kept\n', 'shared files outlive releases');
    const failed = runRecords(join(t.dir, 'state'), 'site').at(-1);
    assert.equal(failed.result, 'failed');
    assert.equal(failed.commit, live, 'the record says what stays deployed');
    assert.match(failed.release, RELEASE_ID);
    assert.ok(!releaseIds(root).includes(failed.release));
    const log = whauto(['status', settings, 'site', '--log', failed.id]);
    assert.equal(log.code, 0);
    assert.match(log.stdout, /==> commands: test ! -e FAIL/);
    assert.match(log.stdout, new RegExp(`release: remove releases/${failed.release} \\(its deploy failed\\)`));
    git(remote.work, 'rm', '-q', 'FAIL');
    git(remote.work, 'commit', '-q', '-m', 'no more failing');
    git(remote.work, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
  });

  it('keep_releases: older releases go after a successful switch, never the live one, the one before it, or the one live until then', () => {
    for (let i = 3; i <= 5; i++) {
      remote.push('main', 'VERSION', `v${i}\n`);
      assert.equal(trigger().code, 0);
    }
    const kept = releaseIds(root);
    assert.equal(kept.length, 2, kept.join(' '));
    assert.equal(currentLink(root), `releases/${kept[1]}`);
    assert.deepEqual(builtRefs(root).map((r) => r.id), kept, 'the refs of removed releases go too');
    // Back to the older one, then a deploy: the one that was live until then stays beside the newest two.
    assert.equal(whauto(['rollback', settings, 'site']).code, 0);
    assert.equal(currentLink(root), `releases/${kept[0]}`);
    remote.push('main', 'VERSION', 'v6\n');
    assert.equal(trigger().code, 0);
    const now = releaseIds(root);
    assert.equal(now.length, 3, now.join(' '));
    assert.deepEqual(now.slice(0, 2), kept);
    remote.push('main', 'VERSION', 'v7\n');
    assert.equal(trigger().code, 0);
    assert.deepEqual(releaseIds(root).slice(0, 1), now.slice(2), 'then the newest two are left');
    assert.equal(releaseIds(root).length, 2);
  });

  it('a shared path the commit tracks is refused before anything changes, naming it', () => {
    const ids = releaseIds(root);
    const link = currentLink(root);
    mkdirSync(join(remote.work, 'storage'), { recursive: true });
    remote.push('main', 'storage/app.log', 'tracked by mistake\n');
    const r = trigger();
    assert.equal(r.code, 1);
    assert.match(r.stderr, /tracks storage\/app\.log, which shared names \(\.env, storage\/\)/);
    assert.deepEqual(releaseIds(root), ids);
    assert.equal(currentLink(root), link);
    git(remote.work, 'rm', '-q', '-r', 'storage');
    git(remote.work, 'commit', '-q', '-m', 'storage is the server\'s');
    git(remote.work, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
    assert.equal(trigger().code, 0);
  });

  it('trigger --dry-run shows the release plan (fetch, build, shared links, commands, switch, prune) and changes nothing', () => {
    const ids = releaseIds(root);
    const link = currentLink(root);
    const fetched = git(join(root, 'repo'), 'rev-parse', 'refs/remotes/origin/main');
    const tip = remote.push('main', 'VERSION', 'v8\n');
    const r = trigger('--dry-run');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const id = new RegExp(`releases/\\d{8}T\\d{6}Z-${tip.slice(0, 7)}`);
    assert.match(r.stdout, /^git: fetch refs\/heads\/main from origin/m);
    assert.match(r.stdout, new RegExp(`^git: build ${id.source}: the files of ${tip}`, 'm'));
    assert.match(r.stdout, /^git: link the shared paths into releases\/\S+: \.env -> shared\/\.env, storage -> shared\/storage\//m);
    assert.match(r.stdout, new RegExp(`^commands: test ! -e FAIL   \\(in ${root}/${id.source}\\)`, 'm'));
    assert.match(r.stdout, new RegExp(`^post_commands: .*\\(in ${root}/current\\)`, 'm'));
    assert.match(r.stdout, new RegExp(`^after the commands: switch current to ${id.source}`, 'm'));
    assert.match(r.stdout, /^after the commands: remove the releases past the newest 2/m);
    assert.match(r.stdout, new RegExp(`^if a command fails: remove ${id.source}`, 'm'));
    assert.match(r.stdout, new RegExp(`WHAUTO_RELEASE_DIR=${root}/${id.source}`));
    assert.deepEqual(releaseIds(root), ids);
    assert.equal(currentLink(root), link);
    assert.equal(git(join(root, 'repo'), 'rev-parse', 'refs/remotes/origin/main'), fetched, 'nothing fetched');
  });

  it('status lists the releases on disk (id, commit, result, subject) and marks the live one', () => {
    assert.equal(trigger().code, 0);
    const [older, live] = releaseIds(root);
    const s = whauto(['status', settings, 'site']);
    assert.equal(s.code, 0, s.stderr);
    const commitOf = (id: string) => builtRefs(root).find((r) => r.id === id)!.commit.slice(0, 10);
    assert.match(s.stdout, new RegExp(`^  \\* ${live}  ${commitOf(live!)}  succeeded    change \\d+$`, 'm'));
    assert.match(s.stdout, new RegExp(`^    ${older}  ${commitOf(older!)}  succeeded    `, 'm'));
    const json = JSON.parse(whauto(['status', settings, 'site', '--json']).stdout);
    assert.deepEqual(json.entries[0].releases.map((r: { id: string; live: boolean }) => [r.id, r.live]), [[live, true], [older, false]]);
  });

  it('a repodir that is a git checkout is refused with update: release: check names the layout, a run changes nothing', () => {
    git(t.dir, 'clone', '-q', remote.bare, join(t.dir, 'plain-checkout'));
    const c = whauto(['check', settings]);
    assert.equal(c.code, 2);
    assert.match(c.stdout, /error: entry 'plain': repodir \S+plain-checkout is a git checkout, but update: release keeps its own layout there: repo\/ \(the git store\), releases\/<id>\/, shared\/ and current .*docs\/releases\.md/);
  });
});

describe('update: release with submodules', () => {
  let t: { dir: string; cleanup: () => void };
  // git refuses file:// submodules unless allowed, as for `git submodule`.
  const env = { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'protocol.file.allow', GIT_CONFIG_VALUE_0: 'always' };

  before(() => {
    requireBinary();
    t = tempDir();
  });
  after(() => t.cleanup());

  it('a release holds each submodule\'s files at the recorded commit, as plain files; their objects are kept in repo/modules/<name> for the next release', () => {
    const lib = makeRemote(join(t.dir, 'lib'));
    const libCommit = lib.push('main', 'lib.txt', 'lib one\n');
    const app = makeRemote(join(t.dir, 'app'));
    git(app.work, 'submodule', 'add', '-q', lib.bare, 'vendor/lib');
    git(app.work, 'commit', '-q', '-m', 'add lib');
    git(app.work, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
    const root = join(t.dir, 'deploy');
    const settings = writeSettings(t.dir, {
      entries: { app: { provider: 'plain', branch: 'main', repodir: root, clone_url: app.bare, update: 'release', commands: ['cat vendor/lib/lib.txt'] } },
    });
    const r = whauto(['trigger', settings, 'app'], env);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^lib one$/m);
    const [id] = releaseIds(root);
    assert.deepEqual(walk(join(root, 'releases', id!, 'vendor', 'lib')), ['README', 'lib.txt'], 'no .git in the submodule\'s folder');
    assert.equal(git(join(root, 'repo', 'modules', 'vendor/lib'), 'cat-file', '-t', libCommit), 'commit');
    // The submodule moves: the next release fetches only its new commit into the same store.
    lib.push('main', 'lib.txt', 'lib two\n');
    git(join(app.work, 'vendor', 'lib'), 'pull', '-q', 'origin', 'main');
    git(app.work, 'commit', '-q', '-am', 'lib two');
    git(app.work, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
    const again = whauto(['trigger', settings, 'app'], env);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.equal(readFileSync(join(root, 'current', 'vendor', 'lib', 'lib.txt'), 'utf8'), 'lib two\n');
    assert.equal(readFileSync(join(root, 'releases', id!, 'vendor', 'lib', 'lib.txt'), 'utf8'), 'lib one\n', 'the older release is untouched');
  });
});
