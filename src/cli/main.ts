// The executable: a few lines that hand argv to cli() and exit with its code.
import { cli } from './cli.ts';
import { processIo } from './io.ts';

cli(processIo(), process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`whauto: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
