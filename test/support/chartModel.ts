/**
 * A model of what the cluster-chart Helm chart renders for a values file, for every release the importer
 * supports: written in our own code from reading each release's templates and values.yaml (sources in
 * src/migrate/chartReleases.ts), as the oracle the migration tests compare against. It is independent of
 * src/migrate on purpose: its own defaults (values.yaml per release, below), its own template logic (one
 * function per template, with the release a condition inside it, as the templates changed), its own Helm
 * printing. A mistake in the importer's copy of a fact shows up as a difference; the model itself was
 * checked against `helm template` of the real packages (docs/migrating-from-cluster-chart.md).
 *
 * How Helm turns values into YAML matters: `{{ .Values.x }}` prints with Go's %v, so a list prints as
 * `[a b]`, which YAML reads as ONE string "a b"; numbers print in Go's shortest form (1e+06 from a million
 * up) and plain strings as themselves, and YAML reads them back typed (8192 as a number, even when the
 * value was the string "8192"). `toYaml` writes a value as YAML, so it comes back as it was.
 */
import { parse } from 'yaml';

type Obj = Record<string, any>;

/** A release as the model names it: its version, and for 0.1.6 which repository's package. */
export interface ModelRelease {
  version: string;
  /** 'charts' (motttt.github.io/charts) or 'cluster09' (motttt.github.io/cluster09); only 0.1.6 has both. */
  repo?: 'charts' | 'cluster09';
}

/** Every release the model renders, oldest first (the same list the importer supports). */
export const MODEL_RELEASES: ModelRelease[] = [
  { version: '0.1.4' },
  { version: '0.1.5' },
  { version: '0.1.6', repo: 'charts' },
  { version: '0.1.6', repo: 'cluster09' },
  ...[7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 22, 23, 24, 25, 26, 27, 29, 30, 31, 32, 33, 37, 38, 39].map((n) => ({ version: `0.1.${n}` })),
];
export const NEWEST: ModelRelease = { version: '0.1.39' };
export const releaseName = (r: ModelRelease) => (r.repo ? `${r.version} (${r.repo})` : r.version);

const patchOf = (r: ModelRelease) => Number(r.version.split('.')[2]);
/** Is the release at least 0.1.n? (the cluster09 0.1.6 counts as 0.1.6½: it already has extra_manifests). */
const since = (r: ModelRelease, n: number) => patchOf(r) >= n;
const line09 = (r: ModelRelease) => patchOf(r) > 6 || r.repo === 'cluster09';

const SCHEMATIC = 'factory.talos.dev/nocloud-installer/6adc7e7fba27948460e2231e5272e88b85159da3f3db980551976bf9898ff64b';
const CCM = 'https://raw.githubusercontent.com/siderolabs/talos-cloud-controller-manager/main/docs/deploy/cloud-controller-manager.yml';
/** The chart's Harbor credentials (in 0.1.9–0.1.19's templates or defaults) stand as this: they are never copied. */
export const CHART_CREDENTIAL = '<the chart default registry credential>';

/** Registry names of the chart's pull-through proxies, in values.yaml order. */
const REGISTRIES = ['docker.io', 'ghcr.io', 'gcr.io', 'registry.k8s.io', 'quay.io', 'cr.fluentbit.io'];

function harbor(host: string, endpoint: (registry: string) => string): Obj {
  return {
    config: { [host]: { auth: { username: CHART_CREDENTIAL, password: CHART_CREDENTIAL } } },
    mirrors: Object.fromEntries(REGISTRIES.map((reg) => [reg, { endpoints: [endpoint(reg)], overridePath: true }])),
  };
}

