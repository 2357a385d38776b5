/**
 * `diff OLD NEW`: what applying NEW over OLD does to the live clusters, before it is pushed. Each side is
 * one or more files (a folder is every YAML file under it): ClusterSpecs (rendered here), ResourceLists
 * holding one, rendered manifests, or a mix. The plan engine (src/plan) does the comparing; this is the
 * command around it: reading the sides, the options, the words or the JSON, the exit code.
 */
import { readDocuments } from '../krm/documents';
import { generate } from '../generate';
import { boundResults, formatResult, type Result } from '../results';
import { KIND } from '../clusterspec/schema';
import { GENERATED_FROM_ANNOTATION } from '../resources/meta';
import { plan } from '../plan/plan';
import { gate } from '../plan/gate';
import { planLines, problemLine } from '../plan/text';
import { PLAN_API_VERSION, PLAN_KIND, type Item, type Obj, type Plan, type PlanProblem } from '../plan/types';

/** One file of a side: its path as given (undefined for a side that is one file or standard input) and its text. */
export interface SideFile {
  path?: string;
  text: string;
}

export interface DiffOptions {
  output: 'text' | 'json';
  /** Judge the plan by the gate's rules (src/plan/gate.ts). */
  gate: boolean;
  /** Clusters ("namespace/name" or "name") the gate may delete, move or destroy machines of. */
  allow: string[];
}

const DEFAULTS: DiffOptions = { output: 'text', gate: false, allow: [] };

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isManifest = (v: unknown) => isObj(v) && typeof v.kind === 'string' && isObj(v.metadata) && typeof v.metadata.name === 'string' && (v.spec === undefined || isObj(v.spec));
/** Files that configure a tool and are never applied: kustomizations, Kptfiles, anything marked local-config. */
const isLocalConfig = (v: Obj) =>
  (typeof v.apiVersion === 'string' && (v.apiVersion.startsWith('kustomize.config.k8s.io/') || v.apiVersion.startsWith('kpt.dev/'))) ||
  String(v.metadata?.annotations?.['config.kubernetes.io/local-config']) === 'true';

interface Side {
  items: Item[];
  results: Result[];
}

/**
 * The objects of one side. ClusterSpecs are rendered; objects on the same side generated earlier from a
 * ClusterSpec that is there too are replaced by the fresh render, as the function replaces them.
 */
function load(files: SideFile[], label: string, read: (text: string) => ReturnType<typeof readDocuments>): Side {
  const rendered: Item[] = [];
  const manifests: Item[] = [];
  const results: Result[] = [];
  const fail = (file: SideFile, message: string) => results.push({ severity: 'error', message: `${label}: ${file.path ? `${file.path}: ` : ''}${message}` });
  const render = (spec: unknown, file: SideFile) => {
    const g = generate(spec, file.path ? { configFile: file.path } : {});
    results.push(...boundResults(g.results));
    rendered.push(...g.objects.map((object) => ({ object: object as Obj, origin: file.path })));
  };
  for (const file of files) {
    const docs = read(file.text);
    if (docs.error !== undefined) {
      fail(file, docs.error);
      continue;
    }
    let values = docs.values as unknown[];
    let where = 'document';
    if (values.length === 1 && isObj(values[0]) && values[0].kind === 'ResourceList') {
      const rl = values[0];
      if (isObj(rl.functionConfig) && rl.functionConfig.kind === KIND) {
        render(rl.functionConfig, file);
        continue;
      }
      if (rl.items !== undefined && rl.items !== null && !Array.isArray(rl.items)) {
        fail(file, 'ResourceList.items must be a list');
        continue;
      }
      values = (rl.items as unknown[] | null) ?? [];
      where = 'ResourceList item';
    }
    for (const [i, v] of values.entries()) {
      if (isObj(v) && v.kind === KIND) render(v, file);
      else if (!isManifest(v)) {
        fail(file, `${where} ${i + 1} is not a Kubernetes object (a mapping with kind, metadata.name and, if present, a spec mapping); diff compares ClusterSpecs or rendered manifests`);
        break;
      } else if (!isLocalConfig(v as Obj)) manifests.push({ object: v as Obj, origin: file.path });
    }
  }
  const fresh = new Set(rendered.map((i) => i.object.metadata?.annotations?.[GENERATED_FROM_ANNOTATION]).filter(Boolean));
  return { items: [...manifests.filter((i) => !fresh.has(i.object.metadata?.annotations?.[GENERATED_FROM_ANNOTATION])), ...rendered], results };
}

const fromResult = (r: Result): PlanProblem => ({
  severity: r.severity === 'error' ? 'error' : 'warning',
  message: r.message,
  ...(r.field && { field: r.field }),
  ...(r.resourceRef && { resourceRef: r.resourceRef }),
  ...(r.file && { file: r.file.path }),
});

