/**
 * Matches a branch or tag name against a glob: `*` any run of characters but '/', `**` any
 * run including '/', `?` one character but '/'. Everything else is literal.
 */
export function globMatch(glob: string, name: string): boolean {
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
  return new RegExp(re + '$', 's').test(name);
}

/** True when `glob` has no wildcard, i.e. names one branch. */
export function isLiteral(glob: string): boolean {
  return !/[*?]/.test(glob);
}