/** The control plane's add-on manifests in values.yaml, per release (0.1.6 cluster09 to 0.1.33). */
function extraManifests(r: ModelRelease): string[] {
  const n = patchOf(r);
  const all7 = ['cilium', 'kubelet-serving-cert-approver', 'metrics-server', 'piraeus-operator', 'gateway-api', 'flux', 'flux-instance-cluster09'];
  if (n <= 6) return all7.map((m) => `https://raw.githubusercontent.com/MoTTTT/cluster09/refs/heads/main/cluster-template/manifests/${m}.yaml`);
  if (n === 7) return all7.map((m) => `https://raw.githubusercontent.com/MoTTTT/cluster09/refs/heads/main/cluster-manifests/${m}.yaml`);
  if (n <= 11) return ['cilium', 'flux', 'flux-instance-cluster09'].map((m) => `http://192.168.4.1/${m}.yaml`);
  if (n === 12) return ['gateway-api', 'cilium', 'flux', 'flux-instance-cluster09'].map((m) => `http://192.168.4.1/${m}.yaml`);
  if (n === 13) return ['gateway-api', 'cilium', 'flux', 'flux-instance-cluster09'].map((m) => `https://motttt.github.io/cluster09/cluster-manifests/${m}.yaml`);
  if (n === 14) return ['cilium', 'flux', 'flux-instance-cluster09', 'gateway-api'].map((m) => `https://motttt.github.io/cluster09/cluster-manifests/${m}.yaml`);
  if (n === 15) return ['cilium', 'flux', 'flux-instance-cluster09', 'gateway-api'].map((m) => `http://192.168.4.100/${m}.yaml`);
  if (n <= 17) return ['cilium', 'flux', 'flux-instance-cluster09', 'gateway-api'].map((m) => `http://192.168.4.1/${m}.yaml`);
  return ['cilium', 'flux', 'flux-instance-cluster09', 'flux-secret', 'gateway-api'].map((m) => `http://192.168.4.1/${m}.yaml`);
}

/** values.yaml of a release, as data (registry credentials stand as CHART_CREDENTIAL). */
export function chartValues(r: ModelRelease): Obj {
  const n = patchOf(r);
  if (n >= 37) {
    return {
      cluster: {
        name: 'YourNewCluster',
        kubernetes_version: n >= 39 ? 'v1.34.6' : 'v1.34.2',
        talos_version: n >= 39 ? 'v1.12' : 'v1.11',
        image: `${SCHEMATIC}:${n >= 39 ? 'v1.12.6' : 'v1.11.5'}`,
        hostname: [],
        internalhost: [],
        controlplaneScheduling: true,
      },
      cni: '',
      storage: '',
      machine: { installDisk: '/dev/vda' },
      network: { ip_ranges: ['192.168.4.191-192.168.4.197'], ip_prefix: 24, gateway: '192.168.4.1', dns_servers: ['8.8.8.8', '8.8.4.4'], certSANs: [] },
      controlplane: { endpoint_ip: '192.168.4.190', machine_count: 1, machine_template_suffix: 'controlplane', boot_volume_size: 40, num_cores: 4, num_sockets: 4, memory_mib: 16384, cloudProviderManifests: [CCM] },
      worker: { machine_count: 0, machine_template_suffix: 'worker', boot_volume_size: 40, num_cores: 4, num_sockets: 4, memory_mib: 16384 },
      proxmox: { allowed_nodes: ['venus'], template: { sourcenode: 'venus', template_vmid: 100 }, vm: { boot_volume_device: 'virtio0', bridge: 'vmbr0' } },
      registries: { enabled: false, mirrors: {} },
    };
  }
  const k8sNew = n >= 19;
  const v: Obj = {
    cluster: { name: 'cluster09', kubernetes_version: k8sNew ? 'v1.34.2' : 'v1.32.0', image: `${SCHEMATIC}:${k8sNew ? 'v1.11.5' : 'v1.11.1'}` },
    network: {
      ip_ranges: n >= 6 ? ['192.168.4.191-192.168.4.197'] : ['192.168.4.101-192.168.4.107'],
      ip_prefix: n >= 5 ? 24 : '24',
      gateway: '192.168.4.1',
      bastion_host: 'freyr',
      bastion_host_endpoint_ip: '192.168.1.80',
      dns_servers: n >= 25 ? ['8.8.8.8', '8.8.4.4'] : ['192.168.1.201'],
    },
    controlplane: { endpoint_ip: n >= 6 ? '192.168.4.190' : '192.168.4.100', machine_count: 1, boot_volume_size: 40, num_cores: 4, num_sockets: 4, memory_mib: 16384 },
    worker: { machine_count: 1, boot_volume_size: 140, num_cores: 4, num_sockets: 4, memory_mib: 16384 },
    proxmox: { allowed_nodes: ['venus'], template: { sourcenode: 'venus', template_vmid: n >= 5 ? 100 : '100' }, vm: { boot_volume_device: 'virtio0', bridge: 'vmbr0' } },
  };
  if (n <= 4) Object.assign(v.proxmox, { url: 'https://proxmox:8006', token: 'Token name', secret: 'Token value' });
  if (line09(r)) v.controlplane.extra_manifests = extraManifests(r);
  if (n >= 12 && n <= 21) {
    const host = n === 14 ? '192.168.4.100:80' : '192.168.4.100';
    v.registries = harbor(host, (reg) => `http://192.168.4.100/${n >= 18 ? 'v2/' : ''}proxy-${reg}`);
  }
  if (n >= 20) Object.assign(v.controlplane, { machine_template_suffix: 'controlplane' }), Object.assign(v.worker, { machine_template_suffix: 'worker' });
  if (n >= 22) {
    const nexus = { 'docker.io': 'dockerhub', 'ghcr.io': 'ghcr', 'gcr.io': 'gcr', 'registry.k8s.io': 'k8s', 'quay.io': 'quay', 'cr.fluentbit.io': 'fluentbit' } as Obj;
    v.registries = { mirrors: Object.fromEntries(REGISTRIES.map((reg) => [reg, { endpoints: [`http://artefacts.podzone.cloud/repository/proxy-${nexus[reg]}`], overridePath: true }])) };
    Object.assign(v.cluster, { talos_version: n === 29 ? 'v1.11.5' : 'v1.11', hostname: [], internalhost: [] });
    if (n === 29) v.cluster.image = SCHEMATIC;
  }
  if (n === 31) v.network.ntp_servers = ['216.239.35.0', '216.239.35.4'];
  return v;
}

