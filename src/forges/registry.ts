import type { ProviderName } from '../settings/types.ts';
import type { Forge } from './types.ts';
import { github } from './github.ts';
import { gitlab } from './gitlab.ts';
import { gitea } from './gitea.ts';
import { forgejo } from './forgejo.ts';
import { gogs } from './gogs.ts';
import { bitbucket } from './bitbucket.ts';
import { bitbucketServer } from './bitbucket-server.ts';
import { plain } from './plain.ts';

/** Every forge by provider name (the names a settings entry's `provider` takes). */
export const FORGES: Record<ProviderName, Forge> = {
  github,
  gitlab,
  gitea,
  forgejo,
  gogs,
  bitbucket,
  'bitbucket-server': bitbucketServer,
  plain,
};

/** The forge for a provider name. Throws Error for an unknown name (settings validation prevents it). */
export function getForge(name: ProviderName | string): Forge {
  const forge = (FORGES as Record<string, Forge>)[name];
  if (forge === undefined || !Object.hasOwn(FORGES, name)) throw new Error(`unknown provider '${name}'`);
  return forge;
}
