/** The README is checked against what it describes, so snippets and the field table cannot drift. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, BIN, run } from './support/exec';

const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
const fenceAfter = (marker: string) => {
  const at = readme.indexOf(marker);
  const m = /```\w*\n([\s\S]*?)```/.exec(readme.slice(at));
  return m![1];
};

test('starts with the two commands: render the example, run every test; CI runs the test one', () => {
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1].trim());
  expect(blocks[0]).toBe('npm ci && npm run build && npm run render');
  expect(blocks[1]).toBe('npm ci && npm test');
  expect(readme.indexOf('```sh')).toBeLessThan(200);
  expect(readFileSync(join(REPO, '.ci', 'run'), 'utf8')).toMatch(/^npm ci && npm test$/m);
});

test.each([...readme.matchAll(/<!-- file: (\S+) -->/g)].map((m) => m[1]))('the snippet of %s is the file', (file) => {
  expect(fenceAfter(`<!-- file: ${file} -->`)).toBe(readFileSync(join(REPO, file), 'utf8'));
});

test('the output excerpt is what render prints today', () => {
  const excerpt = fenceAfter('<!-- output-excerpt: render functionconfig.yaml -->');
  expect(run(BIN, ['render', 'functionconfig.yaml']).stdout).toContain(excerpt);
});

test('every ClusterSpec field is in the field table', () => {
  const schema = JSON.parse(readFileSync(join(REPO, 'schema', 'clusterspec.schema.json'), 'utf8'));
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
  const rows = readme.split('\n').filter((l) => l.startsWith('| `spec.'));
  const missing = paths.filter((p) => {
    const parent = p.slice(0, p.lastIndexOf('.'));
    const leaf = p.slice(p.lastIndexOf('.') + 1);
    return !rows.some((r) => r.includes(`\`${p}\``) || r.includes(`\`${p}\` (`) || (r.includes(`\`.${leaf}\``) && r.includes(`\`${parent}`)));
  });
  expect(missing).toEqual([]);
});
