/**
 * Objects keyed as the API server and Flux's inventory key them: API group, kind, namespace and name
 * (kustomize-controller@v1.9.4 internal/inventory/inventory.go keys its entries the same way). The
 * version is not part of the key: v1beta1 → v1beta2 of one object is an update, not a delete + create.
 */
import { canonicalJSON } from '../naming/names';
import type { Item, Obj, ObjectRef } from './types';

export const groupOf = (apiVersion: unknown) => (typeof apiVersion === 'string' && apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');

const text = (v: unknown) => (typeof v === 'string' ? v : '');

export function refOf(o: Obj): ObjectRef {
  return { group: groupOf(o.apiVersion), kind: text(o.kind), namespace: text(o.metadata?.namespace), name: text(o.metadata?.name) };
}

/** One string per identity; `\u0000` cannot occur in any of the parts the API server accepts. */
export const keyOf = (r: ObjectRef) => `${r.group}\u0000${r.kind}\u0000${r.namespace}\u0000${r.name}`;

/** For a reader: Kind/name, Kind/namespace/name when namespaced (the core group has no prefix). */
export const showRef = (r: ObjectRef) => `${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name}`;

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** Refs in a stable order: namespace, kind, name, group. */
export const compareRefs = (a: ObjectRef, b: ObjectRef) => cmp(a.namespace, b.namespace) || cmp(a.kind, b.kind) || cmp(a.name, b.name) || cmp(a.group, b.group);

export const sameContent = (a: Obj, b: Obj) => a === b || canonicalJSON(a) === canonicalJSON(b);

/** Objects of CAPI and its providers by kind, group checked (another group's "Cluster" is not ours to read). */
export const GROUPS = {
  capi: 'cluster.x-k8s.io',
  infrastructure: 'infrastructure.cluster.x-k8s.io',
  bootstrap: 'bootstrap.cluster.x-k8s.io',
  controlPlane: 'controlplane.cluster.x-k8s.io',
} as const;

export const isKind = (o: Obj, group: string, kind: string) => o?.kind === kind && groupOf(o.apiVersion) === group;
export const isCluster = (o: Obj) => isKind(o, GROUPS.capi, 'Cluster');
export const isControlPlane = (o: Obj) => isKind(o, GROUPS.controlPlane, 'TalosControlPlane');
export const isMachineDeployment = (o: Obj) => isKind(o, GROUPS.capi, 'MachineDeployment');
export const isProxmoxCluster = (o: Obj) => isKind(o, GROUPS.infrastructure, 'ProxmoxCluster');
export const isMachineTemplate = (o: Obj) => isKind(o, GROUPS.infrastructure, 'ProxmoxMachineTemplate');
export const isConfigTemplate = (o: Obj) => isKind(o, GROUPS.bootstrap, 'TalosConfigTemplate');
export const isNamespace = (o: Obj) => o?.kind === 'Namespace' && groupOf(o.apiVersion) === '';

/** Immutable templates machines are cloned from: a superseded one is pruned, and no machine goes with it. */
export const isTemplate = (o: Obj) => isMachineTemplate(o) || isConfigTemplate(o);

export interface Index {
  byKey: Map<string, Item>;
  /** Identities that occur more than once, with every file they occur in. */
  duplicates: { ref: ObjectRef; origins: string[] }[];
}

/** The objects of one side by identity; a repeated identity is kept once (the last) and reported. */
export function indexItems(items: Item[]): Index {
  const byKey = new Map<string, Item>();
  const seen = new Map<string, string[]>();
  for (const item of items) {
    const k = keyOf(refOf(item.object));
    const origins = seen.get(k);
    if (origins) origins.push(item.origin ?? '');
    else seen.set(k, [item.origin ?? '']);
    byKey.set(k, item);
  }
  const duplicates = [...seen].filter(([, o]) => o.length > 1).map(([k, origins]) => ({ ref: refOf(byKey.get(k)!.object), origins }));
  return { byKey, duplicates };
}
