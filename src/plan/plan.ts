/**
 * The plan engine: the previous render (what Flux last applied) and the new render in, the Plan out.
 * Pure: objects in (with the file each came from, for messages), plain data out, no I/O.
 *
 * Objects are keyed by API group, kind, namespace and name (objects.ts) and grouped by cluster
 * (attribution.ts), so any number of clusters may share a file or a folder, and a cluster that moves
 * between files or folders is the same cluster. Per cluster: what Flux creates, updates in place, prunes
 * or keeps; what CAPI rolls (rollouts.ts) or scales; what each pruned object destroys (destroys.ts);
 * fields that do not do what the edit looks like (kinds.ts); the version rules (upgrades.ts). Over the
 * whole new render: clusters that collide (collisions.ts) and objects rendered twice.
 */
import { FLUX_PRUNE } from '../resources/namespace';
import { GENERATOR, MANAGED_BY_LABEL } from '../resources/meta';
import { attribute, clusterKey, clustersOf } from './attribution';
import { collisions } from './collisions';
import { destroyOf } from './destroys';
import { flagsOf, kindNotes } from './kinds';
import { pairMoves, type ClusterSide } from './moves';
import { compareRefs, indexItems, isCluster, isControlPlane, isMachineDeployment, isMachineTemplate, isTemplate, keyOf, refOf, sameContent, showRef } from './objects';
import { controlPlaneChanges, poolChanges, poolName, type Lookup } from './rollouts';
import { PROFILE_APIS, PROFILE_NEEDS, profileOf } from './templates';
import { upgradeProblems } from './upgrades';
import { PLAN_API_VERSION, PLAN_KIND, type ClusterId, type ClusterPlan, type Item, type Obj, type ObjectChanges, type Plan, type PlanProblem } from './types';

/** Flux's prune skips a live object marked with any of these (kustomize-controller@v1.9.4 deleteObjects). */
const PRUNE_EXCLUSIONS: [string, string][] = [
  [FLUX_PRUNE, 'disabled'],
  ['kustomize.toolkit.fluxcd.io/reconcile', 'disabled'],
  ['kustomize.toolkit.fluxcd.io/ssa', 'ignore'],
];

/** Why Flux keeps an object that leaves the render, or undefined when it prunes it. */
export function keptBecause(o: Obj): string | undefined {
  for (const [k, v] of PRUNE_EXCLUSIONS) {
    const set = (m: unknown) => typeof m === 'object' && m !== null && String((m as Record<string, unknown>)[k]).toLowerCase() === v.toLowerCase();
    if (set(o.metadata?.annotations) || set(o.metadata?.labels)) return `${k}: ${v}`;
  }
  return undefined;
}

/** Destroys said biggest first: a Namespace and the Cluster take everything, then the control plane, pools, infrastructure. */
const DESTROY_ORDER = ['Namespace', 'Cluster', 'TalosControlPlane', 'MachineDeployment', 'ProxmoxCluster'];

const emptyChanges = (): ObjectChanges => ({ created: [], updated: [], pruned: [], kept: [] });

/** The four lists for objects of one bucket, each sorted. */
function objectChanges(before: Map<string, Obj>, after: Map<string, Obj>): ObjectChanges {
  const out = emptyChanges();
  for (const [k, o] of after) {
    const old = before.get(k);
    if (!old) out.created.push(refOf(o));
    else if (!sameContent(old, o)) out.updated.push(refOf(o));
  }
  for (const [k, o] of before) if (!after.has(k)) (keptBecause(o) ? out.kept : out.pruned).push(refOf(o));
  for (const list of Object.values(out)) list.sort(compareRefs);
  return out;
}

/** A lookup of one side's objects by kind, namespace and name. */
function lookupOf(items: Item[]): Lookup {
  const m = new Map<string, Obj>();
  for (const { object: o } of items) m.set(`${o.kind}\u0000${o.metadata?.namespace ?? ''}\u0000${o.metadata?.name}`, o);
  return (kind, namespace, name) => (typeof name === 'string' ? m.get(`${kind}\u0000${namespace}\u0000${name}`) : undefined);
}

