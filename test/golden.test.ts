/**
 * Golden tests: testdata/golden/<case>/input.yaml → expected.yaml (stdout), expected.stderr, exit-code.
 * Regenerate with UPDATE_GOLDEN=1 and READ THE DIFF: these files are reviewed by a human eye.
 * Beyond byte equality, every case is checked for what must hold whatever the expected file says.
 */
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseDocument } from 'yaml';
import { runKRM } from '../src/krm/run';
import { validateObjects } from '../src/validate';
import { PROFILE_TARGETS } from '../src/validate/pinned';
import { GENERATED_FROM_ANNOTATION } from '../src/resources/meta';
import { EACH_BINARY, runFunction } from './support/binaries';

const root = join(__dirname, '..', 'testdata', 'golden');
const cases = readdirSync(root).sort();
const update = process.env.UPDATE_GOLDEN === '1';

describe.each(cases)('golden %s', (name) => {
  const dir = join(root, name);
  const input = readFileSync(join(dir, 'input.yaml'), 'utf8');
  const out = runKRM(input);

  test('matches the expected output', () => {
    const files: [string, string][] = [
      ['expected.yaml', out.stdout],
      ['expected.stderr', out.stderr],
      ['exit-code', `${out.exitCode}\n`],
    ];
    for (const [f, actual] of files) {
      if (update) writeFileSync(join(dir, f), actual);
      if (!existsSync(join(dir, f))) throw new Error(`${name}/${f} is missing: run with UPDATE_GOLDEN=1 and review the new file`);
      expect(actual).toBe(readFileSync(join(dir, f), 'utf8'));
    }
  });

  test('is deterministic and idempotent: same bytes again, and again on its own output', () => {
    expect(runKRM(input).stdout).toBe(out.stdout);
    if (out.exitCode !== 0) return;
    const again = runKRM(out.stdout.replace(/^results:[\s\S]*$/m, '') + input.slice(input.indexOf('functionConfig:')));
    expect(again.stdout).toBe(out.stdout);
  });

  test('every input item passes through as written', () => {
    const inItems = parseDocument(input, { version: '1.1' }).get('items', true) as any;
    for (const node of inItems?.items ?? []) {
      const owned = node.getIn(['metadata', 'annotations', GENERATED_FROM_ANNOTATION]);
      const text = input.slice(node.range[0], node.range[1]).replace(/\n$/, '');
      const lines = text.split('\n');
      const indent = lines.length > 1 ? Math.min(...lines.slice(1).filter((l) => l.trim()).map((l) => l.length - l.trimStart().length)) - 2 : 0;
      const shifted = lines.map((l, i) => (i ? l.slice(Math.max(indent, 0)) : l)).join('\n');
      const ownedHere = owned && parse(input).functionConfig && owned === `ClusterSpec/${parse(input).functionConfig.metadata.name}`;
      if (ownedHere && out.exitCode === 0) expect(out.stdout).not.toContain(shifted);
      else expect(out.stdout).toContain(shifted);
    }
  });

  test('generated objects validate against the pinned CRDs', () => {
    const list = parse(out.stdout);
    const mine = `ClusterSpec/${parse(input).functionConfig?.metadata?.name}`;
    const generated = (list.items ?? []).filter((o: any) => o.metadata?.annotations?.[GENERATED_FROM_ANNOTATION] === mine);
    const profile = parse(input).functionConfig?.spec?.cluster?.profile ?? 'current';
    if (out.exitCode !== 0) return expect(generated).toEqual([]);
    expect(generated.length).toBeGreaterThan(0);
    for (const t of PROFILE_TARGETS[profile as 'current' | 'legacy']) expect(validateObjects(generated, t.sources)).toEqual([]);
  });
});

// The same cases through each built executable, as kpt and kustomize run it: the bytes the bundle and
// its runtime (Node, or the standalone Bun executable) write must be exactly the expected files.
describe.each(EACH_BINARY)('golden cases through the %s', (_name, bin) => {
  test.each(cases)('%s: expected stdout, stderr and exit code', (name) => {
    const dir = join(root, name);
    const r = runFunction(bin, [], { input: readFileSync(join(dir, 'input.yaml'), 'utf8'), cwd: '/' });
    expect(r.stdout).toBe(readFileSync(join(dir, 'expected.yaml'), 'utf8'));
    expect(r.stderr).toBe(readFileSync(join(dir, 'expected.stderr'), 'utf8'));
    expect(`${r.status}\n`).toBe(readFileSync(join(dir, 'exit-code'), 'utf8'));
  });
});
