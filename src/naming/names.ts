/**
 * Object names. Templates that the providers treat as immutable (ProxmoxMachineTemplate: CAPMOX's webhook
 * rejects any update; TalosConfigTemplate: CABPT's webhook rejects spec updates) are content-addressed:
 * `<cluster>-<role>-<hash of spec>`. An edit that changes a template's content gives it a new name, so
 * GitOps applies a new object and CAPI rolls the machines; an edit that does not leaves the name alone.
 */
import { SourceNumber } from '../yaml/read';
import { createHash } from 'node:crypto';

export const HASH_LENGTH = 8;
/** `<cluster>-<pool>` may have at most this many characters, so `<cluster>-<pool>-<hash>` stays ≤ 63. */
export const MAX_NAME_PART_TOTAL = 63 - 1 - HASH_LENGTH;
export const CONTROL_PLANE = 'control-plane';

/** JSON with object keys sorted, so equal content always hashes equally whatever the key order. */
export function canonicalJSON(v: unknown): string {
  // Not JSON's string form: `0x55` and "0x55" are different Talos settings, so they must hash differently.
  if (v instanceof SourceNumber) return `#${JSON.stringify(v.source)}`;
  if (Array.isArray(v)) return `[${v.map(canonicalJSON).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJSON(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function contentHash(v: unknown): string {
  return createHash('sha256').update(canonicalJSON(v)).digest('hex').slice(0, HASH_LENGTH);
}

/**
 * The names the cluster-chart Helm chart (0.1.6, templates/proxmoxcluster.yaml and taloscontrolplane.yaml)
 * gives the objects a Cluster refers to. A Cluster's controlPlaneRef and infrastructureRef cannot change
 * once set, so a cluster adopted from the chart keeps them (spec.cluster.adoptedFrom).
 */
export const CHART_NAMES = { proxmoxCluster: 'proxmox-cluster', controlPlane: 'talos-controlplane' } as const;

/** Who named a cluster's identity objects first: this generator, or the chart it was adopted from. */
export type Adoption = 'cluster-chart' | undefined;

export const names = {
  cluster: (cluster: string) => cluster,
  proxmoxCluster: (cluster: string, adoptedFrom?: Adoption) => (adoptedFrom === 'cluster-chart' ? CHART_NAMES.proxmoxCluster : cluster),
  controlPlane: (cluster: string, adoptedFrom?: Adoption) => (adoptedFrom === 'cluster-chart' ? CHART_NAMES.controlPlane : `${cluster}-${CONTROL_PLANE}`),
  machineDeployment: (cluster: string, pool: string) => `${cluster}-${pool}`,
  machineHealthCheck: (cluster: string, pool: string) => `${cluster}-${pool}`,
  /** Content-addressed: `role` is a pool name or "control-plane". */
  template: (cluster: string, role: string, spec: unknown) => `${cluster}-${role}-${contentHash(spec)}`,
};
