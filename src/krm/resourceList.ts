/**
 * Reading and writing a KRM ResourceList without touching anyone's data.
 *
 * Input items go back out as the exact text they had in the input wherever that text means the same in
 * the output, so `0755`, `2024-01-02`, `yes`, `~`, 12345678901234567890, quoting, comments, anchors, tags
 * and key order survive byte for byte — which a parse-and-dump round trip (the kpt-functions SDK, or yaml's
 * own stringify) cannot promise. When it would not (see passThrough.ts), the item is re-serialised.
 *
 * The input is checked before anything expands it (shape.ts): nesting depth, alias expansion, undefined
 * aliases, and repeated keys in the ResourceList itself and anywhere in the functionConfig. Repeated keys
 * inside an item are the item's own business (kpt and kubectl decide what they mean) and are kept as written.
 */
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node, type YAMLSeq } from 'yaml';
import { toYAML } from '../yaml/write';
import { withNumberText } from '../yaml/read';
import { isEmptyDocument, yamlErrorLine } from './documents';
import { checkShape, formatYamlPath, isTooDeep, ShapeError, TOO_DEEP, type Path } from './shape';
import { passThroughTexts, PassThroughError, PARSE_OPTIONS, TO_JS, type ItemSource } from './passThrough';
import type { ResourceRef, Result } from '../results';

export const RESOURCE_LIST_VERSIONS = ['config.kubernetes.io/v1', 'config.kubernetes.io/v1beta1'] as const;

export interface InputItem {
  /** Position in the input's items. */
  index: number;
  /** Reads a string annotation of the item (undefined when absent or not a string). */
  annotation(key: string): string | undefined;
  /** Reads the value at a path in the item (undefined when absent). */
  get(path: string[]): unknown;
}

export interface ResourceList {
  apiVersion: string;
  items: InputItem[];
  functionConfig: unknown;
  /** The output text of each of these items (to follow a `- ` at column 0). Throws InputError. */
  texts(kept: InputItem[]): string[];
}

/** A problem with the input itself; `field` and `resourceRef` when it lies in the functionConfig. */
export class InputError extends Error {
  constructor(
    message: string,
    readonly field?: string,
    readonly resourceRef?: ResourceRef,
  ) {
    super(message);
  }
}

/** Parses a ResourceList. Throws InputError (with a user-facing message) when it is not one. */
export function readResourceList(source: string): ResourceList {
  const docs = parse(source);
  const real = docs.filter((d) => !isEmptyDocument(d));
  if (real.length !== 1) throw new InputError(real.length ? `expected one ResourceList document on standard input, found ${real.length}` : 'the input is empty: expected a ResourceList on standard input');
  const doc = real[0];
  if (doc.errors.length) throw new InputError(isTooDeep(doc.errors[0].message) ? TOO_DEEP : `the input is ${yamlErrorLine(doc.errors[0], source)}`);
  const root = doc.contents;
  if (!isMap(root)) throw new InputError('the input must be a ResourceList mapping');
  const fcNode = root.get('functionConfig', true) as Node | undefined;
  const fcRef = clusterSpecRef(fcNode);
  let shape;
  try {
    shape = checkShape(root, { uniqueKeysAt: (p) => p.length === 0 || p[0] === 'functionConfig' });
  } catch (e) {
    if (!(e instanceof ShapeError)) throw e;
    if (isTooDeep(e)) throw new InputError(TOO_DEEP);
    throw shapeError(e.message, e.path, fcRef);
  }
  const apiVersion: unknown = root.get('apiVersion');
  const kind: unknown = root.get('kind');
  if (kind !== 'ResourceList' || !RESOURCE_LIST_VERSIONS.includes(apiVersion as never)) {
    throw new InputError(`the input must be a ResourceList (apiVersion ${RESOURCE_LIST_VERSIONS.join(' or ')}), got ${short(apiVersion)}/${short(kind)}`);
  }
  const itemsNode = root.get('items', true) as Node | undefined | null;
  if (isAlias(itemsNode)) throw new InputError('ResourceList.items must be written out, not an alias');
  if (itemsNode && !(isScalar(itemsNode) && itemsNode.value === null) && !isSeq(itemsNode)) throw new InputError('ResourceList.items must be a list');
  let data: Map<unknown, unknown>;
  let functionConfig: unknown;
  try {
    data = doc.toJS(TO_JS) as Map<unknown, unknown>;
    // Only the functionConfig's reading keeps number texts (pass-through items stay as they are).
    functionConfig = fcNode ? withNumberText(fcNode, () => fcNode.toJS(doc, { maxAliasCount: -1 })) : undefined;
  } catch (e) {
    throw new InputError(`the input cannot be read: ${(e as Error).message}`);
  }
  const values = isSeq(itemsNode) ? (data.get('items') as unknown[]) : [];
  const src: ItemSource = { source, doc, seq: itemsNode as YAMLSeq, values, aliasTargets: shape.aliasTargets };
  return {
    apiVersion: String(apiVersion),
    items: values.map((v, index) => inputItem(v, index)),
    functionConfig,
    texts(kept) {
      try {
        return passThroughTexts(src, kept.map((i) => i.index));
      } catch (e) {
        if (!(e instanceof PassThroughError)) throw e;
        throw new InputError(`ResourceList items[${e.index}]: ${e.message}`);
      }
    },
  };
}

