import type { UpdateMode } from '../model/names.ts';
import { ffOnlyStrategy } from './ff-only.ts';
import { noneStrategy } from './none.ts';
import { resetStrategy } from './reset.ts';
import type { Strategy } from './types.ts';

/**
 * Every update mode's strategy. A new mode in UPDATE_MODES (model/names.ts) fails to compile
 * here until it has one; the rest of whauto reaches a mode only through this table.
 */
export const STRATEGIES: Record<UpdateMode, Strategy> = {
  reset: resetStrategy,
  'ff-only': ffOnlyStrategy,
  none: noneStrategy,
};
