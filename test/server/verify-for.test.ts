// The refusal of a delivery no entry verifies: when it carries another forge's event header
// than any entry's provider (an entry left at the default provider: github), the answer says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyFor } from '../../src/server/handle-delivery.ts';
import type { Entry } from '../../src/settings/types.ts';

const entry = (provider: string): Entry => ({ name: 'site', provider, secret: 's3cret-value' } as unknown as Entry);
const body = Buffer.from('{}');

test('a GitLab delivery to a github entry: 401 naming the missing header, and that it has gitlab\'s event header', () => {
  const delivery = { headers: { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'whatever' }, body, contentType: 'json' as const, payload: body };
  const { refusal } = verifyFor([entry('github')], delivery);
  assert.equal(refusal?.code, 401);
  assert.match(JSON.stringify(refusal?.body), /missing X-Hub-Signature-256; it has the event header of gitlab, but entry 'site' has provider github/);
});

test('a delivery of the entry\'s own forge gets no such hint', () => {
  const delivery = { headers: { 'x-github-event': 'push' }, body, contentType: 'json' as const, payload: body };
  const { refusal } = verifyFor([entry('github')], delivery);
  assert.equal(refusal?.code, 401);
  assert.doesNotMatch(JSON.stringify(refusal?.body), /event header of/);
});

test('a delivery whose forge only a blocked entry (allow_ips) has: 403 "not allowed", with no hint of a missing provider', () => {
  const delivery = { headers: { 'x-github-event': 'push' }, body, contentType: 'json' as const, payload: body };
  const { refusal } = verifyFor([entry('gitlab')], delivery, { entries: [entry('github')], reason: 'client address 127.0.0.1 is not allowed' });
  assert.equal(refusal?.code, 403);
  assert.deepEqual(refusal?.body, { status: 'forbidden', reason: 'client address 127.0.0.1 is not allowed' });
});

test('on a URL that serves several entries, the hint says none of them has the delivery\'s provider', () => {
  const delivery = { headers: { 'x-gitea-event': 'push', 'x-gitea-signature': 'ab' }, body, contentType: 'json' as const, payload: body };
  const { refusal } = verifyFor([entry('github'), { ...entry('gitlab'), name: 'api' }], delivery);
  assert.match(JSON.stringify(refusal?.body), /it has the event header of gitea or forgejo, but no entry that this URL serves has provider gitea or forgejo/);
});
