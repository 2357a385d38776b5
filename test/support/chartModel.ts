/**
 * A model of what the cluster-chart Helm chart (MoTTTT/cluster-chart 0.1.6, templates/*.yaml) renders for
 * a values file: written in our own code from reading its templates, as the oracle the migration tests
 * compare against. It is independent of src/migrate on purpose: its own defaults and fixed settings, so a
 * mistake in the importer's copy of them shows up as a difference.
 *
 * How Helm turns values into YAML matters: `{{ .Values.x }}` prints with Go's %v, so a list prints as
 * `[a b]`, which YAML reads as ONE string "a b"; numbers and plain strings print as themselves and YAML
 * reads them back typed (8192 as a number, even when the value was the string "8192").
 */
import { parse } from 'yaml';

type Obj = Record<string, any>;

/** Helm merges a values file over the chart's values.yaml: maps key by key, anything else replaced. */
function mergeValues(base: any, over: any): any {
  if (over && typeof over === 'object' && !Array.isArray(over) && base && typeof base === 'object' && !Array.isArray(base)) {
    const out: Obj = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = mergeValues(base[k], v);
    return out;
  }
  return over === undefined ? base : over;
}

/** `{{ v }}` in a YAML position: printed with %v, then read back by YAML. */
const printed = (v: unknown): unknown => (Array.isArray(v) ? parse(`[${v.join(' ')}]`) : parse(String(v)));

/** The chart's helper labels (templates/_helpers.tpl), for a release named `release`. */
const helmLabels = (release: string) => ({
  'helm.sh/chart': 'cluster-chart-0.1.6',
  'app.kubernetes.io/name': 'cluster-chart',
  'app.kubernetes.io/instance': release,
  'app.kubernetes.io/version': '1.0.0',
  'app.kubernetes.io/managed-by': 'Helm',
});

function machineTemplate(v: Obj, name: string, role: Obj): Obj {
  return {
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1alpha1',
    kind: 'ProxmoxMachineTemplate',
    metadata: { name, namespace: v.cluster.name },
    spec: {
      template: {
        spec: {
          sourceNode: printed(v.proxmox.template.sourcenode),
          templateID: printed(v.proxmox.template.template_vmid),
          disks: { bootVolume: { disk: printed(v.proxmox.vm.boot_volume_device), sizeGb: printed(role.boot_volume_size) } },
          format: 'qcow2',
          full: true,
          memoryMiB: printed(role.memory_mib),
          network: { default: { bridge: printed(v.proxmox.vm.bridge), model: 'virtio' } },
          numCores: printed(role.num_cores),
          numSockets: printed(role.num_sockets),
          checks: { skipCloudInitStatus: true, skipQemuGuestAgent: true },
          metadataSettings: { providerIDInjection: true },
        },
      },
    },
  };
}

/** Settings both Talos patches of the chart carry. */
const everyMachine = (v: Obj) => ({
  install: { disk: '/dev/vda', image: printed(v.cluster.image) },
  kernel: { modules: [{ name: 'drbd', parameters: ['usermode_helper=disabled'] }, { name: 'drbd_transport_tcp' }] },
  sysctls: { 'vm.max_map_count': 262144 },
  kubelet: { extraArgs: { 'rotate-server-certificates': true, 'cloud-provider': 'external' } },
});

