/**
 * From the functionConfig (plain data) to a fully defaulted, checked cluster model, or to the list of
 * every problem found. Never throws on user input.
 */
import type { core } from 'zod';
import { clusterSpecSchema, type Spec, type ClusterSpecDoc, API_VERSION, KIND } from './schema';
import { SITE_VALUES } from './defaults';
import { talosVersionOfImage } from './versions';
import { checkSpec } from './check';
import { meantFields, withHints } from './hints';
import { error, warning, type Problem, type ResourceRef } from '../results';
import { SourceNumber } from '../yaml/read';

/** The ClusterSpec after defaulting, with the values derived from other fields filled in. */
export interface Model extends Spec {
  name: string;
  namespace: string;
  talosVersion: string;
  /** The ClusterSpec object itself, for result references and the generator's ownership marker. */
  ref: ResourceRef;
}

export type ParseOutcome = { model: Model; problems: Problem[] } | { model?: undefined; problems: Problem[] };

/** Formats a zod path the way a user reads a YAML path: spec.workers[1].name (long keys shortened). */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${shownKey(String(p))}` : shownKey(String(p));
  return out;
}

/** A key the user wrote, shortened for a message (keys are not values, but may be pasted junk). */
const shownKey = (k: string) => (k.length > 64 ? `${k.slice(0, 64)}…` : k);

/**
 * What kind of value a user wrote, never the value itself: a token pasted into the wrong field must not
 * end up in results, on stderr or in CI logs.
 */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof SourceNumber) {
    return 'a number written with a leading zero, in hex or octal, with an exponent or a decimal point, or too long to hold exactly (YAML readers disagree on such numbers: write plain decimal digits, or quote it if it is text)';
  }
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'a whole number' : 'a decimal number';
  if (typeof value === 'boolean') return 'true or false';
  return `a ${typeof value}`;
}

/**
 * The largest spec accepted, in values (mapping entries and list entries, patches included): far above any
 * real cluster (the chart's whole values.yaml has about 40), low enough that checking never takes long.
 */
export const MAX_SPEC_VALUES = 20000;

/** An error when `spec` holds more than MAX_SPEC_VALUES values; walks at most that many (no recursion). */
function sizeProblem(spec: unknown): Problem | undefined {
  const todo: unknown[] = [spec];
  let count = 0;
  while (todo.length) {
    const v = todo.pop();
    if (v === null || typeof v !== 'object') continue;
    const children = Array.isArray(v) ? v : Object.values(v);
    count += children.length;
    if (count > MAX_SPEC_VALUES) return error('spec', `the spec holds more than ${MAX_SPEC_VALUES} values (mapping and list entries); that is far beyond any real cluster`);
    for (const c of children) todo.push(c);
  }
  return undefined;
}

/** Problems reported at most: past this, one more says how many were left out. */
export const MAX_PROBLEMS = 100;


function issueToProblems(issue: core.$ZodIssue, input: unknown): Problem[] {
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => error(formatPath([...issue.path, k]), `unknown field "${shownKey(k)}"${path ? ` in ${path}` : ''} (check the spelling; see the field table in the README)`));
  }
  if (issue.code === 'invalid_key') return issue.issues.map((i) => error(path, i.message));
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

/**
 * The site values (SITE_VALUES) the spec leaves out, as ONE error that lists each with an example, and the
 * schema's "required" issues it replaces. A missing section (spec.proxmox) stands for the values under it.
 */
function missingSiteValues(input: object, issues: readonly core.$ZodIssue[]): { problem?: Problem; issues: Set<core.$ZodIssue> } {
  const replaced = new Set<core.$ZodIssue>();
  const paths: string[] = [];
  // A value written under a mistyped key (gatway:) is not left out: its "did you mean" says what to do.
  const mistyped = new Set(meantFields(issues));
  for (const i of issues) {
    if (i.code !== 'invalid_type' || valueAt(input, i.path) !== undefined) continue;
    if (mistyped.has(formatPath(i.path))) {
      replaced.add(i);
      continue;
    }
    const at = formatPath(i.path);
    const exact = SITE_VALUES.filter((v) => v.path === at);
    const under = SITE_VALUES.filter((v) => v.path.startsWith(`${at}.`)).filter((v, _, all) => !all.some((o) => o !== v && v.path.startsWith(`${o.path}.`)));
    const meant = exact.length ? exact : under;
    if (!meant.length) continue;
    replaced.add(i);
    paths.push(...meant.map((v) => v.path));
  }
  const md = (input as { metadata?: { name?: unknown } }).metadata;
  const cluster = (input as { spec?: { cluster?: { name?: unknown } } }).spec?.cluster;
  const named = (md && typeof md === 'object' && md.name !== undefined) || (cluster && typeof cluster === 'object' && cluster.name !== undefined);
  if (!named) paths.unshift('metadata.name');
  if (!paths.length) return { issues: replaced };
  const listed = SITE_VALUES.filter((v) => paths.includes(v.path)).map((v) => `${v.path}, ${v.what} (e.g. ${v.example})`);
  const one = listed.length === 1;
  const message =
    `the spec leaves out ${one ? 'a value that describes' : `${listed.length} values that describe`} where the cluster lives and ${one ? 'has' : 'have'} no default ` +
    `(a guess would build it on someone else's network): ${listed.join('; ')}`;
  return { problem: error(paths.length === 1 ? paths[0] : paths[0].startsWith('metadata') ? 'metadata.name' : 'spec', message), issues: replaced };
}

