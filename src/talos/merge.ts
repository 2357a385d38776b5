/**
 * Reading Talos strategic patches back, to say what a config change does: the patches of one config merged
 * into one document, and the settings that differ between two such documents. Maps merge key by key and
 * lists append, as Talos' strategic merge does for every list our patches write (machine.network.interfaces
 * merges by interface in Talos; no two of our patches write the same interface, so appending is exact here).
 */
import { parse } from 'yaml';

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

/** The strategic patches of one Talos config (YAML strings) as one merged document; unreadable patches are skipped. */
export function mergePatches(patches: unknown): Obj {
  if (!Array.isArray(patches)) return {};
  return patches.reduce<Obj>((acc, p) => {
    let doc: unknown;
    try {
      doc = typeof p === 'string' ? parse(p, { maxAliasCount: 100 }) : undefined;
    } catch {
      return acc;
    }
    return isObj(doc) ? mergeInto(acc, doc) : acc;
  }, {});
}

/** Leaf settings of a document as `path → value` (strings as they are, else JSON); lists of scalars count as one setting. */
export function settings(doc: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (isObj(doc)) {
    for (const [k, v] of Object.entries(doc)) settings(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (Array.isArray(doc) && doc.some((x) => isObj(x) || Array.isArray(x))) {
    doc.forEach((x, i) => settings(x, `${prefix}[${i}]`, out));
  } else {
    // Talos reads the scalar leaves our patches write into string maps (sysctls, kubelet flags): true and "true" are one setting.
    out.set(prefix, typeof doc === 'string' ? doc : JSON.stringify(doc));
  }
  return out;
}

export interface SettingChange {
  path: string;
  before?: string;
  after?: string;
}

/** Settings that differ between two documents, in path order. */
export function settingChanges(before: unknown, after: unknown): SettingChange[] {
  const a = settings(before);
  const b = settings(after);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths.filter((p) => a.get(p) !== b.get(p)).map((p) => ({ path: p, before: a.get(p), after: b.get(p) }));
}

/** A setting's value for a reader, long values cut. */
const show = (v: string) => (v.length > 60 ? `${v.slice(0, 57)}...` : v);

/** "a → b", "x added", "y removed", at most `max` of them, then how many more. */
export function describeSettingChanges(changes: SettingChange[], max = 6): string {
  const say = (c: SettingChange) =>
    c.before === undefined ? `${show(c.path)} ${show(c.after!)} added` : c.after === undefined ? `${show(c.path)} removed` : `${show(c.path)} ${show(c.before)} → ${show(c.after)}`;
  const shown = changes.slice(0, max).map(say);
  return changes.length > max ? `${shown.join(', ')} and ${changes.length - max} more` : shown.join(', ');
}
