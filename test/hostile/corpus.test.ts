// Hostile input against the built binary: a table of bad requests sent to one running daemon
// with one entry per forge. Every row names the answer it must get (SPEC section 3) and proves
// that nothing was queued or run. Afterwards a genuine delivery per forge still deploys and the
// daemon's memory is back near where it started.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startDaemon, type Daemon } from '../helpers/daemon.ts';
import { git, makeRemote, type Remote } from '../helpers/git.ts';
import { FORGE_NAMES, pushDelivery, signFor, type Built } from '../helpers/payloads.ts';
import { rssKb } from '../helpers/proc.ts';
import { writeSettings } from '../helpers/settings.ts';
import { tempDir } from '../helpers/tmp.ts';
import { listPending } from '../../src/state/pending.ts';
import { waitFor } from '../helpers/wait.ts';
import { chunked, headerList, rawBytes, rawRequest } from '../helpers/raw.ts';

const secretOf = (forge: string): string => `${forge}-hook-secret-7f3a9c`;
const repoOf = (forge: string): string => (forge === 'bitbucket-server' ? 'ACME/site' : 'acme/site');
const MB = 1024 * 1024;

/** The HMAC forges: the header that carries the signature and how the hex is written in it. */
const HMAC_FORGES: Array<{ forge: string; header: string; prefix: string }> = [
  { forge: 'github', header: 'x-hub-signature-256', prefix: 'sha256=' },
  { forge: 'gitea', header: 'x-gitea-signature', prefix: '' },
  { forge: 'forgejo', header: 'x-forgejo-signature', prefix: '' },
  { forge: 'gogs', header: 'x-gogs-signature', prefix: '' },
  { forge: 'bitbucket', header: 'x-hub-signature', prefix: 'sha256=' },
  { forge: 'bitbucket-server', header: 'x-hub-signature', prefix: 'sha256=' },
];

const hmac = (alg: string, key: string, body: string | Buffer): string => createHmac(alg, key).update(body).digest('hex');

/** A delivery of `forge` for branch main of the entry's repository: it would deploy if accepted. */
function genuine(forge: string, branch = 'main', after?: string): Built {
  return pushDelivery(forge, { repo: repoOf(forge), branch, ...(after ? { after } : {}) }, secretOf(forge));
}

/** `b`'s headers without the forge's signature/token headers. */
function unsigned(b: Built): Record<string, string> {
  const h = { ...b.headers };
  for (const k of ['x-hub-signature-256', 'x-hub-signature', 'x-gitea-signature', 'x-forgejo-signature', 'x-gogs-signature', 'x-gitlab-token', 'x-webhook-token']) delete h[k];
  return h;
}

/** A github delivery whose body is `body`, correctly signed: it passes verification and tests the parser. */
function signedGithub(body: string | Buffer, contentType = 'application/json'): { headers: Record<string, string>; body: string | Buffer } {
  return {
    headers: { 'content-type': contentType, 'x-github-event': 'push', 'x-github-delivery': 'hostile-1', ...signFor('github', secretOf('github'), body) },
    body,
  };
}

/** A github push body whose ref is `ref` (any JSON value). */
function githubBodyWithRef(ref: unknown): string {
  const body = JSON.parse(genuine('github').body) as Record<string, unknown>;
  body['ref'] = ref;
  return JSON.stringify(body);
}

interface Sent { status: number; allow?: string | null; text?: string }
interface Row {
  name: string;
  send: () => Promise<Sent>;
  /** The status the server must answer; a list where HTTP allows either (the row says why). */
  status: number | number[];
  /** Also asserted on the answer text (JSON reason), when given. */
  reason?: RegExp;
  /** A line the daemon must log for this request, when given. */
  logged?: RegExp;
}

