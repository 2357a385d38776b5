/**
 * Which cluster each object belongs to. A render may hold any number of clusters, in one file or many;
 * the plan is per cluster, so every object is tied to the CAPI Cluster (namespace/name) it serves, by the
 * first of these that answers:
 *   1. it is the Cluster;
 *   2. CAPI's own field, spec.clusterName (MachineDeployment, MachineHealthCheck);
 *   3. the cluster.x-k8s.io/cluster-name label (on every object we render; for a Namespace, the cluster
 *      of that label in the namespace it names);
 *   4. a reference from an object already tied to a cluster (Cluster → TalosControlPlane, ProxmoxCluster;
 *      TalosControlPlane → its machine template; MachineDeployment → its templates), as for a chart's render,
 *      which carries no labels;
 *   5. our generated-from annotation, shared with a Cluster of the same side;
 *   6. its namespace (a Namespace: its name) holding exactly one Cluster, on this side, else on the other.
 * An object none of these ties to a cluster is "of no cluster" (the plan lists it apart).
 */
import { CLUSTER_NAME_LABEL, GENERATED_FROM_ANNOTATION } from '../resources/meta';
import { GROUPS, isCluster, isControlPlane, isKind, isMachineDeployment, isNamespace } from './objects';
import type { ClusterId, Item, Obj } from './types';

export const clusterKey = (c: ClusterId) => `${c.namespace}/${c.name}`;

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
const nsOf = (o: Obj) => str(o.metadata?.namespace) ?? '';
const refKey = (kind: unknown, namespace: string, name: unknown) => (str(kind) && str(name) ? `${kind}\u0000${namespace}\u0000${name}` : undefined);

/** The CAPI Clusters of one side, by namespace/name. */
export function clustersOf(items: Item[]): Map<string, ClusterId> {
  const out = new Map<string, ClusterId>();
  for (const { object } of items) {
    if (!isCluster(object) || !str(object.metadata?.name)) continue;
    const id = { namespace: nsOf(object), name: object.metadata.name };
    out.set(clusterKey(id), id);
  }
  return out;
}

export interface Attributed {
  /** Items per cluster key ("namespace/name"), with the cluster's identity. */
  clusters: Map<string, { id: ClusterId; items: Item[] }>;
  /** Items no cluster could be found for. */
  others: Item[];
}

/**
 * Ties each item of one side to a cluster. `otherSide` holds the other side's Clusters: an object left
 * behind in a namespace whose Cluster is gone on this side still belongs to that namespace's cluster.
 */
export function attribute(items: Item[], otherSide: Map<string, ClusterId> = new Map()): Attributed {
  const own = clustersOf(items);
  const perNamespace = (clusters: Map<string, ClusterId>) => {
    const m = new Map<string, ClusterId[]>();
    for (const c of clusters.values()) {
      const list = m.get(c.namespace);
      if (list) list.push(c);
      else m.set(c.namespace, [c]);
    }
    return m;
  };
  const ownByNs = perNamespace(own);
  const otherByNs = perNamespace(otherSide);
  const byAnnotation = new Map<string, ClusterId | null>();
  for (const { object } of items) {
    const a = str(object.metadata?.annotations?.[GENERATED_FROM_ANNOTATION]);
    if (!isCluster(object) || !a) continue;
    const id = { namespace: nsOf(object), name: object.metadata.name };
    byAnnotation.set(a, byAnnotation.has(a) ? null : id); // null: two Clusters share it, so it tells nothing
  }

  const tied = new Map<Item, ClusterId>();
  const referenced = new Map<string, ClusterId>();
  const refer = (kind: unknown, namespace: string, name: unknown, id: ClusterId) => {
    const k = refKey(kind, namespace, name);
    if (k && !referenced.has(k)) referenced.set(k, id);
  };
  const direct = (o: Obj): ClusterId | undefined => {
    const name = str(o.metadata?.name);
    if (isCluster(o) && name) return { namespace: nsOf(o), name };
    const clusterName = str(o.spec?.clusterName);
    if (clusterName && groupIs(o, GROUPS.capi)) return { namespace: nsOf(o), name: clusterName };
    const label = str(o.metadata?.labels?.[CLUSTER_NAME_LABEL]);
    if (label) return { namespace: isNamespace(o) ? (name ?? '') : nsOf(o), name: label };
    return undefined;
  };
  for (const item of items) {
    const id = direct(item.object);
    if (id) tied.set(item, id);
  }
  // References out of tied objects, two hops (Cluster → TalosControlPlane → machine template).
  for (let hop = 0; hop < 2; hop++) {
    for (const [item, id] of tied) {
      const o = item.object;
      const ns = nsOf(o);
      if (isCluster(o)) {
        for (const r of [o.spec?.controlPlaneRef, o.spec?.infrastructureRef]) refer(r?.kind, str(r?.namespace) ?? ns, r?.name, id);
      } else if (isControlPlane(o)) {
        const r = o.spec?.infrastructureTemplate;
        refer(r?.kind, str(r?.namespace) ?? ns, r?.name, id);
      } else if (isMachineDeployment(o)) {
        const t = o.spec?.template?.spec;
        for (const r of [t?.bootstrap?.configRef, t?.infrastructureRef]) refer(r?.kind, str(r?.namespace) ?? ns, r?.name, id);
      }
    }
    for (const item of items) {
      if (tied.has(item)) continue;
      const k = refKey(item.object.kind, nsOf(item.object), item.object.metadata?.name);
      const id = k && referenced.get(k);
      if (id) tied.set(item, id);
    }
  }
  const clusters = new Map<string, { id: ClusterId; items: Item[] }>();
  const others: Item[] = [];
  for (const item of items) {
    const o = item.object;
    let id = tied.get(item);
    if (!id) {
      const a = str(o.metadata?.annotations?.[GENERATED_FROM_ANNOTATION]);
      id = (a && byAnnotation.get(a)) || undefined;
    }
    if (!id) {
      const ns = isNamespace(o) ? (str(o.metadata?.name) ?? '') : nsOf(o);
      const here = ownByNs.get(ns) ?? [];
      const there = otherByNs.get(ns) ?? [];
      if (here.length === 1) id = here[0];
      else if (!here.length && there.length === 1) id = there[0];
    }
    if (!id) {
      others.push(item);
      continue;
    }
    const k = clusterKey(id);
    const entry = clusters.get(k);
    if (entry) entry.items.push(item);
    else clusters.set(k, { id, items: [item] });
  }
  return { clusters, others };
}

const groupIs = (o: Obj, group: string) => isKind(o, group, String(o.kind));
