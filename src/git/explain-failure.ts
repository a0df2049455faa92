import type { Target } from './types.ts';
import type { GitResult } from './run-git.ts';
import { redactUrl } from './redact-url.ts';

interface FailureContext {
  /** The git step, e.g. 'fetch', 'checkout'. */
  step: string;
  repodir: string;
  /** Remote name or URL (credentials are hidden by the caller). */
  remote: string;
  target: Target;
}

/**
 * One line saying why a git step failed, recognising the common causes: a timeout or abort,
 * git missing, git's "dubious ownership", file submodules not allowed, not a repository,
 * remote branch/tag gone, remote unreachable. Otherwise "git <step> failed (exit N): <git's last error line>".
 */
export function explainFailure(r: GitResult, ctx: FailureContext): string {
  return redactUrl(explain(r, ctx));
}

function explain(r: GitResult, ctx: FailureContext): string {
  const all = r.lines.join('\n');
  const what = `${ctx.target.kind} ${ctx.target.name}`;
  if (r.timedOut) return `git ${ctx.step} timed out`;
  if (r.aborted) return `git ${ctx.step} was interrupted`;
  if (r.error) return r.error.startsWith('command not found') ? `git not found: ${r.error}` : r.error;
  if (/dubious ownership/i.test(all)) {
    // git names the repository it refuses: the checkout, or a local remote (clone_url a path).
    const at = /dubious ownership in repository at '([^'\n]*)'/i.exec(all)?.[1] ?? ctx.repodir;
    const which = at.replace(/\/+$/, '') === ctx.repodir.replace(/\/+$/, '') ? `repodir ${ctx.repodir}` : `the repository at ${at}`;
    return `git refuses ${which}: dubious ownership (it belongs to another user; ` +
      `run whauto as its owner or add it to git's safe.directory)`;
  }
  // git ≥ 2.38.1 refuses file:// submodules unless the user allows it (CVE-2022-39253).
  if (/transport 'file' not allowed/i.test(all)) {
    return `git ${ctx.step} failed: git refuses submodules on this machine (file transport) unless allowed: ` +
      'git config --global protocol.file.allow always, as the user whauto runs as';
  }
  if (/couldn't find remote ref/i.test(all)) return `${what} does not exist on remote ${ctx.remote} (deleted?)`;
  if (/not a git repository/i.test(all) && !/does not appear to be a git repository/i.test(all)) {
    return `repodir ${ctx.repodir} is not a git repository: point repodir at the checkout, ` +
      'or empty it (or remove it) so that clone_url is cloned there';
  }
  if (/could not read from remote|unable to access|does not appear to be a git repository|could not resolve host|connection refused|connection timed out|repository .* (?:not found|does not exist)|authentication failed|permission denied \(publickey/i.test(all)) {
    return `cannot reach remote ${ctx.remote}: ${lastError(r.lines)}`;
  }
  return `git ${ctx.step} failed (exit ${r.exitCode ?? r.signal}): ${lastError(r.lines)}`;
}

/** git's own lines shown under a failure's summary, at most. */
const WORDS = 12;

/**
 * What git itself said about its failure, for the run log under whauto's summary line: from
 * git's first `fatal:`/`error:` line among its last lines to the end (hints such as the
 * safe.directory command included), blank lines and progress left out, at most 12 lines,
 * URL credentials hidden; its last 3 lines when it printed no such line.
 */
export function gitWords(r: GitResult): string[] {
  const lines = r.lines.filter((l) => l.trim() !== '' && !/^(remote: )?(Receiving|Resolving|Counting|Compressing|Enumerating|Unpacking|Updating files|Checking out files|Filtering content)\b/.test(l) && !l.startsWith('$ git '));
  const first = lines.findIndex((l) => /^(fatal|error):/.test(l));
  const words = first >= 0 ? lines.slice(first) : lines.slice(-3);
  return words.slice(0, WORDS).map(redactUrl);
}

/**
 * git's most telling words: its last `fatal:`/`error:` message, else its last line. A message
 * git wrapped goes on in the indented lines under it (fetch: "some local refs could not be
 * updated; try running\n 'git remote prune origin' to remove …"): they are joined to it, but
 * not a ref's status line (` ! [new branch] …`, `   1a2b..3c4d main -> …`).
 */
function lastError(lines: string[]): string {
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!/^(fatal|error):/.test(lines[i]!)) continue;
    const words = [lines[i]!.replace(/^(fatal|error):\s*/, '')];
    for (const next of lines.slice(i + 1)) {
      if (!/^\s+\S/.test(next) || /^ [ !*+\-=t] /.test(next)) break;
      words.push(next.trim());
    }
    return words.join(' ');
  }
  return lines[lines.length - 1] ?? 'no output';
}