/** The plan and its problems, as the command prints them. */
export function diffSides(oldFiles: SideFile[], newFiles: SideFile[], options: Partial<DiffOptions> = {}) {
  const opts = { ...DEFAULTS, ...options };
  // A file the same on both sides (most of a fleet, on most days) is read once: its objects are the same
  // objects on both sides, which the plan compares by identity first. Nothing below changes an object.
  const read = memo(readDocuments);
  const old = load(oldFiles, 'OLD', read);
  const next = load(newFiles, 'NEW', read);
  // OLD's warnings were said when it was made; NEW's are news. Info lines (a render's summary) are not problems.
  const sideResults = [...old.results.filter((r) => r.severity === 'error'), ...next.results.filter((r) => r.severity !== 'info')];
  let result: Plan;
  if (sideResults.some((r) => r.severity === 'error')) {
    // Nothing to compare when a side could not be read or rendered: its objects would look all created or pruned.
    result = { apiVersion: PLAN_API_VERSION, kind: PLAN_KIND, clusters: [], others: { created: [], updated: [], pruned: [], kept: [] }, problems: sideResults.map(fromResult), refused: opts.gate };
    return finish(result, sideResults, opts, false);
  }
  result = plan(old.items, next.items);
  if (opts.gate) result = gate(result, opts.allow);
  return finish(result, sideResults, opts, true);
}

function memo<T>(f: (text: string) => T): (text: string) => T {
  const seen = new Map<string, T>();
  return (text) => {
    if (!seen.has(text)) seen.set(text, f(text));
    return seen.get(text)!;
  };
}

/** Two single texts (files or standard input). */
export function diffCommand(oldText: string, newText: string, options: Partial<DiffOptions> = {}) {
  return diffSides([{ text: oldText }], [{ text: newText }], options);
}

function finish(p: Plan, sideResults: Result[], opts: DiffOptions, compared: boolean) {
  const failed = p.refused || p.problems.some((x) => x.severity === 'error');
  const exitCode = failed ? 1 : 0;
  if (opts.output === 'json') {
    if (compared) p = { ...p, problems: [...sideResults.map(fromResult), ...p.problems] };
    return { stdout: `${JSON.stringify(p, null, 2)}\n`, stderr: '', exitCode };
  }
  const lines = [...sideResults.map(formatResult), ...(compared ? p.problems.map(problemLine) : [])];
  if (opts.gate && compared && p.refused) lines.push('[error] the gate refuses this plan');
  return { stdout: compared ? bounded(planLines(p)) : '', stderr: bounded(lines), exitCode };
}

/** Parses `diff`'s arguments: options anywhere, then OLD and NEW. A usage problem is a string. */
export function diffArguments(args: string[]): { paths: [string, string]; options: DiffOptions } | string {
  const options: DiffOptions = { output: 'text', gate: false, allow: [] };
  const paths: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => (inline !== undefined ? inline : args[++i]);
    if (flag === '--output' || flag === '-o') {
      const v = value();
      if (v !== 'text' && v !== 'json') return `diff: --output takes text or json${v === undefined ? '' : `, not "${v}"`}`;
      options.output = v;
    } else if (flag === '--gate') {
      if (inline !== undefined) return 'diff: --gate takes no value';
      options.gate = true;
    } else if (flag === '--allow') {
      const v = value();
      if (!v) return 'diff: --allow takes a cluster: NAME or NAMESPACE/NAME';
      options.allow.push(...v.split(',').map((s) => s.trim()).filter(Boolean));
    } else if (a.startsWith('-') && a !== '-') return `diff: unknown option ${a}`;
    else paths.push(a);
  }
  if (options.allow.length && !options.gate) return 'diff: --allow only means something with --gate';
  if (paths.length !== 2) return 'diff takes two files or folders: OLD NEW';
  if (paths[0] === '-' && paths[1] === '-') return 'diff: only one of OLD and NEW can be standard input (-)';
  return { paths: [paths[0], paths[1]], options };
}

/**
 * At most MAX_LINES lines of at most MAX_LINE characters: the files compared may hold anything. Room for a
 * fleet's plan (a few lines per changed cluster); the JSON output is never cut.
 */
const MAX_LINES = 500;
const MAX_LINE = 1000;
function bounded(lines: string[]): string {
  if (!lines.length) return '';
  const shown = lines.slice(0, MAX_LINES).map((l) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE)}…` : l));
  if (lines.length > MAX_LINES) shown.push(`… ${lines.length - MAX_LINES} more lines`);
  return `${shown.join('\n')}\n`;
}
