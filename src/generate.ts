/**
 * The function itself, as a pure transform: a ClusterSpec (plain data) in; the cluster's objects and the
 * KRM results out. No I/O, no process state.
 */
import { parseClusterSpec, type Model } from './clusterspec/parse';
import { renderCluster, type K8sObject } from './resources';
import { API_VERSION, KIND } from './clusterspec/api';
import { DNS_SUBDOMAIN } from './clusterspec/limits';
import { configSizeProblems } from './talos/size';
import { contractProblems } from './talos/movedFields';
import { hasErrors, type Problem, type Result, type ResourceRef } from './results';
import { API_SERVER_PORT } from './resources/proxmoxCluster';
import { poolPeak } from './clusterspec/check';
import { kubernetesUpgradeProblem, talosUpgradeProblem } from './clusterspec/versions';
import { clusterFacts, collisionProblems, type ClusterFacts } from './fleet/collisions';
import { generatedFrom } from './resources/meta';

export interface Generated {
  objects: K8sObject[];
  results: Result[];
  model?: Model;
}

export interface GenerateOptions {
  /** The file the ClusterSpec came from, for results. */
  configFile?: string;
  /**
   * The Talos and Kubernetes versions of this ClusterSpec's previous render, when the caller can see it
   * (asked with the ClusterSpec's own reference, the identity its generated objects carry): upgrades may
   * not skip a minor, and neither may go back.
   */
  previousVersions?: (owner: ResourceRef) => PreviousVersions | undefined;
  /**
   * The other clusters the caller can see (kpt: the package's other ClusterSpecs and earlier renders), asked
   * with this ClusterSpec's ownership mark: a cluster that collides with one of them is not rendered.
   */
  otherClusters?: (owner: string) => ClusterFacts[];
}

export interface PreviousVersions {
  talosVersion?: string;
  kubernetesVersion?: string;
}

/** Problems of going from the previous render's versions to this model's. */
export function upgradeProblems(previous: PreviousVersions, m: Model): Problem[] {
  const out: Problem[] = [];
  const talos = previous.talosVersion && talosUpgradeProblem(previous.talosVersion, m.talosVersion);
  if (talos) out.push({ path: m.cluster.talosVersion ? 'spec.cluster.talosVersion' : 'spec.cluster.talosImage', message: talos, severity: 'error' });
  const k8s = previous.kubernetesVersion && kubernetesUpgradeProblem(previous.kubernetesVersion, m.cluster.kubernetesVersion);
  if (k8s) out.push({ path: 'spec.cluster.kubernetesVersion', ...k8s });
  return out;
}

export function generate(functionConfig: unknown, opts: GenerateOptions = {}): Generated {
  const { model, problems } = parseClusterSpec(functionConfig);
  const previous = model && opts.previousVersions?.(model.ref);
  if (previous) problems.push(...upgradeProblems(previous, model!));
  if (model) problems.push(...contractProblems(model));
  if (model && !hasErrors(problems)) problems.push(...configSizeProblems(model));
  const ref = model?.ref ?? fallbackRef(functionConfig);
  const results = problems.map((p) => toResult(p, ref, opts.configFile));
  if (!model || hasErrors(results)) return { objects: [], results };
  const objects = renderCluster(model);
  const owner = generatedFrom(model.ref);
  const clashes = collisionProblems(clusterFacts(owner, objects), opts.otherClusters?.(owner) ?? []);
  if (clashes.length) return { objects: [], results: [...results, ...clashes.map((p) => toResult(p, ref, opts.configFile))] };
  results.push({ message: summary(model, objects), severity: 'info', resourceRef: ref });
  return { objects, results, model };
}

/** Longest result message: messages quote user values, which the schema bounds; this is the last guard. */
const MAX_MESSAGE = 1000;

function toResult(p: Problem, ref: ResourceRef, file?: string): Result {
  const message = p.message.length > MAX_MESSAGE ? `${p.message.slice(0, MAX_MESSAGE)}…` : p.message;
  return { message, severity: p.severity, resourceRef: ref, ...(p.path && { field: { path: p.path } }), ...(file && { file: { path: file } }) };
}

/** The reference of a ClusterSpec that did not parse: its name only when it is a valid one (never a huge or odd string). */
function fallbackRef(fc: unknown): ResourceRef {
  const md = (fc as { metadata?: { name?: unknown } } | null)?.metadata;
  const name = typeof md?.name === 'string' && DNS_SUBDOMAIN.test(md.name) ? md.name : typeof md?.name === 'string' ? '(invalid name)' : '(unnamed)';
  return { apiVersion: API_VERSION, kind: KIND, name };
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
