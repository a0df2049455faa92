import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { REPODIR_HOLDS } from '../model/names.ts';
import type { Command, Entry, ProviderName, UpdateMode } from './types.ts';
import { ENTRY_KEYS } from './schema.ts';
import { defaultValue } from './default-value.ts';
import { resolveSecret, type SecretContext } from './secret.ts';
import { definesRemote, repodirState } from './checkout.ts';
import type { RawEntry, RawField, RawMap } from './validate.ts';
import { commitStatusOf, notifyTargets } from './notify-entry.ts';
import type { RawCommitStatus, RawTarget } from './notify-values.ts';

const SECRET_KEYS = ['secret', 'secret_env', 'secret_file'];

/** A repo value that is an address, not a repository name: a URL, an scp-like git@host:path, a .git ending. */
const LOOKS_LIKE_URL = /^[a-z][a-z0-9+.-]*:\/\/|^[^/\s]*@[^/\s]*:|\.git$/i;

/** Whether a `repo` value is a URL or clone address rather than the OWNER/NAME a delivery names. */
export function repoLooksLikeAddress(repo: string): boolean {
  return LOOKS_LIKE_URL.test(repo);
}

/**
 * Builds the normalized Entry from its own keys over `defaults` over the schema defaults:
 * paths made absolute (workdir against repodir), the secret read. Reports
 * 'missing-repodir', 'deploys-nothing' and 'poll-without-remote' (errors), 'default-branch'
 * and 'poll' (notes), 'no-auth', 'repo-url', 'repo-without-owner', 'workdir-outside',
 * 'release-only' (shared or keep_releases without update: release) and, looking at this
 * machine, 'release-layout' (an error: update: release on a repodir that is a git checkout),
 * 'nothing-to-clone', 'not-a-repository', 'remote-missing',
 * 'workdir-missing', 'ssh-key-unreadable' and 'git-missing' (warnings) and the secret's
 * problems. Always returns an Entry; it is only used when nothing was reported as error.
 */
