/**
 * Defaults of the generic settings: sizes and versions from the "cluster-chart" Helm chart's releases, Proxmox's
 * own defaults for the VM's devices. Site values (addresses, DNS, the endpoint, Proxmox nodes and the VM
 * template) have none: a default there would build a cluster on the chart author's network (SITE_VALUES).
 * `import-helm-values` writes every value itself (src/migrate/chart.ts).
 */
export const CHART_DEFAULTS = {
  kubernetesVersion: 'v1.32.0',
  talosImage:
    'factory.talos.dev/nocloud-installer/6adc7e7fba27948460e2231e5272e88b85159da3f3db980551976bf9898ff64b:v1.11.1',
  controlPlane: { replicas: 1, bootVolumeSizeGB: 40, cores: 4, sockets: 4, memoryMiB: 16384 },
  worker: { name: 'worker', replicas: 1, bootVolumeSizeGB: 140, cores: 4, sockets: 4, memoryMiB: 16384 },
  bootVolumeDevice: 'virtio0',
  bridge: 'vmbr0',
} as const;

/**
 * The values that describe where a cluster lives, which every spec must give, with an example of each for
 * the message that lists the missing ones. Paths as results name them.
 */
export const SITE_VALUES: readonly { path: string; what: string; example: string }[] = [
  { path: 'metadata.name', what: 'the cluster name (or spec.cluster.name)', example: 'lab' },
  { path: 'spec.network.ipRanges', what: 'machine addresses', example: '[192.168.10.101-192.168.10.120]' },
  { path: 'spec.network.prefix', what: 'prefix length of the machine network', example: '24' },
  { path: 'spec.network.gateway', what: 'its gateway', example: '192.168.10.1' },
  { path: 'spec.network.dnsServers', what: 'DNS servers', example: '[192.168.10.53]' },
  { path: 'spec.controlPlane.endpointIP', what: "the API's address, a free one outside ipRanges (the Talos VIP)", example: '192.168.10.100' },
  { path: 'spec.proxmox.allowedNodes', what: 'Proxmox nodes the VMs may run on', example: '[pve1]' },
  { path: 'spec.proxmox.template', what: 'the Talos VM template to clone', example: '{sourceNode: pve1, templateID: 9000}' },
  { path: 'spec.proxmox.template.sourceNode', what: 'the node holding the VM template', example: 'pve1' },
  { path: 'spec.proxmox.template.templateID', what: "the VM template's ID", example: '9000' },
];

/** Talos' own defaults for the pod and service networks; written out so they are visible and reviewable. */
export const DEFAULT_POD_CIDRS = ['10.244.0.0/16'];
export const DEFAULT_SERVICE_CIDRS = ['10.96.0.0/12'];
