import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** One file to write atomically; `durable`: fsync'd (file and folder) before the write counts as done. */
export interface FileWrite {
  file: string;
  data: string | Uint8Array;
  durable: boolean;
}

async function writeTemp(file: string, data: string | Uint8Array, durable: boolean): Promise<string> {
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'w', 0o600).catch(async (err: NodeJS.ErrnoException) => {
    // Its folder removed under the daemon (the state dir deleted): made again, as at start.
    if (err.code !== 'ENOENT') throw err;
    await mkdir(dirname(file), { recursive: true });
    return open(tmp, 'w', 0o600);
  });
  try {
    await fh.writeFile(data);
    if (durable) await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  return tmp;
}

/**
 * Writes several files atomically with async fs calls: every temp file is written (and
 * fsync'd when durable; its folder made again when it is gone) at once, then renamed over its
 * file, then each folder holding a durable file is fsync'd once. When the promise resolves the durable files hold their new content on
 * disk; a reader sees old or new, never half. Rejects on I/O errors (files renamed before
 * the error keep their new content). Paths must differ.
 */
export async function writeFilesAtomic(files: FileWrite[]): Promise<void> {
  const temps = await Promise.allSettled(files.map((f) => writeTemp(f.file, f.data, f.durable)));
  const failed = temps.find((t): t is PromiseRejectedResult => t.status === 'rejected');
  if (failed) {
    await Promise.all(temps.map((t) => (t.status === 'fulfilled' ? unlink(t.value).catch(() => undefined) : undefined)));
    throw failed.reason;
  }
  for (let i = 0; i < files.length; i++) await rename((temps[i] as PromiseFulfilledResult<string>).value, files[i]!.file);
  await Promise.all([...new Set(files.filter((f) => f.durable).map((f) => dirname(f.file)))].map(async (dir) => {
    try {
      const fh = await open(dir, 'r');
      try { await fh.sync(); } finally { await fh.close(); }
    } catch { /* some filesystems refuse fsync on a folder; the rename is still atomic */ }
  }));
}
