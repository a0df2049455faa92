import type { PushEvent } from './types.ts';
import { checkRef, refNames } from './ref.ts';

/** 40 (SHA-1) or 64 (SHA-256) zeros: the forge's "no commit" (ref created or deleted). */
export function isZeroCommit(id: string | null): boolean {
  return id !== null && /^0+$/.test(id);
}

interface PushFields {
  forge: string;
  event: string;
  /** Unchecked ref; goes through checkRef. */
  ref: unknown;
  /** Where the ref sat in the payload, for error messages. */
  refPath?: string;
  before: string | null;
  after: string | null;
  deleted: boolean;
  fullName: string;
  cloneUrls: string[];
  pusher: string | null;
  deliveryId: string | null;
}

/**
 * Builds one normalized PushEvent: checks the ref (PayloadError when bad), splits it into branch
 * or tag, takes the last path segment of `fullName` as the name and removes duplicate URLs.
 */
export function pushEvent(f: PushFields): PushEvent {
  const ref = checkRef(f.ref, f.refPath ?? 'ref');
  const { branch, tag } = refNames(ref);
  return {
    forge: f.forge,
    event: f.event,
    ref,
    branch,
    tag,
    before: f.before,
    after: f.after,
    deleted: f.deleted,
    repository: {
      fullName: f.fullName,
      name: f.fullName.split('/').pop() ?? '',
      cloneUrls: [...new Set(f.cloneUrls.filter((u) => u !== ''))],
    },
    pusher: f.pusher,
    deliveryId: f.deliveryId,
  };
}
