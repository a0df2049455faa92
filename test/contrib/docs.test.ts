// The user documentation: a README read in five minutes that leads to docs/, pages that say
// what they are for, and links that lead somewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PAGES = ['README.md', 'SECURITY.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const read = (page: string): string => readFileSync(join(ROOT, page), 'utf8');

test('the README stays short: at most 1,500 words', () => {
  const words = read('README.md').split(/\s+/).filter(Boolean).length;
  assert.ok(words <= 1500, `${words} words`);
});

test('every docs page starts with what it is for', () => {
  for (const page of PAGES.filter((p) => p.startsWith('docs/'))) {
    const first = read(page).split('\n\n')[1] ?? '';
    assert.match(first, /^This page (is for|lists)/, page);
  }
});

test('no page for users speaks of a spec or of issues', () => {
  // Addresses (spec.matrix.org) aside.
  for (const page of PAGES) assert.doesNotMatch(read(page).replace(/https?:\/\/\S+/g, ''), /\bthe spec\b|\bSPEC\b|\bissue \d/i, page);
});

test('every relative link of the README and docs/ leads to a file that exists', () => {
  const broken: string[] = [];
  for (const page of PAGES) {
    for (const m of read(page).matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/.test(target)) continue;
      if (!existsSync(resolve(dirname(join(ROOT, page)), target))) broken.push(`${page}: ${target}`);
    }
  }
  assert.deepEqual(broken, []);
});
