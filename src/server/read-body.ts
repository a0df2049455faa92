import type { IncomingMessage } from 'node:http';

export class BodyTooLarge extends Error {}

/** The client went away (or broke the framing) before the body was complete: a client fault. */
export class BodyIncomplete extends Error {}

/**
 * Reads the request body up to `max` bytes. Rejects with BodyTooLarge as soon as more arrives
 * (the rest is not read), or with BodyIncomplete when the client goes away or the stream fails
 * before the end (a Content-Length that promised more, a broken chunk).
 */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > max) {
        req.off('data', onData);
        req.pause();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    // A body that came in one chunk (the usual webhook) is used as it is, not copied.
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.once('error', (err) => reject(new BodyIncomplete(err.message)));
    req.once('aborted', () => reject(new BodyIncomplete('client aborted')));
  });
}
