import { join } from 'node:path';

/** Where things live in the state dir. Entry names are URL-safe, so they are safe file names. */
export const layout = {
  /** The waiting (accepted, not yet started) run of one entry. */
  pending: (stateDir: string, entry: string) => join(stateDir, 'queue', `${entry}.json`),
  queueDir: (stateDir: string) => join(stateDir, 'queue'),
  runsDir: (stateDir: string, entry: string) => join(stateDir, 'runs', entry),
  allRunsDir: (stateDir: string) => join(stateDir, 'runs'),
  runRecord: (stateDir: string, entry: string, id: string) => join(stateDir, 'runs', entry, `${id}.json`),
  runLog: (stateDir: string, entry: string, id: string) => join(stateDir, 'runs', entry, `${id}.log`),
  runPayload: (stateDir: string, entry: string, id: string) => join(stateDir, 'runs', entry, `${id}.payload`),
  locksDir: (stateDir: string) => join(stateDir, 'locks'),
  /** One file per `whauto trigger` waiting for a busy checkout (it has no run record yet). */
  waitingDir: (stateDir: string) => join(stateDir, 'waiting'),
  waitingTrigger: (stateDir: string, id: string) => join(stateDir, 'waiting', `${id}.json`),
  /** Files found corrupt are moved here, never deleted, never a crash. */
  corruptDir: (stateDir: string) => join(stateDir, 'corrupt'),
};
