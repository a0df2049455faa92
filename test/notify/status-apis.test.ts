// Each forge's commit status API against a local stand-in: method, path, headers and body as
// the forge's reference has them; and where the API is, from a repository's URL.
import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { sendStatus } from '../../src/notify/deliver.ts';
import { statusRepo } from '../../src/notify/repository.ts';
import { STATUS_APIS } from '../../src/notify/status-apis.ts';
import type { DeliveryRef } from '../../src/model/run-record.ts';
import type { ProviderName } from '../../src/model/names.ts';
import { standIn, type StandIn } from '../helpers/stand-in.ts';
import { entry } from './entry.ts';

const SHA = 'c'.repeat(40);
const FAST = { backoffMs: 1 };

describe('commit status APIs', () => {
  let srv: StandIn;
  before(async () => { srv = await standIn({ status: 201 }); });
  after(() => srv.close());

  /** Sets a status through `provider`'s API at the stand-in (api_url `srv.url + root`) and returns the request. */
  const sent = async (provider: ProviderName, root: string, repo: string, state: 'pending' | 'succeeded' | 'failed' | 'timed out' | 'interrupted', targetUrl: string | null = 'https://ci.example.org/run/1') => {
    const n = srv.requests.length;
    const e = entry({ provider, repo, commitStatus: { token: 'status-token-9', context: 'whauto/site', apiUrl: srv.url + root, targetUrl } });
    const r = await sendStatus(e, null, { state, sha: SHA, description: 'deployed main in 3s' }, FAST);
    assert.ok(r);
    assert.deepEqual([r.result.ok, r.result.status], [true, 201], String(r.result.error));
    assert.equal(r.target, srv.url);
    return (await srv.waitFor(n + 1))[n]!;
  };

  it('GitHub: POST /repos/{owner}/{repo}/statuses/{sha} with a Bearer token and the API version', async () => {
    const req = await sent('github', '/api/v3', 'acme/site', 'succeeded');
    assert.equal(req.method, 'POST');
    assert.equal(req.path, `/api/v3/repos/acme/site/statuses/${SHA}`);
    assert.equal(req.headers['authorization'], 'Bearer status-token-9');
    assert.equal(req.headers['accept'], 'application/vnd.github+json');
    assert.equal(req.headers['x-github-api-version'], '2022-11-28');
    assert.equal(req.headers['user-agent'], 'whauto');
    assert.deepEqual(req.json, { state: 'success', target_url: 'https://ci.example.org/run/1', description: 'deployed main in 3s', context: 'whauto/site' });
  });

  it('GitHub: pending, failure and error, and no target_url when none is set', async () => {
    assert.equal((await sent('github', '', 'acme/site', 'pending')).json.state, 'pending');
    assert.equal((await sent('github', '', 'acme/site', 'failed')).json.state, 'failure');
    const timedOut = await sent('github', '', 'acme/site', 'timed out', null);
    assert.equal(timedOut.json.state, 'error');
    assert.equal('target_url' in timedOut.json, false);
  });

  it('GitLab: POST /projects/{url-encoded path}/statuses/{sha} with PRIVATE-TOKEN and name', async () => {
    const req = await sent('gitlab', '/api/v4', 'group/sub/site', 'pending');
    assert.equal(req.method, 'POST');
    assert.equal(req.path, `/api/v4/projects/group%2Fsub%2Fsite/statuses/${SHA}`);
    assert.equal(req.headers['private-token'], 'status-token-9');
    assert.equal(req.headers['authorization'], undefined);
    assert.deepEqual(req.json, { state: 'running', name: 'whauto/site', target_url: 'https://ci.example.org/run/1', description: 'deployed main in 3s' });
    assert.equal((await sent('gitlab', '/api/v4', 'g/s', 'failed')).json.state, 'failed');
    assert.equal((await sent('gitlab', '/api/v4', 'g/s', 'interrupted')).json.state, 'canceled');
  });

  for (const provider of ['gitea', 'forgejo'] as const) {
    it(`${provider}: POST /repos/{owner}/{repo}/statuses/{sha} with Authorization: token`, async () => {
      const req = await sent(provider, '/api/v1', 'acme/site', 'failed');
      assert.equal(req.method, 'POST');
      assert.equal(req.path, `/api/v1/repos/acme/site/statuses/${SHA}`);
      assert.equal(req.headers['authorization'], 'token status-token-9');
      assert.deepEqual(req.json, { state: 'failure', target_url: 'https://ci.example.org/run/1', description: 'deployed main in 3s', context: 'whauto/site' });
    });
  }

  it('Bitbucket Cloud: POST /2.0/repositories/{workspace}/{repo}/commit/{sha}/statuses/build', async () => {
    const req = await sent('bitbucket', '', 'acme/site', 'pending', null);
    assert.equal(req.method, 'POST');
    assert.equal(req.path, `/2.0/repositories/acme/site/commit/${SHA}/statuses/build`);
    assert.equal(req.headers['authorization'], 'Bearer status-token-9');
    // url is required: the commit's page when no target_url is set.
    assert.deepEqual(req.json, { key: 'whauto/site', state: 'INPROGRESS', name: 'whauto/site', url: `https://bitbucket.org/acme/site/commits/${SHA}`, description: 'deployed main in 3s' });
    assert.equal((await sent('bitbucket', '', 'acme/site', 'interrupted')).json.state, 'STOPPED');
  });

  it('Bitbucket Cloud: a user:app-password token goes as HTTP Basic', async () => {
    const n = srv.requests.length;
    const e = entry({ provider: 'bitbucket', commitStatus: { token: 'jdoe:app-pass', context: 'c', apiUrl: srv.url, targetUrl: null } });
    await sendStatus(e, null, { state: 'succeeded', sha: SHA, description: 'd' }, FAST);
    const [req] = (await srv.waitFor(n + 1)).slice(n);
    assert.equal(req!.headers['authorization'], `Basic ${Buffer.from('jdoe:app-pass').toString('base64')}`);
    assert.equal(req!.json.state, 'SUCCESSFUL');
  });

  it('Bitbucket Server: POST /rest/build-status/1.0/commits/{sha} with a Bearer token', async () => {
    const req = await sent('bitbucket-server', '/bb', 'PROJ/site', 'failed', null);
    assert.equal(req.method, 'POST');
    assert.equal(req.path, `/bb/rest/build-status/1.0/commits/${SHA}`);
    assert.equal(req.headers['authorization'], 'Bearer status-token-9');
    assert.deepEqual(req.json, { state: 'FAILED', key: 'whauto/site', name: 'whauto/site', url: `${srv.url}/bb/projects/PROJ/repos/site/commits/${SHA}`, description: 'deployed main in 3s' });
  });

  it('gogs and plain have no status API: nothing is sent', async () => {
    for (const provider of ['gogs', 'plain'] as const) {
      const e = entry({ provider, commitStatus: { token: 't', context: 'c', apiUrl: srv.url, targetUrl: null } });
      assert.equal(await sendStatus(e, null, { state: 'succeeded', sha: SHA, description: 'd' }, FAST), null);
    }
  });
});

