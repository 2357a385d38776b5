/**
 * The version rules, per cluster wherever a previous render exists: Kubernetes one minor at a time and
 * never back (a patch downgrade is a warning), Talos one minor at a time and never back. The rules
 * themselves are src/clusterspec/versions.ts (the function applies the same ones to a ClusterSpec); here
 * they are applied to what the two renders hold: the cluster's TalosControlPlane (version, and the Talos
 * version of its config) and each pool's MachineDeployment.
 */
import { kubernetesUpgradeProblem, talosUpgradeProblem } from '../clusterspec/versions';
import type { Obj, PlanProblem } from './types';

const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** Problems of going from `old` to `next`, two versions of one cluster's control plane or pool. */
export function upgradeProblems(old: Obj, next: Obj, cluster: string, controlPlane: boolean): PlanProblem[] {
  const out: PlanProblem[] = [];
  const from = text(controlPlane ? old.spec?.version : old.spec?.template?.spec?.version);
  const to = text(controlPlane ? next.spec?.version : next.spec?.template?.spec?.version);
  const k8s = from && to ? kubernetesUpgradeProblem(from, to) : undefined;
  if (k8s) out.push({ ...k8s, cluster, field: { path: 'spec.cluster.kubernetesVersion' } });
  if (controlPlane) {
    const talosFrom = text(old.spec?.controlPlaneConfig?.controlplane?.talosVersion);
    const talosTo = text(next.spec?.controlPlaneConfig?.controlplane?.talosVersion);
    const talos = talosFrom && talosTo ? talosUpgradeProblem(talosFrom, talosTo) : undefined;
    if (talos) out.push({ severity: 'error', message: talos, cluster, field: { path: 'spec.cluster.talosImage' } });
  }
  return out;
}