function parse(source: string): Document[] {
  try {
    const docs = parseAllDocuments(source, PARSE_OPTIONS);
    return Array.isArray(docs) ? docs : [];
  } catch (e) {
    if (isTooDeep(e)) throw new InputError(TOO_DEEP);
    throw e;
  }
}

/** A shape problem as the user sees it: in the functionConfig, a field of the ClusterSpec; elsewhere, a place in the ResourceList. */
function shapeError(message: string, path: Path, fcRef: ResourceRef | undefined): InputError {
  if (path[0] === 'functionConfig' && path.length > 1) return new InputError(`the functionConfig is not usable: ${message}`, formatYamlPath(path.slice(1)), fcRef);
  return new InputError(`ResourceList ${formatYamlPath(path) || '(top level)'}: ${message}`);
}

function clusterSpecRef(fc: Node | undefined): ResourceRef | undefined {
  if (!isMap(fc)) return undefined;
  const s = (v: unknown) => (isScalar(v) && typeof v.value === 'string' ? v.value : undefined);
  const name = s(fc.getIn(['metadata', 'name'], true));
  const namespace = s(fc.getIn(['metadata', 'namespace'], true));
  return { apiVersion: s(fc.get('apiVersion', true)) ?? '', kind: s(fc.get('kind', true)) ?? '', name: name ?? '(unnamed)', ...(namespace && { namespace }) };
}

const short = (v: unknown) => {
  const s = String(v);
  return s.length > 100 ? `${s.slice(0, 100)}…` : s;
};

function inputItem(value: unknown, index: number): InputItem {
  const get = (path: string[]) => {
    let v = value;
    for (const k of path) v = v instanceof Map ? v.get(k) : undefined;
    return v;
  };
  return {
    index,
    get,
    annotation(key) {
      const v = get(['metadata', 'annotations', key]);
      return typeof v === 'string' ? v : undefined;
    },
  };
}

/** Writes a ResourceList: the input items as they were, then the new objects, then the results. */
export function writeResourceList(apiVersion: string, items: string[], newObjects: unknown[], results: Result[]): string {
  let out = `apiVersion: ${apiVersion}\nkind: ResourceList\n`;
  // The new objects as one YAML sequence: a single document is much cheaper to write than one per object.
  const fresh = newObjects.length ? toYAML(newObjects) : '';
  out += items.length || fresh ? `items:\n${items.map((e) => `- ${e}\n`).join('')}${fresh}` : 'items: []\n';
  if (results.length) out += toYAML({ results });
  return out;
}

