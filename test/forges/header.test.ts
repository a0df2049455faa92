// Header values as Node hands them over (latin1, one character per byte).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { header, headerText } from '../../src/forges/header.ts';

/** How Node's http parser gives a header whose bytes are the UTF-8 of `text`. */
const asNodeGives = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

test('headerText reads a delivery id sent as UTF-8 as what was sent; header keeps the bytes as they came', () => {
  const headers = { 'x-gitea-delivery': asNodeGives('id-\u202e-✓') };
  assert.equal(headerText(headers, 'X-Gitea-Delivery'), 'id-\u202e-✓');
  assert.equal(header(headers, 'X-Gitea-Delivery'), asNodeGives('id-\u202e-✓'));
});

test('headerText leaves ASCII, and bytes that are not UTF-8, as they came', () => {
  assert.equal(headerText({ 'x-github-delivery': 'ee8d97b4-1479' }, 'X-GitHub-Delivery'), 'ee8d97b4-1479');
  assert.equal(headerText({ 'x-github-delivery': 'caf\xe9' }, 'X-GitHub-Delivery'), 'caf\xe9');
  assert.equal(headerText({}, 'X-GitHub-Delivery'), null);
});
