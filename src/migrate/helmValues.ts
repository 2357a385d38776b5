/**
 * Migration from the cluster-chart Helm chart: a values file becomes a ClusterSpec that renders the
 * cluster the chart rendered — its values, the settings its templates hard-code, and (through
 * `spec.cluster.adoptedFrom`) the names of the objects that identify a live cluster — with the chart's
 * bugs corrected and each correction reported. Every value is written out: a key the file leaves out takes
 * the chart's own default (chart 0.1.6), never this generator's.
 */
import { API_VERSION, KIND } from '../clusterspec/schema';
import { installDisk } from '../talos/patches';
import { talosVersionOfImage } from '../clusterspec/versions';
import {
  CHART_CONTROL_PLANE_SETTINGS as CP,
  CHART_CREDENTIALS_REF,
  CHART_MACHINE_SETTINGS as MACHINE,
  CHART_POOL_NAME,
  CHART_PROXMOX_SETTINGS as PROXMOX,
  CHART_TALOS_CONFIG_VERSION,
  CHART_VALUES,
  CHART_VERSION,
} from './chart';

type Kind = 'string' | 'int' | 'list';

interface KeyMapping {
  /**
   * The key the chart's templates read. `aliases` are other documented spellings of the same value that
   * the templates never read (the chart's README table says cluster.version): accepted where they agree
   * with what the chart rendered, refused where the chart would have rendered something else.
   */
  key: string;
  aliases?: string[];
  /** ClusterSpec path (under spec, except metadata.name). */
  path: string;
  kind: Kind;
}

/** chart key → ClusterSpec path. The README prints the same table. */
export const HELM_KEY_MAP: KeyMapping[] = [
  { key: 'cluster.name', path: 'metadata.name', kind: 'string' },
  // values.yaml spells it kubernetes_version; the chart's README table says cluster.version.
  { key: 'cluster.kubernetes_version', aliases: ['cluster.version'], path: 'spec.cluster.kubernetesVersion', kind: 'string' },
  { key: 'cluster.image', path: 'spec.cluster.talosImage', kind: 'string' },
  { key: 'network.ip_ranges', path: 'spec.network.ipRanges', kind: 'list' },
  { key: 'network.ip_prefix', path: 'spec.network.prefix', kind: 'int' },
  { key: 'network.gateway', path: 'spec.network.gateway', kind: 'string' },
  { key: 'network.dns_servers', path: 'spec.network.dnsServers', kind: 'list' },
  { key: 'network.bastion_host', path: 'spec.network.bastion.host', kind: 'string' },
  { key: 'network.bastion_host_endpoint_ip', path: 'spec.network.bastion.endpointIP', kind: 'string' },
  { key: 'controlplane.endpoint_ip', path: 'spec.controlPlane.endpointIP', kind: 'string' },
  { key: 'controlplane.machine_count', path: 'spec.controlPlane.replicas', kind: 'int' },
  { key: 'controlplane.boot_volume_size', path: 'spec.controlPlane.bootVolumeSizeGB', kind: 'int' },
  { key: 'controlplane.num_cores', path: 'spec.controlPlane.cores', kind: 'int' },
  { key: 'controlplane.num_sockets', path: 'spec.controlPlane.sockets', kind: 'int' },
  { key: 'controlplane.memory_mib', path: 'spec.controlPlane.memoryMiB', kind: 'int' },
  { key: 'worker.machine_count', path: 'spec.workers[0].replicas', kind: 'int' },
  { key: 'worker.boot_volume_size', path: 'spec.workers[0].bootVolumeSizeGB', kind: 'int' },
  { key: 'worker.num_cores', path: 'spec.workers[0].cores', kind: 'int' },
  { key: 'worker.num_sockets', path: 'spec.workers[0].sockets', kind: 'int' },
  { key: 'worker.memory_mib', path: 'spec.workers[0].memoryMiB', kind: 'int' },
  { key: 'proxmox.allowed_nodes', path: 'spec.proxmox.allowedNodes', kind: 'list' },
  { key: 'proxmox.template.sourcenode', path: 'spec.proxmox.template.sourceNode', kind: 'string' },
  { key: 'proxmox.template.template_vmid', path: 'spec.proxmox.template.templateID', kind: 'int' },
  { key: 'proxmox.vm.boot_volume_device', path: 'spec.proxmox.vm.bootVolumeDevice', kind: 'string' },
  { key: 'proxmox.vm.bridge', path: 'spec.proxmox.vm.bridge', kind: 'string' },
];

