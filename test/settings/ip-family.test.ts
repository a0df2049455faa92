import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { ipFamily } from '../../src/settings/ip-family.ts';

const CASES: Array<[string, 0 | 4 | 6]> = [
  ['127.0.0.1', 4], ['0.0.0.0', 4], ['255.255.255.255', 4],
  ['01.2.3.4', 0], ['1.2.3.256', 0], ['1.2.3', 0], ['1.2.3.4.5', 0], [' 1.2.3.4', 0], ['1.2.3.4 ', 0], ['0x1.2.3.4', 0],
  ['::1', 6], ['::', 6], ['1:2:3:4:5:6:7:8', 6], ['::ffff:1.2.3.4', 6], ['fe80::1%eth0', 6], ['fe80::1%br-1.2', 6],
  ['1::2::3', 0], ['g::1', 0], ['12345::1', 0], ['1:2:3:4:5:6:7:8:9', 0], ['[::1]', 0], ['::1/64', 0],
  ['fe80::1%', 0], ['fe80::1%a b', 0], ['', 0], ['localhost', 0],
];

test('ipFamily(text) is 4, 6 or 0, the same answer as net.isIP, for addresses, zones and non-addresses', () => {
  for (const [text, family] of CASES) {
    assert.equal(ipFamily(text), family, JSON.stringify(text));
    assert.equal(isIP(text), family, `net.isIP agrees on ${JSON.stringify(text)}`);
  }
});
