/**
 * Matches a branch or tag name against a glob: `*` any run of characters but '/', `**` any
 * run including '/', `?` one character but '/'. Everything else is literal.
 */
export function globMatch(glob: string, name: string): boolean {
  let compiled = cache.get(glob);
  if (!compiled) {
    compiled = compile(glob);
    // Globs come from the settings, so the cache stays small; a reload may add a few.
    if (cache.size > 1000) cache.clear();
    cache.set(glob, compiled);
  }
  return compiled.test(name);
}

const cache = new Map<string, RegExp>();

function compile(glob: string): RegExp {
  let re = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(re + '$', 's');
}

/** True when `glob` has no wildcard, i.e. names one branch. */
export function isLiteral(glob: string): boolean {
  return !/[*?]/.test(glob);
}
