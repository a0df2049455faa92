// URLs in what whauto logs (git's command lines and output, the plan, the poller) keep no
// credential: neither the user-info part nor a query string's values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactUrl } from '../../src/git/redact-url.ts';

test('redactUrl hides user info and query values, and leaves the rest as it was', () => {
  assert.equal(redactUrl('$ git clone -- https://deploy:tok3n@git.example.com/acme/site.git /srv/site'), '$ git clone -- https://***@git.example.com/acme/site.git /srv/site');
  assert.equal(redactUrl('From http://127.0.0.1:8080/site.git?token=QUERYSECRET&x=1'), 'From http://127.0.0.1:8080/site.git?token=***&x=***');
  assert.equal(redactUrl("fatal: unable to access 'https://u:p@h/r.git?private_token=abc': 403"), "fatal: unable to access 'https://***@h/r.git?private_token=***': 403");
  assert.equal(redactUrl('remote origin (git@github.com:acme/site.git)'), 'remote origin (git@github.com:acme/site.git)');
  assert.equal(redactUrl('no URL here? a=b'), 'no URL here? a=b');
});
