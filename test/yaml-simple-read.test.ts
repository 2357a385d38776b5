/**
 * src/yaml/simpleRead.ts reads simple YAML without the yaml library, for speed; whatever it reads must be
 * exactly what the library path reads (readDocumentsWithLibrary: values, numbers kept as written, and no
 * error there), and everything else it must leave to the library. Checked on random valid specs as the
 * function writes them (which it must read itself: that is the speed-up), on the same specs written in
 * other styles (flow collections, quoting, comments), on those texts damaged at random, on YAML's odd
 * scalars, and on every YAML file committed. fast-check, seeded (FC_SEED, FC_RUNS).
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Document, isCollection, isScalar, Scalar, visit } from 'yaml';
import { readSimpleDocument } from '../src/yaml/simpleRead';
import { readDocumentsWithLibrary } from '../src/krm/documents';
import { readResourceList, readResourceListWithLibrary } from '../src/krm/resourceList';
import { SourceNumber } from '../src/yaml/read';
import { STRINGIFY_OPTIONS, toDocument, toYAML } from '../src/yaml/write';
import { validSpec } from './support/validSpecs';
import { API_VERSION, KIND } from '../src/clusterspec/api';

const RUNS = Number(process.env.FC_RUNS ?? 100);
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261206;
const REPO = join(__dirname, '..');

/** Values with their shape made explicit: key order, SourceNumbers, -0, NaN. */
function canon(v: unknown): unknown {
  if (typeof v === 'number') return Object.is(v, -0) ? { negativeZero: true } : Number.isNaN(v) ? { NaN: true } : v;
  if (v instanceof SourceNumber) return { sourceNumber: v.source, value: canon(v.value) };
  if (v instanceof Map) return { map: [...v].map(([k, x]) => [k, canon(x)]) };
  if (Array.isArray(v)) return { list: v.map(canon) };
  if (v && typeof v === 'object') return { proto: Object.getPrototypeOf(v) === Object.prototype, entries: Reflect.ownKeys(v).map((k) => [String(k), canon((v as any)[k])]) };
  return v;
}

const counts = { read: 0, left: 0 };
/** Whatever the simple reader makes of `text` is what the library makes of it. */
function agree(text: string): boolean {
  const simple = readSimpleDocument(text);
  if (simple === undefined) {
    counts.left++;
    return false;
  }
  counts.read++;
  const lib = readDocumentsWithLibrary(text);
  // Catches the simple reader taking a text the library refuses or reads as several documents, and any
  // value, type, number text or key order it gets wrong.
  expect({ error: lib.error, documents: lib.values?.length }).toEqual({ error: undefined, documents: 1 });
  expect(canon(simple)).toEqual(canon(lib.values![0]));
  return true;
}

const specDoc = (g: { name: string; spec: unknown }) => ({ apiVersion: API_VERSION, kind: KIND, metadata: { name: g.name }, spec: g.spec });
const anySpec = fc.constantFrom<'current' | 'legacy'>('current', 'legacy').chain(validSpec);

test('random valid specs as the function writes them (import-helm-values, render): read, and read the same', () => {
  fc.assert(
    fc.property(anySpec, (g) => {
      // Catches the fast path not covering plain block YAML, the form users and import-helm-values write.
      expect(agree(toYAML(specDoc(g)))).toBe(true);
    }),
    { numRuns: RUNS, seed },
  );
});

/** The same document written in other styles: flow collections, quoted scalars, comments. */
const styled = fc.tuple(anySpec, fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), fc.boolean()).map(([g, picks, comments]) => {
  const doc = new Document(specDoc(g));
  const nodes: (Scalar | { flow?: boolean })[] = [];
  visit(doc, { Scalar: (_k, n) => void nodes.push(n), Map: (_k, n) => void nodes.push(n), Seq: (_k, n) => void nodes.push(n) });
  for (const p of picks) {
    const n = nodes[p % nodes.length];
    if (isScalar(n) && typeof n.value === 'string') n.type = [Scalar.QUOTE_SINGLE, Scalar.QUOTE_DOUBLE, Scalar.PLAIN][p % 3] as Scalar.Type;
    else if (isCollection(n)) n.flow = true;
    if (comments && isScalar(n)) n.comment = ' note';
  }
  return doc.toString({ lineWidth: 0 });
});

