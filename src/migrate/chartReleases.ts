/**
 * Facts about every release of the cluster-chart Helm chart a live cluster can run, read from the chart's
 * packages and sources and written here as data in our own words: each release's values.yaml (the defaults
 * Helm fills in for every key a values file leaves out) and what its templates render from the values
 * (`renders`). Where read:
 *
 * - 0.1.0–0.1.6: the packages served at https://motttt.github.io/charts/ (MoTTTT/charts@91cbbcf and before).
 * - 0.1.6–0.1.33: the packages served at https://motttt.github.io/cluster09/ (MoTTTT/cluster09, branches main
 *   and gh-pages, commits ce666ab … fee9757; digests as in that repository's index.yaml). Two packages carry
 *   0.1.6 with different templates (one per repository): both are here. 0.1.19 and 0.1.22 were re-packaged
 *   under the same number: the later packages (the digests the index serves) are the ones here.
 * - 0.1.39: the chart's source tree, PodZonePlatformEngineering/cluster-chart@4dea5c0 (published from tags
 *   to ghcr.io/podzoneplatformengineering/cluster-chart).
 * - 0.1.20, 0.1.37, 0.1.38: no package or full source was found; they are rebuilt from the neighbouring
 *   release and the chart's CHANGES.md, which says what each changed (0.1.20: template-name suffixes only;
 *   0.1.38: values.schema.json and README only; 0.1.39: three defaults only). `rebuilt` says so.
 *
 * Not here, each with the reason `unsupportedRelease` gives: 0.1.0–0.1.3, 0.1.21, 0.1.28, 0.1.34–0.1.36.
 */
import { coalesce, type Values } from './helmPrint';

/** The Talos factory image (schematic) every release's default `cluster.image` uses. */
export const CHART_SCHEMATIC = 'factory.talos.dev/nocloud-installer/6adc7e7fba27948460e2231e5272e88b85159da3f3db980551976bf9898ff64b';
/** The cloud controller manager manifest the templates always apply (0.1.35+ from a value with this default). */
export const CHART_CCM_MANIFEST = 'https://raw.githubusercontent.com/siderolabs/talos-cloud-controller-manager/main/docs/deploy/cloud-controller-manager.yml';
/** Stands in for a registry credential the chart's defaults or templates carry: never copied, never printed. */
export const REDACTED = '(credential: not copied)';

/** What a release's templates do with the values (everything else is the same in every release). */
export interface Renders {
  /** ProxmoxMachineTemplate names: `<cluster>-controlplane` / `<cluster>-worker`, or `<cluster>-<*.machine_template_suffix>`. */
  templateNames: 'fixed' | 'suffix';
  /** Namespace of the Secret `capmox-manager-credentials` the ProxmoxCluster's credentialsRef names. */
  credentialsNamespace: 'capmox-system' | 'cluster';
  /** Also renders that Secret in the cluster's namespace, filled from proxmox.url/token/secret (not referenced). */
  credentialsSecret: boolean;
  /** talosVersion of both Talos configs: fixed v1.10, `cluster.talos_version` (or v1.11 when empty), or the value. */
  talosVersion: 'v1.10' | 'value-or-v1.11' | 'value';
  /** machine.install.image: `cluster.image`, or `<cluster.image>:<cluster.talos_version>`. */
  installImage: 'image' | 'image:talos_version';
  /** machine.install.disk: always /dev/vda, or `machine.installDisk`. */
  installDisk: 'fixed' | 'value';
  /** machine.install.wipe: true on both configs. */
  wipe: boolean;
  /** dhcp: true on the control plane's VIP interface. */
  vipDhcp: boolean;
  /** ProxmoxCluster dnsServers: printed with %v (a list of two becomes one string), or written as a list. */
  dnsServers: 'printed' | 'list';
  /** cluster.extraManifests of the control plane: seven fixed URLs, `controlplane.extra_manifests`, none; 'unreadable': 0.1.32 (below). */
  extraManifests: 'fixed' | 'value' | 'unreadable' | 'none';
  /** cluster.network.cni none + cluster.proxy.disabled: always (control plane), never, or when `cni: cilium` (both configs). */
  cniNone: 'always' | 'never' | 'flag';
  /** The drbd kernel modules: always, or when `storage: in-cluster`. */
  drbd: 'always' | 'flag';
  /** machine.sysctls vm.max_map_count. */
  maxMapCount: '262144' | '1048576';
  /** machine.registries: none, fixed in the templates, the whole `registries` value, or `registries.mirrors` when `registries.enabled`. */
  registries: 'none' | { fixed: Values } | 'value' | 'mirrors-if-enabled';
  /** machine.time.servers from `network.ntp_servers`. */
  ntp: boolean;
  /** cluster.apiServer.certSANs: the bastion's address and name, or `network.certSANs` (left out when empty). */
  certSANs: 'bastion' | 'list-if-any';
  /** externalCloudProvider manifests: the fixed CCM URL, or `controlplane.cloudProviderManifests`. */
  cloudProviderManifests: 'fixed' | 'value';
  /** cluster.allowSchedulingOnControlPlanes: true on the control plane when `cluster.controlplaneScheduling`. */
  controlPlaneScheduling: boolean;
}

