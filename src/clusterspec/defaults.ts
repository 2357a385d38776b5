/**
 * The defaults of an empty `spec: {}`: the values of the "cluster-chart" Helm chart's releases up to 0.1.5
 * (0.1.6 moved the address range to .190-.197). Kept as they are: changing a default would move the endpoint
 * of every cluster that relies on it. `import-helm-values` writes every value itself (src/migrate/chartReleases.ts).
 */
export const CHART_DEFAULTS = {
  clusterName: 'cluster09',
  kubernetesVersion: 'v1.32.0',
  talosImage:
    'factory.talos.dev/nocloud-installer/6adc7e7fba27948460e2231e5272e88b85159da3f3db980551976bf9898ff64b:v1.11.1',
  ipRanges: ['192.168.4.101-192.168.4.107'],
  prefix: 24,
  gateway: '192.168.4.1',
  dnsServers: ['192.168.1.201'],
  bastionHost: 'freyr',
  bastionEndpointIP: '192.168.1.80',
  controlPlane: { endpointIP: '192.168.4.100', replicas: 1, bootVolumeSizeGB: 40, cores: 4, sockets: 4, memoryMiB: 16384 },
  worker: { name: 'worker', replicas: 1, bootVolumeSizeGB: 140, cores: 4, sockets: 4, memoryMiB: 16384 },
  allowedNodes: ['venus'],
  templateSourceNode: 'venus',
  templateID: 100,
  bootVolumeDevice: 'virtio0',
  bridge: 'vmbr0',
} as const;

/** Talos' own defaults for the pod and service networks; written out so they are visible and reviewable. */
export const DEFAULT_POD_CIDRS = ['10.244.0.0/16'];
export const DEFAULT_SERVICE_CIDRS = ['10.96.0.0/12'];
