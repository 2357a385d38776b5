/**
 * src/yaml/emit.ts writes YAML without the yaml library, for speed; it must write exactly the library's
 * bytes (toDocument(...).toString(STRINGIFY_OPTIONS), what toYAML wrote before it) or leave the value to
 * the library. Checked on every object the function renders for random valid specs (where it must never
 * need the library: that is the speed-up), on the golden outputs, and on random data built to hit the
 * library's quoting and block rules (fast-check, seeded; FC_SEED, FC_RUNS).
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { emitYAML } from '../src/yaml/emit';
import { STRINGIFY_OPTIONS, toDocument } from '../src/yaml/write';
import { SourceNumber } from '../src/yaml/read';
import { generate } from '../src/generate';
import { validSpec } from './support/validSpecs';
import { API_VERSION, KIND } from '../src/clusterspec/api';

const RUNS = Number(process.env.FC_RUNS ?? 100);
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261206;
const library = (v: unknown) => toDocument(v).toString(STRINGIFY_OPTIONS);

test('every object rendered for random valid specs: the library’s bytes, never left to the library', () => {
  let objects = 0;
  for (const profile of ['current', 'legacy'] as const) {
    fc.assert(
      fc.property(validSpec(profile), (g) => {
        const { objects: rendered } = generate({ apiVersion: API_VERSION, kind: KIND, metadata: { name: g.name }, spec: g.spec });
        // Catches any difference in quoting, block scalars, indentation or key order; undefined here would
        // mean the fast path does not cover the function's own output.
        for (const o of rendered) expect(emitYAML(o)).toBe(library(o));
        // The KRM path writes all objects as one sequence.
        expect(emitYAML(rendered)).toBe(library(rendered));
        objects += rendered.length;
      }),
      { numRuns: RUNS, seed },
    );
  }
  expect(objects).toBeGreaterThan(RUNS * 2 * 5);
});

test('every object of the golden outputs', () => {
  let n = 0;
  for (const dir of readdirSync(join(__dirname, '..', 'testdata', 'golden'))) {
    for (const d of parseAllDocuments(readFileSync(join(__dirname, '..', 'testdata', 'golden', dir, 'expected.yaml'), 'utf8'))) {
      const v = d.toJS() as { items?: unknown[] } | null;
      for (const o of v?.items ?? (v ? [v] : [])) {
        const e = emitYAML(o);
        if (e !== undefined) expect(e).toBe(library(o));
        n++;
      }
    }
  }
  expect(n).toBeGreaterThan(40);
});

// Strings assembled from the pieces the library's rules look at: indicators first or last, ': ' and ' #',
// line breaks (single, double, at either end), spaces and tabs around them, quotes of both kinds, document
// markers, controls, non-ASCII, and texts that some YAML reader takes for another type.
const piece = fc.constantFrom('a', 'B9', ' ', '\t', '\n', '\n\n', ':', ': ', ' #', '#', '-', '- ', '?', '*', '&', '!', '|', '>', "'", '"', '%', '@', '`', ',', '[', ']', '{', '}', '---', '...', 'é', '🙂', '\u0085', '\u2028', '\x07', '\\', 'yes', 'on', '~', 'null', '0755', '0x1F', '1e3', '2024-01-02', '.nan', 'true', '12');
const text = fc.oneof(
  { arbitrary: fc.array(piece, { maxLength: 6 }).map((p) => p.join('')), weight: 6 },
  { arbitrary: fc.string(), weight: 1 },
  { arbitrary: fc.constantFrom('', 'line1\nline2\n', 'a\n  b\n', 'a\n\nb', 'x\n', 'x  \ny\n', 'it\'s "x"', 'say "hi"'), weight: 2 },
);
const plainKey = fc.constantFrom('a', 'name', 'spec', 'cluster.x-k8s.io/cluster-name', 'example.com/pool', 'x_y', 'A1');
const key = fc.oneof({ arbitrary: plainKey, weight: 8 }, { arbitrary: fc.constantFrom('y', 'on', 'true', '1', '~', '', 'a b', 'x:y', '-a', 'é'), weight: 1 }, { arbitrary: text, weight: 1 });
const scalar = fc.oneof(
  { arbitrary: text, weight: 6 },
  { arbitrary: fc.integer(), weight: 2 },
  { arbitrary: fc.double(), weight: 1 },
  { arbitrary: fc.constantFrom(-0, 0, true, false, null, undefined, new SourceNumber('0x55', 85), new SourceNumber('0755', 755)), weight: 2 },
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map')),
  list: fc.array(tie('node'), { maxLength: 4 }),
  map: fc.dictionary(key, tie('node'), { maxKeys: 4 }),
})).node;

test('random data: the library’s bytes, or left to the library', () => {
  let written = 0;
  fc.assert(
    fc.property(value, (v) => {
      const e = emitYAML(v);
      // Catches every rule of the library restated wrongly for the inputs the fast path takes on.
      if (e !== undefined) {
        expect(e).toBe(library(v));
        written++;
      }
    }),
    { numRuns: RUNS * 15, seed },
  );
  // Not vacuous: the fast path takes on a good share of these.
  expect(written).toBeGreaterThan(RUNS * 2);
});
