/**
 * Facts about the cluster-chart Helm chart (github.com/MoTTTT/cluster-chart, version 0.1.6), read from its
 * values.yaml and templates/. Written here as data in our own words: the defaults Helm fills in for every
 * key a values file leaves out, and the settings the templates hard-code (which no values file can change).
 */

/** The chart release these facts were read from. */
export const CHART_VERSION = '0.1.6';

/** values.yaml of chart 0.1.6. Earlier releases (≤ 0.1.5) had ip_ranges 192.168.4.101-107 and endpoint .100. */
export const CHART_VALUES = {
  cluster: {
    name: 'cluster09',
    kubernetes_version: 'v1.32.0',
    image: 'factory.talos.dev/nocloud-installer/6adc7e7fba27948460e2231e5272e88b85159da3f3db980551976bf9898ff64b:v1.11.1',
  },
  network: {
    ip_ranges: ['192.168.4.191-192.168.4.197'],
    ip_prefix: 24,
    gateway: '192.168.4.1',
    bastion_host: 'freyr',
    bastion_host_endpoint_ip: '192.168.1.80',
    dns_servers: ['192.168.1.201'],
  },
  controlplane: { endpoint_ip: '192.168.4.190', machine_count: 1, boot_volume_size: 40, num_cores: 4, num_sockets: 4, memory_mib: 16384 },
  worker: { machine_count: 1, boot_volume_size: 140, num_cores: 4, num_sockets: 4, memory_mib: 16384 },
  proxmox: {
    allowed_nodes: ['venus'],
    template: { sourcenode: 'venus', template_vmid: 100 },
    vm: { boot_volume_device: 'virtio0', bridge: 'vmbr0' },
  },
} as const;

/**
 * Object names the templates give (templates/*.yaml). The namespace is the cluster name. Cluster,
 * ProxmoxCluster, TalosControlPlane and MachineDeployment identify a live cluster; the three templates
 * are immutable and get superseded on adoption.
 */
export const CHART_OBJECT_NAMES = {
  cluster: (c: string) => c,
  proxmoxCluster: () => 'proxmox-cluster',
  talosControlPlane: () => 'talos-controlplane',
  machineDeployment: (c: string) => `${c}-workers`,
  controlPlaneMachineTemplate: (c: string) => `${c}-controlplane`,
  workerMachineTemplate: (c: string) => `${c}-worker`,
  workerConfigTemplate: () => 'talosconfig-worker',
};

/** The worker pool name that gives our MachineDeployment the chart's name, `<cluster>-workers`. */
export const CHART_POOL_NAME = 'workers';

/** The talosVersion the chart's TalosControlPlane and TalosConfigTemplate always carry, whatever the image. */
export const CHART_TALOS_CONFIG_VERSION = 'v1.10';

/** The Secret the chart's ProxmoxCluster references (templates/proxmoxcluster.yaml). */
export const CHART_CREDENTIALS_REF = { name: 'capmox-manager-credentials', namespace: 'capmox-system' };

/** What the templates hard-code for every machine (TalosControlPlane and TalosConfigTemplate patches). */
export const CHART_MACHINE_SETTINGS = {
  kernelModules: [{ name: 'drbd', parameters: ['usermode_helper=disabled'] }, { name: 'drbd_transport_tcp' }],
  sysctls: { 'vm.max_map_count': '262144' },
  kubeletExtraArgs: { 'rotate-server-certificates': 'true', 'cloud-provider': 'external' },
};

/** What the TalosControlPlane's patch hard-codes besides (control planes only). */
export const CHART_CONTROL_PLANE_SETTINGS = {
  talosAPIAccess: { allowedRoles: ['os:reader'], allowedKubernetesNamespaces: ['kube-system'] },
  cni: 'none' as const,
  kubeProxy: false,
  extraManifests: [
    'http://192.168.4.1/cilium.yaml',
    'http://192.168.4.1/kubelet-serving-cert-approver.yaml',
    'http://192.168.4.1/metrics-server.yaml',
    'http://192.168.4.1/piraeus-operator.yaml',
    'http://192.168.4.1/gateway-api.yaml',
    'http://192.168.4.1/flux.yaml',
    'http://192.168.4.1/flux-instance-observability.yaml',
  ],
  externalCloudProviderManifests: ['https://raw.githubusercontent.com/siderolabs/talos-cloud-controller-manager/main/docs/deploy/cloud-controller-manager.yml'],
};

/** The Proxmox settings the templates hard-code: memory check off (ProxmoxCluster), full qcow2 clones (both machine templates). */
export const CHART_PROXMOX_SETTINGS = {
  schedulerHints: { memoryAdjustment: 0 },
  clone: { full: true, format: 'qcow2' as const },
};
