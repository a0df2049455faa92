import type { ProviderName } from '../settings/types.ts';

/** What to fill in on the forge's side for a webhook to whauto (shown by `whauto init`, mirrored in docs/forges.md). */
interface ForgeSetup {
  /** The forge's own name, e.g. 'GitHub'. */
  title: string;
  /** Where in the forge's web interface the webhook is added. */
  where: string;
  /** The label of the URL field. */
  urlField: string;
  /** The content type to pick, or a note that the forge always sends JSON. */
  contentType: string;
  /** The label of the secret field. */
  secretField: string;
  /** Which events to pick. */
  events: string;
}

/** One row per provider. */
export const FORGE_SETUP: Record<ProviderName, ForgeSetup> = {
  github: { title: 'GitHub', where: 'repository → Settings → Webhooks → Add webhook', urlField: 'Payload URL',
    contentType: 'application/json', secretField: 'Secret', events: 'Just the push event' },
  gitlab: { title: 'GitLab', where: 'project → Settings → Webhooks → Add new webhook', urlField: 'URL',
    contentType: 'always JSON (nothing to set)', secretField: 'Secret token', events: 'Push events (and Tag push events when tags are on)' },
  gitea: { title: 'Gitea', where: 'repository → Settings → Webhooks → Add webhook → Gitea', urlField: 'Target URL',
    contentType: 'application/json (POST Content Type)', secretField: 'Secret', events: 'Push events' },
  forgejo: { title: 'Forgejo', where: 'repository → Settings → Webhooks → Add webhook → Forgejo', urlField: 'Target URL',
    contentType: 'application/json (POST Content Type)', secretField: 'Secret', events: 'Push events' },
  gogs: { title: 'Gogs', where: 'repository → Settings → Webhooks → Add new webhook → Gogs', urlField: 'Payload URL',
    contentType: 'application/json', secretField: 'Secret', events: 'Just the push event' },
  bitbucket: { title: 'Bitbucket Cloud', where: 'repository → Repository settings → Webhooks → Add webhook', urlField: 'URL',
    contentType: 'always JSON (nothing to set)', secretField: 'Secret', events: 'Repository: Push' },
  'bitbucket-server': { title: 'Bitbucket Server / Data Center', where: 'repository → Repository settings → Webhooks → Create webhook', urlField: 'URL',
    contentType: 'always JSON (nothing to set)', secretField: 'Secret', events: 'Repository: Push' },
  plain: { title: 'any HTTP client (plain)', where: 'your script or CI job', urlField: 'POST to',
    contentType: 'application/json', secretField: 'header X-Webhook-Token (or Authorization: Bearer)', events: 'a JSON body with "ref" (optional)' },
};