/** Keys the chart knows that render nothing this spec could hold: said, never copied. */
const HELM_ONLY_KEYS: Record<string, string> = {
  nameOverride: 'only changes Helm labels; left out',
  fullnameOverride: 'only changes Helm labels; left out',
};
/** Proxmox credentials that chart releases before 0.1.6 took as values: never copied into a spec. */
const CREDENTIAL_KEYS = new Set(['proxmox.token', 'proxmox.secret', 'proxmox.url']);

/**
 * Where the emitted spec holds settings the chart's templates hard-code (not values), with the comment
 * the spec carries there. Paths are the ClusterSpec's.
 */
export const FROM_CHART_TEMPLATES: Record<string, string> = {
  'spec.cluster.adoptedFrom': "keep the chart's object names, so the live cluster is updated in place, never recreated",
  'spec.cluster.profile':
    "the chart's API versions (CAPI v1beta1, CAPMOX v1alpha1); switch to current once the management cluster runs CAPMOX >= v0.8 (that rolls every machine)",
  'spec.proxmox.vm.clone': "fixed in the chart's machine templates",
  'spec.proxmox.schedulerHints': "fixed in the chart's ProxmoxCluster (0 turns CAPMOX's memory check off)",
  'spec.proxmox.credentialsRef': "fixed in the chart's ProxmoxCluster",
  'spec.talos': "everything below is fixed in the chart's Talos patches (not values): CNI, kube-proxy, kernel, kubelet, add-ons",
};

export interface Imported {
  clusterSpec: Record<string, any>;
  /** Keys left out or values copied as they are: the user should look. */
  warnings: string[];
  /** Where the chart rendered something wrong and the spec does the right thing instead. */
  corrections: string[];
  /** Problems that make the values file unusable (exit 1). */
  errors: string[];
}

function leaves(v: unknown, prefix = ''): [string, unknown][] {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const entries = Object.entries(v);
    if (entries.length === 0 && prefix) return [[prefix, v]];
    return entries.flatMap(([k, x]) => leaves(x, prefix ? `${prefix}.${k}` : k));
  }
  return [[prefix, v]];
}

function chartDefault(key: string): unknown {
  return key.split('.').reduce<any>((at, k) => at?.[k], CHART_VALUES);
}

function coerce(value: unknown, kind: Kind, key: string, warnings: string[]): unknown {
  if (kind === 'int' && typeof value === 'string' && /^\d+$/.test(value.trim())) return Number(value);
  if (kind === 'list' && typeof value === 'string') return value.split(',').map((s) => s.trim()).filter(Boolean);
  if (kind === 'string' && typeof value === 'number') return String(value);
  if ((kind === 'int' && typeof value !== 'number') || (kind === 'list' && !Array.isArray(value)) || (kind === 'string' && typeof value !== 'string')) {
    warnings.push(`${key}: not a ${kind === 'int' ? 'number' : kind}; copied as it is (the spec check says what it expects)`);
  }
  return value;
}

function setPath(root: Record<string, any>, path: string, value: unknown) {
  const parts = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  let at: any = root;
  parts.slice(0, -1).forEach((p, i) => {
    if (at[p] === undefined) at[p] = /^\d+$/.test(parts[i + 1]) ? [] : {};
    at = at[p];
  });
  at[parts.at(-1)!] = value;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The chart prints a list value with Go's %v: two entries become the one string "a b" (templates/proxmoxcluster.yaml). */
function listCorrection(key: string, value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length < 2) return undefined;
  return `${key}: the chart renders a list of ${value.length} entries as the one string "${value.join(' ')}", which the provider rejects or misreads; the spec lists them separately`;
}

