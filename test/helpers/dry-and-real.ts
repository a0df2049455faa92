// The dry run and the run of one `whauto trigger`, side by side: the end-to-end scenarios that
// hold a dry run to its word.
import assert from 'node:assert/strict';
import { whauto } from './run.ts';

/** A command's exit status and its output (stdout, then stderr). */
export interface Outcome {
  status: number | null;
  out: string;
}

/** `whauto ARGS` with `env`: its Outcome. */
export function outcome(args: string[], env: NodeJS.ProcessEnv): Outcome {
  const r = whauto(args, { env });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/**
 * `trigger('--dry-run')`, then `trigger()`: asserts the run ended (0 succeeded, 1 failed) and
 * the dry run exited as it did; returns both.
 */
export function dryThenReal(trigger: (...args: string[]) => Outcome): { dry: Outcome; real: Outcome } {
  const dry = trigger('--dry-run');
  const real = trigger();
  assert.ok(real.status === 0 || real.status === 1, real.out);
  assert.equal(dry.status, real.status, `the dry run's exit code is the run's outcome\n--- dry run:\n${dry.out}\n--- run:\n${real.out}`);
  return { dry, real };
}