const delivery = (repository: string, repositoryUrl: string | null): DeliveryRef => ({
  forge: 'github', event: 'push', deliveryId: null, ref: 'refs/heads/main', before: null, after: SHA, pusher: null,
  repository, repositoryUrl, receivedAt: '2026-01-01T00:00:00Z',
});

test('the API root follows from the delivery\'s repository URL on the clone_url\'s host, per forge', async () => {
  const at = async (provider: ProviderName, repo: string, url: string): Promise<unknown> => {
    const r = await statusRepo(entry({ provider, cloneUrl: url }), delivery(repo, url), STATUS_APIS[provider as 'github'], null);
    return typeof r === 'string' ? r : r.apiBase;
  };
  assert.equal(await at('github', 'acme/site', 'https://github.com/acme/site.git'), 'https://api.github.com');
  assert.equal(await at('github', 'acme/site', 'git@github.com:acme/site.git'), 'https://api.github.com');
  assert.equal(await at('github', 'acme/site', 'https://ghe.example.com/acme/site.git'), 'https://ghe.example.com/api/v3');
  assert.equal(await at('gitlab', 'group/sub/site', 'https://example.com/gitlab/group/sub/site.git'), 'https://example.com/gitlab/api/v4');
  assert.equal(await at('gitea', 'acme/site', 'https://git.example.com:3000/acme/site.git'), 'https://git.example.com:3000/api/v1');
  assert.equal(await at('forgejo', 'acme/site', 'ssh://git@codeberg.org/acme/site.git'), 'https://codeberg.org/api/v1');
  assert.equal(await at('bitbucket', 'acme/site', 'https://bitbucket.org/acme/site.git'), 'https://api.bitbucket.org');
  assert.equal(await at('bitbucket-server', 'PROJ/site', 'https://bb.example.com/scm/proj/site.git'), 'https://bb.example.com');
});

