/** What a CLI command may touch: output streams, environment and working folder. Tests pass their own. */
export interface Io {
  stdout(text: string | Uint8Array): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** stdout is a terminal (command output shown there has its control characters escaped). */
  stdoutIsTerminal?: boolean;
}

/** Exit codes (SPEC section 1). */
export const EXIT = {
  ok: 0,
  /** A run failed (trigger) or the daemon died of a runtime fault. */
  failed: 1,
  /** Usage error, invalid settings, or settings this machine cannot serve (address taken, state dir unusable). */
  usage: 2,
  /** EX_TEMPFAIL: `trigger --no-wait` found the entry busy. */
  busy: 75,
} as const;

export function processIo(): Io {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    stdoutIsTerminal: process.stdout.isTTY === true,
  };
}

/**
 * One short line for an error of node:util parseArgs (whose messages run to several lines
 * and quote oddly): an unknown option, an option without its value, an extra argument.
 */
export function argsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const message = String(e?.message ?? err);
  const option = /Option '(-[^' ]+)/.exec(message)?.[1] ?? /'(-[^']+)'/.exec(message)?.[1];
  switch (e?.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ? `'${option}'` : ''}`.trimEnd();
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /ambiguous/.test(message)
        ? `${option} takes a value; for one that starts with '-', write ${option}=VALUE`
        : `${option} needs a value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(message)?.[0] ?? ''}`.trimEnd();
    default:
      return message.split('\n')[0]!;
  }
}

/**
 * What is wrong with a command's positional arguments, given the names its usage shows for
 * the `required` ones (['SETTINGS', 'ENTRY']) and for those it may take after them
 * (['RUN']): "missing ENTRY" for the first one absent, "unexpected argument 'x'" for the
 * first one too many, or null when they fit.
 */
export function positionalsProblem(given: string[], required: string[], optional: string[] = []): string | null {
  if (given.length < required.length) return `missing ${required[given.length]}`;
  const extra = given[required.length + optional.length];
  return extra === undefined ? null : `unexpected argument '${extra}'`;
}

/** Says `whauto COMMAND: PROBLEM` and the command's usage on stderr; returns EXIT.usage. */
export function usageError(io: Io, command: string, help: string, problem: string): number {
  io.stderr(`whauto ${command}: ${problem}\n\n${help}`);
  return EXIT.usage;
}
