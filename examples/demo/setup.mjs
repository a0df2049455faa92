// Prepares the demo's local forge: work/remote.git (bare, the "forge"), work/author (where
// demo commits are made) and work/checkout (the server's checkout whauto updates).
// Safe to run again: it keeps what exists.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const work = join(new URL('.', import.meta.url).pathname, 'work');
const git = (cwd, ...args) => execFileSync('git', ['-c', 'user.name=demo', '-c', 'user.email=demo@example.invalid', ...args], { cwd, stdio: 'inherit' });
mkdirSync(work, { recursive: true });
const remote = join(work, 'remote.git');
if (!existsSync(remote)) {
  git(work, 'init', '-q', '--bare', '--initial-branch=main', remote);
  git(work, 'init', '-q', '--initial-branch=main', 'author');
  git(join(work, 'author'), 'remote', 'add', 'origin', remote);
  writeFileSync(join(work, 'author', 'index.html'), '<h1>first version</h1>\n');
  git(join(work, 'author'), 'add', 'index.html');
  git(join(work, 'author'), 'commit', '-q', '-m', 'first version');
  git(join(work, 'author'), 'push', '-q', 'origin', 'HEAD:refs/heads/main');
  git(work, 'clone', '-q', remote, 'checkout');
}
// The demo's settings hold its secret: whauto warns when others may read such a file (git checks it out 0644).
chmodSync(new URL('settings.yaml', import.meta.url), 0o600);
console.log(`demo forge ready in ${work}`);
console.log('now: whauto serves examples/demo/settings.yaml on a free port; when it says where, run in another terminal: node examples/demo/push.mjs');
