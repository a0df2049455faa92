import { RUN_RESULTS, TRIGGERS } from '../model/names.ts';
/** Shape checks of state files: each returns why a value is unusable, or null when it is fine. */

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const isTime = (v: unknown): boolean => typeof v === 'string' && Number.isFinite(Date.parse(v));

function target(v: unknown): string | null {
  if (!isObj(v) || (v['kind'] !== 'branch' && v['kind'] !== 'tag') || typeof v['name'] !== 'string') return 'target is not {kind, name}';
  return null;
}

function deliveries(v: unknown): string | null {
  if (!Array.isArray(v) || !v.every((d) => isObj(d) && typeof d['forge'] === 'string' && typeof d['ref'] === 'string')) return 'deliveries is not a list of deliveries';
  return null;
}

/** A pending run (`queue/<entry>.json`) whose name must be `<entry>.json`. */
export function checkPending(entryFromName: string): (v: Obj) => string | null {
  return (v) => {
    if (typeof v['id'] !== 'string' || v['id'] === '') return 'no run id';
    if (v['entry'] !== entryFromName) return `entry is not '${entryFromName}' as the file name says`;
    if (!(TRIGGERS as readonly string[]).includes(v['trigger'] as string)) return `trigger is not one of ${TRIGGERS.join(', ')}`;
    if (!isTime(v['acceptedAt'])) return 'acceptedAt is not a time';
    if (v['payload'] !== undefined && typeof v['payload'] !== 'string') return 'payload is not base64 text';
    return target(v['target']) ?? deliveries(v['deliveries']);
  };
}

const RESULTS: readonly string[] = ['running', ...RUN_RESULTS];

/** A run record (`runs/<entry>/<id>.json`) whose name must be `<id>.json`. */
export function checkRun(entry: string, idFromName: string): (v: Obj) => string | null {
  return (v) => {
    if (v['id'] !== idFromName) return `id is not '${idFromName}' as the file name says`;
    if (v['entry'] !== entry) return `entry is not '${entry}'`;
    if (!RESULTS.includes(v['result'] as string)) return 'result is not one of ' + RESULTS.join(', ');
    if (!isTime(v['startedAt'])) return 'startedAt is not a time';
    if (v['endedAt'] !== null && !isTime(v['endedAt'])) return 'endedAt is not a time';
    if (!Number.isInteger(v['pid'])) return 'pid is not a number';
    if (typeof v['logFile'] !== 'string') return 'logFile is not a path';
    if (!Array.isArray(v['steps'])) return 'steps is not a list';
    return target(v['target']) ?? deliveries(v['deliveries']);
  };
}