export interface ChartRelease {
  /** The version `helm list` shows: CHART cluster-chart-<version>. */
  version: string;
  /** Where the facts were read (repository@commit:path). */
  source: string;
  /** The Helm repository that served it. */
  repository: string;
  /** Rebuilt from the changelog and a neighbouring release (no package or full source was found). */
  rebuilt?: string;
  /** values.yaml, as data. */
  values: Values;
  renders: Renders;
  /** Ships a values.schema.json (0.1.38+): Helm refuses values of the wrong type or outside an enum. */
  schema?: boolean;
}

const CHARTS_REPO = 'https://motttt.github.io/charts/';
const CLUSTER09_REPO = 'https://motttt.github.io/cluster09/';
const OCI_REPO = 'oci://ghcr.io/podzoneplatformengineering/cluster-chart';

/** The seven add-on manifests 0.1.4–0.1.6 (motttt.github.io/charts) hard-code in the control plane's patch. */
export const CHART_FIXED_EXTRA_MANIFESTS = ['cilium', 'kubelet-serving-cert-approver', 'metrics-server', 'piraeus-operator', 'gateway-api', 'flux', 'flux-instance-observability'].map(
  (m) => `http://192.168.4.1/${m}.yaml`,
);

/** The registry mirrors 0.1.9–0.1.11 hard-code in both Talos patches (a Harbor pull-through proxy at `host`). */
function harborMirrors(host: string): Values {
  const mirror = (registry: string, scheme: string) => [registry, { endpoints: [`${scheme}://${host}/v2/proxy-${registry}`], overridePath: true }];
  return {
    config: { [host]: { auth: { username: REDACTED, password: REDACTED } } },
    mirrors: Object.fromEntries([mirror('docker.io', 'https'), ...['ghcr.io', 'gcr.io', 'registry.k8s.io', 'quay.io', 'cr.fluentbit.io'].map((r) => mirror(r, 'http'))]),
  };
}

/** The `registries` default of 0.1.12–0.1.19: the same proxy at 192.168.4.100, `path` before each registry name. */
function harborDefault(host: string, path: string): Values {
  const mirrors = ['docker.io', 'ghcr.io', 'gcr.io', 'registry.k8s.io', 'quay.io', 'cr.fluentbit.io'].map((r) => [r, { endpoints: [`http://192.168.4.100/${path}${r}`], overridePath: true }]);
  return { config: { [host]: { auth: { username: REDACTED, password: REDACTED } } }, mirrors: Object.fromEntries(mirrors) };
}

