import { readdirSync, watch, type FSWatcher } from 'node:fs';
import { basename } from 'node:path';
import type { Logger } from '../log/logger.ts';
import { targetRef } from '../model/target.ts';
import type { RunRecord } from '../model/run-record.ts';
import { isRunId } from '../model/run-id.ts';
import { layout } from '../state/layout.ts';
import { readJsonState } from '../state/read-json.ts';
import { checkRun } from '../state/shape.ts';
import { logRunFinished } from './finished-line.ts';

/** Run ids said 'run finished' of that are remembered (a record written again says nothing twice). */
const REMEMBERED = 1000;

/**
 * Puts the runs other processes start on this state dir (`whauto trigger`, `whauto rollback`)
 * in the daemon's log, as its own runs are: a 'run started' and a 'run finished' line, marked
 * with their trigger and process. Watches the entries' run folders (fs.watch: inotify on
 * Linux) and reads a record when it is written, so a run of a few milliseconds is seen too;
 * only runs that start after the watch began are told of.
 */
export class OutsideRuns {
  private readonly watchers = new Map<string, FSWatcher>();
  /** What was said of a run: started, or finished too. */
  private readonly said = new Map<string, 'started' | 'finished'>();
  private readonly since = new Date().toISOString();
  private first = true;

  /** `entries`: the names of the entries the settings have now. */
  constructor(private readonly stateDir: string, private readonly logger: Logger, private readonly entries: () => string[]) {}

  /**
   * Watches the run folders there are (again after one was removed; a new one from its first
   * record on). Cheap when nothing changed (a stat per entry's folder that is not watched
   * yet); call now and then (serve: every second).
   */
  look(): void {
    const wanted = new Set([layout.allRunsDir(this.stateDir), ...this.entries().map((e) => layout.runsDir(this.stateDir, e))]);
    for (const [dir, w] of this.watchers) {
      if (wanted.has(dir)) continue;
      w.close();
      this.watchers.delete(dir);
    }
    for (const dir of wanted) {
      if (this.watchers.has(dir)) continue;
      let w: FSWatcher;
      try {
        w = watch(dir, { persistent: false }, (_event, name) => this.changed(dir, name === null ? null : String(name)));
      } catch {
        continue; // not there yet
      }
      w.on('error', () => {
        w.close();
        if (this.watchers.get(dir) === w) this.watchers.delete(dir);
      });
      this.watchers.set(dir, w);
      // Records written before the folder was watched (its first run made it): read once.
      if (!this.first) this.scan(dir);
    }
    this.first = false;
  }

  /** Stops watching. */
  close(): void {
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  private changed(dir: string, name: string | null): void {
    if (dir === layout.allRunsDir(this.stateDir)) {
      // A new entry folder: watched now.
      this.look();
      return;
    }
    if (name === null || !name.endsWith('.json')) return;
    const id = name.slice(0, -'.json'.length);
    if (isRunId(id)) this.record(basename(dir), id);
  }

  private scan(dir: string): void {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) this.changed(dir, name);
  }

  /** Reads the record of run `id` of `entry` just written, and says what it has not said of it yet. */
  private record(entry: string, id: string): void {
    if (this.said.get(id) === 'finished') return;
    const r = readJsonState<RunRecord>(this.stateDir, layout.runRecord(this.stateDir, entry, id), () => undefined, { setAside: false, check: checkRun(entry, id) });
    // The daemon's own runs say so themselves; runs from before this daemon are not news.
    if (!r || r.pid === process.pid || r.startedAt < this.since) return;
    if (!this.said.has(id)) {
      this.logger.info('run started', { entry, run: id, trigger: r.trigger, ref: targetRef(r.target), pid: r.pid });
      this.said.set(id, 'started');
    }
    if (r.result === 'running') return;
    logRunFinished(this.logger, r, { trigger: r.trigger, pid: r.pid });
    this.said.delete(id);
    this.said.set(id, 'finished');
    if (this.said.size > REMEMBERED) this.said.delete(this.said.keys().next().value!);
  }
}
