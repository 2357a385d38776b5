/**
 * Hints on top of the schema's own messages: a "did you mean" for a mistyped field name, and what to
 * write instead for the few values YAML reads differently from what the user meant. Hints never quote
 * the user's value (a field may hold something secret); they name the field and show the expected form.
 */
import type { core } from 'zod';
import { closest } from '../suggest';
import { clusterSpecSchema } from './schema';
import type { Problem } from '../results';

type Def = { type: string; shape?: Record<string, { _zod: { def: Def } }>; innerType?: { _zod: { def: Def } }; element?: { _zod: { def: Def } }; options?: { _zod: { def: Def } }[]; in?: { _zod: { def: Def } } };

/** The object definitions a zod schema can take at `path` (several through unions), wrappers unwrapped. */
function objectsAt(def: Def, path: readonly PropertyKey[]): Def[] {
  switch (def.type) {
    case 'default':
    case 'prefault':
    case 'optional':
    case 'nullable':
    case 'readonly':
      return objectsAt(def.innerType!._zod.def, path);
    case 'pipe':
      return objectsAt(def.in!._zod.def, path);
    case 'union':
      return def.options!.flatMap((o) => objectsAt(o._zod.def, path));
    case 'array':
      return typeof path[0] === 'number' ? objectsAt(def.element!._zod.def, path.slice(1)) : [];
    case 'object':
      if (!path.length) return [def];
      return def.shape && typeof path[0] === 'string' && def.shape[path[0]] ? objectsAt(def.shape[path[0]]._zod.def, path.slice(1)) : [];
    default:
      return [];
  }
}

const fieldsCache = new Map<string, string[]>();

/** The field names the ClusterSpec allows in the mapping at `path` (walked once per path). */
export function fieldsAt(path: readonly PropertyKey[]): string[] {
  const key = JSON.stringify(path.map((p) => (typeof p === 'number' ? 0 : String(p))));
  let fields = fieldsCache.get(key);
  if (!fields) {
    fields = [...new Set(objectsAt((clusterSpecSchema as unknown as { _zod: { def: Def } })._zod.def, path).flatMap((d) => Object.keys(d.shape ?? {})))];
    fieldsCache.set(key, fields);
  }
  return fields;
}

const join = (path: readonly PropertyKey[], key: string) => [...path.map(String), key].join('.').replace(/\.(\d+)(?=\.|$)/g, '[$1]');

/** For an unknown key: the known field it most likely meant, as a full path (spec.controlPlane.replicas). */
export function meantField(path: readonly PropertyKey[], key: string): { field: string; path: string } | undefined {
  const field = closest(key, fieldsAt(path));
  return field ? { field, path: join(path, field) } : undefined;
}

/** Every field a mistyped key in these issues most likely meant: its value was not applied, only defaulted. */
export function meantFields(issues: readonly core.$ZodIssue[]): string[] {
  return issues.flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys.flatMap((k) => meantField(i.path, k)?.path ?? []) : []));
}

/** Versions YAML turns into numbers when written bare (1.33, 1.12): what to write instead. */
const VERSION_HINTS: Record<string, string> = {
  kubernetesVersion: 'write a Kubernetes version as a string with a "v" and the patch number, e.g. kubernetesVersion: v1.33.4 (YAML reads a bare major.minor as a number)',
  talosVersion: 'write the Talos version as a string with a "v", e.g. talosVersion: v1.12 (YAML reads a bare major.minor as a number)',
};

/** The problems of one zod issue, with a hint added where one helps. */
export function withHints(problems: Problem[], issue: core.$ZodIssue, value: unknown): Problem[] {
  if (issue.code === 'unrecognized_keys') {
    // One lookup per problem: an issue may carry thousands of keys.
    const keyAt = new Map(issue.keys.flatMap((k) => [[join(issue.path, k), k] as const, [k, k] as const]));
    return problems.map((p) => {
      const key = keyAt.get(p.path);
      const meant = key === undefined ? undefined : meantField(issue.path, key);
      return meant ? { ...p, message: p.message.replace(/ \(check the spelling[^)]*\)$/, '') + `; did you mean "${meant.field}"?` } : p;
    });
  }
  const leaf = issue.path.at(-1);
  if (issue.code === 'invalid_type' && typeof leaf === 'string' && VERSION_HINTS[leaf] && typeof value === 'number') {
    return problems.map((p) => ({ ...p, message: `${p.message}: ${VERSION_HINTS[leaf]}` }));
  }
  return problems;
}