/** Helm merges a values file over the chart's values.yaml: maps key by key, anything else replaced, null deletes. */
function mergeValues(base: any, over: any): any {
  const isObj = (x: any) => x && typeof x === 'object' && !Array.isArray(x);
  if (isObj(over) && isObj(base)) {
    const out: Obj = { ...base };
    for (const [k, v] of Object.entries(over)) {
      if (v === null) delete out[k];
      else out[k] = mergeValues(base[k], v);
    }
    return out;
  }
  return over === undefined ? base : over;
}

/** Go's %v of a float64 (how text/template prints a number from a values file). */
function goFloat(x: number): string {
  if (x === 0) return '0';
  const e = Math.floor(Math.log10(Math.abs(x)));
  if (e >= -4 && e < 6) return String(x);
  const [m, exp] = x.toExponential().split('e');
  return `${m}e${exp[0]}${exp.slice(1).padStart(2, '0')}`;
}
const goText = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(goText).join(' ')}]` : typeof v === 'number' ? goFloat(v) : v === undefined || v === null ? '' : String(v);
/** `{{ v }}` in a YAML position: printed with %v, then read back by YAML. */
const printed = (v: unknown): unknown => parse(goText(v)) ?? undefined;
/** `"{{ v }}"`: printed inside quotes, so always a string. */
const quoted = (v: unknown): string => goText(v);
/** `{{ toYaml v }}`: written as YAML, read back as it was. */
const yamlOf = (v: unknown): any => structuredClone(v);
/** Go template truth ({{ if }} / {{ with }}). */
const truth = (v: unknown) => !(v === undefined || v === null || v === false || v === 0 || v === '' || (Array.isArray(v) && !v.length) || (v && typeof v === 'object' && !Array.isArray(v) && !Object.keys(v).length));

/** The chart's helper labels (templates/_helpers.tpl), for a release named `release`. */
const helmLabels = (r: ModelRelease, release: string) => ({
  'helm.sh/chart': `cluster-chart-${r.version}`,
  'app.kubernetes.io/name': 'cluster-chart',
  'app.kubernetes.io/instance': release,
  'app.kubernetes.io/version': '1.0.0',
  'app.kubernetes.io/managed-by': 'Helm',
});

/** A name in metadata: in quotes up to 0.1.9, bare (so read by YAML) from 0.1.10. */
const nameOf = (r: ModelRelease, s: string) => (since(r, 10) ? printed(s) : quoted(s));

function machineTemplate(r: ModelRelease, v: Obj, name: string, role: Obj): Obj {
  return {
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1alpha1',
    kind: 'ProxmoxMachineTemplate',
    metadata: { name, namespace: nameOf(r, v.cluster.name) },
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

/** machine.registries as a release's templates render it, or undefined. */
function registriesOf(r: ModelRelease, v: Obj): Obj | undefined {
  const n = patchOf(r);
  if (n >= 9 && n <= 11) {
    const host = n === 11 ? '192.168.4.100' : 'harbor.podzone.cloud';
    return harbor(host, (reg) => `${reg === 'docker.io' ? 'https' : 'http'}://${host}/v2/proxy-${reg}`);
  }
  if (n >= 12 && n <= 33) return truth(v.registries) ? yamlOf(v.registries) : undefined;
  if (n >= 37) return truth(v.registries?.enabled) ? { mirrors: yamlOf(v.registries.mirrors) } : undefined;
  return undefined;
}