export function importHelmValues(values: unknown): Imported {
  const warnings: string[] = [];
  const corrections: string[] = [];
  const errors: string[] = [];
  const given = new Map(leaves(values ?? {}).filter(([k]) => k !== ''));
  const known = new Set(HELM_KEY_MAP.flatMap((m) => [m.key, ...(m.aliases ?? [])]));
  for (const key of given.keys()) {
    if (known.has(key)) continue;
    if (CREDENTIAL_KEYS.has(key)) warnings.push(`${key}: a Proxmox credential; not copied (credentials are referenced, never inlined): the spec references the Secret ${CHART_CREDENTIALS_REF.namespace}/${CHART_CREDENTIALS_REF.name}, as chart ${CHART_VERSION} does`);
    else if (HELM_ONLY_KEYS[key]) warnings.push(`${key}: ${HELM_ONLY_KEYS[key]}`);
    else warnings.push(`${key}: not a cluster-chart ${CHART_VERSION} value; left out`);
  }

  const doc: Record<string, any> = { apiVersion: API_VERSION, kind: KIND, metadata: {}, spec: {} };
  // Fixed first, so the written spec reads identity, then values, then the chart's fixed settings.
  setPath(doc, 'spec.cluster.adoptedFrom', 'cluster-chart');
  // The chart emits CAPI v1beta1 + CAPMOX v1alpha1: keep them until the management cluster runs CAPMOX ≥ v0.8.
  setPath(doc, 'spec.cluster.profile', 'legacy');
  for (const m of HELM_KEY_MAP) {
    const spellings = [m.key, ...(m.aliases ?? [])].filter((k) => given.has(k));
    const distinct = spellings.filter((k, i) => !spellings.slice(0, i).some((j) => same(given.get(j), given.get(k))));
    if (distinct.length > 1) {
      errors.push(`${spellings.join(' and ')} are the same chart value with different content; keep one`);
      continue;
    }
    if (spellings.length && !given.has(m.key) && !same(given.get(spellings[0]), chartDefault(m.key))) {
      errors.push(
        `${spellings[0]}: the chart's templates never read this key; they render ${m.key}, which is ${JSON.stringify(chartDefault(m.key))} by default, so that is what your cluster got. ` +
          `Set ${m.key} to the value your live cluster has (kubectl get taloscontrolplane -A shows the Kubernetes version) and remove ${spellings[0]}`,
      );
      continue;
    }
    const value = spellings.length ? coerce(given.get(spellings[0]), m.kind, spellings[0], warnings) : chartDefault(m.key);
    if (m.kind === 'list') {
      const fix = listCorrection(spellings[0] ?? m.key, value);
      if (fix) corrections.push(fix);
    }
    if (m.path.startsWith('spec.workers[0].')) setPath(doc, 'spec.workers[0].name', CHART_POOL_NAME);
    setPath(doc, m.path, value);
  }
  const s = doc.spec;
  s.proxmox.schedulerHints = { ...PROXMOX.schedulerHints };
  s.proxmox.vm.clone = { ...PROXMOX.clone };
  s.proxmox.credentialsRef = { ...CHART_CREDENTIALS_REF };
  s.talos = {
    cni: CP.cni,
    kubeProxy: CP.kubeProxy,
    kernelModules: MACHINE.kernelModules.map((k) => ({ ...k })),
    sysctls: { ...MACHINE.sysctls },
    kubeletExtraArgs: { ...MACHINE.kubeletExtraArgs },
    talosAPIAccess: { allowedRoles: [...CP.talosAPIAccess.allowedRoles], allowedKubernetesNamespaces: [...CP.talosAPIAccess.allowedKubernetesNamespaces] },
    extraManifests: [...CP.extraManifests],
    externalCloudProvider: { manifests: [...CP.externalCloudProviderManifests] },
  };

  const device = s.proxmox.vm.bootVolumeDevice;
  const disk = typeof device === 'string' && /^(virtio|scsi)\d+$/.test(device) ? installDisk(device) : undefined;
  if (disk && disk !== '/dev/vda') {
    corrections.push(`proxmox.vm.boot_volume_device ${device}: the chart always installs Talos to /dev/vda; the spec installs to ${disk}, the disk ${device} is`);
  }
  const imageMinor = typeof s.cluster.talosImage === 'string' ? talosVersionOfImage(s.cluster.talosImage) : undefined;
  if (imageMinor && imageMinor !== CHART_TALOS_CONFIG_VERSION) {
    corrections.push(`talosVersion: the chart generates Talos ${CHART_TALOS_CONFIG_VERSION} config whatever the image; the spec generates ${imageMinor} config, the image's version`);
  }
  return { clusterSpec: doc, warnings, corrections, errors };
}
