/**
 * The one place that decides how an input item goes back out: as its own source text, byte for byte,
 * whenever that text means the same in the output; otherwise re-serialised from its parsed nodes, with
 * every alias written out, so that it needs nothing outside itself.
 *
 * "Means the same" is checked, not assumed: the kept items' texts are parsed back exactly as they will
 * stand in the output (one sequence under `items:`) and compared, item by item, with what the input said.
 * That catches everything copying text can get wrong: an anchor or tag before the first key, aliases
 * whose anchor was in an item that is replaced or dropped, or in the functionConfig, odd indentation.
 * An item that cannot be carried over without changing its meaning is an input error, never a guess.
 */
import { isDeepStrictEqual } from 'node:util';
import { Schema, isAlias, isCollection, isPair, isScalar, isSeq, parseDocument, Pair, stringify, type Alias, type Document, type Node, type YAMLSeq } from 'yaml';
import { checkShape, ShapeError } from './shape';
import { READ_OPTIONS, SOURCE_NUMBER, sourceNumberOf } from '../yaml/read';

export const PARSE_OPTIONS = { ...READ_OPTIONS, keepSourceTokens: true } as const;
export const TO_JS = { mapAsMap: true, maxAliasCount: -1 } as const;
/**
 * Tags YAML 1.2 core resolves only when written out (`!!binary`, `!!timestamp`, …), so that an item
 * re-serialised with one keeps it; never implicit here (a plain `2024-01-02` is a string in YAML 1.2 and
 * stays plain, as it was written, instead of being quoted as if it were a date).
 */
const EXPLICIT_TAGS = new Schema({ customTags: ['binary', 'omap', 'pairs', 'set', 'timestamp'] }).tags
  .filter((t) => ['binary', 'omap', 'pairs', 'set', 'timestamp'].some((n) => t.tag === `tag:yaml.org,2002:${n}`))
  .map((t) => ({ ...t, default: false }));

export interface ItemSource {
  source: string;
  doc: Document;
  /** The `items` sequence node. */
  seq: YAMLSeq;
  /** The items as data (maps as Map), for comparison. */
  values: unknown[];
  aliasTargets: Map<Alias, Node>;
}

export class PassThroughError extends Error {
  constructor(
    message: string,
    readonly index: number,
  ) {
    super(message);
  }
}

/**
 * The text of each kept item (indices into the input's items), ready to follow a `- ` at column 0 in an
 * `items:` sequence at column 0. Throws PassThroughError for an item that cannot go out unchanged.
 *
 * An item's own text means in the output what it meant in the input when every line moves left by the
 * same amount (its `-` stood at that column, and every later line is deeper than the `-`), and every alias
 * in it stands for a node in an item that goes out with its anchor: anchors between them in the input can
 * only be fewer in the output, so each alias still finds the same one. Any other item is parsed back on its
 * own: kept as it is if that means the same (it then needs no anchor elsewhere), else written afresh.
 */
export function passThroughTexts(src: ItemSource, kept: number[]): string[] {
  const { itemOf, aliasesIn } = membership(src);
  const keptSet = new Set(kept);
  const texts = new Map<number, string>();
  const reserialised = new Set<number>();
  // A %YAML or %TAG directive changes how the items' text reads; the output carries none.
  const directives = src.doc.directives;
  const plainDoc = !directives?.yaml.explicit && Object.keys(directives?.tags ?? {}).every((h) => h === '!' || h === '!!');
  const candidates = new Map(kept.map((i) => [i, sourceText(src, i)]));
  if (!plainDoc) for (const c of candidates.values()) if (c) c.uniform = false;
  const safe = (i: number) => candidates.get(i)?.uniform === true && aliasesIn[i].every((a) => keptSet.has(itemOf.get(src.aliasTargets.get(a)!) ?? -1) && !reserialised.has(itemOf.get(src.aliasTargets.get(a)!)!));
  for (let changed = true; changed; ) {
    changed = false;
    for (const i of kept) {
      if (reserialised.has(i) || (texts.has(i) && safe(i))) continue;
      const own = candidates.get(i)?.text;
      if (!texts.has(i) && safe(i)) {
        texts.set(i, own!);
        continue;
      }
      if (own !== undefined && meansTheSame([own], [src.values[i]])) {
        texts.set(i, own); // stands alone: its aliases point into itself
        candidates.set(i, { text: own, uniform: true });
        aliasesIn[i] = aliasesIn[i].filter((a) => itemOf.get(src.aliasTargets.get(a)!) === i);
        continue;
      }
      const fresh = reserialize(src, i);
      if (!meansTheSame([fresh], [src.values[i]])) throw new PassThroughError('this item cannot be passed through without changing what it says (write it without YAML tags or aliases)', i);
      texts.set(i, fresh);
      reserialised.add(i); // its anchors are gone: items with aliases to it must be decided again
      changed = true;
    }
  }
  return kept.map((i) => texts.get(i)!);
}

