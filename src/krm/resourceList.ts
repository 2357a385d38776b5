/**
 * Reading and writing a KRM ResourceList without touching anyone's data.
 *
 * Input items are never re-serialised: each one is copied through as the exact text it had in the input
 * (the range yaml v2 records for its node), re-indented as a whole where needed. So `0755`, `2024-01-02`,
 * `yes`, `~`, 12345678901234567890, quoting, comments and key order all survive byte for byte — which a
 * parse-and-dump round trip (the kpt-functions SDK, or yaml's own stringify) cannot promise.
 * Only items that are not block mappings (JSON-style input), or that carry an anchor or tag of their own,
 * are re-serialised, through yaml's node API.
 */
import { parseAllDocuments, isMap, isSeq, isScalar, stringify, type Node, type YAMLMap } from 'yaml';
import { toYAML } from '../yaml/write';
import { yamlErrorLine } from './documents';
import type { Result } from '../results';

export const RESOURCE_LIST_VERSIONS = ['config.kubernetes.io/v1', 'config.kubernetes.io/v1beta1'] as const;

export interface InputItem {
  /** The item's text, re-indented for a `- ` at column 0 (continuation lines at column 2), no trailing newline. */
  text: string;
  /** Reads a string annotation of the item (undefined when absent or not a string). */
  annotation(key: string): string | undefined;
  /** Reads a scalar at a path in the item (undefined when absent). */
  get(path: string[]): unknown;
}

export interface ResourceList {
  apiVersion: string;
  items: InputItem[];
  functionConfig: unknown;
}

export class InputError extends Error {}

const PARSE_OPTIONS = { version: '1.1', uniqueKeys: false, prettyErrors: false } as const;

/** Parses a ResourceList. Throws InputError (with a user-facing message) when it is not one. */
export function readResourceList(source: string): ResourceList {
  const docs = parseAllDocuments(source, PARSE_OPTIONS);
  if (!Array.isArray(docs)) throw new InputError('the input is empty: expected a ResourceList on standard input');
  const real = docs.filter((d) => d.contents !== null);
  if (real.length !== 1) throw new InputError(`expected one ResourceList document on standard input, found ${real.length}`);
  const doc = real[0];
  if (doc.errors.length) throw new InputError(`the input is ${yamlErrorLine(doc.errors[0], source)}`);
  const root = doc.contents;
  if (!isMap(root)) throw new InputError('the input must be a ResourceList mapping');
  const apiVersion: unknown = root.get('apiVersion');
  const kind: unknown = root.get('kind');
  if (kind !== 'ResourceList' || !RESOURCE_LIST_VERSIONS.includes(apiVersion as never)) {
    throw new InputError(`the input must be a ResourceList (apiVersion ${RESOURCE_LIST_VERSIONS.join(' or ')}), got ${String(apiVersion)}/${String(kind)}`);
  }
  const itemsNode = root.get('items', true) as Node | undefined | null;
  const items: InputItem[] = [];
  if (itemsNode && !(isScalar(itemsNode) && itemsNode.value === null)) {
    if (!isSeq(itemsNode)) throw new InputError('ResourceList.items must be a list');
    for (const node of itemsNode.items as Node[]) items.push(inputItem(source, node));
  }
  const fc = root.get('functionConfig', true) as Node | undefined;
  return { apiVersion: String(apiVersion), items, functionConfig: fc ? fc.toJS(doc, { maxAliasCount: 100 }) : undefined };
}

function inputItem(source: string, node: Node): InputItem {
  return {
    // An anchor or tag on the item itself stands before the node's range, so such items are re-serialised.
    text: isMap(node) && !node.flow && node.range && !node.anchor && !node.tag ? sourceText(source, node.range[0], node.range[1]) : reserialize(node),
    annotation(key) {
      const v = this.get(['metadata', 'annotations', key]);
      return typeof v === 'string' ? v : undefined;
    },
    get(path) {
      return isMap(node) ? (node as YAMLMap).getIn(path) : undefined;
    },
  };
}

/** The node's own text, shifted so its first line sits at column 2. */
function sourceText(source: string, start: number, end: number): string {
  const column = start - (source.lastIndexOf('\n', start - 1) + 1);
  // Drop only the final line break: more would cut the kept blank lines of a trailing `|+` block scalar.
  const lines = source.slice(start, end).replace(/\n$/, '').split('\n');
  const shift = column - 2;
  if (shift === 0) return lines.join('\n');
  const strip = new RegExp(`^ {0,${shift}}`);
  return lines.map((l, i) => (i === 0 ? l : shift > 0 ? l.replace(strip, '') : ' '.repeat(-shift) + l)).join('\n');
}

function reserialize(node: Node): string {
  return indent(stringify(node, { version: '1.1', lineWidth: 0 }).replace(/\n$/, ''));
}

/** Indents every line after the first by two spaces, for a `- ` list entry. */
const indent = (text: string) => text.replace(/\n(?=.)/g, '\n  ');

/** Writes a ResourceList: the input items as they were, then the new objects, then the results. */
export function writeResourceList(apiVersion: string, items: string[], newObjects: unknown[], results: Result[]): string {
  let out = `apiVersion: ${apiVersion}\nkind: ResourceList\n`;
  // The new objects as one YAML sequence: a single document is much cheaper to write than one per object.
  const fresh = newObjects.length ? toYAML(newObjects) : '';
  out += items.length || fresh ? `items:\n${items.map((e) => `- ${e}\n`).join('')}${fresh}` : 'items: []\n';
  if (results.length) out += toYAML({ results });
  return out;
}
