/**
 * Migration from the cluster-chart Helm chart, for one chart release: a values file becomes a ClusterSpec
 * that renders the cluster that release rendered — its values, the settings its templates render, and
 * (through `spec.cluster.adoptedFrom`) the names of the objects that identify a live cluster — with the
 * chart's bugs corrected and each correction reported. Every value is written out: a key the file leaves
 * out takes that release's own default, never this generator's. Which release: chooseRelease.ts.
 */
import { API_VERSION, KIND, DNS_LABEL } from '../clusterspec/schema';
import { installDisk } from '../talos/patches';
import { talosVersionOfImage } from '../clusterspec/versions';
import { CHART_CCM_MANIFEST, CHART_FIXED_EXTRA_MANIFESTS, type ChartRelease } from './chartReleases';
import { README_ALIASES } from './chartKeys';
import { coalesce, isMap, printed, type Values } from './helmPrint';

/** The worker pool name that gives our MachineDeployment the chart's name, `<cluster>-workers`. */
export const CHART_POOL_NAME = 'workers';
/** The Secret every release's ProxmoxCluster references (its namespace differs: Renders.credentialsNamespace). */
export const CHART_CREDENTIALS_SECRET = 'capmox-manager-credentials';
/** The talosVersion releases up to 0.1.27 (but 0.1.22) write whatever the image. */
const FIXED_TALOS_VERSION = 'v1.10';

/**
 * Where the emitted spec holds settings the chart's templates render (not plain values), with the comment
 * the spec carries there. Paths are the ClusterSpec's; every import has each of them.
 */
export const FROM_CHART_TEMPLATES: Record<string, string> = {
  'spec.cluster.adoptedFrom': "keep the chart's object names, so the live cluster is updated in place, never recreated",
  'spec.cluster.profile':
    "the chart's API versions (CAPI v1beta1, CAPMOX v1alpha1); switch to current once the management cluster runs CAPMOX >= v0.8 (that rolls every machine)",
  'spec.proxmox.vm.clone': "fixed in the chart's machine templates",
  'spec.proxmox.schedulerHints': "fixed in the chart's ProxmoxCluster (0 turns CAPMOX's memory check off)",
  'spec.proxmox.credentialsRef': "the Secret the chart's ProxmoxCluster references",
  'spec.talos': "everything below is what the chart's Talos patches render (fixed settings and values): CNI, kube-proxy, kernel, kubelet, add-ons",
};
/** Comments for settings an import has only for some releases or values. */
export const FROM_CHART_PATCHES: Record<string, string> = {
  'spec.talos.patches': "settings of the chart's Talos patches that have no field of their own",
  'spec.controlPlane.patches': "settings of the chart's control-plane patch that have no field of their own",
  'spec.workers.0.patches': "settings of the chart's worker patch that have no field of their own",
};

