/**
 * Property (fast-check, seeded; FC_SEED / FC_RUNS override): hostile but valid YAML shapes around
 * pass-through items — anchors and tags before the first key, items that are aliases, aliases into items
 * the function replaces and into the functionConfig, duplicate keys, deep nesting, odd scalars, comments,
 * flow and block style, indented lists — always come back: exit 0, output that parses, every item kept
 * meaning the same. Deliberately broken ones (undefined aliases, too deep, bytes that are not UTF-8, a
 * second document) end in exit 1 with an error result in a parseable ResourceList.
 */
import fc from 'fast-check';
import { runKRM } from '../src/krm/run';
import { expectSoundAnswer } from './support/krmOracle';
import { SITE_BLOCK } from './support/render';

const RUNS = Number(process.env.FC_RUNS ?? 300);
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261125;

const BLOCK_SCALARS = ['0755', 'yes', 'on', '~', 'null', '"0755"', "'it''s'", '2024-01-02', '2024-01-02T10:00:00Z', '12345678901234567890', '0x1F', '1_000', '+12', '.5', '.nan', '-.inf', '!!str 12', '!!binary aGVsbG8=', '!local thing', '"tab\\there"', '"\\u00e9 🙂"', 'a - b', '|\n  line one\n    indented', '|+\n  kept\n', '>-\n  folded\n  text', 'plain\n  continued', '""', '[]', '{}'];
const FLOW_SCALARS = ['0755', 'yes', '~', '"0755"', "'it''s'", '2024-01-02', '12345678901234567890', '0x1F', '.nan', '!!str 12', '!local thing', '"a, b"', '[1, [2, {x: y}]]', '{}'];

type Value = { kind: 'scalar'; text: number } | { kind: 'alias'; to: number; dangling: boolean } | { kind: 'deep'; depth: number } | { kind: 'dup' };
interface ItemPlan {
  owned: boolean;
  flow: boolean;
  props: 'none' | 'anchor-item' | 'anchor-key' | 'tag' | 'tag-anchor' | 'comment' | 'alias-item';
  anchorValue: boolean;
  values: Value[];
}
interface ListPlan {
  items: ItemPlan[];
  indent: 0 | 2 | 4;
  fcFirst: boolean;
  fcAnchor: boolean;
  breakage: 'none' | 'bad-byte' | 'second-doc' | 'empty-doc' | 'comment-doc';
}

const value: fc.Arbitrary<Value> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('scalar' as const), text: fc.nat() }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('alias' as const), to: fc.nat(), dangling: fc.oneof({ arbitrary: fc.constant(false), weight: 9 }, fc.constant(true)) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('deep' as const), depth: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 60 }), weight: 9 }, { arbitrary: fc.constant(400), weight: 1 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('dup' as const) }), weight: 1 },
);
const itemPlan: fc.Arbitrary<ItemPlan> = fc.record({
  owned: fc.boolean(),
  flow: fc.boolean(),
  props: fc.constantFrom('none' as const, 'anchor-item' as const, 'anchor-key' as const, 'tag' as const, 'tag-anchor' as const, 'comment' as const, 'alias-item' as const),
  anchorValue: fc.boolean(),
  values: fc.array(value, { maxLength: 4 }),
});
const listPlan: fc.Arbitrary<ListPlan> = fc.record({
  items: fc.array(itemPlan, { minLength: 1, maxLength: 8 }),
  indent: fc.constantFrom(0 as const, 2 as const, 4 as const),
  fcFirst: fc.boolean(),
  fcAnchor: fc.boolean(),
  breakage: fc.oneof({ arbitrary: fc.constant('none' as const), weight: 8 }, fc.constantFrom('bad-byte' as const, 'second-doc' as const, 'empty-doc' as const, 'comment-doc' as const)),
});

