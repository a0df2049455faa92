import { closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync, write } from 'node:fs';
import { writeFileAtomic } from './atomic.ts';
import { dirname } from 'node:path';
import { crc32 } from './crc32.ts';
import { layout } from './layout.ts';

/**
 * The journal: how the daemon makes what it accepted durable with one write per group. Two
 * files, `queue/journal-0` and `queue/journal-1`, made once at their full size (zeros, fsync'd)
 * and then only overwritten in place with O_DSYNC: a write then costs the disk one data write,
 * with no file made, renamed or grown and no folder fsync'd (no filesystem journal commit, which
 * every other writer on the server contends for too).
 *
 * A file is a run of frames from offset 0: magic 'WHJ1', epoch, body length, CRC-32 of epoch,
 * length and body (all u32 little-endian), then the body. A reader takes the file whose first
 * frame is whole and has the higher epoch and reads its frames while they are whole and of that
 * epoch: a frame torn by a crash ends it, and so do frames left from earlier epochs. New frames
 * go after the last; when one does not fit, a snapshot (the whole current state) starts the
 * other file with the next epoch. Until that frame is whole, the first file still reads as it
 * was. The first write after opening is a snapshot too.
 */

const MAGIC = 0x314a4857; // 'WHJ1' read little-endian
const HEADER_BYTES = 16;
/** Writes going to the disk at once (the disk may do them together). */
const MAX_IN_FLIGHT = 2;
/** The size each file is made at (bytes); one grows (once, to twice what is needed) for a snapshot that does not fit. */
const FILE_BYTES = 1 << 20;

/** One frame's content: JSON items, and byte strings (payloads) items may refer to by index. */
export interface Frame {
  items: unknown[];
  blobs: Buffer[];
}

/** The bytes of `frame` under `epoch`: header, then u32 JSON length, JSON, and each blob as u32 length and bytes. */
function encode(frame: Frame, epoch: number): Buffer {
  const json = Buffer.from(JSON.stringify(frame.items));
  const bodyBytes = 4 + json.length + frame.blobs.reduce((n, b) => n + 4 + b.length, 0);
  const buf = Buffer.allocUnsafe(HEADER_BYTES + bodyBytes);
  buf.writeUInt32LE(MAGIC, 0);
  buf.writeUInt32LE(epoch, 4);
  buf.writeUInt32LE(bodyBytes, 8);
  let at = HEADER_BYTES;
  buf.writeUInt32LE(json.length, at);
  json.copy(buf, at + 4);
  at += 4 + json.length;
  for (const b of frame.blobs) {
    buf.writeUInt32LE(b.length, at);
    b.copy(buf, at + 4);
    at += 4 + b.length;
  }
  buf.writeUInt32LE((crc32(buf.subarray(4, 12)) ^ crc32(buf.subarray(HEADER_BYTES))) >>> 0, 12);
  return buf;
}

/** The frame at `at` of `buf` when whole (and of `epoch`, when given), with where the next begins; else null. */
function decodeAt(buf: Buffer, at: number, epoch?: number): { frame: Frame; epoch: number; next: number } | null {
  if (at + HEADER_BYTES > buf.length || buf.readUInt32LE(at) !== MAGIC) return null;
  const e = buf.readUInt32LE(at + 4);
  const len = buf.readUInt32LE(at + 8);
  if ((epoch !== undefined && e !== epoch) || at + HEADER_BYTES + len > buf.length || len < 4) return null;
  const body = buf.subarray(at + HEADER_BYTES, at + HEADER_BYTES + len);
  if (((crc32(buf.subarray(at + 4, at + 12)) ^ crc32(body)) >>> 0) !== buf.readUInt32LE(at + 12)) return null;
  try {
    const jsonLen = body.readUInt32LE(0);
    const items = JSON.parse(body.subarray(4, 4 + jsonLen).toString('utf8')) as unknown;
    if (!Array.isArray(items)) return null;
    const blobs: Buffer[] = [];
    for (let p = 4 + jsonLen; p < body.length;) {
      const n = body.readUInt32LE(p);
      blobs.push(Buffer.from(body.subarray(p + 4, p + 4 + n)));
      p += 4 + n;
    }
    return { frame: { items, blobs }, epoch: e, next: at + HEADER_BYTES + len };
  } catch {
    return null;
  }
}

/** A journal file's bytes, or an empty buffer when it cannot be read. */
function readAll(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch {
    return Buffer.alloc(0);
  }
}

/** The file to read (0 or 1) and its epoch: the one whose first frame is whole with the higher epoch; null when neither has one. */
function current(bufs: Buffer[]): { index: number; epoch: number } | null {
  let best: { index: number; epoch: number } | null = null;
  bufs.forEach((buf, index) => {
    const first = decodeAt(buf, 0);
    // Epochs only grow (wrapping at 2^32): the newer of two is at most half the range ahead.
    if (first && (!best || ((first.epoch - best.epoch) >>> 0) < 0x80000000)) best = { index, epoch: first.epoch };
  });
  return best;
}

/**
 * The frames of the state dir's journal, oldest first ([] when there is none). Only reads;
 * safe beside the daemon writing it (a frame being written is not whole yet and ends the list).
 */
export function readJournal(stateDir: string): Frame[] {
  const bufs = [0, 1].map((i) => readAll(layout.journal(stateDir, i)));
  const cur = current(bufs);
  if (!cur) return [];
  const buf = bufs[cur.index]!;
  const frames: Frame[] = [];
  for (let at = 0; ;) {
    const f = decodeAt(buf, at, cur.epoch);
    if (!f) break;
    frames.push(f.frame);
    at = f.next;
  }
  return frames;
}