/** Which item each node belongs to, and the aliases written in each item. */
function membership(src: ItemSource): { itemOf: Map<unknown, number>; aliasesIn: Alias[][] } {
  const itemOf = new Map<unknown, number>();
  const aliasesIn: Alias[][] = [];
  const walk = (node: unknown, i: number) => {
    if (isAlias(node)) aliasesIn[i].push(node);
    if (!node || typeof node !== 'object') return;
    itemOf.set(node, i);
    if (isPair(node)) {
      walk(node.key, i);
      walk(node.value, i);
    } else if (isCollection(node)) for (const it of node.items) walk(it, i);
  };
  (src.seq?.items ?? []).forEach((node, i) => {
    aliasesIn[i] = [];
    walk(node, i);
  });
  return { itemOf, aliasesIn };
}

/** Does `items:` with these texts parse to exactly these values? */
function meansTheSame(texts: string[], values: unknown[]): boolean {
  const doc = parseDocument(`items:\n${texts.map((t) => `- ${t}\n`).join('')}`, PARSE_OPTIONS);
  if (doc.errors.length) return false;
  try {
    checkShape(doc.contents, { uniqueKeysAt: () => false }); // bounded before anything expands
  } catch (e) {
    if (e instanceof ShapeError) return false;
    throw e;
  }
  const seq = (doc.contents as unknown as { get(k: string, keep: true): unknown }).get('items', true);
  if (!isSeq(seq) || seq.items.length !== values.length) return false;
  const got = doc.toJS(TO_JS) as Map<string, unknown[]>;
  return isDeepStrictEqual(got.get('items'), values);
}

/**
 * The item's own text after its `- `, with every line moved left as far as its `-` stood from column 0,
 * so the item keeps its inner layout (anchors, tags and comments before the first key included).
 * `uniform` when that move keeps every line's place relative to the others. Undefined for an item of
 * a flow sequence that spans lines or carries properties.
 */
function sourceText(src: ItemSource, index: number): { text: string; uniform: boolean } | undefined {
  const node = src.seq.items[index] as Node;
  if (!node?.range) return undefined;
  const token = src.seq.srcToken as { type?: string; items?: { start: { type: string; offset: number }[] }[] } | undefined;
  const dash = token?.type === 'block-seq' ? token.items?.[index]?.start.find((t) => t.type === 'seq-item-ind')?.offset : undefined;
  if (dash === undefined) {
    const text = src.source.slice(node.range[0], node.range[1]);
    return text.includes('\n') || isAlias(node) || node.anchor || node.tag ? undefined : { text, uniform: false };
  }
  const column = dash - (src.source.lastIndexOf('\n', dash - 1) + 1);
  // Drop only the final line break: more would cut the kept blank lines of a trailing `|+` block scalar.
  let text = src.source.slice(dash + 1, Math.max(node.range[1], dash + 1)).replace(/\n$/, '');
  const separated = text === '' || text.startsWith(' ') || text.startsWith('\n');
  if (text.startsWith(' ')) text = text.slice(1);
  if (column === 0) return { text, uniform: separated };
  const lines = text.split('\n');
  const deeper = ' '.repeat(column + 1);
  const uniform = separated && lines.every((l, i) => i === 0 || l === '' || l.startsWith(deeper));
  const strip = new RegExp(`^ {0,${column}}`);
  return { text: lines.map((l, i) => (i === 0 ? l : l.replace(strip, ''))).join('\n'), uniform };
}

/** The item written afresh by yaml from its nodes, aliases replaced by copies of what they stand for. */
function reserialize(src: ItemSource, index: number): string {
  const node = expand(src.seq.items[index] as Node, src.aliasTargets);
  const text = stringify(node, { version: '1.2', lineWidth: 0, customTags: [...EXPLICIT_TAGS, SOURCE_NUMBER] }).replace(/\n$/, '');
  return text.replace(/\n(?=.)/g, '\n  ');
}

function expand(node: unknown, targets: Map<Alias, Node>): unknown {
  if (isAlias(node)) return expand(targets.get(node)!, targets);
  if (!node || typeof node !== 'object' || isPair(node)) return node;
  // A shallow copy of the node (class, tag, style, comments), without its anchor: nothing refers to it now.
  const copy = Object.create(Object.getPrototypeOf(node), Object.getOwnPropertyDescriptors(node)) as Node;
  delete copy.anchor;
  // A number keeps its text (`0755`, `0x1F`): YAML 1.1 readers such as kubectl read some of them differently.
  if (isScalar(copy)) copy.value = sourceNumberOf(copy) ?? copy.value;
  if (isCollection(copy)) {
    copy.items = (copy.items as unknown[]).map((it) => (isPair(it) ? new Pair(expand(it.key, targets), expand(it.value, targets)) : expand(it, targets)));
  }
  return copy;
}
