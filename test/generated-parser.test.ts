/**
 * The parser generated from the zod schema at build time (src/clusterspec/parser.generated.ts, made by
 * scripts/compile-parser.ts) against zod itself. The function runs the generated one for valid specs and
 * zod for everything else, so the two must agree exactly on what is valid and on what a valid spec parses
 * to (defaults, transforms, key order); the messages then come from zod by construction, and the last
 * property checks that too, end to end (parseClusterSpec against parseWithZod).
 *
 * Inputs: the meaning oracle's random valid specs (test/support/validSpecs.ts), each also broken at one
 * random place with a hostile value (wrong types, values at and past every limit, strings that count
 * differently in UTF-16 units and in code points, numbers kept as written, YAML's odd scalars as read,
 * objects that are not plain), or with a key deleted or added; and every ClusterSpec committed in
 * examples/ and testdata/. Seeded (FC_SEED, FC_RUNS).
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as z from 'zod';
import { clusterSpecSchema } from '../src/clusterspec/schema';
import { parseValidSpec } from '../src/clusterspec/parser.generated';
import { INVALID } from '../src/clusterspec/parserRuntime';
import { parseClusterSpec } from '../src/clusterspec/parse';
import { parseWithZod } from '../src/clusterspec/zodParse';
import * as rules from '../src/clusterspec/rules';
import { readDocuments } from '../src/krm/documents';
import { SourceNumber } from '../src/yaml/read';
import { compileParser, generatedParser } from '../scripts/compile-parser';
import { validSpec, type GeneratedSpec } from './support/validSpecs';
import { API_VERSION, KIND } from '../src/clusterspec/api';

const RUNS = Number(process.env.FC_RUNS ?? 100);
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261206;
const REPO = join(__dirname, '..');

test('parser.generated.ts is what the build makes of the schema now (npm run build writes it)', () => {
  // Catches a schema change committed without the parser it implies (the parser would accept or shape differently).
  expect(readFileSync(join(REPO, 'src', 'clusterspec', 'parser.generated.ts'), 'utf8')).toBe(generatedParser());
});

test('the compiler refuses what it cannot compile exactly, instead of guessing', () => {
  const opts = { rules: { from: './rules', exports: rules as Record<string, unknown> }, runtime: './parserRuntime', name: 'p', header: [] };
  // A string format with its own semantics, a refinement the generated file could not call, a coercion, a
  // catchall, a check with a condition: each would be miscompiled by a compiler that skipped it.
  expect(() => compileParser(z.email(), opts)).toThrow(/format/);
  expect(() => compileParser(z.string().refine((s) => s.length > 2), opts)).toThrow(/not exported by \.\/rules/);
  expect(() => compileParser(z.coerce.number(), opts)).toThrow(/coercion/);
  expect(() => compileParser(z.object({ a: z.string() }).catchall(z.number()), opts)).toThrow(/catchall/);
  expect(() => compileParser(z.string().trim(), opts)).toThrow(/check/);
  expect(() => compileParser(z.string().min(2, { when: () => true } as never), opts)).toThrow(/condition/);
  expect(() => compileParser(z.date(), opts)).toThrow(/zod type "date"/);
});

const doc = (g: GeneratedSpec) => ({ apiVersion: API_VERSION, kind: KIND, metadata: { name: g.name }, spec: g.spec });

/** YAML's odd scalars, as the function reads them (numbers kept as written, YAML 1.2 core). */
const YAML_SCALARS = ['0755', '0x1F', '1e3', '1.0', '12345678901234567890', 'yes', 'on', '~', 'null', '2024-01-02', '.nan', '-.inf', '+12', '.5', '!!str 12', '""', '[]', '{}', '"0"', 'true'];
const yamlValues = YAML_SCALARS.map((s) => readDocuments(`v: ${s}\n`).values![0] as { v: unknown }).map((d) => d.v);

