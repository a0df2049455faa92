import { targetRef } from '../model/target.ts';
import type { RunRequest } from './types.ts';

export interface RunEnvValues {
  /** HEAD before the update ('' unknown). */
  previous: string | null;
  /** The commit now checked out (null before the update: WHAUTO_AFTER is ''). */
  after: string | null;
  /** For on_failure: '<kind>: <name>' of the step that failed. */
  failedStep?: string;
}

/**
 * The WHAUTO_* variables of a run (SPEC section 5), values from the last delivery, '' where
 * unknown. Payload values reach commands only this way, never in a command line. NUL
 * characters (which no environment value can hold) are dropped.
 */
export function whautoVars(req: RunRequest, values: RunEnvValues): Record<string, string> {
  const last = req.deliveries[req.deliveries.length - 1];
  const ref = last?.ref ?? targetRef(req.target);
  const vars: Record<string, string> = {
    WHAUTO_ENTRY: req.entry.name,
    WHAUTO_RUN_ID: req.id,
    WHAUTO_TRIGGER: req.trigger,
    WHAUTO_FORGE: last?.forge ?? '',
    WHAUTO_EVENT: last?.event ?? '',
    WHAUTO_DELIVERY: last?.deliveryId ?? '',
    WHAUTO_REF: ref,
    WHAUTO_BRANCH: req.target.kind === 'branch' ? req.target.name : '',
    WHAUTO_TAG: req.target.kind === 'tag' ? req.target.name : '',
    WHAUTO_BEFORE: last?.before ?? '',
    WHAUTO_AFTER: values.after ?? '',
    WHAUTO_PREVIOUS: values.previous ?? '',
    WHAUTO_PUSHER: last?.pusher ?? '',
    WHAUTO_REPOSITORY: last?.repository ?? req.entry.repo ?? '',
    WHAUTO_PAYLOAD: req.payloadFile ?? '',
  };
  if (values.failedStep !== undefined) vars.WHAUTO_FAILED_STEP = values.failedStep;
  // No environment value can hold NUL (spawn would refuse, failing every step): drop it.
  for (const [k, v] of Object.entries(vars)) if (v.includes('\0')) vars[k] = v.replaceAll('\0', '');
  return vars;
}

/**
 * A command's whole environment: `base` (the daemon's, default process.env) without the
 * variables secrets come from (entry.secretVars: commands print their environment into
 * logs), then entry.env, then GIT_TERMINAL_PROMPT=0 and the WHAUTO_* variables (which win).
 */
export function runEnv(
  req: RunRequest,
  values: RunEnvValues,
  base: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const hidden = new Set(req.entry.secretVars ?? []);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined && !hidden.has(k)) env[k] = v;
  return { ...env, ...req.entry.env, GIT_TERMINAL_PROMPT: '0', ...whautoVars(req, values) };
}
