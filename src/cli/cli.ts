import { EXIT, type Io } from './io.ts';
import { VERSION } from './version.ts';

const USAGE = `whauto ${VERSION}: turns a git push into a deployment

usage:
  whauto serve   SETTINGS [--listen HOST:PORT]
                                           run the daemon (--listen: instead of the file's listen)
  whauto trigger SETTINGS ENTRY [--dry-run] [--no-wait] [--branch B | --tag T]
                                           run one entry now, as if a webhook had come
  whauto check   SETTINGS [--json]         validate the settings; exit 0 only when valid
  whauto status  SETTINGS [ENTRY] [--json] [--runs N] [--log [RUN]]
                                           the queue and the recent runs
  whauto init    [DIR] --repo OWNER/NAME --branch B [--provider P] [--repodir PATH]
                 [--clone-url URL] [--url https://HOST] [--name NAME] [--listen HOST:PORT]
                 [--systemd]
                                           write a starter settings file and a secret
  whauto init    --from OLD.yaml [DIR | --out FILE]
                                           write the modern spelling of a 0.0.x settings file
  whauto notify  SETTINGS ENTRY --test [--status COMMIT]
                                           send a test message to the entry's notify targets
  whauto schema                            print the settings file's JSON Schema
  whauto --help | --version | <command> --help

exit codes: 0 success, 1 a run failed, 2 usage error or invalid settings,
            75 trigger --no-wait found the entry busy
`;

type Command = (io: Io, args: string[]) => Promise<number>;

// Each command's module (and what it pulls in: yaml, node:http, worker_threads...) is loaded
// only when that command runs, so `--version` or `check` do not pay for the daemon's start-up.
const COMMANDS: Record<string, () => Promise<Command>> = {
  check: async () => (await import('./check.ts')).runCheck,
  serve: async () => (await import('./serve.ts')).runServe,
  trigger: async () => (await import('./trigger.ts')).runTrigger,
  status: async () => (await import('./status.ts')).runStatus,
  init: async () => (await import('./init.ts')).runInit,
  schema: async () => (await import('./schema.ts')).runSchema,
  notify: async () => (await import('./notify.ts')).runNotify,
};

/**
 * Runs the command line `argv` (without node and script). Returns the exit code;
 * never calls process.exit, so tests can call it in process.
 */
export async function cli(io: Io, argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(USAGE);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout(`whauto ${VERSION} (node ${process.version})\n`);
    return EXIT.ok;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    io.stderr(`whauto: unknown command '${name}'\n\n${USAGE}`);
    return EXIT.usage;
  }
  return (await load())(io, args);
}
