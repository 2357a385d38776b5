/**
 * Fuzzing the KRM edge (issue 11): seeded byte and line mutations of the testdata inputs. Whatever the
 * mutation, the answer is sound (test/support/krmOracle.ts): exit 0 or 1, a parseable ResourceList, no
 * internal error, and on exit 0 no lost or changed item. In-process (runKRM is what the binary runs
 * after reading stdin), plus a few through the real binary. FUZZ_RUNS and FC_SEED override the defaults;
 * a failure prints its seed, path and the shrunk mutation list.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { runKRM } from '../src/krm/run';
import { expectSoundAnswer, parseAnswer } from './support/krmOracle';
import { BIN, REPO } from './support/exec';

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261125;

const goldenDir = join(REPO, 'testdata', 'golden');
const golden = readdirSync(goldenDir)
  .sort()
  .map((d) => readFileSync(join(goldenDir, d, 'input.yaml'), 'utf8'));
// Most golden inputs have no items; each of their ClusterSpecs is also fuzzed with the pass-through case's items.
const passthrough = readFileSync(join(goldenDir, 'passthrough', 'input.yaml'), 'utf8');
const itemsBlock = passthrough.slice(passthrough.indexOf('\nitems:\n') + 1, passthrough.indexOf('\nfunctionConfig:') + 1);
const inputs = [...golden, ...golden.filter((g) => g.includes('\nitems: []\n')).map((g) => g.replace('\nitems: []\n', `\n${itemsBlock}`))].map((t) => Buffer.from(t));

/** Bytes and snippets that mean something to YAML (or to UTF-8). */
const BYTES = [0x00, 0x09, 0x0a, 0x0d, 0x20, 0x21, 0x22, 0x23, 0x25, 0x26, 0x27, 0x2a, 0x2c, 0x2d, 0x3a, 0x3e, 0x3f, 0x40, 0x5b, 0x5d, 0x7b, 0x7c, 0x7d, 0x80, 0xc3, 0xef, 0xfe, 0xff];
const SNIPPETS = ['&a ', '*a', '&b', ' *b', '!!map ', '!!str ', '!!binary ', '!local ', '<<: *a\n', '\n- *a\n', '\n- &a\n', ' # c', '\n---\n', '\n...\n', '"', "'", '{', '}', '[', ']', ': ', '\t', '|+\n', '>-\n', '? ', '%YAML 1.1\n', '\uFEFF', '~', 'yes', '0755', '2024-01-02', '\r\n', '\n  - x', ',', '- '];

type Mutation =
  | { op: 'byte'; at: number; byte: number }
  | { op: 'insert'; at: number; text: string }
  | { op: 'delete'; at: number; length: number }
  | { op: 'copy'; at: number; length: number; to: number }
  | { op: 'value'; at: number; text: string }
  | { op: 'line'; at: number; how: 'drop' | 'double' | 'swap' | 'indent' | 'dedent' | 'anchor' | 'alias' };

/** Values that are valid YAML in a `key: value` line and odd to carry through. */
const VALUES = ['0755', 'yes', '~', '"quoted"', "'it''s'", '!!str 1', '2024-01-02', '.nan', '0x1F', '1_000', '&a x', '*a', '&b {k: *a}', '!!binary aGk=', '{a: 1, b: [2]}', '[a, *a]', '!local v', '"\\xff\\u00e9"', '12345678901234567890', '# only a comment', '|-\n      block\n      text', '>\n      folded'];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('value' as const), at: fc.nat(), text: fc.constantFrom(...VALUES) }), weight: 3 },
  fc.record({ op: fc.constant('byte' as const), at: fc.nat(), byte: fc.oneof(fc.constantFrom(...BYTES), fc.integer({ min: 0, max: 255 })) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...SNIPPETS) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant('copy' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 200 }), to: fc.nat() }),
  fc.record({ op: fc.constant('line' as const), at: fc.nat(), how: fc.constantFrom('drop' as const, 'double' as const, 'swap' as const, 'indent' as const, 'dedent' as const, 'anchor' as const, 'alias' as const) }),
);

/** Where a mutation lands: most go into the items (the pass-through this fuzz is about), the rest anywhere. */
function position(input: Buffer, n: number): number {
  const start = input.indexOf('\nitems:');
  const end = input.indexOf('\nfunctionConfig:');
  if (n % 4 !== 0 && start >= 0 && end > start) return start + 8 + (Math.floor(n / 4) % Math.max(1, end - start - 8));
  return input.length ? n % input.length : 0;
}

