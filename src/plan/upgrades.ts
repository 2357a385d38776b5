/**
 * The version rules, per cluster wherever a previous render exists: Kubernetes one minor at a time and
 * never back (a patch downgrade is a warning), Talos one minor at a time and never back. The rules
 * themselves are src/clusterspec/versions.ts (the function applies the same ones to a ClusterSpec); here
 * they are applied to what the two renders hold: the cluster's TalosControlPlane (version, and the Talos
 * version of its config) and each pool's MachineDeployment.
 */
import { isMinorDowngrade, kubernetesUpgradeProblem, talosUpgradeProblem } from '../clusterspec/versions';
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
    // A Talos downgrade is the one version rule a name may lift (the gate's "downgrade" rule): the revert of
    // a move that never rolled out (e.g. the v1.14 documents an older CABPT refused) is one, and only the
    // user knows that no machine runs the newer Talos. A minor skip and every Kubernetes rule stay refused.
    const downgrade = talos !== undefined && isMinorDowngrade(talosFrom!, talosTo!);
    if (talos) out.push({ severity: 'error', message: talos, cluster, field: { path: 'spec.cluster.talosImage' }, ...(downgrade ? { rule: 'downgrade' as const } : {}) });
  }
  return out;
}

/** The Proxmox VM templates (node/ID) a cluster's machine templates clone from. */
const vmTemplatesOf = (objs: Obj[]) =>
  new Set(
    objs
      .filter((o) => o?.kind === 'ProxmoxMachineTemplate' && o.spec?.template?.spec?.templateID !== undefined)
      .map((o) => `${text(o.spec.template.spec.sourceNode) ?? '?'}/${String(o.spec.template.spec.templateID)}`),
  );

/**
 * A Talos upgrade that keeps cloning the same VM templates: a machine boots its template's Talos (a disk
 * image never installs talosImage; an installer ISO of an older Talos refuses the newer config;
 * src/clusterspec/templateTalos.ts), so the templates must move with it. A warning: a template may be an
 * ISO of the new Talos already, which the render cannot see unless template.talosVersion says so.
 */
export function templateKeptProblem(oldObjs: Obj[], newObjs: Obj[], oldCp: Obj, newCp: Obj, cluster: string): PlanProblem | undefined {
  const from = text(oldCp.spec?.controlPlaneConfig?.controlplane?.talosVersion);
  const to = text(newCp.spec?.controlPlaneConfig?.controlplane?.talosVersion);
  if (!from || !to || from === to) return undefined;
  const before = vmTemplatesOf(oldObjs);
  const kept = [...vmTemplatesOf(newObjs)].filter((t) => before.has(t));
  if (!kept.length) return undefined;
  return {
    severity: 'warning',
    cluster,
    message: `Talos ${from} → ${to}, but machines are still cloned from the VM template${kept.length > 1 ? 's' : ''} ${kept.join(', ')}: a clone of a Talos disk image runs the image's Talos, not talosImage's, and an installer ISO of an older Talos refuses the new config; point the templates at ones holding Talos ${to} in this commit (template.talosVersion makes render check it)`,
    field: { path: 'spec.proxmox.template' },
  };
}
