/**
 * The KRM edge: ResourceList text in, ResourceList text + stderr + exit code out. Replaces what this
 * generator made on an earlier run (found by its ownership annotation, never by name), appends the fresh
 * set with kpt path annotations, and turns every problem into a result, a stderr line and a non-zero exit.
 */
import { readResourceList, writeResourceList, InputError, type InputItem } from './resourceList';
import { formatResult, hasErrors, type Result, type ResourceRef } from '../results';
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

export function runKRM(input: string): RunOutput {
  let list;
  try {
    list = readResourceList(input);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const r: Result = { message: e.message, severity: 'error' };
    return { stdout: writeResourceList('config.kubernetes.io/v1', [], [], [r]), stderr: `${formatResult(r)}\n`, exitCode: 1 };
  }
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
  const stderr = underKpt ? '' : results.filter((r) => r.severity !== 'info').map((r) => `${formatResult(r)}\n`).join('');
  return { stdout: writeResourceList(list.apiVersion, kept.map((i) => i.text), placed, results), stderr, exitCode: failed ? 1 : 0 };
}

/**
 * kustomize (5.8) hands a generator its own functionConfig as an item too, and drops it again from the
 * output because it is local-config; but when it comes back, kustomize first reconciles it by its id
 * annotations, which costs ~200 ms per build (docs/performance.md). Such an item has no file behind
 * it (no path annotation), so leaving it out changes nothing a user can see. kpt gives every item read
 * from the package a path, so nothing kpt would write or delete is ever left out.
 */
function isKustomizeConfigEcho(item: InputItem, fc: unknown): boolean {
  const f = fc as { kind?: unknown; metadata?: { name?: unknown } } | null;
  return (
    item.get(['kind']) === f?.kind &&
    item.get(['metadata', 'name']) === f?.metadata?.name &&
    item.annotation('config.kubernetes.io/local-config') === 'true' &&
    item.annotation(PATH_ANNOTATION) === undefined &&
    item.annotation('config.kubernetes.io/path') === undefined
  );
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