/** The input text of a plan, and whether it is valid (so that exit 0 is required). */
function render(plan: ListPlan): { bytes: Buffer; valid: boolean } {
  let valid = true;
  const anchors = new Set<string>(plan.fcFirst && plan.fcAnchor ? ['fc'] : []);
  const fcText = `functionConfig:\n  apiVersion: capi-proxmox-talos.dev/v1alpha1\n  kind: ClusterSpec\n  metadata:\n    name: c\n    labels: ${plan.fcAnchor ? '&fc ' : ''}{team: a}\n  spec:\n    workers: []\n${SITE_BLOCK(4).replace('controlPlane: {endpointIP: 192.168.4.100}', 'controlPlane: {endpointIP: 192.168.4.100, replicas: 3}')}`;
  const pad = ' '.repeat(plan.indent);
  const items = plan.items.map((p, i) => {
    if (p.props === 'alias-item') {
      const to = [...anchors].find((a) => a.startsWith('item')) ?? 'item-none';
      if (!anchors.has(to)) valid = false;
      return `${pad}- *${to}\n`;
    }
    const scalars = p.flow ? FLOW_SCALARS : BLOCK_SCALARS;
    const mine: string[] = p.anchorValue ? [`v${i}`] : [];
    const entries: [string, string][] = p.values.map((v, k) => {
      const key = `k${k}`;
      if (v.kind === 'scalar') return [key, scalars[v.text % scalars.length]];
      if (v.kind === 'dup') return ['k0', '"again"'];
      if (v.kind === 'deep') {
        if (v.depth > 256) valid = false;
        return [key, `${'['.repeat(v.depth)}x${']'.repeat(v.depth)}`];
      }
      // An anchor defined before (in an earlier item, this one, or the functionConfig), or a dangling one.
      const defined = [...anchors, ...mine].filter((a) => !a.startsWith('key'));
      if (v.dangling || !defined.length) valid = false;
      return [key, `*${v.dangling || !defined.length ? 'nowhere' : defined[v.to % defined.length]}`];
    });
    if (p.anchorValue) {
      entries.unshift(['anchored', `&v${i} {n: ${i}}`]);
    }
    const annotations = p.owned ? '{capi-proxmox-talos.dev/generated-from: ClusterSpec/c}' : '{note: "0755"}';
    const head = { none: '', 'anchor-item': `&item${i} `, 'anchor-key': `&key${i} `, tag: '!!map ', 'tag-anchor': `!!map &item${i} `, comment: '# a comment\n  ' }[p.props];
    if (p.props === 'anchor-item' || p.props === 'tag-anchor') anchors.add(`item${i}`);
    let body: string;
    if (p.flow) {
      const data = entries.map(([k, v]) => `${k}: ${v}`).join(', ');
      body = `${head.replace('\n  ', '\n  ')}{apiVersion: v1, kind: ConfigMap, metadata: {name: cm-${i}, annotations: ${annotations}}, data: {${data}}}`;
    } else {
      const data = entries.map(([k, v]) => `\n    ${k}: ${v.replace(/\n/g, '\n    ')}`).join('');
      const first = p.props === 'tag' || p.props === 'tag-anchor' || p.props === 'anchor-item' ? `${head}\n  apiVersion: v1` : `${head}apiVersion: v1`;
      body = `${first}\n  kind: ConfigMap\n  metadata:\n    name: cm-${i}\n    annotations: ${annotations}\n  data:${data || ' {}'}`;
    }
    mine.forEach((a) => anchors.add(a));
    return `${pad}- ${body.replace(/\n/g, `\n${pad}`)}\n`;
  });
  const list = `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n${plan.fcFirst ? fcText : ''}items:\n${items.join('')}${plan.fcFirst ? '' : fcText}`;
  switch (plan.breakage) {
    case 'bad-byte':
      return { bytes: Buffer.concat([Buffer.from(list), Buffer.from('# \xff\n', 'latin1')]), valid: false };
    case 'second-doc':
      return { bytes: Buffer.from(`${list}---\nkind: Other\n`), valid: false };
    case 'empty-doc':
      return { bytes: Buffer.from(`---\n${list}---\n`), valid };
    case 'comment-doc':
      return { bytes: Buffer.from(`# leading comment\n--- !!map\n${list}...\n# trailing\n`), valid };
    default:
      return { bytes: Buffer.from(list), valid };
  }
}

test(`${RUNS} hostile YAML shapes around pass-through items: valid ones come back whole, broken ones are input errors`, () => {
  let kept = 0;
  fc.assert(
    fc.property(listPlan, (plan) => {
      const { bytes, valid } = render(plan);
      const out = runKRM(bytes);
      if (out.stderr.includes('internal error')) throw new Error(out.stderr);
      if (valid) {
        if (out.exitCode !== 0) throw new Error(`valid input refused: ${out.stderr}\n${bytes.toString()}`);
        kept++;
        expectSoundAnswer(bytes.toString(), out);
      } else {
        expect(out.exitCode).toBe(1);
        if (plan.breakage !== 'bad-byte') expectSoundAnswer(bytes.toString(), out);
        expect(out.stdout).toMatch(/^apiVersion: config\.kubernetes\.io\/v1\nkind: ResourceList\nitems: \[\]\nresults:\n- message: /);
      }
    }),
    { numRuns: RUNS, seed, verbose: 1 },
  );
  expect(kept).toBeGreaterThan(RUNS / 4);
});
