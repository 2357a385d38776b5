/**
 * The two API profiles as data: which apiVersion each kind is emitted in, and the few places where the
 * object shape differs between CAPI v1beta1/v1beta2 and CAPMOX v1alpha1/v1alpha2
 * (ionos-cloud/cluster-api-provider-proxmox@v0.9.0:docs/migration-v0.8-v1alpha2.md).
 * Builders ask the profile; none of them tests the profile's name.
 */
export type ProfileName = 'current' | 'legacy';

export const GROUPS = {
  capi: 'cluster.x-k8s.io',
  infrastructure: 'infrastructure.cluster.x-k8s.io',
  bootstrap: 'bootstrap.cluster.x-k8s.io',
  controlPlane: 'controlplane.cluster.x-k8s.io',
  ipam: 'ipam.cluster.x-k8s.io',
} as const;

export interface NetworkDevice {
  bridge: string;
  model: string;
  vlan?: number;
  mtu?: number;
}

/** A further NIC (net1, net2, …), addressed from an IPAM pool the user created. */
export interface ExtraNetworkDevice extends NetworkDevice {
  ipPool: { kind: string; name: string };
}

export interface Profile {
  name: ProfileName;
  /** apiVersion of Cluster, MachineDeployment, MachineHealthCheck. */
  capi: string;
  /** apiVersion of ProxmoxCluster, ProxmoxMachineTemplate. */
  proxmox: string;
  /** apiVersion of TalosConfigTemplate. */
  talosBootstrap: string;
  /** apiVersion of TalosControlPlane. */
  talosControlPlane: string;
  /** A reference from a CAPI object to another object (Cluster refs, MachineDeployment bootstrap/infra refs). */
  ref(apiVersion: string, kind: string, name: string): Record<string, string>;
  /** ProxmoxMachineTemplate.spec.template.spec.network: net0 from the cluster pool, then any extra devices. */
  machineNetwork(dev: NetworkDevice, extra: ExtraNetworkDevice[]): Record<string, unknown>;
  /** The rolling-update part of a MachineDeployment spec. */
  rollout(maxSurge: number | string, maxUnavailable: number | string): Record<string, unknown>;
  /** The checks part of a MachineHealthCheck spec. */
  healthChecks(h: { nodeStartupTimeoutSeconds: number; unhealthyTimeoutSeconds: number; maxUnhealthy: number | string }): Record<string, unknown>;
}

const group = (apiVersion: string) => apiVersion.split('/')[0];
const device = (d: NetworkDevice) => ({ bridge: d.bridge, model: d.model, ...(d.vlan !== undefined && { vlan: d.vlan }), ...(d.mtu !== undefined && { mtu: d.mtu }) });
const unhealthyConditions = (status: string) => ({ type: 'Ready', status });

export const PROFILES: Record<ProfileName, Profile> = {
  current: {
    name: 'current',
    capi: 'cluster.x-k8s.io/v1beta2',
    proxmox: 'infrastructure.cluster.x-k8s.io/v1alpha2',
    talosBootstrap: 'bootstrap.cluster.x-k8s.io/v1alpha3',
    talosControlPlane: 'controlplane.cluster.x-k8s.io/v1alpha3',
    ref: (apiVersion, kind, name) => ({ apiGroup: group(apiVersion), kind, name }),
    machineNetwork: (d, extra) => ({
      networkDevices: [
        { name: 'net0', ...device(d) },
        ...extra.map((x, i) => ({ name: `net${i + 1}`, ...device(x), ipPoolRef: [{ apiGroup: GROUPS.ipam, ...x.ipPool }] })),
      ],
    }),
    rollout: (maxSurge, maxUnavailable) => ({ rollout: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } } } }),
    healthChecks: (h) => ({
      checks: {
        nodeStartupTimeoutSeconds: h.nodeStartupTimeoutSeconds,
        unhealthyNodeConditions: ['Unknown', 'False'].map((s) => ({ ...unhealthyConditions(s), timeoutSeconds: h.unhealthyTimeoutSeconds })),
      },
      remediation: { triggerIf: { unhealthyLessThanOrEqualTo: h.maxUnhealthy } },
    }),
  },
  legacy: {
    name: 'legacy',
    capi: 'cluster.x-k8s.io/v1beta1',
    proxmox: 'infrastructure.cluster.x-k8s.io/v1alpha1',
    talosBootstrap: 'bootstrap.cluster.x-k8s.io/v1alpha3',
    talosControlPlane: 'controlplane.cluster.x-k8s.io/v1alpha3',
    ref: (apiVersion, kind, name) => ({ apiVersion, kind, name }),
    machineNetwork: (d, extra) => ({
      default: device(d),
      ...(extra.length && { additionalDevices: extra.map((x, i) => ({ name: `net${i + 1}`, ...device(x), ipv4PoolRef: { apiGroup: GROUPS.ipam, ...x.ipPool } })) }),
    }),
    rollout: (maxSurge, maxUnavailable) => ({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } } }),
    healthChecks: (h) => ({
      nodeStartupTimeout: `${h.nodeStartupTimeoutSeconds}s`,
      unhealthyConditions: ['Unknown', 'False'].map((s) => ({ ...unhealthyConditions(s), timeout: `${h.unhealthyTimeoutSeconds}s` })),
      maxUnhealthy: h.maxUnhealthy,
    }),
  },
};
