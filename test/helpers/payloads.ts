import { createHmac, randomUUID } from 'node:crypto';

/** What a small push delivery of our own says. */
export interface PushSpec {
  /** 'owner/name' (Bitbucket Server: 'PROJECT/slug'). */
  repo: string;
  /** Branch name (or tag name with `tag: true`). */
  branch: string;
  tag?: boolean;
  before?: string;
  after?: string;
  deleted?: boolean;
  pusher?: string;
  cloneUrl?: string;
}

export interface Built {
  headers: Record<string, string>;
  body: string;
}

const ZERO = '0'.repeat(40);
const hmac = (alg: string, secret: string, body: string): string => createHmac(alg, secret).update(body).digest('hex');

/** Builds a small, genuine-looking push delivery of `forge`, signed (or tokened) with `secret` when given. */
export function pushDelivery(forge: string, spec: PushSpec, secret: string | null): Built {
  const ref = `${spec.tag ? 'refs/tags/' : 'refs/heads/'}${spec.branch}`;
  const before = spec.before ?? '1'.repeat(40);
  const after = spec.deleted ? ZERO : spec.after ?? '2'.repeat(40);
  const name = spec.repo.split('/').pop()!;
  const pusher = spec.pusher ?? 'octocat';
  const clone = spec.cloneUrl ?? `https://forge.invalid/${spec.repo}.git`;
  const id = randomUUID();
  switch (forge) {
    case 'github': {
      const body = JSON.stringify({ ref, before, after, created: false, deleted: !!spec.deleted, forced: false,
        repository: { name, full_name: spec.repo, clone_url: clone, owner: { login: spec.repo.split('/')[0] } },
        pusher: { name: pusher, email: 'p@example.invalid' }, sender: { login: pusher } });
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': id };
      if (secret) headers['x-hub-signature-256'] = `sha256=${hmac('sha256', secret, body)}`;
      return { headers, body };
    }
    case 'gitlab': {
      const body = JSON.stringify({ object_kind: spec.tag ? 'tag_push' : 'push', event_name: spec.tag ? 'tag_push' : 'push', ref, before, after,
        checkout_sha: spec.deleted ? null : after, user_username: pusher, user_name: pusher,
        project: { name, path_with_namespace: spec.repo, git_http_url: clone, git_ssh_url: `git@forge.invalid:${spec.repo}.git` },
        repository: { name, git_http_url: clone } });
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-gitlab-event': spec.tag ? 'Tag Push Hook' : 'Push Hook', 'x-gitlab-event-uuid': id };
      if (secret) headers['x-gitlab-token'] = secret;
      return { headers, body };
    }
    case 'gitea':
    case 'forgejo':
    case 'gogs': {
      const body = JSON.stringify({ ref, before, after, compare_url: '', commits: [],
        repository: { name, full_name: spec.repo, clone_url: clone, owner: { login: spec.repo.split('/')[0], username: spec.repo.split('/')[0] } },
        pusher: { login: pusher, username: pusher }, sender: { login: pusher, username: pusher } });
      const prefix = forge === 'gitea' ? 'gitea' : forge === 'forgejo' ? 'forgejo' : 'gogs';
      const headers: Record<string, string> = { 'content-type': 'application/json', [`x-${prefix}-event`]: spec.deleted ? 'delete' : 'push', [`x-${prefix}-delivery`]: id };
      if (secret) headers[`x-${prefix}-signature`] = hmac('sha256', secret, body);
      return { headers, body };
    }
    case 'bitbucket': {
      const kind = spec.tag ? 'tag' : 'branch';
      const body = JSON.stringify({
        push: { changes: [{ new: spec.deleted ? null : { type: kind, name: spec.branch, target: { type: 'commit', hash: after } },
          old: { type: kind, name: spec.branch, target: { type: 'commit', hash: before } }, created: false, closed: !!spec.deleted, forced: false }] },
        repository: { type: 'repository', name, full_name: spec.repo, links: { html: { href: `https://bitbucket.invalid/${spec.repo}` } } },
        actor: { nickname: pusher, display_name: pusher } });
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-event-key': 'repo:push', 'x-request-uuid': id };
      if (secret) headers['x-hub-signature'] = `sha256=${hmac('sha256', secret, body)}`;
      return { headers, body };
    }
    case 'bitbucket-server': {
      const [key, slug] = spec.repo.split('/');
      const body = JSON.stringify({ eventKey: 'repo:refs_changed', date: new Date().toISOString(), actor: { name: pusher, displayName: pusher },
        repository: { slug, name: slug, project: { key, name: key }, links: { clone: [{ href: clone, name: 'http' }] } },
        changes: [{ ref: { id: ref, displayId: spec.branch, type: spec.tag ? 'TAG' : 'BRANCH' }, refId: ref, fromHash: before, toHash: after, type: spec.deleted ? 'DELETE' : 'UPDATE' }] });
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-event-key': 'repo:refs_changed', 'x-request-id': id };
      if (secret) headers['x-hub-signature'] = `sha256=${hmac('sha256', secret, body)}`;
      return { headers, body };
    }
    case 'plain': {
      const body = JSON.stringify({ ref, after, repository: spec.repo, pusher });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (secret) headers['x-webhook-token'] = secret;
      return { headers, body };
    }
    default:
      throw new Error(`no payload builder for forge ${forge}`);
  }
}

/** Signs an arbitrary body for `forge` the way the forge would (for fixtures and hostile tests). */
export function signFor(forge: string, secret: string, body: string | Buffer): Record<string, string> {
  const b = typeof body === 'string' ? body : body.toString('utf8');
  switch (forge) {
    case 'github': return { 'x-hub-signature-256': `sha256=${hmac('sha256', secret, b)}` };
    case 'gitlab': return { 'x-gitlab-token': secret };
    case 'gitea': return { 'x-gitea-signature': hmac('sha256', secret, b) };
    case 'forgejo': return { 'x-forgejo-signature': hmac('sha256', secret, b) };
    case 'gogs': return { 'x-gogs-signature': hmac('sha256', secret, b) };
    case 'bitbucket':
    case 'bitbucket-server': return { 'x-hub-signature': `sha256=${hmac('sha256', secret, b)}` };
    case 'plain': return { 'x-webhook-token': secret };
    default: throw new Error(`no signer for forge ${forge}`);
  }
}

export const FORGE_NAMES = ['github', 'gitlab', 'gitea', 'forgejo', 'gogs', 'bitbucket', 'bitbucket-server', 'plain'] as const;