export function buildEntry(raw: RawEntry, defaults: RawMap, ctx: SecretContext): Entry {
  // The secret keys go together: an entry that names its own source ignores the defaults'.
  const ownSecret = SECRET_KEYS.some((k) => raw.fields.has(k));
  const pick = (key: string): RawField | undefined =>
    raw.fields.get(key) ?? (ownSecret && SECRET_KEYS.includes(key) ? undefined : defaults.get(key));
  const get = <T>(key: string): T => {
    const field = pick(key);
    const def = ENTRY_KEYS[key];
    return (field ? field.value : def ? defaultValue(def, key) : null) as T;
  };
  const path = (key: string, base: string): string | null => {
    const value = get<string | null>(key);
    return value === null ? null : resolve(base, value);
  };

  const secrets = new Map<string, RawField>();
  for (const k of SECRET_KEYS) {
    const f = pick(k);
    if (f) secrets.set(k, f);
  }
  const secret = resolveSecret(secrets, ctx);
  const update = get<UpdateMode>('update');
  const repodir = path('repodir', ctx.dir);
  const workdir = path('workdir', repodir ?? ctx.dir) ?? repodir ?? ctx.dir;

  // A mode whose repodir holds nothing of whauto's does no git work and needs none.
  const gitWork = REPODIR_HOLDS[update] !== 'nothing';
  if (repodir === null && gitWork) {
    ctx.report(raw.nameNode, 'error', 'missing-repodir', `entry '${raw.name}' has no repodir (required unless update: none)`);
  }
  const branches = get<string[]>('branch');
  const tags = get<boolean | string>('tags');
  if (branches.length === 0 && tags === false) {
    ctx.report(pick('branch')?.node ?? raw.nameNode, 'error', 'deploys-nothing',
      `entry '${raw.name}' deploys nothing: branch is [] and tags are off (set tags: true, or a pattern like "v*")`);
  }
  if (pick('branch') === undefined) {
    ctx.report(raw.nameNode, 'note', 'default-branch',
      `entry '${raw.name}' names no branch, so it deploys main (write branch: main to say so, or the branch it should deploy)`);
  }
  const poll = get<number | null>('poll');
  // Polled, with neither a forge nor a secret named: deliveries have no way in.
  const webhook = poll === null || secrets.size > 0 || pick('provider') !== undefined;
  if (poll !== null) {
    ctx.report(pick('poll')?.node ?? raw.nameNode, 'note', 'poll',
      `entry '${raw.name}' asks its remote for new commits every ${formatSeconds(poll)} (±10%)${webhook ? '' : '; it has no webhook route (no provider, no secret)'}`);
  }
  if (secrets.size === 0 && webhook) {
    ctx.report(raw.nameNode, 'warning', 'no-auth',
      `entry '${raw.name}' has no secret: anyone who can reach the URL can trigger it (set secret_env or secret_file)`);
  }
  const repo = get<string | null>('repo');
  if (repo !== null && repoLooksLikeAddress(repo)) {
    ctx.report(pick('repo')?.node ?? raw.nameNode, 'warning', 'repo-url',
      `entry '${raw.name}': repo is compared with each delivery's repository name (OWNER/NAME, e.g. acme/site); '${repo}' looks like a URL or clone address, so no delivery would match (clone_url takes the address)`);
  }
  if (repo !== null && !repo.includes('/') && !repoLooksLikeAddress(repo)) {
    ctx.report(pick('repo')?.node ?? raw.nameNode, 'warning', 'repo-without-owner',
      `entry '${raw.name}': repo '${repo}' names no owner, so a push to any owner's ${repo} (acme/${repo}, someone-else/${repo}) matches it; write OWNER/NAME`);
  }
  if (repodir !== null && outside(repodir, workdir)) {
    const at = pick('workdir');
    ctx.report(at?.node ?? raw.nameNode, 'warning', 'workdir-outside', `entry '${raw.name}': workdir ${workdir} is outside the checkout ${repodir}`);
  }

  // What every run would trip over on this machine (warnings: the files may come later).
  const cloneUrl = get<string | null>('clone_url');
  const remote = get<string>('remote');
  const state = repodir === null ? null : repodirState(repodir);
  const repodirMissing = state === 'missing';
  const repodirAt = pick('repodir')?.node ?? raw.nameNode;
  if (repodirMissing && gitWork && cloneUrl === null) {
    ctx.report(repodirAt, 'warning', 'nothing-to-clone',
      `entry '${raw.name}': repodir ${repodir} does not exist and no clone_url is set: every run would fail at its git step`);
  }
  const holds = REPODIR_HOLDS[update];
  for (const key of ['shared', 'keep_releases']) {
    // Only the entry's own: a default is for the entries that use it.
    const field = raw.fields.get(key);
    if (field && holds !== 'releases') {
      ctx.report(field.keyNode, 'warning', 'release-only', `entry '${raw.name}': ${key} is used only with update: release; with update: ${update} it does nothing`);
    }
  }
  if (holds === 'releases' && state === 'checkout') {
    ctx.report(repodirAt, 'error', 'release-layout',
      `entry '${raw.name}': repodir ${repodir} is a git checkout, but update: release keeps its own layout there: repo/ (the git store), releases/<id>/, shared/ and current (a link to the live release); ` +
      'move the checkout away and point the web server at <repodir>/current (docs/releases.md gives the steps), or keep update: reset');
  }
  if (holds === 'releases' && state !== 'missing' && state !== 'checkout' && !isFolder(resolve(repodir!, 'repo')) && cloneUrl === null) {
    ctx.report(repodirAt, 'warning', 'nothing-to-clone',
      `entry '${raw.name}': repodir ${repodir} has no repo/ and no clone_url is set: every run would fail at its git step`);
  }
  if (holds === 'checkout' && (state === 'no-git' || state === 'not-a-folder')) {
    const what = state === 'no-git' ? 'has files but no .git, so it is not a git checkout' : 'is not a folder';
    ctx.report(repodirAt, 'warning', 'not-a-repository',
      `entry '${raw.name}': repodir ${repodir} ${what}: every run would fail at its git step; point repodir at the checkout, or empty it (or remove it) so clone_url is cloned there`);
  }
  // git fetch of a name the checkout does not define fails as "cannot reach remote".
  if (holds === 'checkout' && state === 'checkout' && definesRemote(repodir!, remote) === false) {
    ctx.report(pick('remote')?.node ?? repodirAt, 'warning', 'remote-missing',
      `entry '${raw.name}': the checkout ${repodir} has no remote '${remote}' (see git -C ${repodir} remote -v): every fetch would fail; set remote to one it has, or add it with git -C ${repodir} remote add ${remote} URL`);
  }
  // A workdir inside a checkout still to be cloned comes with the clone; inside a release, with each release.
  const comesWithClone = ((repodirMissing && gitWork) || holds === 'releases') && !outside(repodir!, workdir);
  if (!comesWithClone && !existsSync(workdir)) {
    ctx.report(pick('workdir')?.node ?? raw.nameNode, 'warning', 'workdir-missing',
      `entry '${raw.name}': workdir ${workdir} does not exist: every run would fail at its first command`);
  }
  if (poll !== null && repodir === null && cloneUrl === null) {
    ctx.report(pick('poll')?.node ?? raw.nameNode, 'error', 'poll-without-remote',
      `entry '${raw.name}' polls but has no remote to ask: give it a repodir (its remote '${remote}' is asked) or a clone_url`);
  }
  const sshKey = path('ssh_key', ctx.dir);
  if (sshKey !== null) {
    try {
      accessSync(sshKey, constants.R_OK);
    } catch (err) {
      ctx.report(pick('ssh_key')?.node ?? raw.nameNode, 'warning', 'ssh-key-unreadable',
        `entry '${raw.name}': ssh_key ${sshKey} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}): git over ssh would fail`);
    }
  }
  const gitBinary = get<string>('git_binary');
  // A bare name is looked up in this process's PATH: without one, nothing can be told.
  const searchPath = ctx.env.PATH;
  if (gitWork && (gitBinary.includes('/') || searchPath !== undefined) && !findProgram(gitBinary, searchPath ?? '')) {
    ctx.report(pick('git_binary')?.node ?? raw.nameNode, 'warning', 'git-missing',
      `entry '${raw.name}': git_binary ${gitBinary} is not ${gitBinary.includes('/') ? 'an executable file' : 'found in PATH'}: every run would fail at its git step`);
  }
  return {
    name: raw.name,
    provider: get<ProviderName>('provider'),
    secret: secrets.size === 0 ? null : secret,
    repo,
    branches,
    tags,
    repodir,
    cloneUrl,
    remote,
    update,
    submodules: get<boolean>('submodules'),
    gitBinary,
    sshKey,
    workdir,
    env: { ...get<Record<string, string>>('env') },
    timeout: get<number>('timeout'),
    preCommands: get<Command[]>('pre_commands'),
    commands: get<Command[]>('commands'),
    postCommands: get<Command[]>('post_commands'),
    onFailure: get<Command[]>('on_failure'),
    shared: get<string[]>('shared'),
    keepReleases: get<number>('keep_releases'),
    allowIps: get<string[]>('allow_ips'),
    notify: notifyTargets(get<RawTarget[]>('notify'), ctx),
    commitStatus: commitStatusOf(get<RawCommitStatus | null>('commit_status'), raw.name, get<ProviderName>('provider'), ctx),
    poll,
    webhook,
  };
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A poll interval as the settings would write it: 90s, 10m, 1h. */
function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

function outside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '..' || rel.startsWith('../') || isAbsolute(rel);
}

/** Whether `program` (a path, or a name looked up in `path`, like the shell does) is an executable file. */
function findProgram(program: string, path: string): boolean {
  const candidates = program.includes('/') ? [program] : path.split(':').filter(Boolean).map((dir) => resolve(dir, program));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  });
}