describe('hostile requests against a running daemon', () => {
  let t: { dir: string; cleanup: () => void };
  let remote: Remote;
  let daemon: Daemon;
  let state: string;
  let marks: string;
  let startRss = 0;

  async function send(method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<Sent> {
    const res = await fetch(`${daemon.base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    return { status: res.status, allow: res.headers.get('allow'), text };
  }
  const post = (path: string, b: { headers: Record<string, string>; body: string | Buffer }): Promise<Sent> => send('POST', path, b.headers, b.body);
  /** A raw request; the status is the first answer's, or 0 when the server only closed the connection. */
  async function raw(bytes: Buffer, opts: { end?: boolean } = {}): Promise<Sent> {
    const r = await rawRequest(daemon.base, bytes, opts);
    return { status: r.statuses[0] ?? 0, text: r.text };
  }

  /** Every run waiting in the journal, every file under state/runs, and every marker a command wrote. */
  function traces(): string[] {
    const out: string[] = listPending(state, () => undefined).map((p) => `waiting ${p.entry} ${p.id}`);
    const dir = join(state, 'runs');
    if (existsSync(dir)) for (const f of readdirSync(dir, { recursive: true })) out.push(relative(state, join(dir, String(f))));
    for (const f of readdirSync(marks)) out.push(`marker ${f}`);
    return out;
  }

  before(async () => {
    t = tempDir('whauto-hostile-');
    state = join(t.dir, 'state');
    marks = join(t.dir, 'marks');
    mkdirSync(marks);
    remote = makeRemote(join(t.dir, 'forge'));
    const entries: Record<string, unknown> = {};
    for (const forge of FORGE_NAMES) {
      entries[forge] = {
        provider: forge, secret: secretOf(forge), repo: repoOf(forge), branch: 'main',
        repodir: join(t.dir, `checkout-${forge}`), clone_url: remote.bare,
        env: { MARKS: marks },
        commands: ['touch "$MARKS/$WHAUTO_ENTRY"'],
      };
    }
    daemon = await startDaemon(writeSettings(t.dir, { max_body: '25mb', entries }));
    startRss = rssKb(daemon.proc.pid!);
  });
  after(async () => {
    await daemon?.stop();
    t?.cleanup();
  });

  const rows: Row[] = [];
  const row = (name: string, status: Row['status'], send: Row['send'], reason?: RegExp, logged?: RegExp): void => {
    rows.push({ name, status, send, ...(reason ? { reason } : {}), ...(logged ? { logged } : {}) });
  };

  // --- Signatures, for every HMAC forge -------------------------------------------------------
  for (const { forge, header, prefix } of HMAC_FORGES) {
    const url = `/webhook/${forge}`;
    const secret = secretOf(forge);
    const withSig = (value: string, body?: string): { headers: Record<string, string>; body: string } => {
      const g = genuine(forge);
      return { headers: { ...unsigned(g), [header]: value }, body: body ?? g.body };
    };
    const right = (body: string): string => `${prefix}${hmac('sha256', secret, body)}`;
    /**
     * A genuine delivery of `branch` with signature headers `values(sig)` written raw (latin1),
     * for bytes fetch will not send; `sig` is the right signature of the body sent (a body of
     * its own: Bitbucket Server's embed the time).
     */
    const rawSig = (values: (sig: string) => string[], branch = 'main'): Buffer => {
      const g = genuine(forge, branch);
      return rawBytes('POST', url, [...headerList(unsigned(g)), ...values(right(g.body)).map((v): [string, string] => [header, v])], g.body);
    };

    row(`${forge}: signature header missing`, 401, () => post(url, { headers: unsigned(genuine(forge)), body: genuine(forge).body }), /missing/);
    row(`${forge}: signature header empty`, 401, () => post(url, withSig('')));
    row(`${forge}: signature one hex digit short`, 403, () => {
      const b = genuine(forge).body;
      return post(url, withSig(right(b).slice(0, -1), b));
    });
    row(`${forge}: signature one hex digit long`, 403, () => {
      const b = genuine(forge).body;
      return post(url, withSig(`${right(b)}0`, b));
    });
    row(`${forge}: SHA-1 HMAC where SHA-256 is required`, 403, () => {
      const b = genuine(forge).body;
      return post(url, withSig(prefix ? `sha1=${hmac('sha1', secret, b)}` : hmac('sha1', secret, b), b));
    });
    row(`${forge}: SHA-256 value under a sha512= prefix / SHA-512 value`, 403, () => {
      const b = genuine(forge).body;
      return post(url, withSig(prefix ? `sha512=${hmac('sha256', secret, b)}` : hmac('sha512', secret, b), b));
    });
    row(`${forge}: signature in upper-case hex`, 403, () => {
      const b = genuine(forge).body;
      return post(url, withSig(`${prefix}${hmac('sha256', secret, b).toUpperCase()}`, b));
    });
    // Trailing SP/HTAB is HTTP's optional whitespace (stripped before whauto sees it); a
    // no-break space is not, and NUL is not allowed in a header at all.
    // The control: the same request with its right signature passes (for a branch not deployed: 200, nothing queued).
    row(`${forge}: raw, with its right signature alone (control)`, 200, () => raw(rawSig((sig) => [sig], 'other')), /does not deploy branch 'other'/);
    row(`${forge}: signature with a no-break-space suffix`, 403, () => raw(rawSig((sig) => [`${sig}\xa0`])));
    row(`${forge}: signature with a NUL suffix`, 400, () => raw(rawSig((sig) => [`${sig}\x00`])));
    row(`${forge}: HMAC computed with an empty secret`, 403, () => {
      const b = genuine(forge).body;
      return post(url, withSig(`${prefix}${hmac('sha256', '', b)}`, b));
    });
    row(`${forge}: HMAC over the re-serialized JSON, not the bytes sent`, 403, () => {
      const pretty = JSON.stringify(JSON.parse(genuine(forge).body), null, 2);
      return post(url, withSig(right(JSON.stringify(JSON.parse(pretty))), pretty));
    });
    row(`${forge}: HMAC under another entry's secret`, 403, () => {
      const b = genuine(forge).body;
      return post(url, withSig(`${prefix}${hmac('sha256', secretOf('plain'), b)}`, b));
    });
    row(`${forge}: duplicate signature headers (right, wrong)`, 403, () => raw(rawSig((sig) => [sig, `${prefix}${'0'.repeat(64)}`])));
    row(`${forge}: duplicate signature headers (both right)`, 403, () => raw(rawSig((sig) => [sig, sig])));
  }

  // --- GitLab tokens ---------------------------------------------------------------------------
  {
    const secret = secretOf('gitlab');
    const withToken = (token: string | null, path = '/webhook/gitlab'): Promise<Sent> => {
      const g = genuine('gitlab');
      const h = unsigned(g);
      if (token !== null) h['x-gitlab-token'] = token;
      return post(path, { headers: h, body: g.body });
    };
    row('gitlab: token missing', 401, () => withToken(null), /missing X-Gitlab-Token/);
    row('gitlab: token empty', 401, () => withToken(''));
    row('gitlab: token a prefix of the secret', 403, () => withToken(secret.slice(0, -1)));
    row('gitlab: token the secret plus a suffix', 403, () => withToken(`${secret}x`));
    row('gitlab: token in another case', 403, () => withToken(secret.toUpperCase()));
    row('gitlab: token of another entry', 403, () => withToken(secretOf('github')));
    row('gitlab: token in the query string only', 401, () => withToken(null, `/webhook/gitlab?token=${encodeURIComponent(secret)}`));
    row('gitlab: token with a NUL suffix', 400, () => {
      const g = genuine('gitlab');
      return raw(rawBytes('POST', '/webhook/gitlab', [...headerList(unsigned(g)), ['X-Gitlab-Token', `${secret}\x00`]], g.body));
    });
    row('gitlab: duplicate token headers (both right)', 403, () => {
      const g = genuine('gitlab');
      return raw(rawBytes('POST', '/webhook/gitlab', [...headerList(unsigned(g)), ['X-Gitlab-Token', secret], ['X-Gitlab-Token', secret]], g.body));
    });
  }

  // --- plain tokens ----------------------------------------------------------------------------
  {
    const secret = secretOf('plain');
    const g = (): Built => genuine('plain');
    row('plain: token in the query string, no header', 401, () => post(`/webhook/plain?token=${secret}`, { headers: unsigned(g()), body: g().body }));
    row('plain: right token in the query string, wrong one in the header', 403,
      () => post(`/webhook/plain?token=${secret}`, { headers: { ...unsigned(g()), 'x-webhook-token': 'guess' }, body: g().body }));
    row('plain: token header empty', 401, () => post('/webhook/plain', { headers: { ...unsigned(g()), 'x-webhook-token': '' }, body: g().body }));
    row('plain: token a prefix of the secret', 403, () => post('/webhook/plain', { headers: { ...unsigned(g()), 'x-webhook-token': secret.slice(0, 4) }, body: g().body }));
    row('plain: Authorization Bearer with the secret plus a suffix', 403,
      () => post('/webhook/plain', { headers: { ...unsigned(g()), authorization: `Bearer ${secret}0` }, body: g().body }));
    row('plain: Authorization Basic carrying the secret', 401,
      () => post('/webhook/plain', { headers: { ...unsigned(g()), authorization: `Basic ${Buffer.from(`x:${secret}`).toString('base64')}` }, body: g().body }));
  }

  // --- A forge's headers at another forge's entry ---------------------------------------------
  row('gitea entry: a delivery with only GitHub headers (signed with the gitea secret)', 401, () => {
    const body = genuine('gitea').body;
    return post('/webhook/gitea', {
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'x', 'x-hub-signature-256': `sha256=${hmac('sha256', secretOf('gitea'), body)}` },
      body,
    });
  });
  row('github entry: a delivery with only Gitea headers (signed with the github secret)', 401, () => {
    const body = genuine('github').body;
    return post('/webhook/github', {
      headers: { 'content-type': 'application/json', 'x-gitea-event': 'push', 'x-gitea-signature': hmac('sha256', secretOf('github'), body) },
      body,
    });
  });
  row('github: wrong X-Hub-Signature-256 beside a right SHA-1 X-Hub-Signature', 403, () => {
    const g = genuine('github');
    return post('/webhook/github', { headers: { ...unsigned(g), 'x-hub-signature-256': `sha256=${'0'.repeat(64)}`, 'x-hub-signature': `sha1=${hmac('sha1', secretOf('github'), g.body)}` }, body: g.body });
  });
  row('gogs: no header, a wrong "secret" in the body', 403, () => {
    const body = JSON.stringify({ ...JSON.parse(genuine('gogs').body), secret: 'guess' });
    return post('/webhook/gogs', { headers: unsigned(genuine('gogs')), body });
  });
  row('gogs: no header, an empty "secret" in the body', 403, () => {
    const body = JSON.stringify({ ...JSON.parse(genuine('gogs').body), secret: '' });
    return post('/webhook/gogs', { headers: unsigned(genuine('gogs')), body });
  });
  row('gogs: no header, a "secret" that is not a string', 403, () => {
    const body = JSON.stringify({ ...JSON.parse(genuine('gogs').body), secret: [secretOf('gogs')] });
    return post('/webhook/gogs', { headers: unsigned(genuine('gogs')), body });
  });
  row('bitbucket-server: an unsigned push dressed as diagnostics:ping is only ever ignored', 200, () => {
    const g = genuine('bitbucket-server');
    return post('/webhook/bitbucket-server', { headers: { ...unsigned(g), 'x-event-key': 'diagnostics:ping' }, body: g.body });
  }, /ping/);
  row('bitbucket-server: duplicate X-Event-Key (ping and refs_changed), unsigned', 401, () => {
    const g = genuine('bitbucket-server');
    const h = headerList(unsigned(g)).filter(([n]) => n !== 'x-event-key');
    return raw(rawBytes('POST', '/webhook/bitbucket-server', [...h, ['X-Event-Key', 'diagnostics:ping'], ['X-Event-Key', 'repo:refs_changed']], g.body));
  });
  row('single URL: a genuine body signed with no entry\'s secret', 403, () => {
    const g = genuine('github');
    return post('/webhook', { headers: { ...unsigned(g), 'x-hub-signature-256': `sha256=${hmac('sha256', 'nobody', g.body)}` }, body: g.body });
  });
  row('single URL: unsigned', 401, () => post('/webhook', { headers: unsigned(genuine('github')), body: genuine('github').body }));

  // --- Bodies (correctly signed, so the parser is what is tested) ------------------------------
  row('body: not JSON', 400, () => post('/webhook/github', signedGithub('this is not json')), /not valid JSON/);
  row('body: empty', 400, () => post('/webhook/github', signedGithub('')));
  row('body: JSON with a byte-order mark', 400, () => post('/webhook/github', signedGithub(`\ufeff${genuine('github').body}`)));
  row('body: JSON array', 400, () => post('/webhook/github', signedGithub('[]')), /not a JSON object/);
  row('body: JSON string', 400, () => post('/webhook/github', signedGithub('"refs/heads/main"')), /not a JSON object/);
  row('body: JSON null', 400, () => post('/webhook/github', signedGithub('null')), /not a JSON object/);
  row('body: a ref that is a number, and nothing else: the answer names the ref', 400, () => post('/webhook/github', signedGithub('{"ref":1}')), /"reason":"ref/);
  row('body: JSON number', 400, () => post('/webhook/github', signedGithub('42')), /not a JSON object/);
  row('body: 10,000 nested objects', 400, () => post('/webhook/github', signedGithub(`${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`)));
  row('body: 10,000 nested arrays', 400, () => post('/webhook/github', signedGithub(`${'['.repeat(10_000)}${']'.repeat(10_000)}`)));
  row('body: 10,000 nested objects (gitlab)', 400, () => {
    const body = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    return post('/webhook/gitlab', { headers: genuine('gitlab').headers, body });
  });
  row('body: ref is a number', 400, () => post('/webhook/github', signedGithub(githubBodyWithRef(42))), /ref: expected a string/);
  row('body: ref is an array', 400, () => post('/webhook/github', signedGithub(githubBodyWithRef(['refs/heads/main']))), /ref: expected a string/);
  row('body: ref is an object', 400, () => post('/webhook/github', signedGithub(githubBodyWithRef({ ref: 'refs/heads/main' }))));
  row('body: ref missing', 400, () => post('/webhook/github', signedGithub(githubBodyWithRef(undefined))));
  row('body: after is not a commit id', 400, () => {
    const body = JSON.stringify({ ...JSON.parse(genuine('github').body), after: '$(touch pwned)' });
    return post('/webhook/github', signedGithub(body));
  });
  const badRefs: Array<[string, string]> = [
    ["'..'", 'refs/heads/main/../production'],
    ['a space', 'refs/heads/ma in'],
    ["a leading '-'", 'refs/heads/-rf'],
    ['$(…) with a space', 'refs/heads/$(touch pwned)'],
    ['a newline', 'refs/heads/main\ntouch pwned'],
    ['a NUL byte', 'refs/heads/main\u0000'],
    ['a tab', 'refs/heads/main\tx'],
    ['10,000 characters', `refs/heads/${'b'.repeat(10_000)}`],
    ['no refs/ prefix', 'main'],
    ['a remote-tracking ref', 'refs/remotes/origin/main'],
    ["'.lock'", 'refs/heads/main.lock'],
    ["'@{'", 'refs/heads/@{-1}'],
    ["'~'", 'refs/heads/main~1'],
    ["'//'", 'refs/heads//main'],
  ];
  for (const [what, ref] of badRefs) {
    row(`ref with ${what}`, 400, () => post('/webhook/github', signedGithub(githubBodyWithRef(ref))), /not a valid ref name|expected refs\/heads/);
  }
  row('ref with a 10,000 character branch (plain, bare name)', 400, () => {
    const body = JSON.stringify({ ref: 'c'.repeat(10_000) });
    return post('/webhook/plain', { headers: { 'content-type': 'application/json', ...signFor('plain', secretOf('plain'), body) }, body });
  });
  // Valid git ref names with shell metacharacters: git allows them; they are not this entry's
  // branch, so they are ignored. (env-only.test.ts deploys such branches.)
  for (const branch of ['$(touch${IFS}pwned)', '`touch${IFS}pwned`', 'x;touch${IFS}pwned', 'x|touch${IFS}pwned', "x'\"&&touch${IFS}pwned"]) {
    row(`ref with shell metacharacters (${branch}) is another branch`, 200, () => post('/webhook/github', signedGithub(githubBodyWithRef(`refs/heads/${branch}`))), /does not deploy branch/);
  }
  row('event header missing', 400, () => {
    const g = genuine('github');
    const h = { ...g.headers };
    delete h['x-github-event'];
    return post('/webhook/github', { headers: h, body: g.body });
  }, /missing X-GitHub-Event/);
  row('event header duplicated (push, push)', 200, () => {
    const g = genuine('github');
    const h = headerList(g.headers).filter(([n]) => n !== 'x-github-event');
    return raw(rawBytes('POST', '/webhook/github', [...h, ['X-GitHub-Event', 'push'], ['X-GitHub-Event', 'push']], g.body));
  }, /is not a push/);

  // --- Content types and forms -----------------------------------------------------------------
  for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/jsonx', 'application/json-patch+json']) {
    row(`content type ${type}`, 415, () => post('/webhook/github', signedGithub(genuine('github').body, type)));
  }
  row('no content type', 415, () => {
    const s = signedGithub(genuine('github').body);
    delete s.headers['content-type'];
    return send('POST', '/webhook/github', s.headers, Buffer.from(s.body));
  });
  row('form body with two payload= fields', 400, () => {
    const body = `payload=${encodeURIComponent(genuine('github').body)}&payload=${encodeURIComponent(githubBodyWithRef('refs/heads/other'))}`;
    return post('/webhook/github', signedGithub(body, 'application/x-www-form-urlencoded'));
  }, /exactly one 'payload' field/);
  row('JSON sent as a form (curl -d without a content type): 400 saying to send it as JSON', 400, () => {
    const body = genuine('github').body;
    return post('/webhook/github', signedGithub(body, 'application/x-www-form-urlencoded'));
  }, /found 0\); the body looks like JSON: send it with Content-Type: application\/json/);
  row('form body with two payload= fields (gitea, second signed)', 400, () => {
    const good = genuine('gitea').body;
    const body = `payload=${encodeURIComponent('{}')}&payload=${encodeURIComponent(good)}`;
    return post('/webhook/gitea', { headers: { ...unsigned(genuine('gitea')), 'content-type': 'application/x-www-form-urlencoded', 'x-gitea-signature': hmac('sha256', secretOf('gitea'), good) }, body });
  });
  row('form body without a payload= field', 400, () => post('/webhook/github', signedGithub('ref=refs%2Fheads%2Fmain', 'application/x-www-form-urlencoded')));
  row('form body whose payload is not JSON', 400, () => post('/webhook/github', signedGithub('payload=hello', 'application/x-www-form-urlencoded')));

  // --- Size, Content-Length, chunking ----------------------------------------------------------
  // A client that writes all 30 MB without reading may get the 413 or, as the server closes
  // a connection with unread data, a TCP reset that swallows it: the daemon's log shows the 413.
  row('30 MB body with its Content-Length (limit 25 MB)', [413, 0], () => {
    const body = Buffer.alloc(30 * MB, 0x20);
    return raw(rawBytes('POST', '/webhook/github', headerList(signedGithub('{}').headers), body));
  }, undefined, /answer=413 /);
  row('30 MB chunked body (limit 25 MB)', [413, 0], () => {
    const body = chunked(Buffer.alloc(30 * MB, 0x20), 64 * 1024);
    return raw(rawBytes('POST', '/webhook/github', [...headerList(signedGithub('{}').headers), ['Transfer-Encoding', 'chunked']], body));
  }, undefined, /answer=413 /);
  row('Content-Length declares 30 MB, sends a little', 413, () => raw(rawBytes('POST', '/webhook/github', [...headerList(signedGithub('{}').headers), ['Content-Length', String(30 * MB)]], '{}')));
  // The first request's body is cut short (its signature fails: 403); the rest reads as a
  // broken second request (400), and Node may answer that one first before closing.
  row('Content-Length shorter than the body (the signature covers the whole body)', [403, 400], () => {
    const g = genuine('github');
    return raw(rawBytes('POST', '/webhook/github', [...headerList(g.headers), ['Content-Length', '10']], g.body));
  });
  // The client promises more than it sends and closes: there is nothing to answer to.
  row('Content-Length longer than the body, then the client closes', [0, 400], () => {
    const g = genuine('github');
    return raw(rawBytes('POST', '/webhook/github', [...headerList(g.headers), ['Content-Length', String(g.body.length + 100)]], g.body));
  });
  row('Content-Length not a number', 400, () => raw(rawBytes('POST', '/webhook/github', [...headerList(genuine('github').headers), ['Content-Length', 'abc']], '')));
  row('Content-Length negative', 400, () => raw(rawBytes('POST', '/webhook/github', [...headerList(genuine('github').headers), ['Content-Length', '-1']], '')));
  row('two different Content-Length headers', 400, () => {
    const g = genuine('github');
    return raw(rawBytes('POST', '/webhook/github', [...headerList(g.headers), ['Content-Length', String(g.body.length)], ['Content-Length', '5']], g.body));
  });
  row('Content-Length together with chunked (smuggling)', 400, () => {
    const g = genuine('github');
    return raw(rawBytes('POST', '/webhook/github', [...headerList(g.headers), ['Content-Length', '5'], ['Transfer-Encoding', 'chunked']], chunked(g.body)));
  });
  row('chunked body with a wrong signature', 403, () => {
    const g = genuine('github');
    return raw(rawBytes('POST', '/webhook/github', [...headerList({ ...g.headers, 'x-hub-signature-256': `sha256=${'1'.repeat(64)}` }), ['Transfer-Encoding', 'chunked']], chunked(g.body, 7)));
  });
  row('chunked body, genuine, for another branch (read whole and verified)', 200, () => {
    const g = genuine('github', 'other');
    return raw(rawBytes('POST', '/webhook/github', [...headerList(g.headers), ['Transfer-Encoding', 'chunked']], chunked(g.body, 5)));
  }, /does not deploy branch/);
  row('chunked body with a bad chunk size', 400, () => {
    const g = genuine('github');
    return raw(rawBytes('POST', '/webhook/github', [...headerList(g.headers), ['Transfer-Encoding', 'chunked']], `zz\r\n${g.body}\r\n0\r\n\r\n`));
  });
  row('a NUL byte in a header value', 400, () => raw(rawBytes('POST', '/webhook/github', [...headerList(genuine('github').headers), ['X-Note', 'a\x00b']], genuine('github').body)));
  row('a header of 20,000 bytes', 431, () => raw(rawBytes('POST', '/webhook/github', [...headerList(genuine('github').headers), ['X-Pad', 'p'.repeat(20_000)]], genuine('github').body)));

  // --- Methods -----------------------------------------------------------------------------------
  for (const method of ['GET', 'HEAD', 'OPTIONS']) {
    row(`${method} on an entry's webhook`, 405, () => send(method, '/webhook/github', genuine('github').headers));
  }
  for (const method of ['PUT', 'PATCH', 'DELETE']) {
    row(`${method} with a genuine signed body`, 405, () => send(method, '/webhook/github', genuine('github').headers, genuine('github').body));
  }
  row('GET on the single URL', 405, () => send('GET', '/webhook', {}));
  row('POST /healthz', 405, () => post('/healthz', genuine('github')));
  row('CONNECT', [0, 400, 405], () => raw(Buffer.from('CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n')));

  // --- Paths and entry names (each with a genuine github delivery) -----------------------------
  for (const path of [
    '/webhook/%2e%2e/github', '/webhook/..%2fgithub', '/webhook/%2E%2E%2Fgithub', '/webhook/github%2f', '/webhook/github%2F..',
    '/webhook/%67ithub', '/webhook/%EF%BD%87ithub', '/webhook/github%00', '/webhook//github', '/webhook/github/',
    '/webhook/github/extra', '/WEBHOOK/github', '/webhook/nope', '/../../etc/passwd', '/webhook/Github',
  ]) {
    row(`path ${path}`, 404, () => post(path, genuine('github')));
  }
  row('path /webhook/../webhook/github, not normalized', 404, () => {
    const g = genuine('github');
    return raw(rawBytes('POST', '/webhook/../webhook/github', headerList(g.headers), g.body));
  });
  row('absolute-form request target', 404, () => {
    const g = genuine('github');
    return raw(rawBytes('POST', 'http://evil.invalid/webhook/github', headerList(g.headers), g.body));
  });
  row('raw UTF-8 bytes in the path', 400, () => {
    const g = genuine('github');
    return raw(rawBytes('POST', '/webhook/\xc3\xa9github', headerList(g.headers), g.body));
  });

  it(`the corpus holds at least 60 requests (${rows.length})`, () => {
    assert.ok(rows.length >= 60);
  });

  for (const r of rows) {
    it(`${r.name} → ${Array.isArray(r.status) ? r.status.join(' or ') : r.status}, nothing queued`, async () => {
      const seen = daemon.lines.length;
      const res = await r.send();
      const want = Array.isArray(r.status) ? r.status : [r.status];
      assert.ok(want.includes(res.status), `answer ${res.status}, want ${want.join(' or ')}: ${res.text?.slice(0, 300)}`);
      if (res.status === 405) assert.equal(res.allow ?? /allow: (\S+)/i.exec(res.text ?? '')?.[1], r.name.includes('healthz') ? 'GET' : 'POST');
      if (r.reason) assert.match(res.text ?? '', r.reason);
      if (r.logged) {
        const re = r.logged;
        await waitFor(`a daemon line matching ${re}`, () => daemon.lines.slice(seen).some((l) => re.test(l)));
      }
      for (const s of Object.values(FORGE_NAMES).map(secretOf)) assert.equal((res.text ?? '').includes(s), false, 'no secret in the answer');
      assert.deepEqual(traces(), [], 'nothing queued, no run, no marker');
      const health = await fetch(`${daemon.base}/healthz`);
      assert.equal(health.status, 200);
    });
  }

  it('the corpus made the daemon log no error (client faults are warnings)', () => {
    assert.deepEqual(daemon.lines.filter((l) => / error /.test(l.slice(0, 40))), []);
  });

  it('after the corpus the memory is back near where it started', async (ctx) => {
    // RSS shrinks when the collector runs; wait for it rather than for a time.
    assert.ok(startRss > 0);
    const bound = 2 * startRss + 20 * 1024;
    let last = 0;
    await waitFor(`VmRSS under ${bound} kB (start ${startRss} kB, last ${last} kB)`, async () => {
      await fetch(`${daemon.base}/healthz`);
      last = rssKb(daemon.proc.pid!);
      return last < bound;
    }, 30_000);
    ctx.diagnostic(`VmRSS ${startRss} kB at start, ${last} kB after the corpus`);
  });

  it('after the corpus a genuine delivery of every forge still deploys', async () => {
    assert.deepEqual(traces(), [], 'still nothing run');
    const commit = remote.push('main');
    for (const forge of FORGE_NAMES) {
      const res = await post(`/webhook/${forge}`, genuine(forge, 'main', commit));
      assert.equal(res.status, 202, `${forge}: ${res.text}`);
    }
    for (const forge of FORGE_NAMES) {
      await waitFor(`${forge} deployed`, () => existsSync(join(marks, forge)), 60_000);
      assert.equal(git(join(t.dir, `checkout-${forge}`), 'rev-parse', 'HEAD'), commit);
    }
    assert.deepEqual(readdirSync(marks).sort(), [...FORGE_NAMES].sort());
  });
});