export interface Imported {
  clusterSpec: Record<string, any>;
  /** The release the spec reproduces (undefined when there are errors before one is chosen). */
  release?: ChartRelease;
  /** How the release was chosen, for the reader: "given", or the releases the keys fit. */
  chosen?: string;
  /** Keys left out or values copied as they are: the user should look. */
  warnings: string[];
  /** Where the chart rendered something wrong and the spec does the right thing instead. */
  corrections: string[];
  /** Facts worth a line: keys a release knows but renders nothing from. */
  notes: string[];
  /** Problems that make the values file unusable (exit 1). */
  errors: string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Go template truth (`{{ if }}`, `{{ with }}`): false, 0, nil and empty strings, lists and maps are false. */
const truthy = (v: unknown) => !(v === undefined || v === null || v === false || v === 0 || v === '' || (Array.isArray(v) && !v.length) || (isMap(v) && !Object.keys(v).length));

const get = (values: unknown, key: string) => key.split('.').reduce<unknown>((at, k) => (isMap(at) ? at[k] : undefined), values);

function setPath(root: Record<string, any>, path: string, value: unknown) {
  const parts = path.split('.');
  let at: any = root;
  parts.slice(0, -1).forEach((p, i) => {
    if (at[p] === undefined) at[p] = /^\d+$/.test(parts[i + 1]) ? [] : {};
    at = at[p];
  });
  at[parts.at(-1)!] = value;
}

/** A list value as the chart renders it, and the correction when the chart's %v printing broke it. */
function listValue(key: string, value: unknown, how: 'printed' | 'list', corrections: string[]): unknown {
  if (how === 'list') return value;
  if (Array.isArray(value) && value.length >= 2) {
    corrections.push(
      `${key}: the chart renders a list of ${value.length} entries as the one string "${value.join(' ')}", which the provider rejects or misreads; the spec lists them separately`,
    );
    return value;
  }
  const shown = printed(value);
  return shown === undefined || Array.isArray(shown) ? shown : [shown];
}

/** A scalar as `{{ .Values.key }}` renders it; strings that YAML reads as numbers become numbers. */
const scalar = (values: Values, key: string) => printed(get(values, key));
const text = (v: unknown) => (typeof v === 'number' ? String(v) : v);

/**
 * `registries` as the chart renders it into machine.registries: mirror endpoints become
 * talos.registryMirrors, everything else (overridePath, config) a Talos patch. Credentials (auth, a TLS
 * client key) are never copied.
 */
function registries(reg: unknown, from: string, spec: Record<string, any>, warnings: string[]) {
  if (!isMap(reg)) return;
  const mirrors: Record<string, unknown> = {};
  const rest: Values = {};
  for (const [host, m] of Object.entries(isMap(reg.mirrors) ? reg.mirrors : {})) {
    if (!isMap(m)) continue;
    const { endpoints, ...other } = m;
    if (Array.isArray(endpoints) && endpoints.length) mirrors[host] = endpoints.map(text);
    if (Object.keys(other).length) ((rest.mirrors ??= {}) as Values)[host] = other;
  }
  const config: Values = {};
  for (const [host, c] of Object.entries(isMap(reg.config) ? reg.config : {})) {
    if (!isMap(c)) continue;
    const { auth, tls, ...other } = c;
    const keep: Values = { ...other };
    if (auth !== undefined) warnings.push(`${from}.config.${host}.auth: a registry credential; not copied (the spec holds no secrets): new machines pull from ${host} without it`);
    if (isMap(tls)) {
      const { clientIdentity, ...tlsRest } = tls;
      if (clientIdentity !== undefined) warnings.push(`${from}.config.${host}.tls.clientIdentity: a client key; not copied (the spec holds no secrets)`);
      if (Object.keys(tlsRest).length) keep.tls = tlsRest;
    }
    if (Object.keys(keep).length) config[host] = keep;
  }
  if (Object.keys(config).length) rest.config = config;
  for (const [k, v] of Object.entries(reg)) if (k !== 'mirrors' && k !== 'config') rest[k] = v;
  if (Object.keys(mirrors).length) spec.talos.registryMirrors = mirrors;
  if (Object.keys(rest).length) (spec.talos.patches ??= []).push({ machine: { registries: rest } });
}

/** The ClusterSpec for `given` (the user's values) under one release, and what the reader should know. */
export function importForRelease(given: Values, release: ChartRelease): Omit<Imported, 'chosen'> {
  const warnings: string[] = [];
  const corrections: string[] = [];
  const notes: string[] = [];
  const errors: string[] = [];
  const r = release.renders;
  const v = coalesce(release.values, given) as Values;

  // The README spelling of the Kubernetes version: only where it agrees with what the chart rendered.
  for (const [alias, key] of Object.entries(README_ALIASES)) {
    const a = get(given, alias);
    if (a === undefined) continue;
    const k = get(given, key);
    if (k !== undefined && !same(a, k)) errors.push(`${key} and ${alias} are the same chart value with different content; keep one`);
    else if (k === undefined && !same(a, get(v, key))) {
      errors.push(
        `${alias}: the chart's templates never read this key; they render ${key}, which is ${JSON.stringify(get(v, key))} by default, so that is what your cluster got. ` +
          `Set ${key} to the value your live cluster has (kubectl get taloscontrolplane -A shows the Kubernetes version) and remove ${alias}`,
      );
    }
  }

  const name = text(scalar(v, 'cluster.name'));
  if (typeof name !== 'string' || !DNS_LABEL.test(name) || name.length > 63) {
    errors.push(`cluster.name ${JSON.stringify(name)}: the chart names the namespace after it, and a namespace name must be lower-case letters, digits and '-'; no live cluster has this name: give your cluster's`);
  }
  const spec: Record<string, any> = {
    cluster: { adoptedFrom: 'cluster-chart', profile: 'legacy' },
    network: {},
    controlPlane: {},
    workers: [{ name: CHART_POOL_NAME }],
    proxmox: {},
    talos: {},
  };
  const doc = { apiVersion: API_VERSION, kind: KIND, metadata: { name }, spec };
  const c = spec.cluster;
  c.kubernetesVersion = text(scalar(v, 'cluster.kubernetes_version'));

  // The Talos image and config version.
  const image = text(scalar(v, 'cluster.image'));
  const talosValue = text(scalar(v, 'cluster.talos_version'));
  c.talosImage = r.installImage === 'image:talos_version' ? `${image}:${talosValue}` : image;
  if (r.talosVersion === 'v1.10') {
    const imageMinor = typeof c.talosImage === 'string' ? talosVersionOfImage(c.talosImage) : undefined;
    if (imageMinor && imageMinor !== FIXED_TALOS_VERSION) {
      corrections.push(`talosVersion: the chart generates Talos ${FIXED_TALOS_VERSION} config whatever the image; the spec generates ${imageMinor} config, the image's version`);
    }
    if (get(given, 'cluster.talos_version') !== undefined) notes.push(`cluster.talos_version: chart ${release.version} does not read it (its talosVersion is fixed at ${FIXED_TALOS_VERSION})`);
  } else {
    const tv = r.talosVersion === 'value-or-v1.11' && !truthy(talosValue) ? 'v1.11' : talosValue;
    const m = typeof tv === 'string' ? /^v?(\d+)\.(\d+)(\.\d+)?$/.exec(tv) : null;
    if (!m) errors.push(`cluster.talos_version ${JSON.stringify(tv)}: CABPT reads a Talos version such as v1.11 from it and cannot read this one, so no machine got a config from it; give the version your cluster runs`);
    else {
      c.talosVersion = `v${m[1]}.${m[2]}`;
      if (m[3]) corrections.push(`cluster.talos_version ${tv}: CABPT reads only the major.minor of talosVersion (Talos' ParseContractFromVersion); the spec writes ${c.talosVersion}`);
    }
  }

  // Network and addresses.
  const n = spec.network;
  n.ipRanges = listValue('network.ip_ranges', get(v, 'network.ip_ranges'), 'printed', corrections);
  n.prefix = scalar(v, 'network.ip_prefix');
  n.gateway = text(scalar(v, 'network.gateway'));
  n.dnsServers = listValue('network.dns_servers', get(v, 'network.dns_servers'), r.dnsServers, corrections);
  const cpPatches: Values[] = [];
  if (r.certSANs === 'bastion') {
    const host = text(scalar(v, 'network.bastion_host'));
    const endpointIP = text(scalar(v, 'network.bastion_host_endpoint_ip'));
    n.bastion = { ...(host !== undefined && host !== '' && { host }), ...(endpointIP !== undefined && endpointIP !== '' && { endpointIP }) };
    for (const [key, val] of [['network.bastion_host', host], ['network.bastion_host_endpoint_ip', endpointIP]]) {
      if (val === undefined || val === '') corrections.push(`${key} is empty: the chart writes an empty entry into the API server's certSANs; the spec leaves it out`);
    }
  } else {
    n.bastion = {};
    const sans = get(v, 'network.certSANs');
    if (sans !== undefined && !Array.isArray(sans)) errors.push(`network.certSANs: the chart takes a list here, not ${JSON.stringify(sans)}`);
    else if (truthy(sans)) cpPatches.push({ cluster: { apiServer: { certSANs: (sans as unknown[]).map(text) } } });
  }

  // Machines.
  const cp = spec.controlPlane;
  cp.endpointIP = text(scalar(v, 'controlplane.endpoint_ip'));
  cp.replicas = scalar(v, 'controlplane.machine_count');
  cp.bootVolumeSizeGB = scalar(v, 'controlplane.boot_volume_size');
  cp.cores = scalar(v, 'controlplane.num_cores');
  cp.sockets = scalar(v, 'controlplane.num_sockets');
  cp.memoryMiB = scalar(v, 'controlplane.memory_mib');
  const w = spec.workers[0];
  w.replicas = scalar(v, 'worker.machine_count');
  w.bootVolumeSizeGB = scalar(v, 'worker.boot_volume_size');
  w.cores = scalar(v, 'worker.num_cores');
  w.sockets = scalar(v, 'worker.num_sockets');
  w.memoryMiB = scalar(v, 'worker.memory_mib');

  // Proxmox.
  const p = spec.proxmox;
  p.allowedNodes = listValue('proxmox.allowed_nodes', get(v, 'proxmox.allowed_nodes'), 'printed', corrections);
  p.template = { sourceNode: text(scalar(v, 'proxmox.template.sourcenode')), templateID: scalar(v, 'proxmox.template.template_vmid') };
  p.vm = { bootVolumeDevice: text(scalar(v, 'proxmox.vm.boot_volume_device')), bridge: text(scalar(v, 'proxmox.vm.bridge')), clone: { full: true, format: 'qcow2' } };
  p.schedulerHints = { memoryAdjustment: 0 };
  p.credentialsRef = { name: CHART_CREDENTIALS_SECRET, namespace: r.credentialsNamespace === 'cluster' ? name : 'capmox-system' };
  for (const key of ['proxmox.url', 'proxmox.token', 'proxmox.secret']) {
    if (get(given, key) === undefined) continue;
    warnings.push(
      `${key}: a Proxmox credential; not copied (credentials are referenced, never inlined): the spec references the Secret ${p.credentialsRef.namespace}/${CHART_CREDENTIALS_SECRET}, as chart ${release.version}'s ProxmoxCluster does`,
    );
  }
  if (r.credentialsSecret) {
    notes.push(
      `chart ${release.version} also renders a Secret ${CHART_CREDENTIALS_SECRET} in the cluster's namespace from proxmox.url/token/secret, which its ProxmoxCluster does not use: the render has no such Secret, so diff lists it as deleted (a pruning apply removes it; nothing reads it)`,
    );
  }

  // Releases with a values.schema.json: Helm refused values of another type or outside an enum, so no
  // live cluster has them (0.1.38's schema: cni "" or cilium, storage "" or in-cluster, booleans).
  if (release.schema) {
    const oneOf = (key: string, allowed: unknown[]) => {
      const x = get(v, key);
      if (x !== undefined && !allowed.some((a) => same(a, x))) errors.push(`${key} ${JSON.stringify(x)}: chart ${release.version}'s values.schema.json allows only ${allowed.map((a) => JSON.stringify(a)).join(' or ')}, so Helm refused it; give the value your cluster has`);
    };
    oneOf('cni', ['', 'cilium']);
    oneOf('storage', ['', 'in-cluster']);
    oneOf('cluster.controlplaneScheduling', [true, false]);
    oneOf('registries.enabled', [true, false]);
  }

  // The Talos configs.
  const t = spec.talos;
  const cilium = r.cniNone === 'always' || (r.cniNone === 'flag' && get(v, 'cni') === 'cilium');
  if (r.cniNone === 'flag' && typeof get(v, 'cni') !== 'string') errors.push(`cni ${JSON.stringify(get(v, 'cni'))}: the chart compares it with "cilium" and Helm fails on anything but a string`);
  t.cni = cilium ? 'none' : 'flannel';
  t.kubeProxy = !cilium;
  if (r.drbd === 'always' || get(v, 'storage') === 'in-cluster') t.kernelModules = [{ name: 'drbd', parameters: ['usermode_helper=disabled'] }, { name: 'drbd_transport_tcp' }];
  t.sysctls = { 'vm.max_map_count': r.maxMapCount };
  t.kubeletExtraArgs = { 'rotate-server-certificates': 'true', 'cloud-provider': 'external' };
  t.talosAPIAccess = { allowedRoles: ['os:reader'], allowedKubernetesNamespaces: ['kube-system'] };
  const extra = get(v, 'controlplane.extra_manifests');
  if (r.extraManifests === 'fixed') t.extraManifests = [...CHART_FIXED_EXTRA_MANIFESTS];
  else if (r.extraManifests === 'value' && truthy(extra)) {
    if (!Array.isArray(extra)) errors.push(`controlplane.extra_manifests: the chart takes a list of URLs here, not ${JSON.stringify(extra)}`);
    else t.extraManifests = extra.map(text);
  } else if (r.extraManifests === 'unreadable' && truthy(extra)) {
    errors.push(
      `controlplane.extra_manifests: chart 0.1.32 prints it inside YAML comments, which leaves the control plane's Talos patch unreadable (its changelog says so under 0.1.33): CACPPT could make no control plane from it, ` +
        'so the machines running are those of the release before; import with the version `helm history RELEASE` shows before 0.1.32, or upgrade to 0.1.33 first',
    );
  } else if (r.extraManifests === 'none' && get(given, 'controlplane.extra_manifests') !== undefined) {
    notes.push(`controlplane.extra_manifests: chart ${release.version} renders nothing from it (0.1.33 took extraManifests out of the templates)`);
  }
  const ccm = r.cloudProviderManifests === 'fixed' ? [CHART_CCM_MANIFEST] : get(v, 'controlplane.cloudProviderManifests');
  if (ccm !== undefined && !Array.isArray(ccm)) errors.push(`controlplane.cloudProviderManifests: the chart takes a list of URLs here, not ${JSON.stringify(ccm)}`);
  t.externalCloudProvider = Array.isArray(ccm) && ccm.length ? { manifests: ccm.map(text) } : {};
  corrections.push('externalCloudProvider: the chart enables it on the control planes only, so its worker kubelets run without --cloud-provider=external (Talos takes it from each machine\'s own config) and their Nodes are never initialised; the spec enables it on the workers too');
  if (r.ntp) {
    const ntp = get(v, 'network.ntp_servers');
    if (truthy(ntp)) t.ntpServers = Array.isArray(ntp) ? ntp.map(text) : ntp;
  }
  if (r.registries === 'value') registries(get(v, 'registries'), 'registries', spec, warnings);
  else if (r.registries === 'mirrors-if-enabled') {
    if (truthy(get(v, 'registries.enabled'))) registries({ mirrors: get(v, 'registries.mirrors') }, 'registries', spec, warnings);
    else if (truthy(get(given, 'registries.mirrors'))) notes.push('registries.mirrors: not rendered (registries.enabled is false)');
  } else if (r.registries !== 'none') registries(r.registries.fixed, `chart ${release.version}'s templates: registries`, spec, warnings);
  if (r.wipe) (t.patches ??= []).push({ machine: { install: { wipe: true } } });
  if (r.controlPlaneScheduling && truthy(get(v, 'cluster.controlplaneScheduling'))) cpPatches.push({ cluster: { allowSchedulingOnControlPlanes: true } });
  if (cpPatches.length) cp.patches = cpPatches;
  // The flag renders CNI and kube-proxy into the workers' config too; inert there, kept so the configs match.
  if (r.cniNone === 'flag' && cilium) w.patches = [{ cluster: { network: { cni: { name: 'none' } }, proxy: { disabled: true } } }];

  // The install disk: /dev/vda up to 0.1.33, machine.installDisk later; the spec installs to the boot volume's disk.
  const device = p.vm.bootVolumeDevice;
  const disk = typeof device === 'string' && /^(virtio|scsi)\d+$/.test(device) ? installDisk(device) : undefined;
  const chartDisk = r.installDisk === 'fixed' ? '/dev/vda' : text(scalar(v, 'machine.installDisk'));
  if (disk && disk !== chartDisk) {
    corrections.push(
      r.installDisk === 'fixed'
        ? `proxmox.vm.boot_volume_device ${device}: the chart always installs Talos to /dev/vda; the spec installs to ${disk}, the disk ${device} is`
        : `machine.installDisk ${chartDisk}: the boot volume ${device} is ${disk} in the VM; the spec installs there`,
    );
  }
  if (r.vipDhcp) {
    corrections.push('dhcp: chart 0.1.27 turns DHCP on for the control plane\'s VIP link (0.1.29 took it out again); the spec keeps the static address CAPMOX assigns (dhcp: false)');
  }
  for (const key of ['cluster.hostname', 'cluster.internalhost']) {
    if (truthy(get(given, key))) notes.push(`${key}: chart ${release.version} renders nothing from it (no template reads it)`);
  }
  return { clusterSpec: doc, release, warnings, corrections, notes, errors };
}
