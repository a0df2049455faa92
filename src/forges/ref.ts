import { refNameProblem } from '../model/ref-name.ts';
import { targetOfRef } from '../model/target.ts';
import { PayloadError } from './types.ts';

/**
 * Checks a pushed ref and returns it: a branch or tag ref that passes refNameProblem.
 * Throws PayloadError naming what is wrong (never echoing the value).
 */
export function checkRef(ref: unknown, path = 'ref'): string {
  if (typeof ref !== 'string') throw new PayloadError(`${path}: expected a string`);
  const problem = refNameProblem(ref);
  if (problem === null) return ref;
  throw new PayloadError(problem.startsWith('expected') ? `${path}: ${problem}` : `${path}: not a valid ref name (${problem})`);
}

/** Branch and tag name of a checked ref: exactly one of them is set. */
export function refNames(ref: string): { branch: string | null; tag: string | null } {
  const target = targetOfRef(ref);
  return { branch: target?.kind === 'branch' ? target.name : null, tag: target?.kind === 'tag' ? target.name : null };
}
