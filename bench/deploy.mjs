// What a deploy costs beyond git: a one-file push to a checkout of 50,000 tracked files (and
// 20,000 ignored ones), deployed by `whauto trigger`, by the daemon (delivery → run finished,
// the run has no command), and by the bare git commands users would otherwise run
// (`git fetch origin main && git checkout --force -B main origin/main`), alternated round by
// round on twin checkouts so that the machine's drift hits all alike.
//   node bench/deploy.mjs [--files N] [--ignored N] [--rounds N] [--out FILE]
// Builds dist/whauto first if it is not there (npm run build). Prints a table; --out writes it too.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { nowMs, waitFor } from './lib.mjs';

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '50000' }, ignored: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '9' }, out: { type: 'string' },
  },
});
const FILES = Number(values.files);
const IGNORED = Number(values.ignored);
const ROUNDS = Number(values.rounds);
const root = new URL('..', import.meta.url).pathname;
const WHAUTO = join(root, 'dist/whauto');
if (!existsSync(WHAUTO)) execFileSync(process.execPath, [join(root, 'build.mjs')], { stdio: 'inherit' });

const dir = mkdtempSync(join(tmpdir(), 'whauto-bench-deploy-'));
const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
const git = (cwd, ...args) => execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@bench', ...args], { cwd, env, encoding: 'utf8', maxBuffer: 1 << 28 }).trim();

/** Writes `n` small files under `base` in folders of 100. */
function writeTree(base, n, prefix) {
  for (let i = 0; i < n; i++) {
    const folder = join(base, `${prefix}${Math.floor(i / 100)}`);
    if (i % 100 === 0) mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `f${i}.txt`), `file ${i}\n`);
  }
}

console.log(`building a repository of ${FILES} files in ${dir} …`);
const bare = join(dir, 'remote.git');
const author = join(dir, 'author');
git(dir, 'init', '-q', '--bare', '-b', 'main', bare);
git(dir, 'init', '-q', '-b', 'main', author);
git(author, 'remote', 'add', 'origin', bare);
writeTree(join(author, 'src'), FILES, 'd');
writeFileSync(join(author, '.gitignore'), 'node_modules/\n');
git(author, 'add', '-A');
git(author, 'commit', '-q', '-m', 'a big tree');
git(author, 'push', '-q', 'origin', 'main');
const sites = { whauto: join(dir, 'site-whauto'), daemon: join(dir, 'site-daemon'), git: join(dir, 'site-git') };
for (const site of Object.values(sites)) {
  git(dir, 'clone', '-q', bare, site);
  writeTree(join(site, 'node_modules'), IGNORED, 'm');
}

const settings = join(dir, 'settings.yaml');
writeFileSync(settings, `listen: 127.0.0.1:0
state_dir: ./state
entries:
  site:
    provider: plain
    secret: bench-token
    branch: main
    repodir: ./site-whauto
  daemon:
    provider: plain
    secret: bench-token
    branch: main
    repodir: ./site-daemon
`);

// The daemon, for the delivery → run finished figure.
const log = join(dir, 'daemon.log');
const daemon = spawn(WHAUTO, ['serve', settings], { env, stdio: ['ignore', 'pipe', 'pipe'] });
let url = null;
daemon.stdout.on('data', (c) => {
  appendFileSync(log, c);
  const m = /listening url=(\S+)/.exec(c.toString());
  if (m) url = m[1].replace(/\/webhook$/, '');
});
await waitFor(() => url, 30_000);
if (!url) throw new Error(`the daemon did not start: see ${log}`);

/** ms `fn` takes, synchronously. */
function timed(fn) {
  const t0 = nowMs();
  fn();
  return nowMs() - t0;
}

const runs = { whauto: [], daemon: [], git: [] };
let n = 0;
for (let round = 0; round < ROUNDS + 1; round++) {
  writeFileSync(join(author, 'src', 'd0', 'f0.txt'), `change ${++n}\n`);
  git(author, 'commit', '-q', '-am', `change ${n}`);
  git(author, 'push', '-q', 'origin', 'main');
  const order = round % 2 === 0 ? ['whauto', 'git', 'daemon'] : ['daemon', 'git', 'whauto'];
  const took = {};
  for (const what of order) {
    if (what === 'whauto') {
      took.whauto = timed(() => {
        const r = spawnSync(WHAUTO, ['trigger', settings, 'site'], { env, stdio: 'ignore' });
        if (r.status !== 0) throw new Error(`whauto trigger failed (${r.status})`);
      });
    } else if (what === 'git') {
      took.git = timed(() => {
        const r = spawnSync('sh', ['-c', 'git fetch -q origin main && git checkout -q --force -B main origin/main'], { cwd: sites.git, env, stdio: 'ignore' });
        if (r.status !== 0) throw new Error('git failed');
      });
    } else {
      const before = git(sites.daemon, 'rev-parse', 'HEAD');
      const t0 = nowMs();
      const res = await fetch(`${url}/webhook/daemon`, { method: 'POST', headers: { 'X-Webhook-Token': 'bench-token' } });
      if (res.status !== 202) throw new Error(`delivery answered ${res.status}`);
      const moved = await waitFor(() => {
        const out = spawnSync(WHAUTO, ['status', settings, 'daemon', '--json', '--runs', '1'], { env, encoding: 'utf8' }).stdout;
        try {
          const e = JSON.parse(out).entries[0];
          return e.running.length === 0 && e.runs[0] && e.runs[0].commit !== before ? e.runs[0] : null;
        } catch {
          return null;
        }
      }, 60_000, 5);
      if (!moved) throw new Error('the daemon did not deploy');
      // From the delivery to the end of the run, by the record's times (the polling only tells when to look).
      took.daemon = Date.parse(moved.started_at) + moved.duration_ms - t0;
    }
  }
  if (round === 0) continue; // warm-up: page cache, first index refresh
  for (const k of Object.keys(runs)) runs[k].push(took[k]);
}
daemon.kill('SIGTERM');
await new Promise((r) => daemon.once('exit', r));

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};
const ratio = (a, b) => a.map((x, i) => x / b[i]);
const fmt = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const row = (name, xs, unit = 'ms') => {
  const s = stats(xs);
  return `| ${name} | ${fmt(s.median)} ${unit} | ${fmt(s.min)}–${fmt(s.max)} |`;
};
const rowRatio = (name, xs) => {
  const s = stats(xs);
  return `| ${name} | ${s.median.toFixed(2)}x | ${s.min.toFixed(2)}–${s.max.toFixed(2)} |`;
};
const table = [
  `Deploy of a one-file push, ${FILES} tracked + ${IGNORED} ignored files, ${ROUNDS} rounds alternated (median, min–max); ${cpus().length} cores, node ${process.version}, ${git(dir, '--version')}`,
  '',
  '| what | median | min–max |',
  '|---|---|---|',
  row('`git fetch && git checkout --force -B` (bare git)', runs.git),
  row('`whauto trigger` (whole process: start-up, state dir, git, record)', runs.whauto),
  row('daemon: delivery accepted → run finished (no command)', runs.daemon),
  rowRatio('`whauto trigger` / bare git, per round', ratio(runs.whauto, runs.git)),
  rowRatio('daemon / bare git, per round', ratio(runs.daemon, runs.git)),
].join('\n');
console.log(`\n${table}\n`);
if (values.out) writeFileSync(values.out, `${table}\n`);
rmSync(dir, { recursive: true, force: true });
