/**
 * From the functionConfig (plain data) to a fully defaulted, checked cluster model, or to the list of
 * every problem found. Never throws on user input.
 */
import type { core } from 'zod';
import { clusterSpecSchema, type Spec, type ClusterSpecDoc, API_VERSION, KIND } from './schema';
import { CHART_DEFAULTS } from './defaults';
import { talosVersionOfImage } from './versions';
import { checkSpec } from './check';
import { meantFields, withHints } from './hints';
import { error, type Problem, type ResourceRef } from '../results';

/** The ClusterSpec after defaulting, with the values derived from other fields filled in. */
export interface Model extends Spec {
  name: string;
  namespace: string;
  talosVersion: string;
  /** The ClusterSpec object itself, for result references and the generator's ownership marker. */
  ref: ResourceRef;
}

export type ParseOutcome = { model: Model; problems: Problem[] } | { model?: undefined; problems: Problem[] };

/** Formats a zod path the way a user reads a YAML path: spec.workers[1].name. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

function issueToProblems(issue: core.$ZodIssue, input: unknown): Problem[] {
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => error(path ? `${path}.${k}` : k, `unknown field "${k}"${path ? ` in ${path}` : ''} (check the spelling; see the field table in the README)`));
  }
  if (issue.code === 'invalid_type') {
    const got = valueAt(input, issue.path);
    if (got === undefined) return [error(path, `${path || 'value'} is required`)];
    const custom = issue.message && !issue.message.startsWith('Invalid input') ? issue.message : `expected ${issue.expected}`;
    return [error(path, `${custom}, got ${describe(got)}`)];
  }
  return [error(path, issue.message)];
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p as string];
  }
  return v;
}

/** Parses and checks a functionConfig. */
export function parseClusterSpec(functionConfig: unknown): ParseOutcome {
  if (functionConfig === undefined) {
    return { problems: [error('', `no functionConfig: expected a ${KIND} (apiVersion ${API_VERSION}); with kpt name it in the Kptfile (configPath:) or pass --fn-config, with kustomize list the ${KIND} file under generators:`)] };
  }
  if (functionConfig === null || typeof functionConfig !== 'object' || Array.isArray(functionConfig)) {
    return { problems: [error('', `the functionConfig must be a ${KIND} (apiVersion ${API_VERSION}), got ${describe(functionConfig)}`)] };
  }
  const parsed = clusterSpecSchema.safeParse(functionConfig);
  if (!parsed.success) {
    const problems = dedupe(parsed.error.issues.flatMap((i) => withHints(issueToProblems(i, functionConfig), i, valueAt(functionConfig, i.path))));
    // A mistyped key's intended field was defaulted, not set: no cross-field verdict on it (replicsa: 3
    // must not also warn about a single control plane).
    const untrusted = [...problems, ...meantFields(parsed.error.issues).map((path) => error(path, ''))];
    return { problems: [...problems, ...crossFieldProblemsDespite(functionConfig, parsed.error.issues, untrusted)] };
  }
  const model = resolve(parsed.data);
  const problems = checkSpec(model);
  return { model, problems };
}

/**
 * So that a user sees every problem at once: drop what zod rejected (a bad list entry goes as a whole;
 * defaults take the place of other bad fields), and if the rest parses, run the cross-field checks
 * too, keeping only what does not touch a rejected field. With list entries gone, totals such as the
 * address capacity would be understated, so that check is left for the next run.
 */
function crossFieldProblemsDespite(input: object, issues: core.$ZodIssue[], reported: Problem[]): Problem[] {
  const pruned = structuredClone(input) as Record<string, unknown>;
  const removed = new Map<unknown[], Set<number>>();
  for (const issue of issues) {
    const at = issue.path.findIndex((p, i) => typeof p === 'number' && Array.isArray(valueAt(pruned, issue.path.slice(0, i))));
    if (at >= 0) {
      const list = valueAt(pruned, issue.path.slice(0, at)) as unknown[];
      removed.set(list, (removed.get(list) ?? new Set()).add(issue.path[at] as number));
      continue;
    }
    const target = issue.code === 'unrecognized_keys' ? valueAt(pruned, issue.path) : valueAt(pruned, issue.path.slice(0, -1));
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [issue.path.at(-1)];
    if (target && typeof target === 'object') for (const k of keys) delete (target as Record<PropertyKey, unknown>)[k as PropertyKey];
  }
  for (const [list, idx] of removed) [...idx].sort((a, b) => b - a).forEach((i) => list.splice(i, 1));
  const again = clusterSpecSchema.safeParse(pruned);
  if (!again.success) return [];
  const bad = reported.map((p) => p.path);
  const related = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`) || b.startsWith(`${a}.`) || b.startsWith(`${a}[`);
  const shifted = (path: string) => removed.size > 0 && (path === 'spec.network.ipRanges' || /\[\d+\]/.test(path));
  return checkSpec(resolve(again.data)).filter((p) => !shifted(p.path) && !bad.some((b) => related(p.path, b)));
}

function resolve(doc: ClusterSpecDoc): Model {
  const spec = doc.spec;
  const name = spec.cluster.name ?? doc.metadata.name ?? CHART_DEFAULTS.clusterName;
  const ref: ResourceRef = { apiVersion: API_VERSION, kind: KIND, name: doc.metadata.name ?? name };
  if (doc.metadata.namespace) ref.namespace = doc.metadata.namespace;
  return {
    ...spec,
    name,
    namespace: spec.cluster.namespace ?? name,
    talosVersion: spec.cluster.talosVersion ?? talosVersionOfImage(spec.cluster.talosImage) ?? '',
    ref,
  };
}

function dedupe(ps: Problem[]): Problem[] {
  const seen = new Set<string>();
  return ps.filter((p) => {
    const k = `${p.path}\0${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