/** The chart's objects for a values file (parsed), as `helm template` prints them, in template file order. */
export function renderChart(values: unknown, release = 'cluster'): Obj[] {
  const v = mergeValues(CHART_0_1_6_VALUES, values ?? {});
  const c = v.cluster.name;
  const objs: Obj[] = [
    {
      apiVersion: 'cluster.x-k8s.io/v1beta1',
      kind: 'Cluster',
      metadata: { name: c, namespace: c },
      spec: {
        controlPlaneRef: { apiVersion: 'controlplane.cluster.x-k8s.io/v1alpha3', kind: 'TalosControlPlane', name: 'talos-controlplane' },
        infrastructureRef: { apiVersion: 'infrastructure.cluster.x-k8s.io/v1alpha1', kind: 'ProxmoxCluster', name: 'proxmox-cluster' },
      },
    },
    {
      apiVersion: 'cluster.x-k8s.io/v1beta1',
      kind: 'MachineDeployment',
      metadata: { name: `${c}-workers`, namespace: c },
      spec: {
        clusterName: c,
        replicas: printed(v.worker.machine_count),
        selector: { matchLabels: null },
        template: {
          spec: {
            bootstrap: { configRef: { apiVersion: 'bootstrap.cluster.x-k8s.io/v1alpha3', kind: 'TalosConfigTemplate', name: 'talosconfig-worker', namespace: c } },
            clusterName: c,
            infrastructureRef: { apiVersion: 'infrastructure.cluster.x-k8s.io/v1alpha1', kind: 'ProxmoxMachineTemplate', name: `${c}-worker`, namespace: c },
            version: printed(v.cluster.kubernetes_version),
          },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: c } },
    {
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1alpha1',
      kind: 'ProxmoxCluster',
      metadata: { name: 'proxmox-cluster', namespace: c },
      spec: {
        schedulerHints: { memoryAdjustment: 0 },
        allowedNodes: printed(v.proxmox.allowed_nodes),
        controlPlaneEndpoint: { host: printed(v.controlplane.endpoint_ip), port: 6443 },
        dnsServers: printed(v.network.dns_servers),
        ipv4Config: { addresses: printed(v.network.ip_ranges), gateway: printed(v.network.gateway), prefix: printed(v.network.ip_prefix) },
        credentialsRef: { name: 'capmox-manager-credentials', namespace: 'capmox-system' },
      },
    },
    machineTemplate(v, `${c}-controlplane`, v.controlplane),
    machineTemplate(v, `${c}-worker`, v.worker),
    {
      apiVersion: 'bootstrap.cluster.x-k8s.io/v1alpha3',
      kind: 'TalosConfigTemplate',
      metadata: { name: 'talosconfig-worker', namespace: c, labels: { 'cluster-name': c } },
      spec: { template: { spec: { generateType: 'worker', talosVersion: 'v1.10', strategicPatches: [{ machine: everyMachine(v) }] } } },
    },
    {
      apiVersion: 'controlplane.cluster.x-k8s.io/v1alpha3',
      kind: 'TalosControlPlane',
      metadata: { name: 'talos-controlplane', namespace: c },
      spec: {
        version: printed(v.cluster.kubernetes_version),
        replicas: printed(v.controlplane.machine_count),
        infrastructureTemplate: { kind: 'ProxmoxMachineTemplate', apiVersion: 'infrastructure.cluster.x-k8s.io/v1alpha1', name: `${c}-controlplane`, namespace: c },
        controlPlaneConfig: {
          controlplane: {
            generateType: 'controlplane',
            talosVersion: 'v1.10',
            strategicPatches: [
              {
                machine: {
                  network: { interfaces: [{ deviceSelector: { physical: true }, vip: { ip: printed(v.controlplane.endpoint_ip) } }] },
                  ...everyMachine(v),
                  features: { kubernetesTalosAPIAccess: { enabled: true, allowedRoles: ['os:reader'], allowedKubernetesNamespaces: ['kube-system'] } },
                },
                cluster: {
                  apiServer: { certSANs: [printed(v.network.bastion_host_endpoint_ip), printed(v.network.bastion_host)] },
                  network: { cni: { name: 'none' } },
                  proxy: { disabled: true },
                  extraManifests: ['cilium', 'kubelet-serving-cert-approver', 'metrics-server', 'piraeus-operator', 'gateway-api', 'flux', 'flux-instance-observability'].map(
                    (m) => `http://192.168.4.1/${m}.yaml`,
                  ),
                  externalCloudProvider: {
                    enabled: true,
                    manifests: ['https://raw.githubusercontent.com/siderolabs/talos-cloud-controller-manager/main/docs/deploy/cloud-controller-manager.yml'],
                  },
                },
              },
            ],
          },
        },
      },
    },
  ];
  // Patches are YAML strings in the chart (block scalars); every object carries the helper labels.
  for (const o of objs) {
    o.metadata.labels = { ...o.metadata.labels, ...helmLabels(release) };
    const cfg = o.kind === 'TalosConfigTemplate' ? o.spec.template.spec : o.kind === 'TalosControlPlane' ? o.spec.controlPlaneConfig.controlplane : undefined;
    if (cfg) cfg.strategicPatches = cfg.strategicPatches.map((p: Obj) => JSON.stringify(p));
  }
  return objs;
}

/** The chart's values.yaml (0.1.6), as data. */
export const CHART_0_1_6_VALUES = {
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
  proxmox: { allowed_nodes: ['venus'], template: { sourcenode: 'venus', template_vmid: 100 }, vm: { boot_volume_device: 'virtio0', bridge: 'vmbr0' } },
};
