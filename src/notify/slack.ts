import type { Format } from './types.ts';
import { jsonRequest } from './request.ts';
import { details, headline } from './text.ts';

/** Slack's limit of a section block's text (characters). */
const SECTION_MAX = 3000;

/** Text in Slack's mrkdwn: &, < and > escaped (https://api.slack.com/reference/surfaces/formatting#escaping). */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const section = (text: string): object => ({ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, SECTION_MAX) } });

/**
 * `slack`: an incoming webhook (https://api.slack.com/messaging/webhooks): POST
 * `{text, blocks}` to the webhook URL; `text` is the fallback notifications show, the blocks
 * (https://api.slack.com/reference/block-kit/blocks#section) the headline in bold, the
 * details, and the log's tail in a code block.
 */
export const slack: Format = {
  request(to, a) {
    const blocks = [section(`*${escape(headline(a))}*\n${details(a).map(escape).join('\n')}`)];
    if (a.logTail?.length) blocks.push(section('```\n' + escape(a.logTail.join('\n')).replace(/```/g, "'''") + '\n```'));
    return jsonRequest('POST', to.url, { text: headline(a), blocks });
  },
};