/** The cluster's control plane on one side: the TalosControlPlane its Cluster names, else its only one. */
function controlPlaneOf(objs: Obj[]): Obj | undefined {
  const cluster = objs.find(isCluster);
  const tcps = objs.filter(isControlPlane);
  const named = cluster && tcps.find((t) => t.metadata?.name === cluster.spec?.controlPlaneRef?.name);
  return named ?? (tcps.length === 1 ? tcps[0] : undefined);
}

const byName = (a: Obj, b: Obj) => (String(a.metadata?.name) < String(b.metadata?.name) ? -1 : String(a.metadata?.name) > String(b.metadata?.name) ? 1 : 0);

interface Context {
  before: Lookup;
  after: Lookup;
}

function planCluster(id: ClusterId, olds: Item[], news: Item[], ctx: Context, problems: PlanProblem[]): ClusterPlan {
  const key = clusterKey(id);
  const before = new Map(olds.map((i) => [keyOf(refOf(i.object)), i.object]));
  const after = new Map(news.map((i) => [keyOf(refOf(i.object)), i.object]));
  const oldObjs = [...before.values()];
  const newObjs = [...after.values()];
  const objects = objectChanges(before, after);
  const isThis = (o: Obj) => isCluster(o) && (o.metadata?.namespace ?? '') === id.namespace && o.metadata?.name === id.name;
  const inOld = oldObjs.some(isThis);
  const inNew = newObjs.some(isThis);
  const changed = objects.created.length + objects.updated.length + objects.pruned.length + objects.kept.length > 0;
  const change = inOld && inNew ? (changed ? 'update' : 'unchanged') : inNew ? 'create' : inOld ? 'delete' : !oldObjs.length ? 'create' : !newObjs.length ? 'delete' : changed ? 'update' : 'unchanged';
  const plan: ClusterPlan = { namespace: id.namespace, name: id.name, change, objects, rollouts: [], scales: [], destroys: [], flags: [], notes: [] };

  // Notes that come first: objects another generator made that this one takes over in place (a chart's
  // render), an API profile switch.
  const ours = (o: Obj | undefined) => o?.metadata?.labels?.[MANAGED_BY_LABEL] === GENERATOR;
  const adopted = oldObjs.filter((o) => !ours(o) && ours(after.get(keyOf(refOf(o)))) && !isTemplate(o));
  if (adopted.length) {
    const names = adopted.map(refOf).sort(compareRefs).map((r) => `${r.kind}/${r.name}`).sort();
    const shown = names.length > 12 ? `${names.slice(0, 12).join(', ')} and ${names.length - 12} more` : names.join(', ');
    plan.notes.push({ subject: 'adopted in place', text: `${shown} (same kind, namespace and name: updated, never recreated)` });
  }
  const fromProfile = profileOf(oldObjs);
  const toProfile = profileOf(newObjs);
  if (fromProfile && toProfile && fromProfile !== toProfile) {
    plan.notes.push({
      subject: 'cluster',
      text: `API profile ${fromProfile} → ${toProfile} (CAPI ${PROFILE_APIS[fromProfile].capi} → ${PROFILE_APIS[toProfile].capi}, CAPMOX ${PROFILE_APIS[fromProfile].capmox} → ${PROFILE_APIS[toProfile].capmox}): every machine template is re-created in the new API version, so every machine rolls; ${PROFILE_NEEDS[toProfile]}`,
    });
  }

  // The control plane, then each pool by name: rolls, scales, new ones.
  for (const tcp of newObjs.filter(isControlPlane).sort(byName)) {
    const old = before.get(keyOf(refOf(tcp)));
    if (old) {
      const c = controlPlaneChanges(old, tcp, ctx.before, ctx.after);
      plan.rollouts.push(...c.rollouts);
      plan.scales.push(...c.scales);
    } else {
      const n = typeof tcp.spec?.replicas === 'number' ? tcp.spec.replicas : 1;
      const replaced = oldObjs.some(isControlPlane);
      plan.notes.push({
        subject: 'control plane',
        text: replaced ? `new TalosControlPlane ${tcp.metadata?.name}: ${n} control plane${n === 1 ? '' : 's'} created from nothing, with a new etcd (the cluster's data does not carry over)` : `new: ${n} control plane${n === 1 ? '' : 's'}`,
        object: refOf(tcp),
      });
    }
  }
  for (const md of newObjs.filter(isMachineDeployment).sort(byName)) {
    const c = poolChanges(before.get(keyOf(refOf(md))), md, ctx.before, ctx.after);
    plan.rollouts.push(...c.rollouts);
    plan.scales.push(...c.scales);
    plan.notes.push(...c.notes);
  }
  plan.notes.push(...kindNotes(before, newObjs, (o) => keyOf(refOf(o))));
  // A Kubernetes upgrade: the pools' new machines wait for the control plane's (CAPI's MachineSet preflight
  // checks, on by default: no machine is created while the control plane is upgrading; cluster-api@v1.14.0
  // core/reconcilers/machineset/machineset_preflight.go). Other rolls of the pools run beside the control plane's.
  const upgrade = (r: { reasons: string[] }) => r.reasons.some((x) => x.startsWith('Kubernetes '));
  if (plan.rollouts.some((r) => r.owner.kind === 'TalosControlPlane' && upgrade(r))) {
    for (const r of plan.rollouts) if (r.owner.kind === 'MachineDeployment' && upgrade(r)) r.strategy = `after the control plane's upgrade (CAPI creates no machine while the control plane upgrades); then ${r.strategy}`;
  }

  for (const o of newObjs) {
    const old = before.get(keyOf(refOf(o)));
    if (old) plan.flags.push(...flagsOf(old, o));
  }
  for (const ref of objects.pruned) {
    const d = destroyOf(before.get(keyOf(ref))!, key);
    if (d) plan.destroys.push(d);
  }
  plan.destroys.sort((a, b) => DESTROY_ORDER.indexOf(a.object.kind) - DESTROY_ORDER.indexOf(b.object.kind) || compareRefs(a.object, b.object));

  // The version rules, wherever this cluster has a previous render.
  if (change === 'update' || change === 'unchanged') {
    const oldCp = controlPlaneOf(oldObjs);
    const newCp = controlPlaneOf(newObjs);
    const found: PlanProblem[] = [];
    if (oldCp && newCp) found.push(...upgradeProblems(oldCp, newCp, key, true));
    for (const md of newObjs.filter(isMachineDeployment).sort(byName)) {
      const old = before.get(keyOf(refOf(md)));
      if (old) found.push(...upgradeProblems(old, md, key, false));
    }
    const said = new Set<string>();
    for (const p of found) if (!said.has(p.message) && said.add(p.message)) problems.push(p);
  }
  // Warnings about a roll: a single control plane; machines rolled without a VM ID range.
  const cpRoll = plan.rollouts.find((r) => r.owner.kind === 'TalosControlPlane');
  if (cpRoll && cpRoll.machines === 1) {
    problems.push({ severity: 'warning', cluster: key, message: 'this rolls a single control plane: its etcd member is replaced with no quorum to spare; take an etcd snapshot first (talosctl etcd snapshot)' });
  }
  if (plan.rollouts.length && newObjs.some((o) => isMachineTemplate(o) && !o.spec?.template?.spec?.vmIDRange)) {
    // CAPMOX v0.9 deletes by recorded VM ID until the ID is free; Proxmox reuses a freed ID for the next
    // clone at once, and a roll deletes and clones side by side (ionos-cloud/cluster-api-provider-proxmox#856).
    problems.push({
      severity: 'warning',
      cluster: key,
      message:
        'this rolls machines and no VM ID range is set: CAPMOX v0.9 can delete a new VM whose ID Proxmox reuses during the roll (README "VM IDs"); set one for this cluster, in this commit or before the next roll (setting it rolls every machine once)',
      field: { path: 'spec.proxmox.vmIDRange' },
    });
  }
  return plan;
}