test('the same specs written in other styles: read the same, or left to the library', () => {
  fc.assert(fc.property(styled, (text) => void agree(text)), { numRuns: RUNS, seed });
});

// Damage at one place: indentation, a line more or less, a character of YAML syntax, an odd scalar.
const SNIPPETS = ['#', ' #x', ':', ': ', '- ', '-', '&a ', '*a', '!', '!!str ', '|', '>', "'", '"', '\\', '[', ']', '{', '}', ',', '?', '%', '@', '`', '\t', '---', '...', '<<: {}', 'é', '0x1F', '0755', '1e3', '~', 'yes', '.nan', '-.inf', ' '];
/** `text` damaged at one place. */
const damage = (text: string, line: number, col: number, how: string, snippet: string) => {
  const lines = text.split('\n');
  const at = line % lines.length;
  const l = lines[at];
  const c = col % (l.length + 1);
  if (how === 'indent+') lines[at] = ` ${l}`;
  else if (how === 'indent-') lines[at] = l.replace(/^ /, '');
  else if (how === 'drop') lines.splice(at, 1);
  else if (how === 'copy') lines.splice(at, 0, l);
  else if (how === 'insert') lines[at] = l.slice(0, c) + snippet + l.slice(c);
  else lines.splice(at, 1, l.slice(0, c), ' '.repeat(c) + snippet + l.slice(c));
  return lines.join('\n');
};
const how = fc.constantFrom('indent+', 'indent-', 'drop', 'copy', 'insert', 'split');
const damaged = fc.tuple(anySpec, fc.nat(), fc.nat(), how, fc.constantFrom(...SNIPPETS)).map(([g, line, col, h, snippet]) => damage(toYAML(specDoc(g)), line, col, h, snippet));

test('those texts damaged at one place: read the same, or left to the library (which words the error)', () => {
  let read = 0;
  fc.assert(fc.property(damaged, (text) => void (agree(text) && read++)), { numRuns: RUNS * 4, seed });
  expect(read).toBeGreaterThan(RUNS); // not vacuous: much damage leaves valid YAML the fast path takes on
});

test("YAML's odd scalars as values and keys", () => {
  const scalars = ['0755', '0x1F', '0o17', '1e3', '1.0', '+12', '-0', '.5', '12345678901234567890', '.nan', '.NaN', '-.inf', '.Inf', 'yes', 'on', 'True', 'FALSE', '~', 'null', 'Null', '', '2024-01-02', '1_000', 'a#b', 'a #b', 'a:b', 'a: b', ':a', '-a', '?a', 'x y', "'it''s'", "'a'b'", '"say"', '"a\\tb"', '"a # b"', '[a, b]', '[a, [b]]', '[]', '{}', '{a: 1, b: [c]}', '{a: 1, a: 2}', '[a, "b, c"]', "['a', b]", '[a,b]', '{a:1}', '[0x1F, .nan, ~]'];
  for (const s of scalars) {
    agree(`k: ${s}\n`);
    agree(`k:\n- ${s}\n`);
    agree(`${s}: v\n`);
    agree(`k: {x: ${s}}\n`);
  }
  expect(counts.read).toBeGreaterThan(scalars.length);
});

// Mappings of multi-line and odd strings, as the library writes them (literal blocks, kept and stripped
// endings, indentation indicators, quoting), and as written with 2 or 4 spaces of indentation.
const line = fc.constantFrom('a', 'exec:', '  path: /x', '# not a comment', '', ' ', '- item', 'key: value', '|', 'x  ', '---', 'é');
const multi = fc.array(line, { minLength: 1, maxLength: 5 }).chain((ls) => fc.constantFrom('', '\n', '\n\n').map((end) => ls.join('\n') + end));
const leaf = fc.oneof(multi, fc.constantFrom('plain', "it's", 'a: b', '0755', 'yes', ''), fc.integer());
const data = fc.letrec((tie) => ({
  map: fc.dictionary(fc.constantFrom('a', 'b', 'config.kubernetes.io/function', 'c-d', 'e_f'), fc.oneof({ depthSize: 'small' }, leaf, tie('map'), tie('list')), { minKeys: 1, maxKeys: 3 }),
  list: fc.array(fc.oneof({ depthSize: 'small' }, leaf, tie('map')), { minLength: 1, maxLength: 3 }),
})).map;

