import { join } from 'node:path';

/** Where things live in the state dir. Entry names are URL-safe, so they are safe file names. */
export const layout = {
  /** The waiting run of one entry as versions before the journal kept it (read at start, then removed). */
  pending: (stateDir: string, entry: string) => join(stateDir, 'queue', `${entry}.json`),
  queueDir: (stateDir: string) => join(stateDir, 'queue'),
  /** The two files of the journal of accepted runs (see journal.ts); `index` 0 or 1. */
  journal: (stateDir: string, index: number) => join(stateDir, 'queue', `journal-${index}`),
  runsDir: (stateDir: string, entry: string) => join(stateDir, 'runs', entry),
  allRunsDir: (stateDir: string) => join(stateDir, 'runs'),
  runRecord: (stateDir: string, entry: string, id: string) => join(stateDir, 'runs', entry, `${id}.json`),
  runLog: (stateDir: string, entry: string, id: string) => join(stateDir, 'runs', entry, `${id}.log`),
  runPayload: (stateDir: string, entry: string, id: string) => join(stateDir, 'runs', entry, `${id}.payload`),
  /** Says the run is running (see markRunning). */
  runMark: (stateDir: string, entry: string, id: string) => join(stateDir, 'runs', entry, `${id}.running`),
  /** Says every run that may say running has its mark (see marksComplete). */
  runMarksComplete: (stateDir: string) => join(stateDir, '.runs-marked'),
  locksDir: (stateDir: string) => join(stateDir, 'locks'),
  /** One file per `whauto trigger` waiting for a busy checkout (it has no run record yet). */
  waitingDir: (stateDir: string) => join(stateDir, 'waiting'),
  waitingTrigger: (stateDir: string, id: string) => join(stateDir, 'waiting', `${id}.json`),
  /** What polling an entry's remote found last (not durable: the next poll writes it again). */
  pollsDir: (stateDir: string) => join(stateDir, 'polls'),
  pollState: (stateDir: string, entry: string) => join(stateDir, 'polls', `${entry}.json`),
  /** Files found corrupt are moved here, never deleted, never a crash. */
  corruptDir: (stateDir: string) => join(stateDir, 'corrupt'),
};
