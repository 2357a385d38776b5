/**
 * The README and the reference in docs/ are checked against what they describe, so that snippets, the
 * field table, the output excerpt and the example specs cannot drift from the code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, BIN, run } from './support/exec';

const read = (file: string) => readFileSync(join(REPO, file), 'utf8');
const readme = read('README.md');
const reference = read('docs/reference.md');
/** README.md and every docs/*.md, the documents a snippet or an example spec may sit in. */
const DOCS = ['README.md', ...readdirSync(join(REPO, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const fenceAfter = (text: string, marker: string) => {
  const at = text.indexOf(marker);
  expect(at).toBeGreaterThanOrEqual(0);
  return /```\w*\n([\s\S]*?)```/.exec(text.slice(at))![1];
};

test('starts with the two commands: render the example, run every test; CI runs the test one', () => {
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1].trim());
  expect(blocks[0]).toBe('npm ci && npm run build && npm run render');
  expect(blocks[1]).toBe('npm ci && npm test');
  expect(readme.indexOf('```sh')).toBeLessThan(200);
  expect(readFileSync(join(REPO, '.ci', 'run'), 'utf8')).toMatch(/^npm ci && npm test$/m);
});

test('the README stays short: a newcomer\'s page, the reference in docs/ (issue 23: it had grown to 900 lines)', () => {
  expect(readme.split('\n').length).toBeLessThanOrEqual(250);
});

const SNIPPETS = DOCS.flatMap((doc) => [...read(doc).matchAll(/<!-- file: (\S+) -->/g)].map((m) => [doc, m[1]] as [string, string]));
test('some documents show files as snippets', () => expect(SNIPPETS.length).toBeGreaterThanOrEqual(4));
test.each(SNIPPETS)('%s: the snippet of %s is the file', (doc, file) => {
  expect(fenceAfter(read(doc), `<!-- file: ${file} -->`)).toBe(read(file));
});

test('the output excerpt in docs/reference.md is what render prints today', () => {
  const excerpt = fenceAfter(reference, '<!-- output-excerpt: render functionconfig.yaml -->');
  expect(run(BIN, ['render', 'functionconfig.yaml']).stdout).toContain(excerpt);
});

/** Every ClusterSpec shown whole in a ```yaml block of the README or docs/ (not fragments of one). */
const SPECS = DOCS.flatMap((doc) =>
  [...read(doc).matchAll(/```ya?ml\n([\s\S]*?)```/g)].filter((m) => /^kind: ClusterSpec$/m.test(m[1])).map((m) => [doc, read(doc).slice(0, m.index).split('\n').length, m[1]] as [string, number, string]),
);
test('the README, getting-started and running.md show whole ClusterSpecs', () => {
  expect(new Set(SPECS.map(([doc]) => doc))).toEqual(new Set(['README.md', 'docs/getting-started.md', 'docs/running.md']));
});
test.each(SPECS)('%s line %d: the ClusterSpec shown renders with no error (every site value given)', (_doc, _line, spec) => {
  const r = run(BIN, ['render', '-'], { input: spec });
  expect({ status: r.status, errors: r.stderr.split('\n').filter((l) => l.startsWith('[error]')) }).toEqual({ status: 0, errors: [] });
});

test('every ClusterSpec field is in the field table of docs/reference.md', () => {
  const schema = JSON.parse(read('schema/clusterspec.schema.json'));
  const paths: string[] = [];
  const walk = (s: any, p: string) => {
    for (const [k, v] of Object.entries<any>(s?.properties ?? {})) {
      const container = v.properties || v.items?.properties || (v.anyOf ?? []).some((a: any) => a.properties);
      if (!container) paths.push(`${p}${k}`); // a leaf: what a user writes a value for
      walk(v, `${p}${k}.`);
      if (v.items) walk(v.items, `${p}${k}[].`);
    }
    for (const alt of s?.anyOf ?? []) walk(alt, p);
  };
  walk(schema.properties.spec, 'spec.');
  expect(paths.length).toBeGreaterThan(60);
  const rows = reference.split('\n').filter((l) => l.startsWith('| `spec.'));
  const missing = paths.filter((p) => {
    const parent = p.slice(0, p.lastIndexOf('.'));
    const leaf = p.slice(p.lastIndexOf('.') + 1);
    return !rows.some((r) => r.includes(`\`${p}\``) || r.includes(`\`${p}\` (`) || (r.includes(`\`.${leaf}\``) && r.includes(`\`${parent}`)));
  });
  expect(missing).toEqual([]);
});