/** The talosVersion both configs carry. */
function talosVersionOf(r: ModelRelease, v: Obj): unknown {
  const n = patchOf(r);
  if (n === 22) return truth(v.cluster.talos_version) ? printed(v.cluster.talos_version) : 'v1.11';
  if (n >= 29) return printed(v.cluster.talos_version);
  return 'v1.10';
}

/** The machine section both Talos patches share. */
function everyMachine(r: ModelRelease, v: Obj): Obj {
  const n = patchOf(r);
  const m: Obj = {};
  if (n === 31) m.time = { servers: yamlOf(v.network.ntp_servers) };
  m.install = {
    disk: n >= 37 ? printed(v.machine.installDisk) : '/dev/vda',
    image: n === 29 ? printed(`${goText(v.cluster.image)}:${goText(v.cluster.talos_version)}`) : printed(v.cluster.image),
    ...(n >= 24 && { wipe: true }),
  };
  if (n < 37 || v.storage === 'in-cluster') m.kernel = { modules: [{ name: 'drbd', parameters: ['usermode_helper=disabled'] }, { name: 'drbd_transport_tcp' }] };
  m.kubelet = { extraArgs: { 'rotate-server-certificates': true, 'cloud-provider': 'external' } };
  m.sysctls = { 'vm.max_map_count': n >= 37 ? 1048576 : 262144 };
  const reg = registriesOf(r, v);
  if (reg) m.registries = reg;
  return m;
}

/** The TalosControlPlane's patch: the shared machine section, the VIP, Talos API access, the cluster section. */
function controlPlanePatch(r: ModelRelease, v: Obj): Obj | string {
  const n = patchOf(r);
  const cluster: Obj = {};
  if (n < 37) cluster.apiServer = { certSANs: [printed(v.network.bastion_host_endpoint_ip), printed(v.network.bastion_host)] };
  else if (truth(v.network.certSANs)) cluster.apiServer = { certSANs: yamlOf(v.network.certSANs) };
  if (n >= 37 && truth(v.cluster.controlplaneScheduling)) cluster.allowSchedulingOnControlPlanes = true;
  if (n <= 31 || (n >= 37 && v.cni === 'cilium')) Object.assign(cluster, { network: { cni: { name: 'none' } }, proxy: { disabled: true } });
  if (!line09(r)) cluster.extraManifests = ['cilium', 'kubelet-serving-cert-approver', 'metrics-server', 'piraeus-operator', 'gateway-api', 'flux', 'flux-instance-observability'].map((m) => `http://192.168.4.1/${m}.yaml`);
  else if (n <= 31 && truth(v.controlplane.extra_manifests)) cluster.extraManifests = yamlOf(v.controlplane.extra_manifests);
  // 0.1.32 prints the manifests under a YAML comment: the patch Talos gets is no YAML at all.
  if (n === 32 && truth(v.controlplane.extra_manifests)) return 'UNREADABLE: 0.1.32 printed extraManifests inside comments';
  cluster.externalCloudProvider = { enabled: true, manifests: n >= 37 ? yamlOf(v.controlplane.cloudProviderManifests) : [CCM] };
  const machine = everyMachine(r, v);
  return {
    machine: {
      network: { interfaces: [{ deviceSelector: { physical: true }, ...(n === 27 && { dhcp: true }), vip: { ip: printed(v.controlplane.endpoint_ip) } }] },
      ...machine,
      features: { kubernetesTalosAPIAccess: { enabled: true, allowedRoles: ['os:reader'], allowedKubernetesNamespaces: ['kube-system'] } },
    },
    cluster,
  };
}

