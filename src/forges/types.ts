import type { IncomingHttpHeaders } from 'node:http';

/** A push, normalized across forges. Bitbucket deliveries with several changes give several. */
export interface PushEvent {
  /** Provider name that read the delivery ('github', 'gitea', …). */
  forge: string;
  /** The forge's event name as sent: 'push', 'Push Hook', 'repo:push', 'repo:refs_changed', … */
  event: string;
  /** Full ref: 'refs/heads/x' or 'refs/tags/x'. */
  ref: string;
  /** Branch name for refs/heads/*, else null. */
  branch: string | null;
  /** Tag name for refs/tags/*, else null. */
  tag: string | null;
  /** Commit ids (hex) or null when the forge does not say. */
  before: string | null;
  after: string | null;
  /** The ref was deleted by this push. */
  deleted: boolean;
  repository: {
    /** 'owner/name' (GitLab: full path with subgroups; Bitbucket Server: PROJECT/slug). */
    fullName: string;
    /** Last path segment. */
    name: string;
    /** Clone URLs named by the payload (https, ssh, …), most useful first. */
    cloneUrls: string[];
  };
  /** Login or name of who pushed, or null. */
  pusher: string | null;
  /** Delivery id header value, or null. */
  deliveryId: string | null;
}

/**
 * A delivery as the server hands it to a forge: the raw bytes and what the content type says.
 * For a form body (`application/x-www-form-urlencoded`), `payload` is the decoded value of the
 * one `payload` field; for JSON it is `body` itself.
 */
export interface Delivery {
  headers: IncomingHttpHeaders;
  /** Raw request body bytes, exactly as received. */
  body: Buffer;
  contentType: 'json' | 'form';
  /** The JSON document's bytes (the body, or the form's payload value). */
  payload: Buffer;
}

/** Outcome of verification. 401: the signature/token is missing; 403: it is wrong. */
export type VerifyResult =
  | { ok: true }
  | { ok: false; status: 401 | 403; reason: string };

/** Outcome of parsing a verified delivery. */
export type ParseResult =
  | { kind: 'push'; events: PushEvent[] }
  | { kind: 'ignore'; event: string; reason: string };

/** The payload is not a valid delivery for this forge (answer 400 with `message`). */
export class PayloadError extends Error {
  override name = 'PayloadError';
}

/** One forge. A forge file exports one of these; `registry.ts` lists them. */
export interface Forge {
  name: string;
  /**
   * Headers that only this forge's deliveries carry (its event header; [] for plain). Used on
   * the single webhook URL to answer a refused delivery with the reason its own forge's
   * entries give, not another forge's. Other forges may send them too (Gitea sends X-GitHub-Event).
   */
  eventHeaders: string[];
  /**
   * Checks the delivery's authenticity on raw bytes, in constant time.
   * `secret` null: the entry has no secret; the forge accepts (plain) or accepts unsigned.
   * Never throws for bad input; never reveals the expected value in `reason`.
   */
  verify(delivery: Delivery, secret: string | null): VerifyResult;
  /**
   * Reads a verified delivery. `json` is `JSON.parse(delivery.payload)` (already checked to be
   * an object). Throws PayloadError when the body is not a valid payload for this forge.
   */
  parse(delivery: Delivery, json: Record<string, unknown>): ParseResult;
}
