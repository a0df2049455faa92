// parseArgs' own messages run to several lines and quote oddly: each command says one short line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from 'node:util';
import { argsError } from '../../src/cli/io.ts';

const errorOf = (args: string[], allowPositionals = true): unknown => {
  try {
    parseArgs({ args, allowPositionals, options: { branch: { type: 'string' }, json: { type: 'boolean' } } });
  } catch (err) {
    return err;
  }
  throw new Error(`parseArgs took ${args.join(' ')}`);
};

test('argsError: unknown option, missing value, a value that looks like an option, an extra argument', () => {
  assert.equal(argsError(errorOf(['--bogus'])), "unknown option '--bogus'");
  assert.equal(argsError(errorOf(['--branch'])), '--branch needs a value');
  assert.equal(argsError(errorOf(['--branch', '-x'])), "--branch takes a value; for one that starts with '-', write --branch=VALUE");
  assert.equal(argsError(errorOf(['extra'], false)), "unexpected argument 'extra'");
  assert.equal(argsError(new Error('our own message\nsecond line')), 'our own message');
});