/** Makes `file` at `bytes` (zeros), durably (see writeFileAtomic), and its folder when it is gone. */
function makeFile(file: string, bytes: number): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileAtomic(file, Buffer.alloc(bytes));
}

/** An open journal file. */
interface Open {
  fd: number;
  bytes: number;
}

/**
 * Writes the journal of one state dir (one process: the daemon). Each write is one positioned
 * O_DSYNC write on the libuv pool, so the main thread never waits for the disk. Writes must
 * not overlap: call write() again only once the last one settled.
 */
export class JournalWriter {
  private files: Array<Open | null> = [null, null];
  /** The file frames go to now, its epoch, and where the next frame goes; null: the next write is a snapshot. */
  private at: { index: number; epoch: number; pos: number } | null = null;
  private inFlight = 0;
  /** The last write's outcome: a write counts as done only once every write before it is. */
  private last: Promise<void> = Promise.resolve();
  /** Set by reset(): the files are opened again at the next write. */
  private stale = false;
  /** A write failed: the next starts afresh (a snapshot), once none is going. */
  private failed = false;

  constructor(private readonly stateDir: string) {}

  /**
   * Opens the files now (making them when missing: a few fsyncs), so that the first delivery
   * after a start does not wait for that. Throws on I/O errors (then the first write tries again).
   */
  prepare(): void {
    this.open(0);
    this.open(1);
  }

  /** The next write is a snapshot, into files opened (and made, when gone) again: the state dir was removed and made again. */
  reset(): void {
    this.stale = true;
  }

  /**
   * Whether write() may be called now: fewer than MAX_IN_FLIGHT writes are going, and none is
   * when the files must be opened again (their descriptors are not closed under a write).
   */
  canWrite(): boolean {
    if (this.inFlight >= MAX_IN_FLIGHT) return false;
    return this.inFlight === 0 || !(this.failed || this.stale || (this.at !== null && this.gone(this.at.index)));
  }

  private reopen(): void {
    for (const f of this.files) if (f) closeSync(f.fd);
    this.files = [null, null];
    this.at = null;
    this.stale = false;
  }

  /**
   * Writes `delta` after the frames so far, or `snapshot()` (everything that is waiting now) at
   * the start of the other file when `delta` does not fit, after opening, or after a reset or a
   * failed write. A file removed under the writer (the state dir deleted) is seen here and made
   * again. Up to MAX_IN_FLIGHT writes go at once, to the places one after the other (the disk
   * may do them together); each resolves once its frame and every frame before it are on disk,
   * and rejects when one of them failed (a frame after a hole does not read). Call only when
   * canWrite().
   */
  write(delta: Frame, snapshot: () => Frame): Promise<void> {
    if (!this.canWrite()) return Promise.reject(new Error('journal writes must wait (see canWrite)'));
    let target: { index: number; epoch: number; pos: number };
    let bytes: Buffer;
    if (this.failed) {
      this.failed = false;
      this.at = null;
      this.last = Promise.resolve();
    }
    try {
      if (this.stale || (this.at && this.gone(this.at.index))) this.reopen();
      if (this.at === null) this.at = this.resume();
      bytes = encode(delta, this.at.epoch);
      target = this.at;
      if (this.at.pos === 0 || target.pos + bytes.length > this.open(target.index).bytes) {
        target = { index: 1 - this.at.index, epoch: (this.at.epoch + 1) >>> 0, pos: 0 };
        bytes = encode(snapshot(), target.epoch);
      }
      const f = this.open(target.index);
      if (bytes.length > f.bytes) this.grow(target.index, 2 * bytes.length);
    } catch (err) {
      return Promise.reject(err);
    }
    const fd = this.open(target.index).fd;
    this.at = { ...target, pos: target.pos + bytes.length };
    this.inFlight++;
    const own = new Promise<void>((resolve, reject) => {
      write(fd, bytes, 0, bytes.length, target.pos, (err) => {
        this.inFlight--;
        if (err) reject(err);
        else resolve();
      });
    });
    const done = Promise.all([this.last, own]).then(() => undefined);
    done.catch(() => { this.failed = true; });
    this.last = done;
    return done;
  }

  /** Where writing goes on after opening: position 0 of the file read now, so that the first write is a snapshot into the other. */
  private resume(): { index: number; epoch: number; pos: number } {
    const cur = current([0, 1].map((i) => readAll(layout.journal(this.stateDir, i))));
    return { index: cur?.index ?? 1, epoch: cur?.epoch ?? 0, pos: 0 };
  }

  private gone(index: number): boolean {
    const f = this.files[index];
    try {
      return f !== null && f !== undefined && fstatSync(f.fd).nlink === 0;
    } catch {
      return true;
    }
  }

  /** Journal file `index`, opened for O_DSYNC writes; made at FILE_BYTES when missing or shorter. */
  private open(index: number): Open {
    const have = this.files[index];
    if (have) return have;
    const file = layout.journal(this.stateDir, index);
    let fd: number;
    try {
      fd = openSync(file, constants.O_RDWR | constants.O_DSYNC);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      makeFile(file, FILE_BYTES);
      fd = openSync(file, constants.O_RDWR | constants.O_DSYNC);
    }
    const opened: Open = { fd, bytes: fstatSync(fd).size };
    this.files[index] = opened;
    if (opened.bytes < FILE_BYTES) this.grow(index, FILE_BYTES);
    return this.files[index]!;
  }

  /** Makes journal file `index` again at `bytes` (its old content is not needed: it is the one a snapshot starts now). */
  private grow(index: number, bytes: number): void {
    const f = this.files[index];
    if (f) closeSync(f.fd);
    this.files[index] = null;
    const file = layout.journal(this.stateDir, index);
    makeFile(file, bytes);
    const fd = openSync(file, constants.O_RDWR | constants.O_DSYNC);
    this.files[index] = { fd, bytes };
  }
}