/**
 * The plan for going from `oldItems` (the previous render; [] for a first render) to `newItems`. Problems
 * found in the renders (collisions, objects rendered twice, version rules) are in `problems`; `refused` is
 * left false (the gate decides it: gate.ts).
 */
export function plan(oldItems: Item[], newItems: Item[]): Plan {
  const problems: PlanProblem[] = [];
  const oldIndex = indexItems(oldItems);
  const newIndex = indexItems(newItems);
  for (const d of newIndex.duplicates) {
    problems.push({ severity: 'error', object: d.ref, files: d.origins, message: `${showRef(d.ref)} is rendered more than once${d.origins.some(Boolean) ? ` (${d.origins.join(', ')})` : ''}: Flux's build fails on a repeated object, and two renders writing one object overwrite each other` });
  }
  for (const d of oldIndex.duplicates) {
    problems.push({ severity: 'warning', object: d.ref, files: d.origins, message: `the previous render holds ${showRef(d.ref)} more than once${d.origins.some(Boolean) ? ` (${d.origins.join(', ')})` : ''}; the last one is compared` });
  }
  const olds = [...oldIndex.byKey.values()];
  const news = [...newIndex.byKey.values()];
  const oldAttr = attribute(olds, clustersOf(news));
  const newAttr = attribute(news, clustersOf(olds));

  // One bucket per object identity: its cluster in the new render, else in the previous one.
  const bucket = new Map<string, string | null>();
  const ids = new Map<string, ClusterId>();
  for (const [side, attr] of [['old', oldAttr], ['new', newAttr]] as const) {
    for (const [k, { id, items }] of attr.clusters) {
      ids.set(k, id);
      for (const i of items) if (side === 'new' || !bucket.has(keyOf(refOf(i.object)))) bucket.set(keyOf(refOf(i.object)), k);
    }
    for (const i of attr.others) if (side === 'new' || !bucket.has(keyOf(refOf(i.object)))) bucket.set(keyOf(refOf(i.object)), null);
  }
  const sideOf = (items: Item[]) => {
    const m = new Map<string | null, Item[]>();
    for (const i of items) {
      const b = bucket.get(keyOf(refOf(i.object))) ?? null;
      const list = m.get(b);
      if (list) list.push(i);
      else m.set(b, [i]);
    }
    return m;
  };
  const oldBy = sideOf(olds);
  const newBy = sideOf(news);
  const ctx: Context = { before: lookupOf(olds), after: lookupOf(news) };

  const keys = [...ids.keys()].sort((a, b) => {
    const x = ids.get(a)!;
    const y = ids.get(b)!;
    return x.namespace < y.namespace ? -1 : x.namespace > y.namespace ? 1 : x.name < y.name ? -1 : x.name > y.name ? 1 : 0;
  });
  const clusters = keys.map((k) => planCluster(ids.get(k)!, oldBy.get(k) ?? [], newBy.get(k) ?? [], ctx, problems));

  // Renames and namespace moves: a delete and a create, paired.
  const side = (c: ClusterPlan, items: Item[]): ClusterSide => ({ id: { namespace: c.namespace, name: c.name }, key: clusterKey(c), items });
  const gone = clusters.filter((c) => c.change === 'delete').map((c) => side(c, oldBy.get(clusterKey(c)) ?? []));
  const came = clusters.filter((c) => c.change === 'create').map((c) => side(c, newBy.get(clusterKey(c)) ?? []));
  const moves = pairMoves(gone, came);
  const byKey = new Map(clusters.map((c) => [clusterKey(c), c]));
  for (const [from, to] of moves) {
    const a = byKey.get(from)!;
    const b = byKey.get(to)!;
    a.movedTo = { namespace: b.namespace, name: b.name };
    b.movedFrom = { namespace: a.namespace, name: a.name };
    b.notes.unshift({ subject: 'cluster', text: `a new cluster, not ${from} moved: CAPI creates new machines, new VMs and a new etcd; nothing of ${from} carries over, and ${from} is deleted with its VMs` });
  }

  const others = objectChanges(new Map((oldBy.get(null) ?? []).map((i) => [keyOf(refOf(i.object)), i.object])), new Map((newBy.get(null) ?? []).map((i) => [keyOf(refOf(i.object)), i.object])));
  problems.push(...collisions(keys.filter((k) => newBy.has(k)).map((k) => [k, newBy.get(k)!])));
  return { apiVersion: PLAN_API_VERSION, kind: PLAN_KIND, clusters, others, problems, refused: false };
}