/** The chart's objects for a values file (parsed) under release `r`, as `helm template` prints them. */
export function renderChart(values: unknown, r: ModelRelease = { version: '0.1.6', repo: 'charts' }, release = 'cluster'): Obj[] {
  const n = patchOf(r);
  const v = mergeValues(chartValues(r), values ?? {});
  const c = nameOf(r, v.cluster.name);
  const cpTemplate = n >= 20 ? `${goText(v.cluster.name)}-${goText(v.controlplane.machine_template_suffix)}` : `${goText(v.cluster.name)}-controlplane`;
  const wTemplate = n >= 20 ? `${goText(v.cluster.name)}-${goText(v.worker.machine_template_suffix)}` : `${goText(v.cluster.name)}-worker`;
  const talosVersion = talosVersionOf(r, v);
  const workerPatch: Obj = { machine: everyMachine(r, v) };
  if (n >= 37 && v.cni === 'cilium') workerPatch.cluster = { network: { cni: { name: 'none' } }, proxy: { disabled: true } };
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
      metadata: { name: nameOf(r, `${goText(v.cluster.name)}-workers`), namespace: c },
      spec: {
        clusterName: c,
        replicas: printed(v.worker.machine_count),
        selector: { matchLabels: null },
        template: {
          spec: {
            bootstrap: { configRef: { apiVersion: 'bootstrap.cluster.x-k8s.io/v1alpha3', kind: 'TalosConfigTemplate', name: 'talosconfig-worker', namespace: c } },
            clusterName: c,
            infrastructureRef: { apiVersion: 'infrastructure.cluster.x-k8s.io/v1alpha1', kind: 'ProxmoxMachineTemplate', name: nameOf(r, wTemplate), namespace: c },
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
        dnsServers: n >= 26 ? yamlOf(v.network.dns_servers) : printed(v.network.dns_servers),
        ipv4Config: { addresses: printed(v.network.ip_ranges), gateway: printed(v.network.gateway), prefix: printed(v.network.ip_prefix) },
        credentialsRef: { name: 'capmox-manager-credentials', namespace: n >= 17 ? c : 'capmox-system' },
      },
    },
    machineTemplate(r, v, nameOf(r, cpTemplate) as string, v.controlplane),
    machineTemplate(r, v, nameOf(r, wTemplate) as string, v.worker),
    ...(n <= 4
      ? [
          {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: {
              name: 'capmox-manager-credentials',
              namespace: c,
              labels: { 'cluster.x-k8s.io/provider': 'infrastructure-proxmox', 'clusterctl.cluster.x-k8s.io': '', 'platform.ionos.com/secret-type': 'proxmox-credentials' },
            },
            stringData: { secret: printed(v.proxmox.secret), token: printed(v.proxmox.token), url: printed(v.proxmox.url) },
          },
        ]
      : []),
    {
      apiVersion: 'bootstrap.cluster.x-k8s.io/v1alpha3',
      kind: 'TalosConfigTemplate',
      metadata: { name: 'talosconfig-worker', namespace: c, labels: { 'cluster-name': c } },
      spec: { template: { spec: { generateType: 'worker', talosVersion, strategicPatches: [workerPatch] } } },
    },
    {
      apiVersion: 'controlplane.cluster.x-k8s.io/v1alpha3',
      kind: 'TalosControlPlane',
      metadata: { name: 'talos-controlplane', namespace: c },
      spec: {
        version: printed(v.cluster.kubernetes_version),
        replicas: printed(v.controlplane.machine_count),
        infrastructureTemplate: { kind: 'ProxmoxMachineTemplate', apiVersion: 'infrastructure.cluster.x-k8s.io/v1alpha1', name: nameOf(r, cpTemplate), namespace: c },
        controlPlaneConfig: { controlplane: { generateType: 'controlplane', talosVersion, strategicPatches: [controlPlanePatch(r, v)] } },
      },
    },
  ];
  // Patches are YAML strings in the chart (block scalars); every object carries the helper labels.
  for (const o of objs) {
    o.metadata.labels = { ...o.metadata.labels, ...helmLabels(r, release) };
    const cfg = o.kind === 'TalosConfigTemplate' ? o.spec.template.spec : o.kind === 'TalosControlPlane' ? o.spec.controlPlaneConfig.controlplane : undefined;
    if (cfg) cfg.strategicPatches = cfg.strategicPatches.map((p: Obj | string) => (typeof p === 'string' ? p : JSON.stringify(p)));
  }
  return objs;
}

/** The chart's values.yaml (0.1.6, motttt.github.io/charts), as data. */
export const CHART_0_1_6_VALUES = chartValues({ version: '0.1.6', repo: 'charts' });
