import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ENTRY_NAME } from '../settings/schema.ts';
import { PROVIDERS, type ProviderName } from '../model/names.ts';
import { FORGE_SETUP } from './forge-setup.ts';
import { argsError, EXIT, positionalsProblem, type Io } from './io.ts';
import { initFrom, type FromOptions } from './init-from.ts';
import { underPseudoFilesystem } from './load.ts';
import { badBranchPattern } from '../settings/branch-pattern.ts';
import { parseListen } from '../settings/listen.ts';
import { repoLooksLikeAddress } from '../settings/entry.ts';

const HELP = `usage: whauto init [DIR] --repo OWNER/NAME --branch B [options]
       whauto init --from OLD.yaml [DIR | --out FILE] [--name NAME]

Writes a commented starter settings file DIR/NAME.yaml with one entry, and a random
webhook secret DIR/NAME.secret (mode 0600) that the entry reads through secret_file.
Refuses to overwrite either file. Prints what to set on the forge's side.

With --from, writes instead the modern spelling of OLD.yaml, a webhooks-git-automata 0.0.x
settings file, to DIR/NAME.yaml (DIR: OLD.yaml's folder by default) or to FILE; never over
an existing file. Secrets stay where OLD.yaml had them (an inline secret stays inline, and
the new file is then mode 0600); they are not printed.

  DIR                 where the files go (default: the current folder; created if missing)
  --repo OWNER/NAME   the repository whose pushes deploy (GitLab: group/subgroup/name)
  --branch B          the branch that deploys (a glob like "release/*" works too)
  --provider P        ${PROVIDERS.join(' | ')} (default github)
  --repodir PATH      the checkout to update (default /srv/ and the name of --repo)
  --clone-url URL     clone the checkout from here when it is missing
  --url URL           how the forge reaches this server, e.g. https://deploy.example.com
  --name NAME         base name of the two files (default whauto)
  --listen HOST:PORT  where the daemon listens (default 127.0.0.1:5000; each daemon on a
                      machine needs its own port)
  --systemd           for contrib/systemd: the secret comes from $CREDENTIALS_DIRECTORY
                      (LoadCredential=) and state_dir is /var/lib/whauto (without
                      it: ./NAME-state, beside the settings file)
  --from OLD.yaml     convert a 0.0.x settings file (see above)
  --out FILE          with --from: the file to write, instead of DIR/NAME.yaml
  -h, --help          this text
`;

interface InitOptions {
  dir: string;
  repo: string;
  branch: string;
  provider: ProviderName;
  repodir: string;
  cloneUrl: string | null;
  url: string | null;
  name: string;
  /** The listen value as written (validated). */
  listen: string;
  systemd: boolean;
}

/**
 * `whauto init [DIR] --repo OWNER/NAME --branch B [...]`: writes DIR/NAME.yaml and a 0600
 * DIR/NAME.secret holding 32 random bytes as hex, and prints the forge-side settings (the
 * secret's location, never the secret). EXIT.usage on bad arguments or when a file exists.
 */
