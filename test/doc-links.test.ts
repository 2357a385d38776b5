/**
 * Every relative link in the README, the CHANGELOG, docs/ and the examples' READMEs resolves: the file or
 * folder exists, and a #fragment names a heading of the target (as GitHub makes heading anchors). The
 * reference moved out of the README into docs/ (issue 23); a link left pointing at the old place fails here.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { REPO } from './support/exec';

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (f === 'node_modules' || f.startsWith('.')) return [];
    if (statSync(p).isDirectory()) return markdownFiles(p);
    return f.endsWith('.md') ? [p] : [];
  });
}
const FILES = [join(REPO, 'README.md'), join(REPO, 'CHANGELOG.md'), ...markdownFiles(join(REPO, 'docs')), ...markdownFiles(join(REPO, 'examples'))];

/** Text outside fenced code blocks and inline code, where a link is a link. */
const prose = (text: string) => text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');

/** GitHub's heading anchor: lower case, punctuation and symbols dropped, spaces to hyphens; repeats get -1, -2, … */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const base = m[1]
      .replace(/`/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n ? `${base}-${n}` : base);
  }
  return out;
}

const LINKS = FILES.flatMap((file) =>
  [...prose(readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1])
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target)) // https:, mailto:
    .map((target) => [relative(REPO, file), target] as [string, string]),
);

test('the documents have relative links to check', () => expect(LINKS.length).toBeGreaterThan(50));

test.each(LINKS)('%s → %s resolves', (from, target) => {
  const [path, fragment] = target.split('#');
  const file = path ? join(dirname(join(REPO, from)), decodeURIComponent(path)) : join(REPO, from);
  expect([target, existsSync(file)]).toEqual([target, true]);
  if (fragment !== undefined) {
    expect(file.endsWith('.md')).toBe(true);
    expect([...anchors(readFileSync(file, 'utf8'))]).toContain(fragment);
  }
});

test('the anchors follow GitHub: punctuation dropped, spaces to hyphens, repeats numbered', () => {
  // Each expectation is how GitHub renders the heading's anchor; a slugger that kept the colon or the
  // parentheses, or did not number the repeat, would fail it.
  expect([...anchors('## VM IDs: give each cluster a range\n## kustomize (exec generator)\n### Step 5. Import, render, and read the diff (offline)\n## Tests\n## Tests\n## `render --out`\n')]).toEqual([
    'vm-ids-give-each-cluster-a-range',
    'kustomize-exec-generator',
    'step-5-import-render-and-read-the-diff-offline',
    'tests',
    'tests-1',
    'render---out',
  ]);
});
