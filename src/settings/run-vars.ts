/**
 * The variables whauto sets for every run (SPEC section 5; runs/run-env.ts fills them, and a
 * test keeps the two lists equal). An entry's `env` cannot set these: whauto's values win.
 */
export const RUN_VARS: readonly string[] = [
  'WHAUTO_ENTRY', 'WHAUTO_RUN_ID', 'WHAUTO_TRIGGER', 'WHAUTO_FORGE', 'WHAUTO_EVENT', 'WHAUTO_DELIVERY',
  'WHAUTO_REF', 'WHAUTO_BRANCH', 'WHAUTO_TAG', 'WHAUTO_BEFORE', 'WHAUTO_AFTER', 'WHAUTO_PREVIOUS',
  'WHAUTO_PUSHER', 'WHAUTO_REPOSITORY', 'WHAUTO_PAYLOAD', 'WHAUTO_FAILED_STEP',
];
