// The git side of a run, as the runs module uses it.
export { updateCheckout } from './update-checkout.ts';
export { remoteTip } from './remote-tip.ts';
export { head } from './head.ts';
export { gitEnv } from './git-env.ts';
export type { GitOptions, UpdateResult } from './types.ts';