/** Strings at and just past every length limit of the schema, in letters and in characters of two UTF-16 units. */
const LENGTHS = [1, 2, 16, 17, 40, 41, 63, 64, 65, 253, 254, 256, 257, 512, 513, 1024, 1025, 2048, 2049];
const STRINGS: unknown[] = [...LENGTHS.map((n) => 'a'.repeat(n)), ...LENGTHS.map((n) => '🙂'.repeat(n)), '\ud83d'.repeat(64), '', ' ', 'x y', 'v1.33.0', 'v1.12', 'virtio1', 'scsi16', '25%', '100%', '101%', 'https://a.example/x', 'https://u:p@a.example', 'a\nb', 'NoExecute', 'e1000', 'InClusterIPPool'];
const NUMBERS: unknown[] = [0, -0, 1, -1, 1.5, 7, 8, 29, 30, 99, 100, 512, 1000, 1001, 1279, 1280, 4094, 4095, 65520, 65521, 86400, 86401, 999999999, 1e9, 2 ** 53, -(2 ** 53), NaN, Infinity, new SourceNumber('0x55', 85), new SourceNumber('1.0', 1)];
const OTHERS: unknown[] = [undefined, null, true, false, [], [1], ['a'], [{}], {}, { a: 1 }, { physical: true }, { start: 200, end: 100 }, Object.create(null)];
const HOSTILE: unknown[] = [...OTHERS, ...NUMBERS, ...STRINGS, ...yamlValues];
/** Hostile values for a place holding `v`: all of its own type, a few of every other. */
const hostileFor = (v: unknown): unknown[] =>
  typeof v === 'string' ? [...OTHERS, ...STRINGS, 0, 1.5, NUMBERS.at(-1), ...yamlValues] : typeof v === 'number' ? [...OTHERS, ...NUMBERS, '', '1', 'a'.repeat(64), ...yamlValues] : [...OTHERS, 0, 1, '', 'true', ...yamlValues];
/** Values no YAML reading makes (the end-to-end property leaves them out: zod's path copies its input with structuredClone). */
const NOT_FROM_YAML: unknown[] = [new Map([['a', 1]]), new Date(0), () => 1, Symbol('s')];

type Path = (string | number)[];
function pathsOf(v: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...at, i], out));
  else if (isMapping(v)) for (const [k, x] of Object.entries(v)) pathsOf(x, [...at, k], out);
  return out;
}

