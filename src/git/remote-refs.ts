import { runCommand } from '../exec/run-command.ts';
import type { Entry } from '../settings/types.ts';
import { gitWords } from './explain-failure.ts';
import { gitEnv, processEnv } from './git-env.ts';
import { redactUrl } from './redact-url.ts';
import type { GitOptions } from './types.ts';

/**
 * Every branch and tag `url` has now, by one `git ls-remote --heads --tags` run in `cwd` (a
 * checkout, so its own config applies, or any folder): full ref → commit, an annotated tag
 * peeled to the commit it points to (its `^{}` line). No fetch; changes nothing. Else one line
 * saying why not (URL credentials hidden). Never throws.
 */
export async function remoteRefs(
  entry: Pick<Entry, 'gitBinary' | 'sshKey'>,
  cwd: string,
  url: string,
  opts: GitOptions & { timeoutMs: number },
): Promise<{ refs: Map<string, string> } | { message: string }> {
  const refs = new Map<string, string>();
  const peeled = new Map<string, string>();
  const other: string[] = [];
  const r = await runCommand({ run: [entry.gitBinary, 'ls-remote', '--heads', '--tags', '--', url], timeout: null }, {
    cwd,
    env: gitEnv(entry, opts.env ?? processEnv()),
    timeoutMs: opts.timeoutMs,
    ...(opts.graceMs !== undefined ? { graceMs: opts.graceMs } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    onLine: (line) => {
      const m = /^([0-9a-f]{40}(?:[0-9a-f]{24})?)\t(refs\/\S+)$/.exec(line);
      if (!m) {
        // git's own words (an error): only the last few are kept.
        other.push(line);
        if (other.length > 20) other.shift();
      } else if (m[2]!.endsWith('^{}')) peeled.set(m[2]!.slice(0, -3), m[1]!);
      else refs.set(m[2]!, m[1]!);
    },
  });
  if (r.exitCode === 0 && r.error === null) {
    for (const [ref, commit] of peeled) if (refs.has(ref)) refs.set(ref, commit);
    return { refs };
  }
  if (r.timedOut) return { message: `git ls-remote ${redactUrl(url)} timed out` };
  if (r.aborted) return { message: 'git ls-remote was interrupted' };
  if (r.error) return { message: r.error };
  const words = gitWords({ ...r, ok: false, lines: other });
  const said = words.find((l) => /^(fatal|error):/.test(l)) ?? words.at(-1) ?? `exit ${r.exitCode ?? r.signal}`;
  return { message: redactUrl(`cannot reach remote ${url}: ${said.replace(/^(fatal|error):\s*/, '')}`) };
}