test('the token goes only to the forge the settings name: a delivery naming another host, port or scheme gets no status, one naming the same gives its path prefix', async () => {
  const api = STATUS_APIS.gitea;
  const withClone = (cloneUrl: string) => entry({ provider: 'gitea', cloneUrl });
  const elsewhere = await statusRepo(withClone('https://git.example.org/acme/site.git'), delivery('acme/site', 'http://127.0.0.1:18931/acme/site.git'), api, null);
  assert.equal(elsewhere, 'the delivery names the repository at http://127.0.0.1:18931, not at https://git.example.org (from the entry\'s clone_url or the checkout\'s remote): ' +
    'the token goes only to the forge the settings name; set commit_status.api_url to send it elsewhere');
  // Another port or plain http of the same host is not the forge either.
  for (const url of ['https://git.example.org:8443/acme/site.git', 'http://git.example.org/acme/site.git']) {
    assert.match(String(await statusRepo(withClone('https://git.example.org/acme/site.git'), delivery('acme/site', url), api, null)), /^the delivery names the repository at /, url);
  }
  const same = await statusRepo(withClone('git@git.example.org:acme/site.git'), delivery('acme/site', 'https://GIT.example.org/forge/acme/site.git'), api, null);
  assert.deepEqual(same, { fullName: 'acme/site', webBase: 'https://git.example.org/forge', apiBase: 'https://git.example.org/forge/api/v1' });
  const port = await statusRepo(withClone('https://git.example.org:3000/acme/site.git'), delivery('acme/site', 'https://git.example.org:3000/acme/site.git'), api, null);
  assert.equal(typeof port === 'string' ? port : port.apiBase, 'https://git.example.org:3000/api/v1');
  const local = await statusRepo(withClone('/srv/git/site.git'), delivery('acme/site', 'https://git.example.org/acme/site.git'), api, null);
  assert.match(String(local), /not known from the entry's clone_url or the checkout's remote URL: set commit_status\.api_url/);
  const told = await statusRepo(withClone('/srv/git/site.git'), delivery('acme/site', 'https://git.example.org/acme/site.git'), api, 'https://api.example.org');
  assert.equal(typeof told === 'string' ? told : told.apiBase, 'https://api.example.org', 'api_url is the settings\' word');
});

test('a URL\'s user info never reaches the API root; a local path gives none', async () => {
  const root = async (cloneUrl: string) => statusRepo(entry({ repo: 'acme/site', cloneUrl }), null, STATUS_APIS.gitea, null);
  assert.deepEqual(await root('https://user:secret-token@git.example.com/acme/site.git'),
    { fullName: 'acme/site', webBase: 'https://git.example.com', apiBase: 'https://git.example.com/api/v1' });
  assert.match(String(await root('/srv/git/site.git')), /set commit_status\.api_url/);
  assert.match(String(await root('file:///srv/git/site.git')), /set commit_status\.api_url/);
});

test('a repository\'s name follows from its URL when the entry has no repo', async () => {
  const name = async (cloneUrl: string) => {
    const r = await statusRepo(entry({ repo: null, cloneUrl }), null, STATUS_APIS.gitlab, 'https://api.invalid');
    return typeof r === 'string' ? null : r.fullName;
  };
  assert.equal(await name('https://github.com/acme/site.git'), 'acme/site');
  assert.equal(await name('git@gitlab.com:group/sub/site.git'), 'group/sub/site');
  assert.equal(await name('https://bb.example.com/scm/proj/site.git'), 'proj/site');
  assert.equal(await name('/srv/site.git'), null);
});

test('a trigger run\'s status goes to the entry\'s repo on its clone_url\'s forge, or says what is missing', async () => {
  const api = STATUS_APIS.github;
  const r = await statusRepo(entry({ repo: 'acme/site', cloneUrl: 'https://github.com/acme/site.git' }), null, api, null);
  assert.deepEqual(r, { fullName: 'acme/site', webBase: 'https://github.com', apiBase: 'https://api.github.com' });
  const none = await statusRepo(entry({ repo: 'acme/site', cloneUrl: '/srv/git/site.git' }), null, api, null);
  assert.match(String(none), /set commit_status\.api_url/);
  const unnamed = await statusRepo(entry({ repo: null, cloneUrl: '/srv/git/site.git' }), null, api, 'https://api.github.com');
  assert.match(String(unnamed), /set the entry's repo/);
});