type Edit = { how: 'set' | 'delete' | 'add'; at: number; value: unknown; key: string };
const isMapping = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(v));
/** A copy of the lists and mappings; every other value (a SourceNumber, a Map, a function) as it is. */
function copyOf(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copyOf);
  if (!isMapping(v)) return v;
  const out = Object.create(Object.getPrototypeOf(v));
  for (const k of Reflect.ownKeys(v)) out[k] = copyOf((v as any)[k]);
  return out;
}
/** `d` with one place changed (paths are those of d; at the root only 'add' makes sense). */
function edited(d: object, e: Edit): unknown {
  const copy = copyOf(d) as Record<string, unknown>;
  const paths = pathsOf(copy);
  const path = paths[e.at % paths.length];
  const parent = path.slice(0, -1).reduce<any>((o, k) => o[k], copy);
  const last = path.at(-1);
  if (e.how === 'add' || last === undefined) {
    const target = path.reduce<any>((o, k) => o[k], copy);
    if (isMapping(target)) target[e.key] = e.value;
    else if (Array.isArray(target)) target.push(e.value);
  } else if (e.how === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else parent[last] = e.value;
  return copy;
}

/** `d` with the value at `path` replaced by what `change` makes of it; only the mappings and lists on the way are copied. */
function changedAt(d: any, path: Path, change: (v: any) => unknown): any {
  if (!path.length) return change(d);
  const [k, ...rest] = path;
  const copy = Array.isArray(d) ? [...d] : { ...d };
  (copy as any)[k] = changedAt(d[k], rest, change);
  return copy;
}

const editWith = (values: unknown[]): fc.Arbitrary<Edit> =>
  fc.record({
    how: fc.constantFrom('set', 'set', 'set', 'delete', 'add'),
    at: fc.nat(),
    value: fc.constantFrom(...values),
    key: fc.constantFrom('name', 'typo', 'replicas', '__proto__', 'toString', '0', 'physical', 'end'),
  });
const edit = editWith([...HOSTILE, ...NOT_FROM_YAML]);
const yamlEdit = editWith(HOSTILE);

/** Values with their shape made explicit: key order, undefined entries, -0, SourceNumbers, non-plain objects. */
function canon(v: unknown): unknown {
  if (v === undefined) return { undefined: true };
  if (typeof v === 'number') return Object.is(v, -0) ? { negativeZero: true } : Number.isNaN(v) ? { NaN: true } : v;
  if (v instanceof SourceNumber) return { sourceNumber: v.source };
  if (Array.isArray(v)) return { list: [...v.keys()].map((i) => canon(v[i])) };
  if (v && typeof v === 'object') return { proto: Object.getPrototypeOf(v) === Object.prototype ? 'Object' : String(Object.getPrototypeOf(v)?.constructor?.name), entries: Reflect.ownKeys(v).map((k) => [String(k), canon((v as any)[k])]) };
  return v;
}

const counts = { valid: 0, invalid: 0 };

/** The generated parser and zod on one input. */
function agree(input: unknown) {
  const fast = parseValidSpec(input);
  const ref = clusterSpecSchema.safeParse(input);
  // Catches the generated parser accepting what zod refuses, and refusing what zod accepts (slow, and in a
  // union it would pick another option than zod does).
  expect({ generatedAccepts: fast !== INVALID }).toEqual({ generatedAccepts: ref.success });
  if (ref.success) {
    counts.valid++;
    // Catches a default, a transform, a dropped or added key, or zod's key order not kept.
    expect(canon(fast)).toEqual(canon(ref.data));
  } else counts.invalid++;
}

describe('the generated parser agrees with zod', () => {
  test(`on ${RUNS} random valid specs per profile and the same specs broken at one place`, () => {
    for (const profile of ['current', 'legacy'] as const) {
      fc.assert(
        fc.property(validSpec(profile), fc.array(edit, { minLength: 1, maxLength: 3 }), (g, edits) => {
          const d = doc(g);
          agree(d);
          let broken: unknown = d;
          for (const e of edits) {
            broken = edited(broken as object, e);
            agree(broken);
          }
        }),
        { numRuns: RUNS, seed },
      );
    }
    // Not vacuous: both answers occur often.
    expect(counts.valid).toBeGreaterThan(RUNS);
    expect(counts.invalid).toBeGreaterThan(RUNS);
  });

  test('on a few random valid specs with every one of their values, in turn, replaced by each hostile value, deleted, or given an unknown sibling', () => {
    // Exhaustive where the random property above samples: every limit, every type test, every unknown-key
    // test and every refinement of the fields these specs set meets each hostile value once.
    const before = { ...counts };
    // One path per place in the schema (workers[3].name tests what workers[0].name does), over both profiles.
    const seen = new Set<string>();
    for (const profile of ['current', 'legacy'] as const) {
      for (const g of fc.sample(validSpec(profile), { numRuns: 1, seed })) {
        const d = doc(g);
        for (const path of pathsOf(d)) {
          const where = path.map((k) => (typeof k === 'number' ? 0 : k)).join('.');
          if (seen.has(where)) continue;
          seen.add(where);
          const here = path.reduce<any>((o, k) => o[k], d);
          if (isMapping(here)) for (const key of ['typo', '__proto__', 'toString']) agree(changedAt(d, path, (m) => Object.defineProperty({ ...m }, key, { value: 1, enumerable: true, writable: true, configurable: true })));
          if (path.length === 0) continue;
          agree(changedAt(d, path.slice(0, -1), (parent) => (Array.isArray(parent) ? parent.filter((_, i) => i !== path.at(-1)) : Object.fromEntries(Object.entries(parent).filter(([k]) => k !== path.at(-1))))));
          const values = isMapping(here) || Array.isArray(here) ? [...OTHERS, 1, 'a', ...NOT_FROM_YAML] : [...hostileFor(here), ...NOT_FROM_YAML];
          for (const value of values) agree(changedAt(d, path, () => value));
        }
      }
    }
    expect(counts.valid - before.valid).toBeGreaterThan(100);
  });

  test('on every ClusterSpec in examples/ and testdata/', () => {
    const files = execFileSync('git', ['ls-files', '*.yaml'], { cwd: REPO, encoding: 'utf8' }).split('\n').filter((f) => f && /^\s*kind: ClusterSpec$/m.test(readFileSync(join(REPO, f), 'utf8')));
    let seen = 0;
    for (const f of files) {
      const docs = readDocuments(readFileSync(join(REPO, f), 'utf8'));
      for (const d of docs.values ?? []) {
        const fc_ = (d as { kind?: string; functionConfig?: unknown })?.kind === 'ResourceList' ? (d as { functionConfig: unknown }).functionConfig : d;
        if ((fc_ as { kind?: unknown })?.kind !== KIND) continue;
        agree(fc_);
        seen++;
      }
    }
    expect(seen).toBeGreaterThanOrEqual(10);
  });

  test('parseClusterSpec (generated parser, zod for the rest) answers exactly as zod alone: model, problems, messages', () => {
    // Catches the fast path skipping a problem zod's path reports (the unnamed spec, above all) or reporting it differently.
    fc.assert(
      fc.property(fc.constantFrom<'current' | 'legacy'>('current', 'legacy').chain(validSpec), fc.array(yamlEdit, { maxLength: 2 }), (g, edits) => {
        const input = edits.reduce<unknown>((d, e) => edited(d as object, e), doc(g));
        expect(parseClusterSpec(input)).toEqual(parseWithZod(input));
      }),
      { numRuns: Math.ceil(RUNS / 2), seed },
    );
  });
});
