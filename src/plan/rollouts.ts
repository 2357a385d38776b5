/**
 * Rolling updates and scales: which machines CAPI replaces when a TalosControlPlane or a MachineDeployment
 * changes, how many at a time and how many free addresses that needs; and replica changes without a roll.
 *
 * - TalosControlPlane (CACPPT v0.5.12 controllers/upgrade.go, scale.go): any change to `version`,
 *   `infrastructureTemplate` or `controlPlaneConfig` replaces every control plane, one at a time: with
 *   maxSurge 1 a new machine first, then the oldest outdated one is deleted; with maxSurge 0 the oldest goes
 *   first (one missing at a time).
 * - MachineDeployment (cluster-api@v1.14.0 core/reconcilers/machinedeployment/mdutil/util.go
 *   ResolveFenceposts): a new template or version rolls every machine of the pool; maxSurge rounds up,
 *   maxUnavailable down, and both 0 makes maxUnavailable 1. The old MachineSet's machines go in its
 *   deletion order (Random unless set).
 */
import { resolveSurge } from '../clusterspec/check';
import { AUTOSCALER_MAX, AUTOSCALER_MIN } from '../resources/machineDeployment';
import { refOf } from './objects';
import { talosConfigDelta, templateDelta, same, fmt } from './templates';
import type { Note, Obj, Rollout, Scale } from './types';

/** Finds an object of one side by kind, namespace and name (references name no group we need to check). */
export type Lookup = (kind: string, namespace: string, name: unknown) => Obj | undefined;

const refName = (r: Obj | undefined) => r?.name as string | undefined;
const nsOf = (o: Obj) => (typeof o.metadata?.namespace === 'string' ? o.metadata.namespace : '');

/** A pool's name: the MachineDeployment's name without its `<cluster>-` prefix. */
export function poolName(md: Obj): string {
  const cluster = typeof md.spec?.clusterName === 'string' ? md.spec.clusterName : '';
  const name = String(md.metadata?.name ?? '');
  return name.startsWith(`${cluster}-`) && name.length > cluster.length + 1 ? name.slice(cluster.length + 1) : name;
}

/** CAPI scales a percentage maxUnavailable down (GetScaledValueFromIntOrPercent, roundUp false). */
function resolveUnavailable(v: unknown, replicas: number): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d+%$/.test(v)) return Math.floor((Number(v.slice(0, -1)) * replicas) / 100);
  return 0;
}

const surgeOf = (v: unknown, replicas: number) => (typeof v === 'number' || (typeof v === 'string' && /^\d+%$/.test(v)) ? resolveSurge(v, replicas) : 1);
const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export interface RolloutChanges {
  rollouts: Rollout[];
  scales: Scale[];
  notes: Note[];
}

/** The control plane: a roll (with its reasons) and/or a scale, for one TalosControlPlane in both renders. */
export function controlPlaneChanges(oldTcp: Obj, newTcp: Obj, before: Lookup, after: Lookup): RolloutChanges {
  const out: RolloutChanges = { rollouts: [], scales: [], notes: [] };
  const a = oldTcp.spec ?? {};
  const b = newTcp.spec ?? {};
  const reasons: string[] = [];
  if (a.version !== b.version) reasons.push(`Kubernetes ${fmt(a.version)} → ${fmt(b.version)}`);
  if (refName(a.infrastructureTemplate) !== refName(b.infrastructureTemplate)) {
    reasons.push(`new machine template (${templateDelta(before('ProxmoxMachineTemplate', nsOf(oldTcp), refName(a.infrastructureTemplate)), after('ProxmoxMachineTemplate', nsOf(newTcp), refName(b.infrastructureTemplate)))})`);
  }
  if (!same(a.controlPlaneConfig, b.controlPlaneConfig)) {
    reasons.push(talosConfigDelta(a.controlPlaneConfig?.controlplane, b.controlPlaneConfig?.controlplane) ?? 'Talos control plane config changed');
  }
  const replicas = typeof b.replicas === 'number' ? b.replicas : 1;
  if (reasons.length) {
    const surge = b.rolloutStrategy?.rollingUpdate?.maxSurge ?? 1;
    const maxSurge = typeof surge === 'number' ? surge : 1;
    out.rollouts.push({
      owner: refOf(newTcp),
      machines: replicas,
      maxSurge,
      maxUnavailable: maxSurge === 0 ? 1 : 0,
      freeIPs: maxSurge,
      reasons,
      strategy: maxSurge === 0 ? 'one at a time, the oldest deleted before its replacement is created' : 'one at a time, a new machine first, then the oldest outdated one deleted',
    });
  }
  const from = typeof a.replicas === 'number' ? a.replicas : 1;
  if (from !== replicas) out.scales.push({ owner: refOf(newTcp), from, to: replicas });
  return out;
}

