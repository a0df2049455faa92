import { gitWords } from '../git/explain-failure.ts';
import type { GitResult } from '../git/run-git.ts';
import type { UpdateFailure } from './types.ts';

/** An update failure: whauto's summary, and git's own words from `r` when a git step failed. */
export function failure(message: string, r?: GitResult | null): UpdateFailure {
  return {
    message, gitLines: r ? gitWords(r) : [],
    ...(r?.timedOut ? { timedOut: true } : {}), ...(r?.aborted ? { aborted: true } : {}),
  };
}
