// An entry as the settings loader makes it, for notify tests that need no settings file.
import type { Entry } from '../../src/settings/types.ts';

export function entry(over: Partial<Entry> = {}): Entry {
  return {
    name: 'site', provider: 'github', secret: null, repo: 'acme/site', branches: ['main'], tags: false,
    repodir: null, cloneUrl: null, remote: 'origin', update: 'none', submodules: false, gitBinary: 'git', sshKey: null,
    workdir: '/tmp', env: {}, timeout: 60_000, preCommands: [], commands: [], postCommands: [], onFailure: [], allowIps: [],
    notify: [], commitStatus: null, ...over,
  };
}
