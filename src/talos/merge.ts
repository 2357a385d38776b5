/**
 * Reading Talos strategic patches back, to say what a config change does: the patches of one config merged
 * into one document, and the settings that differ between two such documents. Maps merge key by key and
 * lists append, as Talos' strategic merge does for every list our patches write (machine.network.interfaces
 * merges by interface in Talos; no two of our patches write the same interface, so appending is exact here).
 */
import { parseAllDocuments } from 'yaml';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

function mergeInto(into: Obj, patch: Obj): Obj {
  for (const [k, v] of Object.entries(patch)) {
    const have = into[k];
    if (isObj(have) && isObj(v)) into[k] = mergeInto({ ...have }, v);
    else if (Array.isArray(have) && Array.isArray(v)) into[k] = [...have, ...v];
    else into[k] = v;
  }
  return into;
}

/**
 * The strategic patches of one Talos config (YAML strings) as one merged document; unreadable patches are
 * skipped. A patch may hold several documents (Talos ≥ 1.12 multi-document config): the v1alpha1 one merges
 * at the top, each other document under `<kind>/<name>` (e.g. `Layer2VIPConfig/192.168.4.100`).
 */
export function mergePatches(patches: unknown): Obj {
  if (!Array.isArray(patches)) return {};
  return patches.reduce<Obj>((acc, p) => {
    if (typeof p !== 'string') return acc;
    let docs: unknown[];
    try {
      docs = parseAllDocuments(p).flatMap((d) => (d.errors.length ? [] : [d.toJS({ maxAliasCount: 100 })]));
    } catch {
      return acc;
    }
    for (const doc of docs) {
      if (!isObj(doc)) continue;
      if (typeof doc.kind === 'string' && doc.kind !== 'v1alpha1') mergeInto(acc, { [`${doc.kind}/${String(doc.name ?? '')}`]: doc });
      else mergeInto(acc, doc);
    }
    return acc;
  }, {});
}

interface Setting {
  /** The keys and indexes leading to the setting. */
  at: (string | number)[];
  value: string;
}

const pathText = (at: (string | number)[]) => at.reduce<string>((t, k) => (typeof k === 'number' ? `${t}[${k}]` : t ? `${t}.${k}` : k), '');

/** Leaf settings of a document by path (strings as they are, else JSON); lists of scalars count as one setting. */
export function settings(doc: unknown, at: (string | number)[] = [], out = new Map<string, Setting>()): Map<string, Setting> {
  if (isObj(doc)) {
    for (const [k, v] of Object.entries(doc)) settings(v, [...at, k], out);
  } else if (Array.isArray(doc) && doc.some((x) => isObj(x) || Array.isArray(x))) {
    doc.forEach((x, i) => settings(x, [...at, i], out));
  } else {
    // Talos reads the scalar leaves our patches write into string maps (sysctls, kubelet flags): true and "true" are one setting.
    out.set(pathText(at), { at, value: typeof doc === 'string' ? doc : JSON.stringify(doc) });
  }
  return out;
}

export interface SettingChange {
  path: string;
  before?: string;
  after?: string;
}

/**
 * Settings that differ between two documents, in path order. A part that exists on one side only (a new
 * document, a removed section) is one change at its top, not one per leaf.
 */
export function settingChanges(before: unknown, after: unknown): SettingChange[] {
  const a = settings(before);
  const b = settings(after);
  /** How many settings lie under each part of a document. */
  const prefixes = (m: Map<string, Setting>) => {
    const count = new Map<string, number>();
    for (const s of m.values()) s.at.forEach((_, i) => count.set(pathText(s.at.slice(0, i + 1)), (count.get(pathText(s.at.slice(0, i + 1))) ?? 0) + 1));
    return count;
  };
  const inA = prefixes(a);
  const inB = prefixes(b);
  /** The shortest part of `s`'s path that the other side lacks entirely (the setting itself when it is alone there). */
  const top = (s: Setting, other: Map<string, number>, own: Map<string, number>) => {
    const at = pathText(s.at.slice(0, s.at.findIndex((_, i) => !other.has(pathText(s.at.slice(0, i + 1)))) + 1));
    return own.get(at) === 1 ? pathText(s.at) : at;
  };
  const out = new Map<string, SettingChange>();
  for (const [p, s] of a) {
    const t = b.get(p);
    if (t === undefined) {
      const at = top(s, inB, inA);
      out.set(at, at === p ? { path: p, before: s.value } : { path: at, before: '{…}' });
    } else if (t.value !== s.value) out.set(p, { path: p, before: s.value, after: t.value });
  }
  for (const [p, s] of b) {
    if (a.has(p)) continue;
    const at = top(s, inA, inB);
    out.set(at, at === p ? { path: p, after: s.value } : { path: at, after: '{…}' });
  }
  return [...out.values()].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}

/** A setting's value for a reader, long values cut. */
const show = (v: string) => (v.length > 60 ? `${v.slice(0, 57)}...` : v);

/** "a → b", "x added", "y removed", at most `max` of them, then how many more. */
export function describeSettingChanges(changes: SettingChange[], max = 6): string {
  const say = (c: SettingChange) =>
    c.before === undefined ? `${show(c.path)}${c.after === '{…}' ? '' : ` ${show(c.after!)}`} added` : c.after === undefined ? `${show(c.path)} removed` : `${show(c.path)} ${show(c.before)} → ${show(c.after)}`;
  const shown = changes.slice(0, max).map(say);
  return changes.length > max ? `${shown.join(', ')} and ${changes.length - max} more` : shown.join(', ');
}