/** Parses and checks a functionConfig. */
export function parseClusterSpec(functionConfig: unknown): ParseOutcome {
  if (functionConfig === undefined) {
    return { problems: [error('', `no functionConfig: expected a ${KIND} (apiVersion ${API_VERSION}); with kpt name it in the Kptfile (configPath:) or pass --fn-config, with kustomize list the ${KIND} file under generators:`)] };
  }
  if (functionConfig === null || typeof functionConfig !== 'object' || Array.isArray(functionConfig)) {
    return { problems: [error('', `the functionConfig must be a ${KIND} (apiVersion ${API_VERSION}), got ${describe(functionConfig)}`)] };
  }
  const size = sizeProblem((functionConfig as { spec?: unknown }).spec);
  if (size) return { problems: [size] };
  const parsed = clusterSpecSchema.safeParse(functionConfig);
  const missing = missingSiteValues(functionConfig, parsed.success ? [] : parsed.error.issues);
  if (!parsed.success || missing.problem) {
    const issues = parsed.success ? [] : parsed.error.issues.filter((i) => !missing.issues.has(i));
    const problems = dedupe([...(missing.problem ? [missing.problem] : []), ...issues.flatMap((i) => withHints(issueToProblems(i, functionConfig), i, valueAt(functionConfig, i.path)))]);
    if (parsed.success) return { problems };
    if (problems.length >= MAX_PROBLEMS) return { problems: capped(problems) };
    // A mistyped key's intended field was defaulted, not set: no cross-field verdict on it (replicsa: 3
    // must not also warn about a single control plane).
    const untrusted = [...problems, ...meantFields(parsed.error.issues).map((path) => error(path, ''))];
    return { problems: capped([...problems, ...crossFieldProblemsDespite(functionConfig, parsed.error.issues, untrusted)]) };
  }
  const model = resolve(parsed.data);
  const problems = capped(checkSpec(model));
  return { model, problems };
}

/** At most MAX_PROBLEMS problems, so no input makes the function write more than a screenful per problem. */
export function capped(ps: Problem[]): Problem[] {
  if (ps.length <= MAX_PROBLEMS) return ps;
  const errors = ps.filter((p) => p.severity === 'error');
  const first = (errors.length ? errors : ps).slice(0, MAX_PROBLEMS - 1);
  const more = `${ps.length - first.length} more problems not shown; fix these first`;
  return [...first, errors.length ? error('', more) : warning('', more)];
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
  if (!again.success || (again.data.spec.cluster.name ?? again.data.metadata.name) === undefined) return [];
  const bad = reported.map((p) => p.path);
  const related = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`) || b.startsWith(`${a}.`) || b.startsWith(`${a}[`);
  const shifted = (path: string) => removed.size > 0 && (path === 'spec.network.ipRanges' || /\[\d+\]/.test(path));
  return checkSpec(resolve(again.data)).filter((p) => !shifted(p.path) && !bad.some((b) => related(p.path, b)));
}

function resolve(doc: ClusterSpecDoc): Model {
  const spec = doc.spec;
  const name = (spec.cluster.name ?? doc.metadata.name)!; // one of them is given (siteValueProblem)
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