/** The `registries` default of 0.1.22–0.1.33: a Nexus proxy, one repository per registry. */
const NEXUS = {
  mirrors: Object.fromEntries(
    [
      ['docker.io', 'dockerhub'],
      ['ghcr.io', 'ghcr'],
      ['gcr.io', 'gcr'],
      ['registry.k8s.io', 'k8s'],
      ['quay.io', 'quay'],
      ['cr.fluentbit.io', 'fluentbit'],
    ].map(([r, repo]) => [r, { endpoints: [`http://artefacts.podzone.cloud/repository/proxy-${repo}`], overridePath: true }]),
  ),
};

const localManifests = (host: string, names: string[]) => names.map((n) => `http://${host}/${n}.yaml`);

/** One release from the one before: values edited (null deletes a key), templates' behaviour edited. */
interface Step {
  version: string;
  source: string;
  repository?: string;
  rebuilt?: string;
  /** Values edited as Helm merges (maps key by key, lists replaced, null deletes). */
  values?: Values;
  /** Top-level values replaced whole (a new `registries` default is not merged with the old one). */
  replace?: Values;
  /** A new values.yaml altogether. */
  allValues?: Values;
  renders?: Partial<Renders>;
  schema?: boolean;
}

/** Values merge like Helm's (maps key by key; lists replaced; null deletes). */
const edit = (base: Values, change: Values): Values => coalesce(base, change) as Values;

const FIRST: ChartRelease = {
  version: '0.1.4',
  source: 'MoTTTT/charts@10b82e7:cluster-chart-0.1.4.tgz',
  repository: CHARTS_REPO,
  values: {
    cluster: { name: 'cluster09', kubernetes_version: 'v1.32.0', image: `${CHART_SCHEMATIC}:v1.11.1` },
    network: {
      ip_ranges: ['192.168.4.101-192.168.4.107'],
      ip_prefix: '24',
      gateway: '192.168.4.1',
      bastion_host: 'freyr',
      bastion_host_endpoint_ip: '192.168.1.80',
      dns_servers: ['192.168.1.201'],
    },
    controlplane: { endpoint_ip: '192.168.4.100', machine_count: 1, boot_volume_size: 40, num_cores: 4, num_sockets: 4, memory_mib: 16384 },
    worker: { machine_count: 1, boot_volume_size: 140, num_cores: 4, num_sockets: 4, memory_mib: 16384 },
    proxmox: {
      url: 'https://proxmox:8006',
      token: 'Token name',
      allowed_nodes: ['venus'],
      secret: 'Token value',
      template: { sourcenode: 'venus', template_vmid: '100' },
      vm: { boot_volume_device: 'virtio0', bridge: 'vmbr0' },
    },
  },
  renders: {
    templateNames: 'fixed',
    credentialsNamespace: 'capmox-system',
    credentialsSecret: true,
    talosVersion: 'v1.10',
    installImage: 'image',
    installDisk: 'fixed',
    wipe: false,
    vipDhcp: false,
    dnsServers: 'printed',
    extraManifests: 'fixed',
    cniNone: 'always',
    drbd: 'always',
    maxMapCount: '262144',
    registries: 'none',
    ntp: false,
    certSANs: 'bastion',
    cloudProviderManifests: 'fixed',
    controlPlaneScheduling: false,
  },
};

const C09 = (commit: string, v: string) => `MoTTTT/cluster09@${commit}:cluster-chart-${v}.tgz`;