export async function runInit(io: Io, args: string[]): Promise<number> {
  const fail = (msg: string): number => {
    io.stderr(`whauto init: ${msg}\n\n${HELP}`);
    return EXIT.usage;
  };
  let opts: InitOptions;
  try {
    const parsed = parseArgs({
      args, allowPositionals: true,
      options: {
        repo: { type: 'string' }, branch: { type: 'string' }, provider: { type: 'string' },
        repodir: { type: 'string' }, 'clone-url': { type: 'string' }, url: { type: 'string' },
        name: { type: 'string' }, listen: { type: 'string' }, systemd: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
        from: { type: 'string' }, out: { type: 'string' },
      },
    });
    if (parsed.values.help) {
      io.stdout(HELP);
      return EXIT.ok;
    }
    if (parsed.values.from !== undefined) return initFrom(io, fromOptions(parsed.values, parsed.positionals));
    opts = checkOptions(parsed.values, parsed.positionals, io.cwd);
  } catch (err) {
    return fail(argsError(err));
  }

  const settingsFile = join(opts.dir, `${opts.name}.yaml`);
  const secretFile = join(opts.dir, `${opts.name}.secret`);
  for (const f of [settingsFile, secretFile]) {
    if (existsSync(f)) {
      io.stderr(`whauto init: ${f} exists; not overwriting it (move it away or pick another --name)\n`);
      return EXIT.usage;
    }
  }
  const entry = entryName(opts.repo, opts.branch);
  const pseudo = underPseudoFilesystem(opts.dir);
  if (pseudo) {
    io.stderr(`whauto init: ${opts.dir} is under ${pseudo}; pick a real folder\n`);
    return EXIT.usage;
  }
  try {
    mkdirSync(opts.dir, { recursive: true });
    // 'wx': fail rather than replace a file that appeared since the check above.
    writeFileSync(secretFile, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(secretFile, 0o600);
    writeFileSync(settingsFile, starterSettings(opts, entry), { mode: 0o644, flag: 'wx' });
  } catch (err) {
    io.stderr(`whauto init: ${(err as Error).message}\n`);
    return EXIT.usage;
  }
  io.stdout(forgeSide(opts, entry, settingsFile, secretFile));
  return EXIT.ok;
}

/** The arguments of `init --from`: DIR or --out FILE, and --name; nothing of a starter file. */
function fromOptions(v: Record<string, string | boolean | undefined>, positionals: string[]): FromOptions {
  const other = ['repo', 'branch', 'provider', 'repodir', 'clone-url', 'url', 'listen', 'systemd'].find((k) => v[k] !== undefined);
  if (other) throw new Error(`--${other} does not go with --from (which takes DIR or --out FILE, and --name)`);
  const extra = positionalsProblem(positionals, [], ['DIR']);
  if (extra) throw new Error(extra);
  const out = typeof v['out'] === 'string' ? v['out'] : null;
  if (out !== null && (positionals[0] !== undefined || v['name'] !== undefined)) throw new Error('give DIR (and --name) or --out FILE, not both');
  if (v['from'] === '' || out === '') throw new Error(`${v['from'] === '' ? '--from' : '--out'} needs a file`);
  return { from: v['from'] as string, dir: positionals[0] ?? null, out, name: checkName(v['name']) };
}

function checkOptions(v: Record<string, string | boolean | undefined>, positionals: string[], cwd: string): InitOptions {
  const extra = positionalsProblem(positionals, [], ['DIR']);
  if (extra) throw new Error(extra);
  if (v['out'] !== undefined) throw new Error('--out goes with --from');
  const repo = v['repo'];
  const branch = v['branch'];
  if (typeof repo !== 'string') throw new Error('missing --repo OWNER/NAME');
  if (!/^[^\s/][^\s]*\/[^\s]*[^\s/]$/.test(repo)) throw new Error('--repo takes OWNER/NAME (with its owner; no spaces)');
  if (repoLooksLikeAddress(repo)) throw new Error(`--repo takes the repository's name as the forge shows it (OWNER/NAME, e.g. acme/site), not a URL or clone address (that goes in --clone-url)`);
  if (typeof branch !== 'string') throw new Error('missing --branch B');
  if (branch === '') throw new Error('--branch needs a branch name (it was empty)');
  if (/[\s\x00-\x1f\x7f]/.test(branch)) throw new Error(`--branch ${JSON.stringify(branch)} holds a space or control character, which no git branch name can`);
  const badBranch = badBranchPattern(branch);
  if (badBranch) throw new Error(`--branch '${branch}' can never match a branch: ${badBranch}`);
  const provider = (v['provider'] ?? 'github') as string;
  if (!(PROVIDERS as readonly string[]).includes(provider)) throw new Error(`unknown provider '${provider}' (one of ${PROVIDERS.join(', ')})`);
  // Only GitLab nests groups (group/subgroup/name); elsewhere a name is OWNER/NAME.
  if (provider !== 'gitlab' && provider !== 'plain' && repo.split('/').length !== 2) throw new Error(`--repo for ${provider} is OWNER/NAME, with one '/' ('${repo}' has more)`);
  const name = checkName(v['name']);
  let url: string | null = null;
  if (typeof v['url'] === 'string') {
    let parsed: URL;
    try {
      parsed = new URL(v['url']);
    } catch {
      throw new Error(`--url ${v['url']} is not a URL`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('--url must start with https:// (or http://)');
    url = parsed.origin + parsed.pathname.replace(/\/+$/, '');
  }
  const listen = typeof v['listen'] === 'string' ? v['listen'].trim() : '127.0.0.1:5000';
  const where = parseListen(listen);
  if (where === null || where.port === 0) throw new Error(`--listen ${listen} is not HOST:PORT with a port from 1 to 65535`);
  const repoName = repo.split('/').pop()!;
  return {
    dir: resolve(cwd, positionals[0] ?? '.'),
    repo, branch, provider: provider as ProviderName,
    repodir: resolve(cwd, (v['repodir'] as string | undefined) ?? `/srv/${repoName}`),
    cloneUrl: typeof v['clone-url'] === 'string' ? v['clone-url'] : null,
    url, name, listen, systemd: v['systemd'] === true,
  };
}

/** The --name value (default whauto); throws when it is not a plain base name. */
function checkName(value: string | boolean | undefined): string {
  const name = typeof value === 'string' ? value : 'whauto';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) throw new Error('--name must be a plain file name of at most 64 characters (letters, digits, . _ -)');
  if (/\.(ya?ml|secret)$/i.test(name)) throw new Error(`--name is the base name: ${name.replace(/\.(ya?ml|secret)$/i, '')} writes ${name.replace(/\.(ya?ml|secret)$/i, '')}.yaml and .secret`);
  return name;
}

/** `<repo name>-<branch>`, with what a URL path segment cannot hold replaced by '-'. */
function entryName(repo: string, branch: string): string {
  const raw = `${repo.split('/').pop()}-${branch}`.replace(/[^A-Za-z0-9._~-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').replace(/-+$/, '');
  return ENTRY_NAME.test(raw) ? raw : 'deploy';
}

/** A YAML scalar: bare when plainly safe, else JSON-quoted (JSON strings are YAML). */
function scalar(s: string): string {
  return /^[A-Za-z0-9_./][A-Za-z0-9_./@:+~-]*$/.test(s) && !/^(true|false|yes|no|on|off|null|~|\d[\d.]*)$/i.test(s) ? s : JSON.stringify(s);
}

function stateDir(opts: InitOptions): string {
  if (opts.systemd) return opts.name === 'whauto' ? '/var/lib/whauto' : `/var/lib/whauto/${opts.name}`;
  return `./${opts.name}-state`;
}

function starterSettings(opts: InitOptions, entry: string): string {
  const secret = opts.systemd ? `\${CREDENTIALS_DIRECTORY}/${opts.name}.secret` : `${opts.name}.secret`;
  const setup = FORGE_SETUP[opts.provider];
  return `# whauto settings, written by \`whauto init\`. Check with: whauto check ${opts.name}.yaml
# Every key: examples/settings.yaml in the source. Editor completion: \`whauto schema > whauto.schema.json\`
# and make the first line  # yaml-language-server: $schema=whauto.schema.json
# Relative paths are relative to this file's folder.

listen: ${scalar(opts.listen).padEnd(22)}  # behind a reverse proxy (docs/reverse-proxy.md); 0.0.0.0:PORT to face the forge directly
state_dir: ${stateDir(opts)}  # queue, locks and run history
log_level: info
# trust_proxy: [127.0.0.1]      # the reverse proxy whose X-Forwarded-For is believed
# metrics: true                 # GET /metrics (Prometheus), from loopback and allow_ips only

entries:
  ${entry}:  # the webhook URL is <this server>/webhook/${entry}
    provider: ${opts.provider}${opts.provider === 'plain' ? '' : `  # ${setup.title}`}
    ${opts.systemd ? '# systemd: LoadCredential=' + opts.name + '.secret:' + join(opts.dir, `${opts.name}.secret`) + '\n    ' : ''}secret_file: ${scalar(secret)}
    repo: ${scalar(opts.repo)}
    branch: ${scalar(opts.branch)}
    # tags: "v*"                # deploy tag pushes too (true: every tag)
    repodir: ${scalar(opts.repodir)}${opts.systemd ? '  # contrib/systemd lets whauto write only /srv and /var/lib/whauto: see ReadWritePaths= there' : ''}
    ${opts.cloneUrl === null ? '# clone_url: git@forge.example:owner/name.git   # clone repodir from here when it is missing' : `clone_url: ${scalar(opts.cloneUrl)}`}
    update: reset               # reset | ff-only | none | release (docs/releases.md)
    timeout: 15m                # the whole run
    # env: {NODE_ENV: production}
    commands:                   # after the git update; a string runs through /bin/sh -c, a list runs an argv
      - [git, log, -1, --oneline]
      # - npm ci
      # - [systemctl, --user, reload, site]
    # on_failure:               # when a step failed; WHAUTO_FAILED_STEP says which
    #   - echo "deploy of $WHAUTO_BRANCH failed at $WHAUTO_FAILED_STEP"
    # allow_ips: []             # CIDRs the forge delivers from; empty: any
`;
}

/** Where contrib/systemd's units let the service write (ReadWritePaths=); all else is read-only (ProtectSystem=strict). */
const UNIT_WRITABLE = ['/var/lib/whauto', '/srv'];

/**
 * What init --systemd says about the unit's ReadWritePaths=: whether `repodir` is writable
 * under it, and the drop-in that adds a path (the checkout when it lies elsewhere).
 */
function writablePaths(repodir: string, service: string): string[] {
  const inside = UNIT_WRITABLE.some((w) => repodir === w || repodir.startsWith(`${w}/`));
  const add = inside ? '/var/www/site' : repodir;
  return [
    `  The unit lets whauto and the entry's commands write only ${UNIT_WRITABLE.join(' and ')} (ReadWritePaths=; the rest is read-only).`,
    inside
      ? `  repodir ${repodir} is inside them; add any other path the commands write (a web root), as in:`
      : `  repodir ${repodir} is not: add it, or every run fails with "Read-only file system":`,
    `    systemctl edit ${service}    # and write:`,
    '    [Service]',
    `    ReadWritePaths=${add}`,
    ...(add.startsWith('/home/') ? ['    ProtectHome=read-only    # the unit hides /home otherwise'] : []),
  ];
}

/** "  Name:   value", the values lined up; a long name still gets a space before its value. */
function field(name: string, value: string): string {
  return `  ${name}:`.padEnd(17) + ` ${value}`;
}

function forgeSide(opts: InitOptions, entry: string, settingsFile: string, secretFile: string): string {
  const setup = FORGE_SETUP[opts.provider];
  const url = `${opts.url ?? 'https://<this server>'}/webhook/${entry}`;
  const lines = [
    `wrote ${settingsFile} (entry ${entry})`,
    `wrote ${secretFile} (mode 0600; the webhook secret)`,
    '',
    `On ${setup.title} (${opts.repo}): ${setup.where}`,
    field(setup.urlField, url),
    field('Content type', setup.contentType),
    field(setup.secretField, `the contents of ${secretFile} (show it with: cat ${secretFile})`),
    field('Events', setup.events),
  ];
  if (opts.url === null) lines.push('', `Pass --url https://HOST to print the full URL; whauto listens on ${opts.listen} (put a reverse proxy in front).`);
  if (opts.systemd) {
    // The unit that serves this file as written: whauto.service for the default name, whauto@NAME otherwise.
    const service = opts.name === 'whauto' ? 'whauto' : `whauto@${opts.name}`;
    const unit = opts.name === 'whauto' ? 'contrib/systemd/whauto.service' : `contrib/systemd/whauto@.service, enabled as ${service}`;
    lines.push('', `systemd: the unit needs LoadCredential=${opts.name}.secret:${secretFile}`,
      `  (${unit} has it for /etc/whauto/${opts.name}.secret)`,
      ...(opts.dir === '/etc/whauto' ? [] : [`  The unit serves /etc/whauto/${opts.name}.yaml with that secret: put both files there (or change its paths in a drop-in).`]),
      ...writablePaths(opts.repodir, service));
  }
  lines.push('', `Next: whauto check ${settingsFile}${opts.systemd ? ' (with CREDENTIALS_DIRECTORY set, or under systemd)' : ''}`, '');
  return lines.join('\n');
}