test('random mappings of multi-line and odd strings as the library writes them: read the same, or left to the library', () => {
  let read = 0;
  fc.assert(
    fc.property(data, fc.constantFrom(2, 4), (v, indent) => {
      if (agree(toDocument(v).toString({ ...STRINGIFY_OPTIONS, indent }))) read++;
    }),
    { numRuns: RUNS * 3, seed },
  );
  expect(read).toBeGreaterThan(RUNS);
});

test('those damaged at one place: read the same, or left to the library', () => {
  let read = 0;
  fc.assert(
    fc.property(data, fc.nat(), fc.nat(), how, fc.constantFrom(...SNIPPETS), (v, line, col, h, snippet) => {
      if (agree(damage(toDocument(v).toString(STRINGIFY_OPTIONS), line, col, h, snippet))) read++;
    }),
    { numRuns: RUNS * 6, seed },
  );
  expect(read).toBeGreaterThan(RUNS / 2);
});

test("kustomize's ResourceList, with the function's annotation as a literal block", () => {
  const text = `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: capi-proxmox-talos.dev/v1alpha1\n  kind: ClusterSpec\n  metadata:\n    annotations:\n      config.kubernetes.io/function: |\n        exec:\n          path: ../../dist/capi-proxmox-talos\n      config.kubernetes.io/local-config: 'true'\n      config.kubernetes.io/index: '0'\n    name: c\n  spec:\n    workers: []\nfunctionConfig:\n  apiVersion: capi-proxmox-talos.dev/v1alpha1\n  kind: ClusterSpec\n  metadata:\n    name: c\n`;
  expect(agree(text)).toBe(true);
});

test('ResourceLists (a random spec, kustomize\'s echo of it, items with multi-line data): the same list read without the library as with it', () => {
  let simple = 0;
  fc.assert(
    fc.property(anySpec, data, fc.boolean(), (g, extra, damaged) => {
      const fc_ = specDoc(g);
      const echo = { ...fc_, metadata: { ...fc_.metadata, annotations: { 'config.kubernetes.io/function': 'exec:\n  path: ../../dist/capi-proxmox-talos\n', 'config.kubernetes.io/local-config': 'true', 'config.kubernetes.io/index': '0' } } };
      let text = toYAML({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: [echo, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: extra }], functionConfig: fc_ });
      if (damaged) text = damage(text, g.name.length * 7, 3, 'insert', ' #');
      let want;
      try {
        want = readResourceListWithLibrary(text);
      } catch {
        return; // an input error: the fast path must not have read it either (the KRM suites check the answers)
      }
      const got = readResourceList(text);
      // Catches a different list (values, numbers as written, Maps for items) or different pass-through texts.
      expect(canon({ apiVersion: got.apiVersion, fc: got.functionConfig, items: got.items.map((i) => i.get([])) })).toEqual(canon({ apiVersion: want.apiVersion, fc: want.functionConfig, items: want.items.map((i) => i.get([])) }));
      expect(got.texts(got.items)).toEqual(want.texts(want.items));
      if (readSimpleDocument(text) !== undefined) simple++;
    }),
    { numRuns: RUNS, seed },
  );
  expect(simple).toBeGreaterThan(RUNS / 10); // not vacuous (the odd data and the damage leave most to the library)
});

test('every YAML file committed', () => {
  const files = execFileSync('git', ['ls-files', '*.yaml', '*.yml'], { cwd: REPO, encoding: 'utf8' }).split('\n').filter(Boolean);
  let read = 0;
  for (const f of files) if (agree(readFileSync(join(REPO, f), 'utf8'))) read++;
  expect(read).toBeGreaterThan(10);
});
