/**
 * The function itself, as a pure transform: a ClusterSpec (plain data) in; the cluster's objects and the
 * KRM results out. No I/O, no process state.
 */
import { parseClusterSpec, type Model } from './clusterspec/parse';
import { renderCluster, type K8sObject } from './resources';
import { API_VERSION, KIND } from './clusterspec/schema';
import { hasErrors, type Problem, type Result, type ResourceRef } from './results';
import { API_SERVER_PORT } from './resources/proxmoxCluster';
import { poolPeak } from './clusterspec/check';
import { talosUpgradeProblem } from './clusterspec/versions';

export interface Generated {
  objects: K8sObject[];
  results: Result[];
  model?: Model;
}

export interface GenerateOptions {
  /** The file the ClusterSpec came from, for results. */
  configFile?: string;
  /**
   * The Talos version of this ClusterSpec's previous render, when the caller can see it (asked with the
   * ClusterSpec's own reference, the identity its generated objects carry): upgrades may not skip a minor.
   */
  previousTalosVersion?: (owner: ResourceRef) => string | undefined;
}

export function generate(functionConfig: unknown, opts: GenerateOptions = {}): Generated {
  const { model, problems } = parseClusterSpec(functionConfig);
  const previous = model && opts.previousTalosVersion?.(model.ref);
  const skip = previous ? talosUpgradeProblem(previous, model!.talosVersion) : undefined;
  if (skip) problems.push({ path: model!.cluster.talosVersion ? 'spec.cluster.talosVersion' : 'spec.cluster.talosImage', message: skip, severity: 'error' });
  const ref = model?.ref ?? fallbackRef(functionConfig);
  const results = problems.map((p) => toResult(p, ref, opts.configFile));
  if (!model || hasErrors(results)) return { objects: [], results };
  const objects = renderCluster(model);
  results.push({ message: summary(model, objects), severity: 'info', resourceRef: ref });
  return { objects, results, model };
}

function toResult(p: Problem, ref: ResourceRef, file?: string): Result {
  return { message: p.message, severity: p.severity, resourceRef: ref, ...(p.path && { field: { path: p.path } }), ...(file && { file: { path: file } }) };
}

function fallbackRef(fc: unknown): ResourceRef {
  const md = (fc as { metadata?: { name?: unknown } } | null)?.metadata;
  return { apiVersion: API_VERSION, kind: KIND, name: typeof md?.name === 'string' ? md.name : '(unnamed)' };
}

/** What NOTES.txt said after `helm install`: what was made and what to do next. */
function summary(m: Model, objects: K8sObject[]): string {
  const cp = m.controlPlane;
  const machines = (count: number | string, s: { sockets: number; cores: number; memoryMiB: number; bootVolumeSizeGB: number }) =>
    `${count} × (${s.sockets}×${s.cores} vCPU, ${s.memoryMiB} MiB, ${s.bootVolumeSizeGB} GB)`;
  const pools = m.workers.map((w) => `pool ${w.name}: ${machines(w.autoscaling ? `${w.autoscaling.minReplicas}-${w.autoscaling.maxReplicas} (autoscaled)` : w.replicas, w)}`);
  const peak = m.workers.reduce((s, w) => s + poolPeak(w).machines, cp.replicas);
  return [
    `cluster ${m.name} in namespace ${m.namespace} (profile ${m.cluster.profile}, Kubernetes ${m.cluster.kubernetesVersion}, Talos ${m.talosVersion}): ${objects.length} objects.`,
    `API endpoint https://${cp.endpointIP}:${API_SERVER_PORT} (Talos VIP); control plane: ${machines(cp.replicas, cp)}; ${pools.length ? pools.join('; ') : 'no worker pools'}; up to ${peak} machines.`,
    `Next: apply to the management cluster, then get the kubeconfig with \`clusterctl get kubeconfig ${m.name} -n ${m.namespace} > ${m.name}.kubeconfig\``,
    `and the talosconfig with \`kubectl -n ${m.namespace} get secret ${m.name}-talosconfig -o jsonpath='{.data.talosconfig}' | base64 -d > ${m.name}.talosconfig\`.`,
  ].join(' ');
}
