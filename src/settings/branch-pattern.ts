/**
 * Why a branch name or glob can never match a pushed branch (git check-ref-format rules that
 * a glob's `*` and `?` do not change, plus no leading '-'), or null when it can.
 */
export function badBranchPattern(text: string): string | null {
  if (text.startsWith('refs/')) return "write the branch name without 'refs/heads/'";
  if (/[\x00-\x20\x7f~^:\\[]/.test(text)) return 'it holds a space, a control character or one of ~ ^ : \\ [';
  if (text.includes('..') || text.includes('@{') || text.includes('//')) return "it holds '..', '@{' or '//'";
  if (/(^|\/)[-.]/.test(text)) return "a part of it starts with '-' or '.'";
  if (text.endsWith('/') || text.endsWith('.') || text.endsWith('.lock')) return "it ends with '/', '.' or '.lock'";
  return null;
}
