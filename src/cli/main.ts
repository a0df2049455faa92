// The executable: a few lines that hand argv to cli() and exit with its code.
import { cli } from './cli.ts';
import { processIo } from './io.ts';

// A reader that goes away (`whauto status | head`) is not an error: a command stops quietly;
// the daemon keeps serving and drops its log lines.
const daemon = process.argv[2] === 'serve';
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    if (!daemon) process.exit(process.exitCode ?? 0);
  });
}

cli(processIo(), process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`whauto: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
