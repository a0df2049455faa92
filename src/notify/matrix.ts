import { MATRIX_ROOM_URL } from '../settings/check-url.ts';
import type { Format } from './types.ts';
import { bearer, jsonRequest } from './request.ts';
import { details, headline, plainText } from './text.ts';

const html = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * `matrix`: send a room message through the client-server API
 * (https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3roomsroomidsendeventtypetxnid):
 * PUT `<homeserver>/_matrix/client/v3/rooms/<room id>/send/m.room.message/<txn id>` with
 * `Authorization: Bearer <access token>` and an `m.text` message
 * (https://spec.matrix.org/latest/client-server-api/#mtext): `body` plain text,
 * `formatted_body` the same in `org.matrix.custom.html`. The target's url is the room's API
 * URL (see MATRIX_ROOM_URL). The transaction id is the run's and the event's, so a try
 * again after a lost answer does not post twice.
 */
export const matrix: Format = {
  request(to, a) {
    const m = MATRIX_ROOM_URL.exec(to.url);
    if (!m) throw new Error('a Matrix url must be a room\'s API URL (…/_matrix/client/v3/rooms/ROOM_ID)');
    const room = encodeURIComponent(decodeURIComponent(m[2]!));
    const txn = encodeURIComponent(`whauto.${a.runId}.${a.event.replace(/ /g, '-')}`);
    const tail = a.logTail?.length ? `<pre><code>${html(a.logTail.join('\n'))}</code></pre>` : '';
    const body = {
      msgtype: 'm.text',
      body: plainText(a),
      format: 'org.matrix.custom.html',
      formatted_body: `<b>${html(headline(a))}</b><br>${details(a).map(html).join('<br>')}${tail}`,
    };
    return jsonRequest('PUT', `${m[1]}/_matrix/client/v3/rooms/${room}/send/m.room.message/${txn}`, body, bearer(to.token));
  },
};
