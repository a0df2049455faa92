import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { formatFinding } from '../settings/finding.ts';
import { loadSettings } from '../settings/load.ts';
import { modernize } from '../settings/modernize.ts';
import { EXIT, type Io } from './io.ts';
import { underPseudoFilesystem } from './load.ts';

/** What `whauto init --from` was given (checked for combinations by the caller). */
export interface FromOptions {
  /** The 0.0.x settings file, as given. */
  from: string;
  /** The folder of the new file (default: the old file's); null with `out`. */
  dir: string | null;
  /** The new file itself, instead of DIR/NAME.yaml. */
  out: string | null;
  name: string;
}

/**
 * `whauto init --from OLD.yaml [DIR | --out FILE]`: writes the modern spelling of a 0.0.x
 * settings file (see modernize) to a file that must not exist, mode 0600 when it holds an
 * inline secret and 0644 otherwise, and prints what was translated (the loader's legacy
 * notes; never a secret). EXIT.usage when OLD.yaml does not load or the new file exists;
 * EXIT.ok, writing nothing, when OLD.yaml has no legacy key.
 */
export async function initFrom(io: Io, opts: FromOptions): Promise<number> {
  const old = resolve(io.cwd, opts.from);
  const target = opts.out !== null ? resolve(io.cwd, opts.out) : join(resolve(io.cwd, opts.dir ?? dirname(old)), `${opts.name}.yaml`);
  // As `check` would show them, but without reading secrets: a secret_env unset here is no reason to refuse.
  const { settings, findings } = loadSettings(old, io.env, { readSecrets: false });
  const shown = findings.map((f) => ({ ...f, file: opts.from }));
  if (settings === null) {
    for (const f of shown.filter((x) => x.level === 'error')) io.stderr(formatFinding(f) + '\n');
    io.stderr(`whauto init: ${opts.from} does not load (above); nothing written\n`);
    return EXIT.usage;
  }
  const translated = shown.filter((f) => f.code === 'legacy-key');
  if (translated.length === 0) {
    io.stdout(`${opts.from} uses no 0.0.x key: it is in the modern spelling already; nothing written\n`);
    return EXIT.ok;
  }
  if (existsSync(target)) {
    io.stderr(`whauto init: ${target} exists; not overwriting it (give another DIR, --name or --out)\n`);
    return EXIT.usage;
  }
  const pseudo = underPseudoFilesystem(target);
  if (pseudo) {
    io.stderr(`whauto init: ${target} is under ${pseudo}; pick a real folder\n`);
    return EXIT.usage;
  }
  const { text, inlineSecret } = modernize(old, readFileSync(old, 'utf8'), dirname(target));
  const header = `# whauto settings, written by \`whauto init --from\` from ${old} (webhooks-git-automata 0.0.x).\n` +
    `# Check with: whauto check ${target}. Every key: examples/settings.yaml in the source.\n`;
  try {
    mkdirSync(dirname(target), { recursive: true });
    // 'wx': fail rather than replace a file that appeared since the check above.
    writeFileSync(target, header + text, { mode: inlineSecret ? 0o600 : 0o644, flag: 'wx' });
  } catch (err) {
    io.stderr(`whauto init: ${(err as Error).message}\n`);
    return EXIT.usage;
  }
  const lines = [`wrote ${target}${inlineSecret ? ' (mode 0600: it holds the secret inline, as the old file did; secret_file or secret_env keeps it out of the settings)' : ''}`,
    `translated from ${opts.from}:`, ...translated.map((f) => `  ${formatFinding(f)}`), '', `Next: whauto check ${target}`, ''];
  io.stdout(lines.join('\n'));
  return EXIT.ok;
}
