import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from '../../src/settings/duration.ts';
import { parseSize } from '../../src/settings/size.ts';
import { networkInterfaces } from 'node:os';
import { notOnThisMachine, parseListen } from '../../src/settings/listen.ts';
import { isCidr } from '../../src/settings/cidr.ts';
import { didYouMean } from '../../src/settings/did-you-mean.ts';

test('parseDuration turns units and plain seconds into ms', () => {
  const cases: Array<[unknown, number | null]> = [
    ['30s', 30_000], ['10m', 600_000], ['1h', 3_600_000], ['500ms', 500], ['2d', 172_800_000],
    [90, 90_000], [0.5, 500], ['45', 45_000], ['1h30m', 5_400_000], ['10M', 600_000],
    ['10x', null], ['', null], ['-5s', null], [-1, null], [true, null], ['s', null], ['5 min', null],
  ];
  for (const [input, ms] of cases) assert.equal(parseDuration(input), ms, `parseDuration(${JSON.stringify(input)})`);
});

test('parseSize is 1024-based and accepts k, kb, kib in any case', () => {
  const cases: Array<[unknown, number | null]> = [
    ['512kb', 524_288], ['512k', 524_288], ['512KiB', 524_288], ['25mb', 26_214_400], ['1gb', 1_073_741_824],
    ['1.5mb', 1_572_864], [4096, 4096], ['100', 100], ['10b', 10],
    ['10xb', null], ['mb', null], [-1, null], [null, null],
  ];
  for (const [input, bytes] of cases) assert.equal(parseSize(input), bytes, `parseSize(${JSON.stringify(input)})`);
});

test('parseListen reads host:port, [ipv6]:port and a bare port; port 0 asks for a free port', () => {
  assert.deepEqual(parseListen('127.0.0.1:5000'), { host: '127.0.0.1', port: 5000 });
  assert.deepEqual(parseListen('127.0.0.1:0'), { host: '127.0.0.1', port: 0 });
  assert.deepEqual(parseListen('[::1]:5000'), { host: '::1', port: 5000 });
  assert.deepEqual(parseListen('localhost:80'), { host: 'localhost', port: 80 });
  assert.deepEqual(parseListen(8080), { host: '127.0.0.1', port: 8080 });
  for (const bad of ['127.0.0.1', '127.0.0.1:-1', '127.0.0.1:70000', '::1:5000', '[nothost]:5', 'a b:5', ':5000', 'x:y']) {
    assert.equal(parseListen(bad), null, bad);
  }
});

test('notOnThisMachine accepts wildcards, loopback, this machine\'s interface addresses and host names (not looked up); refuses other addresses', () => {
  const own = Object.values(networkInterfaces()).flat().map((a) => a!.address);
  for (const here of ['0.0.0.0', '::', '127.0.0.1', '127.0.0.2', '::1', 'localhost', 'deploy.example.com', ...own]) {
    assert.equal(notOnThisMachine(here), null, here);
  }
  for (const away of ['203.0.113.9', '2001:db8::9'].filter((a) => !own.includes(a))) {
    assert.match(notOnThisMachine(away) ?? '', /is not an address of this machine \(.*127\.0\.0\.1.*\)/, away);
  }
});

test('isCidr accepts addresses and CIDRs whose prefix fits the family', () => {
  for (const ok of ['10.0.0.0/8', '192.168.1.7', '2001:db8::/32', '::1', '0.0.0.0/0']) assert.equal(isCidr(ok), true, ok);
  for (const bad of ['10.0.0.0/33', '::/129', '10.0.0/8', 'example.com', '10.0.0.0/', '10.0.0.0/8/1', '1.2.3.4/x']) {
    assert.equal(isCidr(bad), false, bad);
  }
});

test('didYouMean suggests a near key and nothing for a far one', () => {
  const keys = ['repodir', 'workdir', 'webhook_url_path', 'secret_env'];
  assert.equal(didYouMean('repo_dir', keys), 'repodir');
  assert.equal(didYouMean('webhok_url_path', keys), 'webhook_url_path');
  assert.equal(didYouMean('secretenv', keys), 'secret_env');
  assert.equal(didYouMean('zzz', keys), null);
});
