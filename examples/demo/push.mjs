// Makes a commit in the demo's author clone, pushes it to the demo forge, and delivers a
// GitHub-style push webhook, signed with the demo secret, to the running demo daemon.
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const author = join(new URL('.', import.meta.url).pathname, 'work', 'author');
const git = (...args) => execFileSync('git', ['-c', 'user.name=demo', '-c', 'user.email=demo@example.invalid', ...args], { cwd: author, encoding: 'utf8' }).trim();
const before = git('rev-parse', 'HEAD');
writeFileSync(join(author, 'index.html'), `<h1>version of ${new Date().toISOString()}</h1>\n`);
git('commit', '-q', '-am', 'new version');
git('push', '-q', 'origin', 'HEAD:refs/heads/main');
const after = git('rev-parse', 'HEAD');

const body = JSON.stringify({
  ref: 'refs/heads/main', before, after, deleted: false,
  repository: { name: 'site', full_name: 'demo/site' }, pusher: { name: 'demo' },
});
const signature = 'sha256=' + createHmac('sha256', 'demo-secret-change-me').update(body).digest('hex');
const res = await fetch('http://127.0.0.1:5000/webhook/demo', {
  method: 'POST',
  headers: { 'Content-Type': 'application/json', 'X-GitHub-Event': 'push', 'X-GitHub-Delivery': crypto.randomUUID(), 'X-Hub-Signature-256': signature },
  body,
});
console.log(`pushed ${after}; whauto answered ${res.status} ${await res.text()}`);
