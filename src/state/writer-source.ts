/**
 * The code of the state writer's worker thread, as JavaScript source (a worker of a single
 * executable cannot load our modules, so it gets its code as text).
 *
 * Messages in: { id, files: [{ file, data (string | Uint8Array), durable, handedOver }], unlink: [path] }.
 * Messages out: { id, error: string | null, buffers }: the memory of the files marked
 * handedOver (transferred to the worker) goes back, transferred, for reuse.
 * Jobs are done in the order they came. Every job that is waiting when the worker gets to it
 * is done in one batch, so a burst of jobs costs one round of fsyncs:
 *  1. each file is written to a temp file beside it (fsync'd when durable; its folder made
 *     again when it is gone), except one that a
 *     later job of the batch writes again durably with no unlink between: that one is left to
 *     the later write (whose content includes it: a pending run only grows), and the earlier
 *     job is answered with the later one's outcome;
 *  2. job by job: renames over the files; before a job's unlinks, the folders of the durable
 *     files renamed so far are fsync'd (what a job wrote durably is on disk before it removes
 *     anything); then its unlinks;
 *  3. at the end, the folders of the durable files renamed since are fsync'd.
 * Then each job is answered. A job whose temp file cannot be written fails alone (its other
 * files are not renamed) with the error; the others go on.
 */
export const WRITER_SOURCE = String.raw`
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

let queue = [];
let scheduled = false;

function syncDir(dir) {
  try {
    const fd = fs.openSync(dir, 'r');
    try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
  } catch (err) { /* some filesystems refuse fsync on a folder; the rename is still atomic */ }
}

function writeTemp(file, data, durable) {
  const tmp = path.join(path.dirname(file), '.' + path.basename(file) + '.' + crypto.randomBytes(4).toString('hex') + '.tmp');
  let fd;
  try {
    fd = fs.openSync(tmp, 'w', 0o600);
  } catch (err) {
    // Its folder removed under the daemon (the state dir deleted): made again, as at start.
    if (!err || err.code !== 'ENOENT') throw err;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fd = fs.openSync(tmp, 'w', 0o600);
  }
  try {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
    if (durable) fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    try { fs.unlinkSync(tmp); } catch (e) { /* gone */ }
    throw err;
  }
  fs.closeSync(fd);
  return tmp;
}

function runBatch(jobs) {
  const errors = jobs.map(() => null);
  const temps = jobs.map(() => []);
  // coveredBy[j][i]: the later job that writes job j's i-th file again (durably, no unlink between).
  const coveredBy = jobs.map((job) => job.files.map(() => -1));
  const later = new Map();
  for (let j = jobs.length - 1; j >= 0; j--) {
    const job = jobs[j];
    if (job.unlink.length > 0) later.clear();
    job.files.forEach((f, i) => {
      const k = later.get(f.file);
      if (k !== undefined) coveredBy[j][i] = k;
      if (f.durable && k === undefined) later.set(f.file, j);
      else if (!f.durable) later.delete(f.file);
    });
  }
  jobs.forEach((job, j) => {
    try {
      job.files.forEach((f, i) => temps[j].push(coveredBy[j][i] >= 0 ? null : writeTemp(f.file, f.data, f.durable)));
    } catch (err) {
      errors[j] = (err && err.message) || String(err);
    }
  });
  // A job fails with the later write it relied on; a failed job's temp files go.
  for (let j = jobs.length - 1; j >= 0; j--) {
    coveredBy[j].forEach((k) => { if (k >= 0 && errors[k] && !errors[j]) errors[j] = errors[k]; });
    if (errors[j]) for (const t of temps[j]) if (t) { try { fs.unlinkSync(t); } catch (e) { /* gone */ } }
  }
  let dirty = new Set();
  jobs.forEach((job, j) => {
    if (errors[j]) return;
    try {
      job.files.forEach((f, i) => {
        if (!temps[j][i]) return;
        fs.renameSync(temps[j][i], f.file);
        if (f.durable) dirty.add(path.dirname(f.file));
      });
      if (job.unlink.length > 0) {
        for (const d of dirty) syncDir(d);
        dirty = new Set();
        for (const u of job.unlink) { try { fs.unlinkSync(u); } catch (e) { /* already gone */ } }
      }
    } catch (err) {
      errors[j] = (err && err.message) || String(err);
    }
  });
  for (const d of dirty) syncDir(d);
  // Memory the main thread handed over comes back with the answer, for its next texts.
  jobs.forEach((job, j) => {
    const buffers = job.files.filter((f) => f.handedOver).map((f) => f.data.buffer);
    parentPort.postMessage({ id: job.id, error: errors[j], buffers }, buffers);
  });
}

parentPort.on('message', (job) => {
  queue.push(job);
  if (scheduled) return;
  scheduled = true;
  // Let every message already sent join the batch.
  setImmediate(() => {
    scheduled = false;
    const jobs = queue;
    queue = [];
    runBatch(jobs);
  });
});
`;
