/**
 * The KRM edge: ResourceList text in, ResourceList text + stderr + exit code out. Replaces what this
 * generator made on an earlier run (found by its ownership annotation, never by name), appends the fresh
 * set with kpt path annotations, and turns every problem into a result, a stderr line and a non-zero exit.
 */
import { isDeepStrictEqual } from 'node:util';
import { readResourceList, writeResourceList, InputError, type InputItem } from './resourceList';
import { boundResults, formatResult, hasErrors, type Result, type ResourceRef } from '../results';
import { decodeUTF8 } from '../utf8';
import { SourceNumber } from '../yaml/read';
import { API_VERSION } from '../clusterspec/schema';
import { generate, type PreviousVersions } from '../generate';
import { GENERATED_FROM_ANNOTATION, generatedFrom, type K8sObject } from '../resources/meta';

export const PATH_ANNOTATION = 'internal.config.kubernetes.io/path';
export const INDEX_ANNOTATION = 'internal.config.kubernetes.io/index';
/** Where kpt writes a cluster's objects, relative to the package: one file per cluster. */
export const outputPath = (cluster: string) => `generated/${cluster}.yaml`;

export interface RunOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export function runKRM(input: string | Uint8Array): RunOutput {
  try {
    return runList(input);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const r: Result = { message: e.message, severity: 'error', ...(e.resourceRef && { resourceRef: e.resourceRef }), ...(e.field && { field: { path: e.field } }) };
    return answer('config.kubernetes.io/v1', [], [], [r]);
  }
}

function runList(input: string | Uint8Array): RunOutput {
  const decoded = typeof input === 'string' ? { text: input } : decodeUTF8(input);
  if (decoded.error !== undefined) throw new InputError(`the input is ${decoded.error}`);
  const list = readResourceList(decoded.text);
  const missing = missingConfig(list.functionConfig);
  if (missing) return answer(list.apiVersion, [], [], [{ message: missing, severity: 'error' }]);
  const configPath = typeof list.functionConfig === 'object' && list.functionConfig ? configFile(list.functionConfig) : undefined;
  const { objects, results, model } = generate(list.functionConfig, { configFile: configPath, previousVersions: (owner) => previousVersions(list.items, owner) });
  const failed = hasErrors(results);
  const mine = model && generatedFrom(model.ref);
  const kept = (failed || !mine ? list.items : list.items.filter((i) => i.annotation(GENERATED_FROM_ANNOTATION) !== mine)).filter((i) => !isKustomizeConfigEcho(i, list.functionConfig));
  const placed = failed ? [] : objects.map((o, i) => withPath(o, outputPath(model!.name), i));
  // kustomize shows only stderr, so results are mirrored there; kpt shows the results list itself and
  // would print each one twice. kpt marks the functionConfig it passes (render and eval, exec and image)
  // with its sequence-indent annotation; kustomize (5.8) does not.
  const underKpt = annotationOf(list.functionConfig, 'internal.config.kubernetes.io/seqindent') !== undefined;
  return answer(list.apiVersion, list.texts(kept), placed, results, !underKpt);
}

/** The ResourceList out, with every result bounded and every problem mirrored on stderr (kustomize shows only that) unless kpt runs us. */
function answer(apiVersion: string, items: string[], objects: unknown[], all: Result[], mirror = true): RunOutput {
  const results = boundResults(all);
  const stderr = mirror ? results.filter((r) => r.severity !== 'info').map((r) => `${formatResult(r)}\n`).join('') : '';
  return { stdout: writeResourceList(apiVersion, items, objects, results), stderr, exitCode: hasErrors(results) ? 1 : 0 };
}

/**
 * Without a ClusterSpec there is nothing to generate, and an empty answer would read as "this cluster has
 * no objects" (Flux and kpt would delete them). kustomize never runs a generator whose file is empty;
 * kpt, given no --fn-config, passes an empty ConfigMap named function-input (checked with kpt 1.0.0-beta.56).
 */