/** A pool: new, rolled and/or scaled. `oldMd` is undefined for a new pool. */
export function poolChanges(oldMd: Obj | undefined, md: Obj, before: Lookup, after: Lookup): RolloutChanges {
  const out: RolloutChanges = { rollouts: [], scales: [], notes: [] };
  const replicas = md.spec?.replicas;
  const ann = md.metadata?.annotations ?? {};
  const counted = typeof replicas === 'number' ? replicas : `autoscaled (${fmt(ann[AUTOSCALER_MIN])}-${fmt(ann[AUTOSCALER_MAX])})`;
  if (!oldMd) {
    out.notes.push({ subject: `pool ${poolName(md)}`, text: `new pool: ${counted} machine${replicas === 1 ? '' : 's'}`, object: refOf(md) });
    return out;
  }
  const a = oldMd.spec?.template?.spec ?? {};
  const b = md.spec?.template?.spec ?? {};
  const reasons: string[] = [];
  if (a.version !== b.version) reasons.push(`Kubernetes ${fmt(a.version)} → ${fmt(b.version)}`);
  if (refName(a.infrastructureRef) !== refName(b.infrastructureRef)) {
    reasons.push(`new machine template (${templateDelta(before('ProxmoxMachineTemplate', nsOf(oldMd), refName(a.infrastructureRef)), after('ProxmoxMachineTemplate', nsOf(md), refName(b.infrastructureRef)))})`);
  }
  if (refName(a.bootstrap?.configRef) !== refName(b.bootstrap?.configRef)) {
    reasons.push(`new Talos config (${templateDelta(before('TalosConfigTemplate', nsOf(oldMd), refName(a.bootstrap?.configRef)), after('TalosConfigTemplate', nsOf(md), refName(b.bootstrap?.configRef)))})`);
  }
  if (reasons.length) {
    const n = typeof replicas === 'number' ? replicas : 0;
    const ru = md.spec?.rollout?.strategy?.rollingUpdate ?? md.spec?.strategy?.rollingUpdate ?? {};
    const maxSurge = surgeOf(ru.maxSurge ?? 1, n);
    let maxUnavailable = resolveUnavailable(ru.maxUnavailable ?? 0, n);
    if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
    out.rollouts.push({
      owner: refOf(md),
      machines: typeof replicas === 'number' ? replicas : 'autoscaled',
      maxSurge,
      maxUnavailable,
      freeIPs: maxSurge,
      reasons,
      strategy: `up to ${count(maxSurge, 'new machine')} beyond the count and ${count(maxUnavailable, 'machine')} missing at a time; old machines deleted in the MachineSet's deletion order (Random unless set)`,
    });
  }
  const from = oldMd.spec?.replicas;
  if (from !== replicas) {
    const bounds = typeof replicas === 'number' ? {} : { autoscaler: { min: fmt(ann[AUTOSCALER_MIN]), max: fmt(ann[AUTOSCALER_MAX]) } };
    out.scales.push({ owner: refOf(md), from: typeof from === 'number' ? from : 'autoscaled', to: typeof replicas === 'number' ? replicas : 'autoscaled', ...bounds });
  }
  return out;
}

/** The line a roll is said in: "control plane: <reasons> → rolls 3 control planes one at a time, surge 1, needs 1 free IP". */
export function rolloutText(r: Rollout, subject: string): string {
  const what = r.owner.kind === 'TalosControlPlane' ? `${count(r.machines as number, 'control plane')} one at a time` : r.machines === 'autoscaled' ? 'all machines' : count(r.machines, 'machine');
  return `${subject}: ${r.reasons.join('; ')} → rolls ${what}, surge ${r.maxSurge}, needs ${count(r.freeIPs, 'free IP')}`;
}

/** "pool general: replicas 4 → 6 (scale, no roll)". */
export function scaleText(s: Scale, subject: string): string {
  const to = s.to === 'autoscaled' && s.autoscaler ? `autoscaled (${s.autoscaler.min}-${s.autoscaler.max})` : s.to;
  return `${subject}: replicas ${s.from} → ${to} (scale, no roll)`;
}
