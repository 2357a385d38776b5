/**
 * One bounded pass over a parsed YAML document, before anything expands it: how deep it nests, how
 * large its aliases make it, whether every alias has an anchor before it, and (where asked) whether a
 * mapping repeats a key. yaml's own alias resolution scans the whole document per alias and expands
 * alias bombs; this pass resolves every alias once, in document order, and stops at the limits.
 */
import { isAlias, isCollection, isMap, isPair, isScalar, type Alias, type Node } from 'yaml';

/** Deeper than any Kubernetes object nests; yaml's parser itself overflows the stack near 1,000. */
export const MAX_DEPTH = 256;
/** Nodes a document may have once its aliases are expanded (a 1 MB input has at most ~500,000 literal ones). */
export const MAX_EXPANDED_NODES = 1_000_000;

export type Path = (string | number)[];

export class ShapeError extends Error {
  constructor(
    message: string,
    readonly path: Path,
  ) {
    super(message);
  }
}

/**
 * The one answer to input nested too deeply, however it shows: as our depth check, or as the parser
 * running out of stack (Node's stack ends near 1,000 levels, Bun's much deeper), so that both executables
 * say the same bytes. No path and no position: both would depend on where the stack ran out.
 */
export const TOO_DEEP = `the input nests more than ${MAX_DEPTH} levels deep; no Kubernetes object or ClusterSpec nests that deep`;

class TooDeep extends ShapeError {}

/** Is this error (a ShapeError, or a parser's error message) input nested too deeply? */
export const isTooDeep = (e: unknown): boolean => e instanceof TooDeep || (e instanceof RangeError) || (typeof e === 'string' && /Maximum call stack size exceeded|too much recursion/i.test(e));

/** A path as a user reads it: items[3].metadata.name (a key that is not a plain word goes in brackets). */
export function formatYamlPath(path: Path): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/^[A-Za-z0-9_$-]+$/.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(p.length > 100 ? `${p.slice(0, 100)}…` : p)}]`;
  }
  return out;
}

const keyName = (key: unknown): string => (isScalar(key) ? String(key.value) : '?');

export interface ShapeOptions {
  /** Where a repeated mapping key is an error (yaml would keep only the last one). */
  uniqueKeysAt(path: Path): boolean;
}

export interface Shape {
  /** The node each alias stands for. */
  aliasTargets: Map<Alias, Node>;
}

/**
 * yaml's Alias.resolve finds an alias's anchor by scanning every anchor and alias in the document, so
 * converting a document with n aliases to data costs O(n²) (10,000 aliases: half a minute). Each alias
 * walked here is given its target directly; the rest of what resolve does for toJS (converting the anchored
 * node first when that has not happened yet) is kept as yaml 2.9 does it (dist/nodes/Alias.js, toJS.js).
 */
function resolveTo(alias: Alias, target: Node) {
  type Ctx = { anchors: Map<Node, { aliasCount: number; count: number; res: unknown }>; onCreate?: (res: unknown) => void };
  Object.defineProperty(alias, 'resolve', {
    configurable: true,
    value(_doc: unknown, ctx?: Ctx) {
      if (ctx && !ctx.anchors.get(target)) {
        const data = { aliasCount: 0, count: 1, res: undefined as unknown };
        ctx.anchors.set(target, data);
        ctx.onCreate = (res) => {
          data.res = res;
          delete ctx.onCreate;
        };
        const res = (target as unknown as { toJSON(arg: unknown, ctx: Ctx): unknown }).toJSON(null, ctx);
        if (ctx.onCreate) ctx.onCreate(res);
      }
      return target;
    },
  });
}

/** Walks `root`; throws ShapeError with the path of the first problem. Gives every alias its target (resolveTo). */
export function checkShape(root: Node | null, opts: ShapeOptions): Shape {
  const anchors = new Map<string, Node>();
  const sizes = new Map<Node, { size: number; height: number }>();
  const open = new Set<Node>();
  const aliasTargets = new Map<Alias, Node>();
  let total = 0;

  const count = (n: number, path: Path) => {
    total += n;
    if (total > MAX_EXPANDED_NODES) throw new ShapeError(`its YAML aliases expand to more than ${MAX_EXPANDED_NODES.toLocaleString('en')} nodes (an alias bomb?); write the values out or use fewer aliases`, path);
  };

  /** Returns the node's expanded size and height. */
  const walk = (node: unknown, path: Path, depth: number): { size: number; height: number } => {
    if (depth > MAX_DEPTH) throw new TooDeep(TOO_DEEP, path);
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) throw new ShapeError(`alias *${node.source} has no anchor &${node.source} before it`, path);
      if (open.has(target)) throw new ShapeError(`alias *${node.source} refers to a node that contains it (a recursive structure)`, path);
      aliasTargets.set(node, target);
      resolveTo(node, target);
      const s = sizes.get(target)!;
      if (depth + s.height > MAX_DEPTH) throw new ShapeError(`it nests more than ${MAX_DEPTH} levels deep once alias *${node.source} is expanded`, path);
      count(s.size, path);
      return s;
    }
    if (!node || typeof node !== 'object') return { size: 0, height: 0 };
    const n = node as Node;
    if (n.anchor) {
      anchors.set(n.anchor, n);
      open.add(n);
    }
    let size = 1;
    let height = 0;
    count(1, path);
    if (isCollection(n)) {
      const seen = isMap(n) && opts.uniqueKeysAt(path) ? new Set<unknown>() : undefined;
      n.items.forEach((item, i) => {
        const parts: [unknown, Path][] = isPair(item) ? [[item.key, [...path, keyName(item.key)]], [item.value, [...path, keyName(item.key)]]] : [[item, [...path, i]]];
        if (seen && isPair(item) && isScalar(item.key) && item.key.value !== '<<') {
          if (seen.has(item.key.value)) throw new ShapeError(`duplicate key "${keyName(item.key)}": YAML would keep only the last one; remove or merge the other`, [...path, keyName(item.key)]);
          seen.add(item.key.value);
        }
        for (const [child, p] of parts) {
          const s = walk(child, p, depth + 1);
          size += s.size;
          height = Math.max(height, s.height + 1);
        }
      });
    }
    if (n.anchor) {
      open.delete(n);
      sizes.set(n, { size, height });
    }
    return { size, height };
  };
  walk(root, [], 0);
  return { aliasTargets };
}
