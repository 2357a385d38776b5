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
import { isAlias, isCollection, isPair, isSeq, parseDocument, Pair, stringify, type Alias, type Document, type Node, type YAMLSeq } from 'yaml';
import { checkShape, ShapeError } from './shape';

export const PARSE_OPTIONS = { version: '1.1', uniqueKeys: false, prettyErrors: false, keepSourceTokens: true } as const;
export const TO_JS = { mapAsMap: true, maxAliasCount: -1 } as const;

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
 */
export function passThroughTexts(src: ItemSource, kept: number[]): string[] {
  if (!kept.length) return [];
  const verbatim = kept.map((i) => sourceText(src, i));
  if (verbatim.every((t): t is string => t !== undefined) && meansTheSame(verbatim, kept.map((i) => src.values[i]))) return verbatim;
  // Something did not survive as a whole: decide item by item, each standing alone (so it needs no anchor
  // elsewhere; its own anchors then cannot change what a later item's alias means either).
  return kept.map((i, k) => {
    const own = verbatim[k];
    if (own !== undefined && meansTheSame([own], [src.values[i]])) return own;
    const fresh = reserialize(src, i);
    if (meansTheSame([fresh], [src.values[i]])) return fresh;
    throw new PassThroughError('this item cannot be passed through without changing what it says (write it without YAML tags or aliases)', i);
  });
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
 * Undefined for an item of a flow sequence that spans lines or carries properties.
 */
function sourceText(src: ItemSource, index: number): string | undefined {
  const node = src.seq.items[index] as Node;
  if (!node) return undefined;
  if (!node.range) return undefined;
  const token = (src.seq.srcToken as { type?: string; items?: { start: { type: string; offset: number }[] }[] } | undefined);
  const dash = token?.type === 'block-seq' ? token.items?.[index]?.start.find((t) => t.type === 'seq-item-ind')?.offset : undefined;
  if (dash === undefined) {
    const text = src.source.slice(node.range[0], node.range[1]);
    return text.includes('\n') || isAlias(node) || node.anchor || node.tag ? undefined : text;
  }
  const column = dash - (src.source.lastIndexOf('\n', dash - 1) + 1);
  // Drop only the final line break: more would cut the kept blank lines of a trailing `|+` block scalar.
  let text = src.source.slice(dash + 1, Math.max(node.range[1], dash + 1)).replace(/\n$/, '');
  if (text.startsWith(' ')) text = text.slice(1);
  if (column === 0) return text;
  const strip = new RegExp(`^ {0,${column}}`);
  return text
    .split('\n')
    .map((l, i) => (i === 0 ? l : l.replace(strip, '')))
    .join('\n');
}

/** The item written afresh by yaml from its nodes, aliases replaced by copies of what they stand for. */
function reserialize(src: ItemSource, index: number): string {
  const node = expand(src.seq.items[index] as Node, src.aliasTargets);
  const text = stringify(node, { version: '1.1', lineWidth: 0 }).replace(/\n$/, '');
  return text.replace(/\n(?=.)/g, '\n  ');
}

function expand(node: unknown, targets: Map<Alias, Node>): unknown {
  if (isAlias(node)) return expand(targets.get(node)!, targets);
  if (!node || typeof node !== 'object' || isPair(node)) return node;
  // A shallow copy of the node (class, tag, style, comments), without its anchor: nothing refers to it now.
  const copy = Object.create(Object.getPrototypeOf(node), Object.getOwnPropertyDescriptors(node)) as Node;
  delete copy.anchor;
  if (isCollection(copy)) {
    copy.items = (copy.items as unknown[]).map((it) => (isPair(it) ? new Pair(expand(it.key, targets), expand(it.value, targets)) : expand(it, targets)));
  }
  return copy;
}
