import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

async function writeTemp(file: string, data: string | Buffer): Promise<string> {
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  return tmp;
}

/**
 * Writes several files atomically, off the main thread, with as few waits for the disk as
 * the guarantee allows: every temp file is written and fsync'd at once, then renamed over its
 * file, then each folder is fsync'd once. When the promise resolves every file holds its new
 * content durably; a reader sees old or new, never half. Rejects on I/O errors (files renamed
 * before the error keep their new content).
 * `files`: [path, content] pairs; paths must differ.
 */
export async function writeFilesAtomic(files: Array<[string, string | Buffer]>): Promise<void> {
  const temps = await Promise.allSettled(files.map(([file, data]) => writeTemp(file, data)));
  const failed = temps.find((t): t is PromiseRejectedResult => t.status === 'rejected');
  if (failed) {
    await Promise.all(temps.map((t) => (t.status === 'fulfilled' ? unlink(t.value).catch(() => undefined) : undefined)));
    throw failed.reason;
  }
  for (let i = 0; i < files.length; i++) await rename((temps[i] as PromiseFulfilledResult<string>).value, files[i]![0]);
  await Promise.all([...new Set(files.map(([file]) => dirname(file)))].map(async (dir) => {
    try {
      const fh = await open(dir, 'r');
      try { await fh.sync(); } finally { await fh.close(); }
    } catch { /* some filesystems refuse fsync on a folder; the rename is still atomic */ }
  }));
}