/** Each release after 0.1.4, as what it changed. */
const STEPS: Step[] = [
  // Credentials left the values and the Secret left the templates; numbers unquoted in values.yaml.
  { version: '0.1.5', source: 'MoTTTT/charts@eb0b53f:cluster-chart-0.1.5.tgz', values: { network: { ip_prefix: 24 }, proxmox: { url: null, token: null, secret: null, template: { template_vmid: 100 } } }, renders: { credentialsSecret: false } },
  // The address range moved to .191-.197 and the endpoint to .190.
  { version: '0.1.6', source: 'MoTTTT/charts@91cbbcf:cluster-chart-0.1.6.tgz', values: { network: { ip_ranges: ['192.168.4.191-192.168.4.197'] }, controlplane: { endpoint_ip: '192.168.4.190' } } },
  // The other 0.1.6 (motttt.github.io/cluster09): extraManifests from a value.
  {
    version: '0.1.6',
    source: C09('ce666ab', '0.1.6'),
    repository: CLUSTER09_REPO,
    values: {
      controlplane: {
        extra_manifests: ['cilium', 'kubelet-serving-cert-approver', 'metrics-server', 'piraeus-operator', 'gateway-api', 'flux', 'flux-instance-cluster09'].map(
          (m) => `https://raw.githubusercontent.com/MoTTTT/cluster09/refs/heads/main/cluster-template/manifests/${m}.yaml`,
        ),
      },
    },
    renders: { extraManifests: 'value' },
  },
  {
    version: '0.1.7',
    source: C09('2c55e1a', '0.1.7'),
    values: {
      controlplane: {
        extra_manifests: ['cilium', 'kubelet-serving-cert-approver', 'metrics-server', 'piraeus-operator', 'gateway-api', 'flux', 'flux-instance-cluster09'].map(
          (m) => `https://raw.githubusercontent.com/MoTTTT/cluster09/refs/heads/main/cluster-manifests/${m}.yaml`,
        ),
      },
    },
  },
  { version: '0.1.8', source: C09('45c5262', '0.1.8'), values: { controlplane: { extra_manifests: localManifests('192.168.4.1', ['cilium', 'flux', 'flux-instance-cluster09']) } } },
  // Registry mirrors hard-coded in both Talos patches.
  { version: '0.1.9', source: C09('990d9ff', '0.1.9'), renders: { registries: { fixed: harborMirrors('harbor.podzone.cloud') } } },
  { version: '0.1.10', source: C09('c1e6af0', '0.1.10') },
  { version: '0.1.11', source: C09('77afbfc', '0.1.11'), renders: { registries: { fixed: harborMirrors('192.168.4.100') } } },
  // The mirrors became the `registries` value.
  {
    version: '0.1.12',
    source: C09('fdb8a35', '0.1.12'),
    values: { controlplane: { extra_manifests: localManifests('192.168.4.1', ['gateway-api', 'cilium', 'flux', 'flux-instance-cluster09']) }, registries: harborDefault('192.168.4.100', 'proxy-') },
    renders: { registries: 'value' },
  },
  { version: '0.1.13', source: C09('db597ec', '0.1.13'), values: { controlplane: { extra_manifests: ['gateway-api', 'cilium', 'flux', 'flux-instance-cluster09'].map((m) => `https://motttt.github.io/cluster09/cluster-manifests/${m}.yaml`) } } },
  {
    version: '0.1.14',
    source: C09('f3f7736', '0.1.14'),
    replace: { registries: harborDefault('192.168.4.100:80', 'proxy-') },
    values: { controlplane: { extra_manifests: ['cilium', 'flux', 'flux-instance-cluster09', 'gateway-api'].map((m) => `https://motttt.github.io/cluster09/cluster-manifests/${m}.yaml`) } },
  },
  { version: '0.1.15', source: C09('b90dc71', '0.1.15'), replace: { registries: harborDefault('192.168.4.100', 'proxy-') }, values: { controlplane: { extra_manifests: localManifests('192.168.4.100', ['cilium', 'flux', 'flux-instance-cluster09', 'gateway-api']) } } },
  { version: '0.1.16', source: C09('9947c3a', '0.1.16'), values: { controlplane: { extra_manifests: localManifests('192.168.4.1', ['cilium', 'flux', 'flux-instance-cluster09', 'gateway-api']) } } },
  // The ProxmoxCluster references a credentials Secret in the cluster's own namespace.
  { version: '0.1.17', source: C09('20cdb2f', '0.1.17'), renders: { credentialsNamespace: 'cluster' } },
  {
    version: '0.1.18',
    source: C09('c6a1fdf', '0.1.18'),
    replace: { registries: harborDefault('192.168.4.100', 'v2/proxy-') },
    values: { controlplane: { extra_manifests: localManifests('192.168.4.1', ['cilium', 'flux', 'flux-instance-cluster09', 'flux-secret', 'gateway-api']) } },
  },
  { version: '0.1.19', source: C09('9778db3', '0.1.19'), values: { cluster: { kubernetes_version: 'v1.34.2', image: `${CHART_SCHEMATIC}:v1.11.5` } } },
  {
    version: '0.1.20',
    source: 'CHANGES.md of 0.1.22 (MoTTTT/cluster09@26032b4) on 0.1.19',
    repository: '(not found in any Helm repository)',
    rebuilt: 'not published in any Helm repository found; CHANGES.md: "Parameterise ProxmoxMachineTemplate names" (suffix values, defaults controlplane and worker), nothing else',
    values: { controlplane: { machine_template_suffix: 'controlplane' }, worker: { machine_template_suffix: 'worker' } },
    renders: { templateNames: 'suffix' },
  },
  {
    version: '0.1.22',
    source: C09('434732c', '0.1.22'),
    repository: CLUSTER09_REPO,
    values: { cluster: { talos_version: 'v1.11', hostname: [], internalhost: [] } },
    replace: { registries: NEXUS },
    renders: { talosVersion: 'value-or-v1.11' },
  },
  // talosVersion fixed at v1.10 again (cluster.talos_version stays in values.yaml, unread).
  { version: '0.1.23', source: C09('adce5de', '0.1.23'), renders: { talosVersion: 'v1.10' } },
  { version: '0.1.24', source: C09('4a86a1c', '0.1.24'), renders: { wipe: true } },
  { version: '0.1.25', source: C09('02e335a', '0.1.25'), values: { network: { dns_servers: ['8.8.8.8', '8.8.4.4'] } } },
  { version: '0.1.26', source: C09('d05278e', '0.1.26'), renders: { dnsServers: 'list' } },
  { version: '0.1.27', source: C09('8e17fcf', '0.1.27'), renders: { vipDhcp: true } },
  {
    version: '0.1.29',
    source: C09('5be3337', '0.1.29'),
    values: { cluster: { talos_version: 'v1.11.5', image: CHART_SCHEMATIC } },
    renders: { vipDhcp: false, talosVersion: 'value', installImage: 'image:talos_version' },
  },
  { version: '0.1.30', source: C09('031a23e', '0.1.30'), values: { cluster: { talos_version: 'v1.11', image: `${CHART_SCHEMATIC}:v1.11.5` } }, renders: { installImage: 'image' } },
  { version: '0.1.31', source: C09('e18fe5f', '0.1.31'), values: { network: { ntp_servers: ['216.239.35.0', '216.239.35.4'] } }, renders: { ntp: true } },
  // CNI, kube-proxy and extraManifests commented out with the template actions still inside the comments.
  { version: '0.1.32', source: C09('af77cf3', '0.1.32'), values: { network: { ntp_servers: null } }, renders: { ntp: false, cniNone: 'never', extraManifests: 'unreadable' } },
  { version: '0.1.33', source: C09('fee9757', '0.1.33'), renders: { extraManifests: 'none' } },
  // 0.1.34-0.1.37 in one step (capability flags, certSANs, vanilla defaults); 0.1.37 and 0.1.38 are 0.1.39 with 0.1.38's defaults.
  {
    version: '0.1.37',
    source: 'PodZonePlatformEngineering/cluster-chart@4dea5c0 (0.1.39) with the defaults CHANGES.md gives 0.1.38',
    repository: OCI_REPO,
    rebuilt: 'CHANGES.md: 0.1.38 added only values.schema.json and the README, 0.1.39 changed only three defaults; the templates are 0.1.39\'s',
    allValues: {
      cluster: {
        name: 'YourNewCluster',
        kubernetes_version: 'v1.34.2',
        talos_version: 'v1.11',
        image: `${CHART_SCHEMATIC}:v1.11.5`,
        hostname: [],
        internalhost: [],
        controlplaneScheduling: true,
      },
      cni: '',
      storage: '',
      machine: { installDisk: '/dev/vda' },
      network: { ip_ranges: ['192.168.4.191-192.168.4.197'], ip_prefix: 24, gateway: '192.168.4.1', dns_servers: ['8.8.8.8', '8.8.4.4'], certSANs: [] },
      controlplane: {
        endpoint_ip: '192.168.4.190',
        machine_count: 1,
        machine_template_suffix: 'controlplane',
        boot_volume_size: 40,
        num_cores: 4,
        num_sockets: 4,
        memory_mib: 16384,
        cloudProviderManifests: [CHART_CCM_MANIFEST],
      },
      worker: { machine_count: 0, machine_template_suffix: 'worker', boot_volume_size: 40, num_cores: 4, num_sockets: 4, memory_mib: 16384 },
      proxmox: { allowed_nodes: ['venus'], template: { sourcenode: 'venus', template_vmid: 100 }, vm: { boot_volume_device: 'virtio0', bridge: 'vmbr0' } },
      registries: { enabled: false, mirrors: {} },
    },
    renders: {
      talosVersion: 'value',
      installDisk: 'value',
      extraManifests: 'none',
      cniNone: 'flag',
      drbd: 'flag',
      maxMapCount: '1048576',
      registries: 'mirrors-if-enabled',
      certSANs: 'list-if-any',
      cloudProviderManifests: 'value',
      controlPlaneScheduling: true,
    },
  },
  {
    version: '0.1.38',
    source: 'PodZonePlatformEngineering/cluster-chart@4dea5c0 (0.1.39) with the defaults CHANGES.md gives 0.1.38',
    repository: OCI_REPO,
    rebuilt: 'CHANGES.md: 0.1.39 changed only the defaults of kubernetes_version, talos_version and the image tag',
    schema: true,
  },
  { version: '0.1.39', source: 'PodZonePlatformEngineering/cluster-chart@4dea5c0', values: { cluster: { kubernetes_version: 'v1.34.6', talos_version: 'v1.12', image: `${CHART_SCHEMATIC}:v1.12.6` } } },
];

