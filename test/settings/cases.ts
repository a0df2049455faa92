// The findings `check` must produce, one settings file each: shared by the loadSettings
// tests (test/settings) and the built-binary tests (test/check).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from '../../src/settings/finding.ts';
import { writeFile } from '../helpers/tmp.ts';

export interface Case {
  name: string;
  yaml: string;
  level: Finding['level'];
  code: string;
  line: number;
  col: number;
  env?: NodeJS.ProcessEnv;
  /** Mode of the settings file; default 0600. */
  mode?: number;
  /** Prepares files in the temp folder. */
  setup?: (dir: string) => void;
}

const ok = 'secret: s\n    repodir: /srv/x\n';

export const CASES: Case[] = [
  { name: 'a YAML syntax error', yaml: 'entries:\n  a: [1, 2\n', level: 'error', code: 'yaml-syntax', line: 3, col: 1 },
  { name: 'an unknown top-level key', yaml: 'listen: 127.0.0.1:1\nwebhok_url_path: /x\n', level: 'error', code: 'unknown-key', line: 2, col: 1 },
  { name: 'an unknown entry key', yaml: `entries:\n  a:\n    ${ok}    repo_dir: /x\n`, level: 'error', code: 'unknown-key', line: 5, col: 5 },
  { name: 'a wrong type', yaml: 'workers: many\n', level: 'error', code: 'type', line: 1, col: 10 },
  { name: 'a wrong type in an entry', yaml: `entries:\n  a:\n    ${ok}    submodules: maybe\n`, level: 'error', code: 'type', line: 5, col: 17 },
  { name: 'a bad duration', yaml: `entries:\n  a:\n    ${ok}    timeout: 10x\n`, level: 'error', code: 'bad-duration', line: 5, col: 14 },
  { name: 'a bad per-command duration', yaml: `entries:\n  a:\n    ${ok}    commands:\n      - {run: make, timeout: soon}\n`, level: 'error', code: 'bad-duration', line: 6, col: 30 },
  { name: 'a bad size', yaml: 'max_body: 25 parsecs\n', level: 'error', code: 'bad-size', line: 1, col: 11 },
  { name: 'an unknown provider', yaml: `entries:\n  a:\n    ${ok}    provider: gitlub\n`, level: 'error', code: 'unknown-provider', line: 5, col: 15 },
  { name: 'an entry without repodir', yaml: 'entries:\n  site:\n    secret: s\n', level: 'error', code: 'missing-repodir', line: 2, col: 3 },
  { name: 'secret_env naming an unset variable', yaml: 'entries:\n  a:\n    secret_env: NOT_SET_ANYWHERE\n    repodir: /x\n', level: 'error', code: 'secret-env-unset', line: 3, col: 17 },
  { name: 'secret_env holding something that is not a variable name', yaml: 'entries:\n  a:\n    secret_env: hunter2!\n    repodir: /x\n', level: 'error', code: 'bad-value', line: 3, col: 17 },
  { name: 'an unreadable secret_file', yaml: 'entries:\n  a:\n    secret_file: missing.secret\n    repodir: /x\n', level: 'error', code: 'secret-file-unreadable', line: 3, col: 18 },
  { name: 'secret_file with CREDENTIALS_DIRECTORY unset', yaml: 'entries:\n  a:\n    secret_file: ${CREDENTIALS_DIRECTORY}/s\n    repodir: /x\n', level: 'error', code: 'secret-file-unreadable', line: 3, col: 18 },
  { name: 'an empty secret_file', yaml: 'entries:\n  a:\n    secret_file: empty.secret\n    repodir: /x\n', level: 'error', code: 'secret-empty', line: 3, col: 18, setup: (d) => writeFile(d, 'empty.secret', '\n') },
  { name: 'an empty inline secret', yaml: 'entries:\n  a:\n    secret: ""\n    repodir: /x\n', level: 'error', code: 'secret-empty', line: 3, col: 13 },
  { name: 'a duplicate entry name', yaml: `entries:\n  a:\n    ${ok}  a:\n    ${ok}`, level: 'error', code: 'duplicate-entry', line: 5, col: 3 },
  { name: 'a duplicate key', yaml: 'workers: 1\nworkers: 2\n', level: 'error', code: 'duplicate-key', line: 2, col: 1 },
  { name: 'an entry name unusable as a URL path segment', yaml: `entries:\n  "site prod":\n    ${ok}`, level: 'error', code: 'bad-entry-name', line: 2, col: 3 },
  { name: 'a bad CIDR in allow_ips', yaml: `entries:\n  a:\n    ${ok}    allow_ips: [10.0.0.0/8, 10.0.0.0/33]\n`, level: 'error', code: 'bad-cidr', line: 5, col: 29 },
  { name: 'a bad CIDR in trust_proxy', yaml: 'trust_proxy:\n  - proxy.local\n', level: 'error', code: 'bad-cidr', line: 2, col: 5 },
  { name: 'a bad listen address', yaml: 'listen: 127.0.0.1:99999\n', level: 'error', code: 'bad-listen', line: 1, col: 9 },
  { name: 'a bad legacy listen_port', yaml: 'listen_ip: 0.0.0.0\nlisten_port: http\n', level: 'error', code: 'bad-listen', line: 2, col: 14 },
  { name: 'more than one secret source', yaml: 'entries:\n  a:\n    secret: s\n    secret_env: X\n    repodir: /x\n', level: 'error', code: 'secret-conflict', line: 4, col: 5, env: { X: 'x' } },
  { name: 'tags: yes (a YAML 1.1 boolean, a string in YAML 1.2)', yaml: `entries:\n  a:\n    ${ok}    tags: yes\n`, level: 'error', code: 'yaml11-boolean', line: 5, col: 11 },
  { name: 'tags: Off in defaults', yaml: `defaults:\n  tags: Off\nentries:\n  a:\n    ${ok}`, level: 'error', code: 'yaml11-boolean', line: 2, col: 9 },
  { name: 'webhook_url_path: /healthz (the health check\'s route)', yaml: 'webhook_url_path: /healthz\n', level: 'error', code: 'bad-value', line: 1, col: 19 },
  { name: 'webhook_url_path with a .. part (never reached)', yaml: 'webhook_url_path: /hooks/../x\n', level: 'error', code: 'bad-value', line: 1, col: 19 },
  { name: 'webhook_url_path with a non-ASCII letter (clients percent-encode it)', yaml: 'webhook_url_path: /hooks/ü\n', level: 'error', code: 'bad-value', line: 1, col: 19 },
  { name: 'webhook_url_path with a backslash (clients turn it into /)', yaml: 'webhook_url_path: \'/a\\b\'\n', level: 'error', code: 'bad-value', line: 1, col: 19 },
  { name: 'webhook_url_path: metrics/ (the metrics route once normalized)', yaml: 'webhook_url_path: metrics/\n', level: 'error', code: 'bad-value', line: 1, col: 19 },
  { name: 'a bad enum value', yaml: 'log_level: loud\n', level: 'error', code: 'bad-value', line: 1, col: 12 },
  { name: 'an integer below its minimum', yaml: 'workers: 0\n', level: 'error', code: 'bad-value', line: 1, col: 10 },
  { name: 'a bad command', yaml: `entries:\n  a:\n    ${ok}    commands:\n      - {shell: make}\n`, level: 'error', code: 'unknown-key', line: 6, col: 10 },
  { name: 'an entry that deploys nothing (branch: [] and tags off)', yaml: `entries:\n  a:\n    ${ok}    branch: []\n`, level: 'error', code: 'deploys-nothing', line: 5, col: 13 },
  { name: 'poll more often than every 10s', yaml: `entries:\n  a:\n    ${ok}    poll: 5s\n`, level: 'error', code: 'bad-duration', line: 5, col: 11 },
  { name: 'poll on an entry with no checkout and no clone_url', yaml: 'entries:\n  a:\n    update: none\n    workdir: /tmp\n    poll: 1m\n', level: 'error', code: 'poll-without-remote', line: 5, col: 11 },
  { name: 'a binary file (NUL bytes)', yaml: 'listen: 127.0.0.1:1\nab\u0000\u0000', level: 'error', code: 'not-text', line: 2, col: 3 },
  { name: 'listen on an address this machine does not have', yaml: 'listen: 203.0.113.9:5000\n', level: 'error', code: 'listen-not-local', line: 1, col: 9 },
  { name: 'listen on an IPv6 address this machine does not have', yaml: 'listen: "[2001:db8::9]:5000"\n', level: 'error', code: 'listen-not-local', line: 1, col: 9 },
  { name: 'legacy listen_ip on an address this machine does not have', yaml: 'listen_ip: 203.0.113.9\nlisten_port: 5000\n', level: 'error', code: 'listen-not-local', line: 1, col: 12 },
  { name: 'listen and legacy listen_ip both', yaml: 'listen: 127.0.0.1:1\nlisten_ip: 0.0.0.0\n', level: 'error', code: 'legacy-conflict', line: 2, col: 1 },
  // warnings
  { name: 'an inline secret in a file readable by others', yaml: `entries:\n  a:\n    ${ok}`, mode: 0o644, level: 'warning', code: 'secret-in-readable-file', line: 3, col: 5 },
  { name: 'a settings file group may write', yaml: `entries:\n  a:\n    secret_env: X\n    repodir: /x\n`, env: { X: 'x' }, mode: 0o664, level: 'warning', code: 'settings-writable', line: 1, col: 1 },
  { name: 'a settings file others may write', yaml: `entries:\n  a:\n    secret_env: X\n    repodir: /x\n`, env: { X: 'x' }, mode: 0o602, level: 'warning', code: 'settings-writable', line: 1, col: 1 },
  { name: 'a secret_file readable by others', yaml: 'entries:\n  a:\n    secret_file: open.secret\n    repodir: /x\n', level: 'warning', code: 'secret-file-readable', line: 3, col: 18, setup: (d) => writeFile(d, 'open.secret', 'x', 0o644) },
  { name: 'a secret_file group may write', yaml: 'entries:\n  a:\n    secret_file: shared.secret\n    repodir: /x\n', level: 'warning', code: 'secret-file-writable', line: 3, col: 18, setup: (d) => writeFile(d, 'shared.secret', 'x', 0o620) },
  { name: 'an entry without authentication', yaml: 'entries:\n  a:\n    repodir: /x\n', level: 'warning', code: 'no-auth', line: 2, col: 3 },
  { name: 'a plain entry without a token', yaml: 'entries:\n  a:\n    provider: plain\n    repodir: /x\n', level: 'warning', code: 'no-auth', line: 2, col: 3 },
  { name: 'two entries updating one checkout to different branches', yaml: `entries:\n  a:\n    ${ok}  b:\n    ${ok}    branch: staging\n`, level: 'warning', code: 'shared-checkout', line: 7, col: 14 },
  { name: 'two entries updating one checkout with different update modes', yaml: `entries:\n  a:\n    ${ok}  b:\n    ${ok}    update: ff-only\n`, level: 'warning', code: 'shared-checkout', line: 7, col: 14 },
  { name: 'a repo given as a URL', yaml: `entries:\n  a:\n    ${ok}    repo: https://github.com/acme/site\n`, level: 'warning', code: 'repo-url', line: 5, col: 11 },
  { name: 'a repo given as a clone address', yaml: `entries:\n  a:\n    ${ok}    repo: git@github.com:acme/site.git\n`, level: 'warning', code: 'repo-url', line: 5, col: 11 },
  { name: 'a workdir outside the checkout', yaml: `entries:\n  a:\n    ${ok}    workdir: ../elsewhere\n`, level: 'warning', code: 'workdir-outside', line: 5, col: 14 },
  { name: 'branch: no (a branch named no, not none)', yaml: `entries:\n  a:\n    ${ok}    branch: no\n    tags: "v*"\n`, level: 'warning', code: 'boolean-branch', line: 5, col: 13 },
  { name: 'a repo without owner (it matches any owner\'s repository of that name)', yaml: `entries:\n  a:\n    ${ok}    repo: site\n`, level: 'warning', code: 'repo-without-owner', line: 5, col: 11 },
  { name: 'no entries', yaml: 'workers: 1\n', level: 'warning', code: 'no-entries', line: 1, col: 1 },
  // warnings about this machine: every run would fail as things stand
  { name: 'a missing repodir without clone_url', yaml: 'entries:\n  a:\n    secret: s\n    repodir: /nonexistent-whauto/co\n', level: 'warning', code: 'nothing-to-clone', line: 4, col: 14 },
  { name: 'a repodir with files but no .git', yaml: 'entries:\n  a:\n    secret: s\n    repodir: site\n', level: 'warning', code: 'not-a-repository', line: 4, col: 14, setup: (d) => { mkdirSync(join(d, 'site')); writeFile(d, 'site/index.html', 'x'); } },
  { name: 'a remote the checkout does not define', yaml: 'entries:\n  a:\n    secret: s\n    repodir: co\n    remote: upstream\n', level: 'warning', code: 'remote-missing', line: 5, col: 13, setup: (d) => { mkdirSync(join(d, 'co/.git'), { recursive: true }); writeFile(d, 'co/.git/config', '[remote "origin"]\n\turl = https://x/co.git\n'); } },
  { name: 'update: release on a repodir that is a git checkout', yaml: 'entries:\n  a:\n    secret: s\n    repodir: co\n    update: release\n', level: 'error', code: 'release-layout', line: 4, col: 14, setup: (d) => { mkdirSync(join(d, 'co/.git'), { recursive: true }); } },
  { name: 'an absolute shared path', yaml: `entries:\n  a:\n    ${ok}    update: release\n    shared: [.env, /etc/site.env]\n`, level: 'error', code: 'bad-path', line: 6, col: 20 },
  { name: 'a shared path with a .. part', yaml: `entries:\n  a:\n    ${ok}    update: release\n    shared:\n      - storage/../../etc\n`, level: 'error', code: 'bad-path', line: 7, col: 9 },
  { name: 'a shared path inside another', yaml: `entries:\n  a:\n    ${ok}    update: release\n    shared: [storage/, storage/logs]\n`, level: 'error', code: 'bad-path', line: 6, col: 24 },
  { name: 'keep_releases below 2', yaml: `entries:\n  a:\n    ${ok}    update: release\n    keep_releases: 1\n`, level: 'error', code: 'bad-value', line: 6, col: 20 },
  { name: 'shared without update: release', yaml: `entries:\n  a:\n    ${ok}    shared: [.env]\n`, level: 'warning', code: 'release-only', line: 5, col: 5 },
  { name: 'a missing workdir', yaml: 'entries:\n  a:\n    secret: s\n    update: none\n    workdir: /nonexistent-whauto/w\n', level: 'warning', code: 'workdir-missing', line: 5, col: 14 },
  { name: 'an unreadable ssh_key', yaml: `entries:\n  a:\n    ${ok}    ssh_key: /nonexistent-whauto/key\n`, level: 'warning', code: 'ssh-key-unreadable', line: 5, col: 14 },
  { name: 'a git_binary that is not there', yaml: `entries:\n  a:\n    ${ok}    git_binary: /nonexistent-whauto/git\n`, level: 'warning', code: 'git-missing', line: 5, col: 17 },
  { name: 'a git_binary not in PATH', yaml: `entries:\n  a:\n    ${ok}    git_binary: gitx-whauto-none\n`, level: 'warning', code: 'git-missing', line: 5, col: 17, env: { PATH: '/usr/bin:/bin' } },
  { name: 'an env value whauto sets itself', yaml: `entries:\n  a:\n    ${ok}    env: {WHAUTO_BRANCH: evil}\n`, level: 'warning', code: 'env-whauto', line: 5, col: 11 },
  // notes
  { name: 'an entry without branch (it deploys main)', yaml: `entries:\n  a:\n    ${ok}`, level: 'note', code: 'default-branch', line: 2, col: 3 },
  { name: 'an entry that polls (its interval said)', yaml: `entries:\n  a:\n    ${ok}    poll: 90s\n`, level: 'note', code: 'poll', line: 5, col: 11 },
  // legacy notes
  { name: 'legacy listen_ip', yaml: 'listen_ip: 0.0.0.0\nlisten_port: 80\n', level: 'note', code: 'legacy-key', line: 1, col: 1 },
  { name: 'legacy top-level provider', yaml: `provider: gitea\nentries:\n  a:\n    ${ok}`, level: 'note', code: 'legacy-key', line: 1, col: 1 },
  { name: 'legacy repositories', yaml: `repositories:\n  a:\n    ${ok}`, level: 'note', code: 'legacy-key', line: 1, col: 1 },
  { name: 'legacy Python log level', yaml: 'log_level: CRITICAL\n', level: 'note', code: 'legacy-key', line: 1, col: 12 },
];
