/**
 * From the functionConfig (plain data) to a fully defaulted, checked cluster model, or to the list of
 * every problem found. Never throws on user input.
 *
 * A valid spec is read by the parser generated from the zod schema at build time (parser.generated.ts,
 * scripts/compile-parser.ts), which needs no zod at run time; anything it does not accept goes to zod
 * itself (zodParse.ts), loaded only then, so every message is the schema's own.
 */
import type { Spec, ClusterSpecDoc } from './schema';
import { API_VERSION, KIND } from './api';
import { talosVersionOfImage } from './versions';
import { checkSpec } from './check';
import { parseValidSpec } from './parser.generated';
import { INVALID } from './parserRuntime';
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
export const shownKey = (k: string) => (k.length > 64 ? `${k.slice(0, 64)}…` : k);

/**
 * What kind of value a user wrote, never the value itself: a token pasted into the wrong field must not
 * end up in results, on stderr or in CI logs.
 */
export function describe(value: unknown): string {
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

/** The answer for a functionConfig that is no ClusterSpec at all or far too large, before any schema runs. */
export function precheck(functionConfig: unknown): ParseOutcome | undefined {
  if (functionConfig === undefined) {
    return { problems: [error('', `no functionConfig: expected a ${KIND} (apiVersion ${API_VERSION}); with kpt name it in the Kptfile (configPath:) or pass --fn-config, with kustomize list the ${KIND} file under generators:`)] };
  }
  if (functionConfig === null || typeof functionConfig !== 'object' || Array.isArray(functionConfig)) {
    return { problems: [error('', `the functionConfig must be a ${KIND} (apiVersion ${API_VERSION}), got ${describe(functionConfig)}`)] };
  }
  const size = sizeProblem((functionConfig as { spec?: unknown }).spec);
  return size && { problems: [size] };
}

/** Does the spec name its cluster (metadata.name or spec.cluster.name)? The one site value the schema cannot require. */
export function named(input: object): boolean {
  const md = (input as { metadata?: { name?: unknown } }).metadata;
  const cluster = (input as { spec?: { cluster?: { name?: unknown } } }).spec?.cluster;
  return Boolean((md && typeof md === 'object' && md.name !== undefined) || (cluster && typeof cluster === 'object' && cluster.name !== undefined));
}

/** Parses and checks a functionConfig. */
export function parseClusterSpec(functionConfig: unknown): ParseOutcome {
  const early = precheck(functionConfig);
  if (early) return early;
  const valid = parseValidSpec(functionConfig);
  if (valid !== INVALID && named(functionConfig as object)) {
    const model = resolve(valid as ClusterSpecDoc);
    return { model, problems: capped(checkSpec(model)) };
  }
  return (require('./zodParse') as typeof import('./zodParse')).parseWithZod(functionConfig);
}

/** At most MAX_PROBLEMS problems, so no input makes the function write more than a screenful per problem. */
export function capped(ps: Problem[]): Problem[] {
  if (ps.length <= MAX_PROBLEMS) return ps;
  const errors = ps.filter((p) => p.severity === 'error');
  const first = (errors.length ? errors : ps).slice(0, MAX_PROBLEMS - 1);
  const more = `${ps.length - first.length} more problems not shown; fix these first`;
  return [...first, errors.length ? error('', more) : warning('', more)];
}

export function resolve(doc: ClusterSpecDoc): Model {
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
