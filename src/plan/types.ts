/**
 * The Plan: what applying a new render over the previous one does to the live clusters. Its JSON shape is
 * a contract with CI bots and with the real-Flux e2e scenarios (docs/plan.md): fields may be added, none
 * renamed or dropped.
 */
export const PLAN_API_VERSION = 'capi-proxmox-talos.dev/v1alpha1';
export const PLAN_KIND = 'Plan';

/** An object's identity as the API server and Flux's inventory know it: the version is not part of it. */
export interface ObjectRef {
  /** API group; "" for the core group (Namespace, Secret, ...). */
  group: string;
  kind: string;
  /** "" for cluster-scoped objects, and for namespaced ones written without a namespace. */
  namespace: string;
  name: string;
}

/** A CAPI Cluster's identity. */
export interface ClusterId {
  namespace: string;
  name: string;
}

export type ClusterChange = 'create' | 'update' | 'unchanged' | 'delete';

export interface ObjectChanges {
  /** In NEW only: Flux creates it. */
  created: ObjectRef[];
  /** In both, different content: server-side apply changes it in place. */
  updated: ObjectRef[];
  /** In OLD only: Flux (prune: true) deletes it. */
  pruned: ObjectRef[];
  /** In OLD only, but Flux's prune skips it (kustomize.toolkit.fluxcd.io/prune: disabled and the like). */
  kept: ObjectRef[];
}

/** Machines CAPI replaces one after another (a rolling update of a TalosControlPlane or MachineDeployment). */
export interface Rollout {
  owner: ObjectRef;
  /** Machines replaced; "autoscaled" where the autoscaler owns the count. */
  machines: number | 'autoscaled';
  /** Machines created beyond the wanted count at once (each needs a free IP and VM ID). */
  maxSurge: number;
  /** Machines that may be missing at once. */
  maxUnavailable: number;
  /** Free addresses the pool needs for the roll (= maxSurge). */
  freeIPs: number;
  /** Why it rolls, in words: "Kubernetes v1.32.0 → v1.33.4", "new machine template (cores 4 → 8)". */
  reasons: string[];
  /** How CAPI goes about it, in words. */
  strategy: string;
}

/** A replica count that changes without a roll. */
export interface Scale {
  owner: ObjectRef;
  from: number | 'autoscaled';
  to: number | 'autoscaled';
  /** The cluster-autoscaler's bounds, where `to` is "autoscaled". */
  autoscaler?: { min: string; max: string };
}

/** What a pruned (or replaced) object takes with it. */
export interface Destroy {
  object: ObjectRef;
  /** Machines (and their VMs) deleted with it; "all" for every machine of the cluster (or of the control plane). */
  machines: number | 'all' | 'autoscaled';
  reason: string;
}

/** A field that CAPI copies once, or that clients hold, changed: the edit does not do what it looks like. */
export interface Flag {
  /** The ClusterSpec field behind it (rendered objects map one to one to it). */
  path: string;
  message: string;
  object: ObjectRef;
  /** The field in the rendered object. */
  objectPath: string;
  before?: string;
  after?: string;
}

/** A line of the plan in words that no structured field above carries (an object updated in place, an API profile switch). */
export interface Note {
  subject: string;
  text: string;
  /** The object it is about, where there is one. */
  object?: ObjectRef;
}

export interface ClusterPlan {
  namespace: string;
  name: string;
  change: ClusterChange;
  movedFrom?: ClusterId;
  movedTo?: ClusterId;
  objects: ObjectChanges;
  /**
   * Rolling updates: the control plane, then each pool by name. A Kubernetes upgrade of the pools waits for
   * the control plane's (their `strategy` says so); other rolls run side by side.
   */
  rollouts: Rollout[];
  scales: Scale[];
  destroys: Destroy[];
  flags: Flag[];
  notes: Note[];
}

export interface PlanProblem {
  severity: 'error' | 'warning';
  message: string;
  /** "namespace/name" of the cluster it concerns. */
  cluster?: string;
  field?: { path: string };
  /** The object it concerns (collisions, duplicates). */
  object?: ObjectRef;
  /** The files it concerns (duplicates), as given on the command line. */
  files?: string[];
  /** The ClusterSpec a render problem comes from (as in the function's KRM results). */
  resourceRef?: { apiVersion: string; kind: string; name: string; namespace?: string };
  /** The file a render problem comes from. */
  file?: string;
  /** A gate rule that refused the plan ("delete", "move", "destroy", "flag", "downgrade"), or that an --allow let through. */
  rule?: GateRule;
}

export type GateRule = 'delete' | 'move' | 'destroy' | 'flag' | 'downgrade';

export interface Plan {
  apiVersion: typeof PLAN_API_VERSION;
  kind: typeof PLAN_KIND;
  clusters: ClusterPlan[];
  /** Objects of no cluster (no CAPI Cluster they can be tied to), in the same four lists. */
  others: ObjectChanges;
  problems: PlanProblem[];
  /** True when the gate refuses the plan (always false for a plain diff). */
  refused: boolean;
}

/** A parsed Kubernetes object as the engine reads it: plain data, anything may be missing or odd. */
export type Obj = Record<string, any>;

/** An object and where it was read from (a file path, for messages). */
export interface Item {
  object: Obj;
  origin?: string;
}
