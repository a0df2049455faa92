import type { Announcement, Format } from './types.ts';
import { bearer, USER_AGENT } from './request.ts';
import { headline, plainText } from './text.ts';

/** ntfy's priority (1 min … 5 max) by event: failures high, a start low. */
const PRIORITY: Record<Announcement['event'], number> = {
  started: 2, succeeded: 3, 'rolled back': 3, failed: 4, 'timed out': 4, interrupted: 3, test: 3,
};

/** ntfy's tags (emoji short codes it shows before the title) by event. */
const TAGS: Record<Announcement['event'], string> = {
  started: 'rocket', succeeded: 'white_check_mark', 'rolled back': 'leftwards_arrow_with_hook',
  failed: 'x', 'timed out': 'hourglass', interrupted: 'warning', test: 'test_tube',
};

/** ntfy keeps a message up to 4096 bytes as text; a longer one becomes an attachment. */
const BODY_MAX = 4000;

/** A header value fetch can send: ASCII as it is, else an RFC 2047 encoded word (ntfy decodes them). */
function headerText(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

/** `text` cut to `max` bytes of UTF-8 without splitting a character. */
function cutBytes(text: string, max: number): string {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= max ? text : bytes.subarray(0, max).toString('utf8').replace(/\uFFFD+$/, '');
}

/**
 * `ntfy`: publish to a topic (https://docs.ntfy.sh/publish/): POST the message as plain text
 * to the topic's URL with the headers `Title` (the headline), `Priority` (1–5) and `Tags`
 * (https://docs.ntfy.sh/publish/#message-title, #message-priority, #tags-emojis), and
 * `Authorization: Bearer <access token>` when a token is given (#access-tokens).
 */
export const ntfy: Format = {
  request(to, a) {
    return {
      method: 'POST',
      url: to.url,
      headers: {
        'Content-Type': 'text/plain; charset=utf-8',
        'User-Agent': USER_AGENT,
        Title: headerText(headline(a)),
        Priority: String(PRIORITY[a.event]),
        Tags: TAGS[a.event],
        ...bearer(to.token),
      },
      body: cutBytes(plainText(a), BODY_MAX),
    };
  },
};
