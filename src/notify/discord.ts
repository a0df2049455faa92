import type { Announcement, Format } from './types.ts';
import { jsonRequest } from './request.ts';
import { details, headline } from './text.ts';

/** An embed's colour (an RGB integer) by event. */
const COLOUR: Record<Announcement['event'], number> = {
  started: 0x1d9bd1,
  succeeded: 0x2eb67d,
  'rolled back': 0x2eb67d,
  failed: 0xe01e5a,
  'timed out': 0xe01e5a,
  interrupted: 0x95a5a6,
  test: 0x95a5a6,
};

/**
 * `discord`: execute a webhook (https://discord.com/developers/docs/resources/webhook#execute-webhook):
 * POST `{username, embeds, allowed_mentions}` to the webhook URL. One embed
 * (https://discord.com/developers/docs/resources/message#embed-object): the headline as its
 * title (at most 256 characters), the details and the log's tail as its description (at most
 * 4096), a colour, the time. `allowed_mentions: {parse: []}`: an @everyone in a commit
 * subject pings nobody.
 */
export const discord: Format = {
  request(to, a) {
    const tail = a.logTail?.length ? `\n\`\`\`\n${a.logTail.join('\n').replace(/```/g, "'''")}\n\`\`\`` : '';
    const embed = {
      title: headline(a).slice(0, 256),
      description: (details(a).join('\n') + tail).slice(0, 4096),
      color: COLOUR[a.event],
      timestamp: a.finishedAt ?? a.startedAt,
    };
    return jsonRequest('POST', to.url, { username: 'whauto', embeds: [embed], allowed_mentions: { parse: [] } });
  },
};
