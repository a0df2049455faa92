// Makes a commit in the demo's author clone, pushes it to the demo forge, and delivers a
// GitHub-style push webhook, signed with the demo secret, to the running demo daemon.
// It finds the daemon through work/url (written by `npm run demo`), or takes the webhook
// URL as its argument: node examples/demo/push.mjs http://127.0.0.1:PORT/webhook
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const work = join(new URL('.', import.meta.url).pathname, 'work');
const author = join(work, 'author');
const START = 'start the demo daemon first, in another terminal: npm run demo (it prints a "listening" line), then run this again';

/** fetch's reason in a word or two (ECONNREFUSED, not "fetch failed"). */
const why = (err) => err.cause?.code ?? err.cause?.message ?? err.message;

function stop(message) {
  console.error(`demo: ${message}`);
  process.exit(1);
}

const urlFile = join(work, 'url');
const base = process.argv[2] ?? (existsSync(urlFile) ? readFileSync(urlFile, 'utf8').trim() : null);
if (base === null) stop(`the demo daemon is not running (there is no ${urlFile}): ${START}`);
if (!existsSync(author)) stop(`the demo forge is not set up (no ${author}): ${START}`);
// Nothing is committed or pushed unless the daemon answers now.
try {
  const health = await fetch(new URL('/healthz', base), { signal: AbortSignal.timeout(5000) });
  if (!health.ok) stop(`the daemon at ${base} answers /healthz with ${health.status}: see its log`);
} catch (err) {
  stop(`no daemon answers at ${base} (${why(err)}): ${START}`);
}

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
let res;
try {
  res = await fetch(`${base}/demo`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-GitHub-Event': 'push', 'X-GitHub-Delivery': crypto.randomUUID(), 'X-Hub-Signature-256': signature },
    body,
    signal: AbortSignal.timeout(10_000),
  });
} catch (err) {
  stop(`pushed ${after} to the demo forge, but the delivery to ${base}/demo failed (${why(err)}); ` +
    'the next push that is delivered deploys this commit too');
}
console.log(`pushed ${after}; whauto answered ${res.status} ${await res.text()}`);
if (res.status === 202) console.log(`the run's output is in the daemon's terminal; the deployed page: ${join(work, 'deployed.html')}`);
else process.exitCode = 1;