function build(): ChartRelease[] {
  const out = [FIRST];
  for (const s of STEPS) {
    // Each release follows the one listed before it (the cluster09 0.1.6 follows the charts 0.1.6).
    const prev = out[out.length - 1];
    let values = s.allValues ?? { ...prev.values, ...s.replace };
    if (s.values) values = edit(values, s.values);
    out.push({
      version: s.version,
      source: s.source,
      repository: s.repository ?? prev.repository,
      ...(s.rebuilt && { rebuilt: s.rebuilt }),
      values: structuredClone(values),
      renders: { ...prev.renders, ...s.renders },
      ...((s.schema ?? prev.schema) && { schema: true }),
    });
  }
  return out;
}

/** Every release the importer knows, oldest first. */
export const CHART_RELEASES: readonly ChartRelease[] = build();

/** The newest release the importer knows. */
export const NEWEST_RELEASE = CHART_RELEASES[CHART_RELEASES.length - 1];

/** Why a release the chart's history names is not imported, or undefined when it is (or was never a release). */
export function unsupportedRelease(version: string): string | undefined {
  const n = /^0\.1\.(\d+)$/.exec(version.replace(/^v/, ''))?.[1];
  const patch = n === undefined ? undefined : Number(n);
  if (patch === undefined) return undefined;
  if (patch <= 3) {
    return `chart ${version} prints numbers in quotes (templateID: "100", replicas: "1"), which the API server rejects for integer fields: no cluster ran on it. A cluster installed later with 0.1.4 or newer: give that version`;
  }
  if (patch === 21 || patch === 28) return `chart ${version} was never published (the chart's Helm repositories skip it) and its templates are unknown; give the version \`helm list\` shows`;
  if (patch >= 34 && patch <= 36) {
    return `the templates of chart ${version} could not be read in full (neither a package nor the source tree was found), so what it renders is not known here; upgrade the release to 0.1.39 first (with the values the cluster has; that rolls its machines once under the chart), then import`;
  }
  return undefined;
}