function missingConfig(fc: unknown): string | undefined {
  const o = fc as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown }; data?: unknown } | null | undefined;
  const isMapping = typeof o === 'object' && o !== null && !Array.isArray(o);
  const kptPlaceholder = isMapping && o.kind === 'ConfigMap' && o.metadata?.name === 'function-input' && (o.data === undefined || (typeof o.data === 'object' && o.data !== null && Object.keys(o.data).length === 0));
  const got =
    o === undefined || kptPlaceholder ? 'none' : o === null || (isMapping && Object.keys(o).length === 0) ? 'an empty one' : isMapping && o.apiVersion === undefined && o.kind === undefined ? 'one with no apiVersion or kind' : undefined;
  if (!got) return undefined;
  return `no ClusterSpec to render: this function takes a ClusterSpec (apiVersion ${API_VERSION}) as its functionConfig, got ${got}: with kpt name it in the Kptfile (configPath:) or pass --fn-config, with kustomize list the ClusterSpec file under generators:`;
}

/**
 * kustomize (5.8) hands a generator its own functionConfig as an item too, and drops it again from the
 * output because it is local-config; but when it comes back, kustomize first reconciles it by its id
 * annotations, which costs ~200 ms per build (docs/performance.md). Only that exact echo is left out: an
 * item with no file behind it (no path annotation) that is the functionConfig itself, the same apiVersion,
 * kind, namespace, name and content, apart from the bookkeeping annotations kustomize adds. Any other item,
 * even a same-named local-config one, is the user's and comes back. kpt gives every item read from the
 * package a path, so nothing kpt would write or delete is ever left out.
 */
function isKustomizeConfigEcho(item: InputItem, fc: unknown): boolean {
  if (item.annotation(PATH_ANNOTATION) !== undefined || item.annotation('config.kubernetes.io/path') !== undefined) return false;
  if (item.annotation('config.kubernetes.io/local-config') !== 'true') return false;
  return isDeepStrictEqual(withoutBookkeeping(plain(item.get([]))), withoutBookkeeping(plain(fc)));
}

/** The annotations kustomize adds to the items it passes in (ids, indices); never part of what a user wrote. */
const BOOKKEEPING = /^(internal\.config\.kubernetes\.io\/|config\.k8s\.io\/id$|config\.kubernetes\.io\/index$)/;

function withoutBookkeeping(o: unknown): unknown {
  const md = (o as { metadata?: { annotations?: unknown } } | null)?.metadata;
  if (!md || typeof md.annotations !== 'object' || md.annotations === null) return o;
  const annotations = Object.fromEntries(Object.entries(md.annotations).filter(([k]) => !BOOKKEEPING.test(k)));
  const { annotations: _, ...rest } = md;
  return { ...(o as object), metadata: Object.keys(annotations).length ? { ...rest, annotations } : rest };
}

/** A value as plain data: maps (an item's are Map) as objects, numbers kept as written (the functionConfig's) as numbers. */
function plain(v: unknown): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof SourceNumber) return v.value;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/**
 * The Talos and Kubernetes versions this ClusterSpec's cluster was rendered with last time, when a previous
 * render is in the input (kpt packages keep it; a kustomize generator sees only its functionConfig).
 */
function previousVersions(items: InputItem[], owner: ResourceRef): PreviousVersions | undefined {
  const mine = generatedFrom(owner);
  const tcp = items.find((i) => i.get(['kind']) === 'TalosControlPlane' && i.annotation(GENERATED_FROM_ANNOTATION) === mine);
  if (!tcp) return undefined;
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { talosVersion: text(tcp.get(['spec', 'controlPlaneConfig', 'controlplane', 'talosVersion'])), kubernetesVersion: text(tcp.get(['spec', 'version'])) };
}

function annotationOf(fc: unknown, key: string): unknown {
  return (fc as { metadata?: { annotations?: Record<string, unknown> } } | null)?.metadata?.annotations?.[key];
}

function configFile(fc: object): string | undefined {
  const a = (fc as { metadata?: { annotations?: Record<string, unknown> } }).metadata?.annotations ?? {};
  const p = a[PATH_ANNOTATION] ?? a['config.kubernetes.io/path'];
  return typeof p === 'string' ? p : undefined;
}

function withPath(o: K8sObject, path: string, index: number): K8sObject {
  return { ...o, metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, [PATH_ANNOTATION]: path, [INDEX_ANNOTATION]: String(index) } } };
}
