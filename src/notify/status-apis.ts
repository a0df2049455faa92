import type { StatusProvider } from '../model/names.ts';
import type { StatusApi } from './types.ts';
import { githubStatus } from './github-status.ts';
import { gitlabStatus } from './gitlab-status.ts';
import { giteaStatus } from './gitea-status.ts';
import { bitbucketStatus } from './bitbucket-status.ts';
import { bitbucketServerStatus } from './bitbucket-server-status.ts';

/** Every forge's commit status API by provider name (gogs and plain have none). */
export const STATUS_APIS: Record<StatusProvider, StatusApi> = {
  github: githubStatus,
  gitlab: gitlabStatus,
  gitea: giteaStatus,
  forgejo: giteaStatus,
  bitbucket: bitbucketStatus,
  'bitbucket-server': bitbucketServerStatus,
};

/** The status API of `provider`, or null for a forge without one. */
export function statusApi(provider: string): StatusApi | null {
  return Object.hasOwn(STATUS_APIS, provider) ? STATUS_APIS[provider as StatusProvider] : null;
}
