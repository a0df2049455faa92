// The environment variables that hold an entry's secrets (named by secret_env, url_env and
// token_env) do not reach its commands: commands print their environment into run logs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary, whauto } from '../helpers/run.ts';
import { writeSettings } from '../helpers/settings.ts';
import { tempDir } from '../helpers/tmp.ts';

test('secret_env, url_env and token_env variables are not in the commands\' environment; other variables are', () => {
  requireBinary();
  const t = tempDir();
  try {
    const settings = writeSettings(t.dir, {
      entries: {
        site: {
          provider: 'github', secret_env: 'HOOK_SECRET', repo: 'acme/site', update: 'none', workdir: t.dir,
          commands: ['env > seen.env'],
          notify: [{ url_env: 'CHAT_URL', format: 'ntfy', token_env: 'CHAT_TOKEN', on: ['started'] }],
        },
      },
    });
    const env = { ...process.env, HOOK_SECRET: 'hook-secret-5a1', CHAT_URL: 'http://127.0.0.1:9/topic-secret-7c2', CHAT_TOKEN: 'tk-secret-e90', KEPT: 'kept-value' };
    const r = whauto(['trigger', settings, 'site'], { env });
    assert.equal(r.status, 0, r.stderr);
    const seen = readFileSync(join(t.dir, 'seen.env'), 'utf8');
    for (const secret of ['hook-secret-5a1', 'topic-secret-7c2', 'tk-secret-e90']) assert.equal(seen.includes(secret), false, secret);
    assert.match(seen, /^KEPT=kept-value$/m);
  } finally {
    t.cleanup();
  }
});
