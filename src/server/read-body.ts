import type { IncomingMessage } from 'node:http';

export class BodyTooLarge extends Error {}

/** The client went away (or broke the framing) before the body was complete: a client fault. */
export class BodyIncomplete extends Error {}

/** The body was not complete within the time given. */
export class BodyTimedOut extends Error {}

/**
 * Reads the request body up to `max` bytes, within `timeoutMs` (ms). Rejects with BodyTooLarge
 * as soon as more arrives (the rest is not read), with BodyTimedOut when the body is not
 * complete in time (the rest is not read), or with BodyIncomplete when the client goes away
 * or the stream fails before the end (a Content-Length that promised more, a broken chunk).
 */
export function readBody(req: IncomingMessage, max: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (err: Error): void => {
      clearTimeout(timer);
      req.off('data', onData);
      req.pause();
      reject(err);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > max) {
        stop(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    // Node's own requestTimeout is checked only now and then, and was seen not to cut a slow body.
    const timer = setTimeout(() => stop(new BodyTimedOut()), timeoutMs);
    req.on('data', onData);
    // A body that came in one chunk (the usual webhook) is used as it is, not copied.
    req.once('end', () => {
      clearTimeout(timer);
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.once('error', (err) => stop(new BodyIncomplete(err.message)));
    req.once('aborted', () => stop(new BodyIncomplete('client aborted')));
  });
}
