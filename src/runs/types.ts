import type { Trigger } from '../model/names.ts';
import type { DeliveryRef } from '../model/run-record.ts';
import type { Target } from '../model/target.ts';
import type { Entry } from '../settings/types.ts';
import type { RollbackTo } from '../update/types.ts';

export interface RunRequest {
  /** Unique run id, e.g. '20261129T072714123Z-3f2a'. */
  id: string;
  entry: Entry;
  trigger: Trigger;
  target: Target;
  /** The newest deliveries (at most KEEP_DELIVERIES), oldest first; empty for a manual run. The last one fills WHAUTO_* values. */
  deliveries: DeliveryRef[];
  /** How many deliveries the run stands for (default: deliveries.length). */
  deliveryCount?: number;
  /** Path of a file holding the raw payload of the last delivery, or null. */
  payloadFile: string | null;
  /** A rollback (trigger 'rollback'): what it goes back to instead of the target's remote tip. */
  rollback?: RollbackTo;
}