function apply(input: Buffer, m: Mutation): Buffer {
  const at = position(input, m.at);
  switch (m.op) {
    case 'byte':
      return Buffer.concat([input.subarray(0, at), Buffer.from([m.byte]), input.subarray(at + 1)]);
    case 'insert':
      return Buffer.concat([input.subarray(0, at), Buffer.from(m.text), input.subarray(at)]);
    case 'delete':
      return Buffer.concat([input.subarray(0, at), input.subarray(at + m.length)]);
    case 'copy': {
      const to = input.length ? m.to % input.length : 0;
      return Buffer.concat([input.subarray(0, to), input.subarray(at, at + m.length), input.subarray(to)]);
    }
    case 'value': {
      const text = input.toString('latin1');
      const lineStart = text.lastIndexOf('\n', at - 1) + 1;
      const lineEnd = text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at);
      const line = text.slice(lineStart, lineEnd).replace(/^(\s*(?:- )?[\w./-]+:) .*$/, (_, key: string) => `${key} ${m.text}`);
      return Buffer.from(text.slice(0, lineStart) + line + text.slice(lineEnd), 'latin1');
    }
    case 'line': {
      const text = input.toString('latin1'); // latin1 keeps every byte as one character
      const lines = text.split('\n');
      const i = text.slice(0, at).split('\n').length - 1;
      const j = (i + 1) % lines.length;
      if (m.how === 'drop') lines.splice(i, 1);
      if (m.how === 'double') lines.splice(i, 0, lines[i]);
      if (m.how === 'swap') [lines[i], lines[j]] = [lines[j], lines[i]];
      if (m.how === 'indent') lines[i] = ` ${lines[i]}`;
      if (m.how === 'dedent') lines[i] = lines[i].replace(/^ /, '');
      if (m.how === 'anchor') lines[i] = lines[i].replace(/^(\s*(- )?)/, '$1&a ');
      if (m.how === 'alias') lines[i] = lines[i].replace(/: .*$/, ': *a');
      return Buffer.from(lines.join('\n'), 'latin1');
    }
  }
}

const mutate = (input: Buffer, ms: Mutation[]) => ms.reduce(apply, input);
const utf8 = new TextDecoder('utf-8', { fatal: true });
const textOf = (b: Buffer) => {
  try {
    return utf8.decode(b);
  } catch {
    return undefined;
  }
};

/** The answer to `bytes`, judged; `out` from runKRM or the binary. */
function judge(bytes: Buffer, out: { stdout: string; stderr: string; exitCode: number }) {
  const text = textOf(bytes);
  if (text === undefined) {
    expect(out.exitCode).toBe(1);
    expect(parseAnswer(out).results[0].message).toMatch(/^the input is not UTF-8 text: byte 0x[0-9a-f]{2} at line \d+, column \d+/);
    return;
  }
  expectSoundAnswer(text, out);
}

const sample = fc.tuple(fc.nat({ max: inputs.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }));

test(`${RUNS} seeded mutations of the testdata inputs: no internal error, no unparseable output, no lost item`, () => {
  const exits = [0, 0];
  fc.assert(
    fc.property(sample, ([which, ms]) => {
      const bytes = mutate(inputs[which], ms);
      const out = runKRM(bytes);
      judge(bytes, out);
      exits[out.exitCode]++;
    }),
    { numRuns: RUNS, seed, verbose: 1 },
  );
  // The fuzz is only worth something if both outcomes happen often (random bytes break most YAML).
  expect(exits[0]).toBeGreaterThan(RUNS / 10);
  expect(exits[1]).toBeGreaterThan(RUNS / 10);
  console.log(`fuzz: ${exits[0]} answers with exit 0 (every item checked), ${exits[1]} input errors`);
});

test('a handful of the same mutations through the real binary', () => {
  const cases = fc.sample(sample, { numRuns: 8, seed });
  for (const [which, ms] of cases) {
    const bytes = mutate(inputs[which], ms);
    const r = spawnSync(BIN, [], { input: bytes, encoding: 'utf8', maxBuffer: 64 << 20 });
    const out = { stdout: r.stdout, stderr: r.stderr, exitCode: r.status ?? -1 };
    judge(bytes, out);
    expect(out).toEqual(runKRM(bytes)); // the binary is the same code path
  }
});
