import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Report } from './report.ts';
import type { RawField } from './validate.ts';

export interface SecretContext {
  /** The settings file's folder: relative secret_file paths start there. */
  dir: string;
  env: NodeJS.ProcessEnv;
  report: Report;
  /** false: secret_env and secret_file are not read (a command that verifies no delivery); the secret is then null. */
  readSecrets?: boolean;
  /** Collects the names of the environment variables secrets come from (read or not), to keep them from commands. */
  secretVars?: Set<string>;
}

/** The keys a secret may come from: inline, an environment variable's name, a file. */
export interface SecretKeys {
  inline: string;
  env: string;
  file: string;
}

/** What an environment variable's name looks like. */
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The webhook secret's keys. */
const WEBHOOK_SECRET: SecretKeys = { inline: 'secret', env: 'secret_env', file: 'secret_file' };

/**
 * The secret of an entry from whichever of `secret`, `secret_env`, `secret_file` is given
 * (at most one; validate() reported more), or from the keys `keys` names (a notify target's url or token). null: no authentication, or `ctx.readSecrets`
 * false and the secret is not inline. Problems are reported,
 * never with the secret in them: 'secret-env-unset', 'secret-file-unreadable', 'secret-empty',
 * and the warnings 'secret-file-readable' (others may read the file) and
 * 'secret-file-writable' (group or others may write it).
 */
export function resolveSecret(fields: Map<string, RawField>, ctx: SecretContext, keys: SecretKeys = WEBHOOK_SECRET): string | null {
  const inline = fields.get(keys.inline);
  if (inline) return inline.value as string | null;
  const fromEnv = fields.get(keys.env);
  if (typeof fromEnv?.value === 'string' && VAR_NAME.test(fromEnv.value)) ctx.secretVars?.add(fromEnv.value);
  if (ctx.readSecrets === false) return null;
  if (fromEnv) {
    if (fromEnv.value === null) return null;
    const name = fromEnv.value as string;
    if (!VAR_NAME.test(name)) {
      // Not a variable name: perhaps the secret itself was written here, so do not echo it.
      ctx.report(fromEnv.node, 'error', 'bad-value', `${keys.env} must be the name of an environment variable (the value is not shown)`);
      return null;
    }
    const value = ctx.env[name];
    if (value === undefined) {
      ctx.report(fromEnv.node, 'error', 'secret-env-unset', `${keys.env}: the environment variable ${name} is not set`);
      return null;
    }
    if (value === '') ctx.report(fromEnv.node, 'error', 'secret-empty', `${keys.env}: the environment variable ${name} is empty`);
    return value;
  }
  const fromFile = fields.get(keys.file);
  return fromFile && fromFile.value !== null ? readSecretFile(fromFile, ctx, keys.file) : null;
}

function readSecretFile(field: RawField, ctx: SecretContext, key: string): string | null {
  const unreadable = (why: string): null => {
    ctx.report(field.node, 'error', 'secret-file-unreadable', `${key}: ${why}`);
    return null;
  };
  let missing: string | null = null;
  const expanded = (field.value as string).replace(/\$\{CREDENTIALS_DIRECTORY\}|\$CREDENTIALS_DIRECTORY(?![A-Za-z0-9_])/g, () => {
    const dir = ctx.env.CREDENTIALS_DIRECTORY;
    if (dir === undefined || dir === '') missing = 'CREDENTIALS_DIRECTORY is not set (systemd sets it with LoadCredential=)';
    return dir ?? '';
  });
  if (missing !== null) return unreadable(missing);
  const path = resolve(ctx.dir, expanded);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
    const mode = statSync(path).mode & 0o777;
    // Group read is how a service user reads a root-owned secret outside systemd (0640
    // root:whauto); others read is anyone on the machine.
    if ((mode & 0o004) !== 0) {
      ctx.report(field.node, 'warning', 'secret-file-readable',
        `${key} ${path} is readable by others (mode ${mode.toString(8)}): anyone on this machine can read the secret; chmod o-r it (600, or 640 with the service user's group)`);
    }
    // Who can write the secret can sign deliveries whauto accepts: the same as no secret at all.
    if ((mode & 0o022) !== 0) {
      ctx.report(field.node, 'warning', 'secret-file-writable',
        `${key} ${path} is writable by group or others (mode ${mode.toString(8)}): they could put in a secret of their own and trigger runs at will (chmod 600 it)`);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return unreadable(`cannot read ${path} (${code})`);
  }
  // Editors and `echo` leave newlines (CRLF on Windows), sometimes spaces: none belong to a secret.
  const secret = text.replace(/\s+$/, '');
  if (secret === '') ctx.report(field.node, 'error', 'secret-empty', `${key} ${path} is empty`);
  return secret;
}
