import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * What is at a repodir, as the git update will find it: nothing or an empty folder (a clone
 * goes there), something that is not a folder, a folder with files but no `.git` (not a
 * checkout: every run fails), a checkout, or 'unknown' when the folder cannot be listed (no
 * permission: the service user may see more than whoever runs check). 'missing' also when
 * it cannot be stat'ed at all, as existsSync says.
 */
export function repodirState(repodir: string): 'missing' | 'empty' | 'not-a-folder' | 'no-git' | 'checkout' | 'unknown' {
  try {
    if (!statSync(repodir).isDirectory()) return 'not-a-folder';
  } catch {
    return 'missing';
  }
  let names: string[];
  try {
    names = readdirSync(repodir);
  } catch {
    return 'unknown';
  }
  if (names.length === 0) return 'empty';
  // A folder (a clone) or a file (a worktree or submodule: "gitdir: …").
  return names.includes('.git') ? 'checkout' : 'no-git';
}

/**
 * Whether the checkout at `repodir` defines the remote `name`, read from its git config
 * files directly (no git spawned): `.git/config`, or for a `.git` file the config of the git
 * dir it names (through `commondir` for a worktree), and `config.worktree`. Also the
 * old-style `remotes/<name>` and `branches/<name>` files. null when it cannot be told:
 * something does not read, or the config includes other files (`[include]`,
 * `[includeIf …]`). Fail quiet: null is never reported. A remote set only in the user's
 * or system's git config is not seen (rare; it would be reported as missing).
 */
export function definesRemote(repodir: string, name: string): boolean | null {
  const gitDir = gitDirOf(repodir);
  if (gitDir === null) return null;
  let common = gitDir;
  try {
    common = resolve(gitDir, readFileSync(join(gitDir, 'commondir'), 'utf8').trim());
  } catch (err) {
    // No commondir: the git dir is its own (a clone, a submodule); anything else: cannot tell.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return null;
  }
  for (const legacy of ['remotes', 'branches']) {
    if (isFile(join(common, legacy, name))) return true;
  }
  let includes = false;
  for (const [file, needed] of [[join(common, 'config'), true], [join(gitDir, 'config.worktree'), false]] as const) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if (needed || (err as NodeJS.ErrnoException).code !== 'ENOENT') return null;
      continue;
    }
    const sections = sectionsOf(text);
    if (sections.some((s) => s.name === 'remote' && s.sub === name)) return true;
    includes ||= sections.some((s) => s.name === 'include' || s.name === 'includeif');
  }
  return includes ? null : false;
}

/** `repodir/.git` when a folder; the folder a `.git` file names (`gitdir: …`, relative to repodir); null when neither reads. */
function gitDirOf(repodir: string): string | null {
  const dotGit = join(repodir, '.git');
  try {
    if (statSync(dotGit).isDirectory()) return dotGit;
    const m = /^gitdir: (.+)/.exec(readFileSync(dotGit, 'utf8'));
    return m ? resolve(dirname(dotGit), m[1]!.trimEnd()) : null;
  } catch {
    return null;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The section headers of a git config file, as git reads them: the section name is
 * case-insensitive (lower-cased here), a quoted subsection (`[remote "x"]`, spaces or tabs
 * before the quote, `\` escaping the next character) keeps its case; the old `[remote.x]`
 * spelling is lower-cased whole. Lines continuing a value (after a trailing `\`) are skipped.
 */
function sectionsOf(text: string): { name: string; sub: string | null }[] {
  const out: { name: string; sub: string | null }[] = [];
  let continued = false;
  for (const line of text.split(/\r?\n/)) {
    const wasContinued = continued;
    // Only a value continues (comments and headers end at the line's end).
    continued = !/^\s*[#;[]/.test(line) && /(^|[^\\])(\\\\)*\\$/.test(line);
    if (wasContinued) continue;
    const quoted = /^\s*\[([A-Za-z0-9.-]+)[ \t]+"((?:[^"\\]|\\.)*)"\]/.exec(line);
    if (quoted) {
      out.push({ name: quoted[1]!.toLowerCase(), sub: quoted[2]!.replace(/\\(.)/g, '$1') });
      continue;
    }
    const plain = /^\s*\[([A-Za-z0-9.-]+)\]/.exec(line);
    if (plain) {
      const [name, ...rest] = plain[1]!.toLowerCase().split('.');
      out.push({ name: name!, sub: rest.length > 0 ? rest.join('.') : null });
    }
  }
  return out;
}
