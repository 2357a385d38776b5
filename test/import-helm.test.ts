/**
 * Migration from the cluster-chart, for every release the importer supports: import-helm-values + render
 * must reproduce every setting that release's templates render (test/support/chartModel.ts, our model of
 * them, checked against `helm template` of the real packages), keep the names of the objects that identify
 * a live cluster, and differ only where this file says why.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import fc from 'fast-check';
import { FROM_CHART_TEMPLATES } from '../src/migrate/helmValues';
import { importHelmValues } from '../src/migrate/chooseRelease';
import { generate } from '../src/generate';
import { mergePatches } from '../src/talos/merge';
import { installDisk } from '../src/talos/patches';
import { toYAML } from '../src/yaml/write';
import { diffCommand } from '../src/cli/diff';
import { importHelmValuesCommand } from '../src/cli/importHelm';
import { renderChart, chartValues, MODEL_RELEASES, NEWEST, releaseName, CHART_0_1_6_VALUES, type ModelRelease } from './support/chartModel';
import { BIN, run } from './support/exec';
import { gate } from '../src/plan/gate';
import { planOf } from './support/plan';

type Obj = Record<string, any>;
const testdata = (f: string) => parse(readFileSync(join(__dirname, '..', 'testdata', 'helm', f), 'utf8'));
const patchNo = (r: ModelRelease) => Number(r.version.split('.')[2]);
const importOf = (v: unknown, r: ModelRelease) => importHelmValues(v, { chartVersion: r.version });

function imported(v: unknown, r: ModelRelease): Obj[] {
  const { clusterSpec, errors } = importOf(v, r);
  expect(errors).toEqual([]);
  const g = generate(clusterSpec);
  expect(g.results.filter((x) => x.severity === 'error')).toEqual([]);
  return JSON.parse(JSON.stringify(g.objects));
}

/**
 * The Talos ≥ 1.12 form of the VIP, read back as the chart's form: a LinkAliasConfig that picks the physical
 * link (CEL `link.type == 1 && link.kind == ""`, Talos' LinkStatusSpec.Physical()) and a Layer2VIPConfig on
 * that alias carry the same VIP as the chart's deprecated `machine.network.interfaces[{deviceSelector:
 * {physical: true}, vip}]`, which Talos 1.12 still accepts. Anything else is left for the comparison to show.
 */
function vipAsInterface(cfg: Obj): Obj {
  const alias = Object.entries(cfg).find(([k]) => k.startsWith('LinkAliasConfig/'));
  const vip = Object.entries(cfg).find(([k]) => k.startsWith('Layer2VIPConfig/'));
  if (!alias || !vip || alias[1].selector?.match !== '(link.type == 1 && link.kind == "")' || vip[1].link !== alias[1].name) return cfg;
  const { [alias[0]]: _a, [vip[0]]: _v, ...rest } = cfg;
  return { ...rest, machine: { ...rest.machine, network: { interfaces: [{ deviceSelector: { physical: true }, vip: { ip: vip[1].name } }] } } };
}

/** Talos reads the leaves of these configs as strings (sysctls, kubelet flags); certSANs are a set. */
function talosConfig(cfg: Obj): Obj {
  const { strategicPatches, ...rest } = cfg;
  if (strategicPatches.some((p: string) => p.startsWith('UNREADABLE'))) return { ...rest, config: 'UNREADABLE' };
  const norm = (x: any, key = ''): any =>
    Array.isArray(x)
      ? (key === 'certSANs' ? [...x].sort() : x).map((e) => norm(e))
      : x && typeof x === 'object'
        ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, norm(v, k)]))
        : String(x);
  return { ...rest, config: norm(vipAsInterface(mergePatches(strategicPatches))) };
}

/** Every path where `ours` lacks or changes what `chart` has ("changed"/"missing"), and what ours adds ("added"). */
function compare(chart: any, ours: any, path: string, out: string[]) {
  const isObj = (x: any) => x && typeof x === 'object' && !Array.isArray(x);
  if (isObj(chart) && isObj(ours)) {
    for (const k of Object.keys(chart)) {
      if (chart[k] === null) continue; // the chart's `matchLabels: null`: unset, CAPI defaults it
      if (!(k in ours)) out.push(`missing ${path}.${k}`);
      else compare(chart[k], ours[k], `${path}.${k}`, out);
    }
    for (const k of Object.keys(ours)) if (!(k in chart) || chart[k] === null) out.push(`added ${path}.${k}`);
  } else if (Array.isArray(chart) && Array.isArray(ours) && chart.length === ours.length && chart.some(isObj)) {
    chart.forEach((c, i) => compare(c, ours[i], `${path}[${i}]`, out));
  } else if (JSON.stringify(chart) !== JSON.stringify(ours)) {
    out.push(`changed ${path}: ${JSON.stringify(chart)} → ${JSON.stringify(ours)}`);
  }
}

/**
 * The chart's objects matched to ours: identity objects by kind and name (they must exist), templates
 * through the reference that uses them. Talos configs are compared as merged configs. Names are written
 * with <c> for the cluster, so one list of expectations fits every cluster name.
 */
function differences(chart: Obj[], ours: Obj[]): string[] {
  const out: string[] = [];
  const find = (kind: string, name: string) => ours.find((o) => o.kind === kind && o.metadata.name === name);
  const cTcp = chart.find((o) => o.kind === 'TalosControlPlane')!;
  const cMd = chart.find((o) => o.kind === 'MachineDeployment')!;
  const cluster = chart.find((o) => o.kind === 'Cluster')!.metadata.name;
  for (const c of chart) {
    let o: Obj | undefined;
    if (c.kind === 'ProxmoxMachineTemplate') {
      const oTcp = find('TalosControlPlane', cTcp.metadata.name)!;
      const oMd = find('MachineDeployment', cMd.metadata.name)!;
      const ref = c.metadata.name === cTcp.spec.infrastructureTemplate.name ? oTcp.spec.infrastructureTemplate : oMd.spec.template.spec.infrastructureRef;
      o = find(c.kind, ref.name);
    } else if (c.kind === 'TalosConfigTemplate') {
      o = find(c.kind, find('MachineDeployment', cMd.metadata.name)!.spec.template.spec.bootstrap.configRef.name);
    } else {
      o = find(c.kind, c.metadata.name);
    }
    const name = String(c.metadata.name);
    const at = `${c.kind}/${name === cluster || name.startsWith(`${cluster}-`) ? `<c>${name.slice(String(cluster).length)}` : name}`;
    if (!o) {
      out.push(`missing ${at}`);
      continue;
    }
    if (o.apiVersion !== c.apiVersion) out.push(`changed ${at} apiVersion ${c.apiVersion} → ${o.apiVersion}`);
    if (o.metadata.namespace !== (c.metadata.namespace ?? undefined)) out.push(`changed ${at} namespace`);
    const spec = (x: Obj) => {
      const s = structuredClone(x.spec ?? {});
      // Template names are new on adoption (immutable templates); what they hold is compared above.
      if (x.kind === 'TalosControlPlane') {
        delete s.infrastructureTemplate.name;
        s.controlPlaneConfig.controlplane = talosConfig(s.controlPlaneConfig.controlplane);
      }
      if (x.kind === 'MachineDeployment') {
        delete s.template.spec.infrastructureRef.name;
        delete s.template.spec.bootstrap.configRef.name;
      }
      if (x.kind === 'TalosConfigTemplate') s.template.spec = talosConfig(s.template.spec);
      return s;
    };
    compare(spec(c), spec(o), at, out);
  }
  return out;
}

const TCP = 'TalosControlPlane/talos-controlplane.controlPlaneConfig.controlplane';
const TCT = 'TalosConfigTemplate/talosconfig-worker.template.spec';

/**
 * What the render adds to the chart's objects in every release, each harmless: a provider default written
 * out, or a setting the chart left to chance.
 */
const ALWAYS = [
  // Talos' own default pod and service subnets, written out (CABPT reads them from the Cluster).
  'added Cluster/<c>.clusterNetwork',
  // CACPPT's default rollout strategy (RollingUpdate, maxSurge 1), written out.
  'added TalosControlPlane/talos-controlplane.rolloutStrategy',
  // Nodes are named after their Machine (the chart relied on the nocloud hostname, which CAPMOX sets to the same name).
  `added ${TCP}.hostname`,
  `added ${TCT}.hostname`,
  // The selector and template labels CAPI's defaulting webhook sets on the chart's MachineDeployment.
  'added MachineDeployment/<c>-workers.selector.matchLabels',
  'added MachineDeployment/<c>-workers.template.metadata',
  // CAPI's default rolling update (maxSurge 1, maxUnavailable 0), written out.
  'added MachineDeployment/<c>-workers.strategy',
  // The chart names the namespace of the MachineDeployment's template references; CAPI's defaulting webhook
  // sets the MachineDeployment's own namespace when it is left out, so the stored objects are the same.
  'missing MachineDeployment/<c>-workers.template.spec.bootstrap.configRef.namespace',
  'missing MachineDeployment/<c>-workers.template.spec.infrastructureRef.namespace',
];

const minor = (image: string) => /:v(\d+)\.(\d+)\.\d+/.exec(image)?.slice(1, 3).join('.');

/**
 * Every difference the import may make for release `r` and values `v`, each for its reason: the additions
 * above, and the documented corrections and omissions that apply to these values. Worked out from the
 * model's side (the chart's effective values and what its templates render), not from the importer.
 */
function expectedDifferences(r: ModelRelease, v: Obj): string[] {
  const n = patchNo(r);
  // The values the chart saw: Helm merges maps key by key (a user's mirrors join the default's, whose
  // credentials stay), anything else replaces the default.
  const deep = (base: any, over: any): any =>
    over && typeof over === 'object' && !Array.isArray(over) && base && typeof base === 'object' && !Array.isArray(base)
      ? Object.fromEntries([...new Set([...Object.keys(base), ...Object.keys(over)])].map((k) => [k, deep(base[k], over[k])]))
      : over === undefined ? base : over;
  const all = deep(chartValues(r), v);
  const merged = (key: string): any => key.split('.').reduce<any>((a, k) => a?.[k], all);
  const out = [...ALWAYS];
  // The chart's talosVersion and the image's, which the spec's config follows.
  const image = n === 29 ? `${merged('cluster.image')}:${merged('cluster.talos_version')}` : String(merged('cluster.image'));
  const chartTalos = n === 22 ? merged('cluster.talos_version') || 'v1.11' : n >= 29 ? String(merged('cluster.talos_version')) : 'v1.10';
  const ourTalos = n === 22 || n >= 29 ? `v${/^v(\d+\.\d+)/.exec(chartTalos)![1]}` : `v${minor(image)}`;
  if (chartTalos !== ourTalos) out.push(`changed ${TCP}.talosVersion: ${JSON.stringify(chartTalos)} → ${JSON.stringify(ourTalos)}`, `changed ${TCT}.talosVersion: ${JSON.stringify(chartTalos)} → ${JSON.stringify(ourTalos)}`);
  // The VIP link: dhcp written out (false, Talos' default for a configured interface) where the spec uses
  // machine.network (Talos < 1.12); 0.1.27 turned it on, the spec keeps it off.
  const multiDoc = Number(ourTalos.split('.')[1]) >= 12;
  if (!multiDoc) out.push(n === 27 ? `changed ${TCP}.config.machine.network.interfaces[0].dhcp: "true" → "false"` : `added ${TCP}.config.machine.network.interfaces[0].dhcp`);
  // The bastion's name and address also in the Talos API certificate, not only the Kubernetes API's.
  if (n < 37 && (merged('network.bastion_host') || merged('network.bastion_host_endpoint_ip'))) out.push(`added ${TCP}.config.machine.certSANs`);
  // Lists the chart prints with %v: two entries become one string; the spec lists them.
  const printedList = (key: string, path: string) => {
    const l = merged(key);
    if (Array.isArray(l) && l.length > 1) out.push(`changed ProxmoxCluster/proxmox-cluster.${path}: ${JSON.stringify([l.join(' ')])} → ${JSON.stringify(l)}`);
  };
  printedList('proxmox.allowed_nodes', 'allowedNodes');
  printedList('network.ip_ranges', 'ipv4Config.addresses');
  if (n < 26) printedList('network.dns_servers', 'dnsServers');
  // The install disk: the boot volume's disk, where the chart wrote /dev/vda (or machine.installDisk).
  const chartDisk = n >= 37 ? String(merged('machine.installDisk')) : '/dev/vda';
  const disk = installDisk(String(merged('proxmox.vm.boot_volume_device')));
  if (disk !== chartDisk) out.push(`changed ${TCP}.config.machine.install.disk: "${chartDisk}" → "${disk}"`, `changed ${TCT}.config.machine.install.disk: "${chartDisk}" → "${disk}"`);
  // Registry credentials the chart wrote into the Talos configs are never copied.
  const registries = n >= 9 && n <= 11 ? { config: { [n === 11 ? '192.168.4.100' : 'harbor.podzone.cloud']: { auth: {} } } } : n >= 12 && n <= 33 ? merged('registries') : undefined;
  // What is left of the config without them goes; the comparison names the highest key that went.
  const hosts = Object.entries<any>(registries?.config ?? {});
  const gone = hosts.filter(([, c]) => c?.auth).map(([host, c]) => (Object.keys(c).length > 1 ? `config.${host}.auth` : `config.${host}`));
  const paths = gone.length && gone.length === hosts.length && gone.every((g) => !g.endsWith('.auth')) ? ['config'] : gone;
  for (const p of paths) out.push(`missing ${TCP}.config.machine.registries.${p}`, `missing ${TCT}.config.machine.registries.${p}`);
  // 0.1.4 renders a Secret from the credential values, which nothing reads and the spec does not render.
  if (n <= 4) out.push('missing Secret/capmox-manager-credentials');
  // The external cloud provider on the workers too: Talos gives each kubelet --cloud-provider=external from its
  // own machine's config, and the chart set it on the control planes only (their worker Nodes never initialised).
  const objs = renderChart(v, r);
  const configOf = (kind: string) => {
    const o = objs.find((x) => x.kind === kind);
    return kind === 'TalosControlPlane' ? o?.spec?.controlPlaneConfig?.controlplane : o?.spec?.template?.spec;
  };
  const talosConfig = (c: Obj | undefined) => Object.assign({}, ...(c?.strategicPatches ?? []).map((p: string) => parse(p) ?? {}), c?.config ? parse(c.config) : {});
  if (talosConfig(configOf('TalosControlPlane')).cluster?.externalCloudProvider?.enabled) {
    out.push(talosConfig(configOf('TalosConfigTemplate')).cluster ? `added ${TCT}.config.cluster.externalCloudProvider` : `added ${TCT}.config.cluster`);
  }
  return out.sort();
}

/** A values file that sets every key of release `r` to something else than its default, as a chart user would. */
function customised(r: ModelRelease): Obj {
  const d = chartValues(r);
  const n = patchNo(r);
  const v: Obj = {
    cluster: { name: 'prod', kubernetes_version: 'v1.33.4' },
    network: { ip_ranges: ['10.10.0.50-10.10.0.80'], ip_prefix: 24, gateway: '10.10.0.1', dns_servers: ['10.10.0.2', '10.10.0.3'] },
    controlplane: { endpoint_ip: '10.10.0.40', machine_count: 3, boot_volume_size: 50, num_cores: 2, num_sockets: 1, memory_mib: '8192' },
    worker: { machine_count: 5, boot_volume_size: 60, num_cores: 8, num_sockets: 2, memory_mib: 12288 },
    proxmox: { allowed_nodes: ['pve1', 'pve2'], template: { sourcenode: 'pve1', template_vmid: 9000 }, vm: { boot_volume_device: 'scsi0', bridge: 'vmbr1' } },
  };
  if ('image' in d.cluster) v.cluster.image = n === 29 ? 'factory.talos.dev/nocloud-installer/abc123' : 'factory.talos.dev/nocloud-installer/abc123:v1.11.2';
  if ('bastion_host' in d.network) Object.assign(v.network, { bastion_host: 'jump', bastion_host_endpoint_ip: '10.10.0.5' });
  if ('certSANs' in d.network) v.network.certSANs = ['10.10.0.5', 'jump.example'];
  if ('ntp_servers' in d.network) v.network.ntp_servers = ['10.10.0.9'];
  if ('machine_template_suffix' in d.controlplane) Object.assign(v.controlplane, { machine_template_suffix: 'cp-abc123' }), Object.assign(v.worker, { machine_template_suffix: 'w-abc123' });
  if ('extra_manifests' in d.controlplane && n !== 32) v.controlplane.extra_manifests = ['https://example.org/cni.yaml'];
  if ('cloudProviderManifests' in d.controlplane) v.controlplane.cloudProviderManifests = ['https://example.org/ccm.yaml'];
  if ('talos_version' in d.cluster) v.cluster.talos_version = n === 29 ? 'v1.11.2' : 'v1.11';
  if ('controlplaneScheduling' in d.cluster) Object.assign(v, { cni: 'cilium', storage: 'in-cluster', machine: { installDisk: '/dev/sda' } }), (v.cluster.controlplaneScheduling = false);
  if (d.registries && 'enabled' in d.registries) v.registries = { enabled: true, mirrors: { 'docker.io': { endpoints: ['http://mirror.example/docker'], overridePath: true } } };
  else if (d.registries) v.registries = { mirrors: { 'docker.io': { endpoints: ['http://mirror.example/docker'] } } };
  if (n >= 37) v.controlplane.memory_mib = 8192; // 0.1.38's schema takes numbers only
  return v;
}

/** The chart's defaults, as `helm get values --all` prints them (the name set where the default is no valid name). */
const complete = (r: ModelRelease) => ({ ...chartValues(r), cluster: { ...chartValues(r).cluster, ...(patchNo(r) >= 37 && { name: 'lab' }) } });

describe.each(MODEL_RELEASES.map((r) => [releaseName(r), r] as const))('chart %s', (_name, r) => {
  // 0.1.32 only renders a readable patch without add-on manifests (its own test below).
  const only = (v: Obj) => (patchNo(r) === 32 ? { ...v, controlplane: { ...v.controlplane, extra_manifests: [] } } : v);
  test("its defaults, filled in by the importer (a file that gives only what has no valid default): the chart's render, names included, apart from the listed differences", () => {
    // (The cluster09 0.1.6 is told from the charts one by its extra_manifests key: that key is given.)
    const v = only(patchNo(r) >= 37 ? { cluster: { name: 'lab' } } : r.repo === 'cluster09' ? { controlplane: { extra_manifests: chartValues(r).controlplane.extra_manifests } } : {});
    expect(differences(renderChart(v, r), imported(v, r)).sort()).toEqual(expectedDifferences(r, v));
  });
  test('its defaults, every one given (helm get values --all): the same', () => {
    const v = only(complete(r));
    expect(differences(renderChart(v, r), imported(v, r)).sort()).toEqual(expectedDifferences(r, v));
  });
  test('a values file that changes every key: every value and fixed setting reproduced; only the listed differences', () => {
    const v = only(customised(r));
    expect(differences(renderChart(v, r), imported(v, r)).sort()).toEqual(expectedDifferences(r, v));
  });
});

test('the defaults of the newest release, from a values file that gives only the cluster name', () => {
  const v = { cluster: { name: 'lab' } };
  expect(differences(renderChart(v, NEWEST), imported(v, NEWEST)).sort()).toEqual(expectedDifferences(NEWEST, v));
});

test("each release's defaults, setting by setting, in the imported spec (catches a wrong default in either copy)", () => {
  for (const r of MODEL_RELEASES) {
    const d = chartValues(r);
    const spec = importOf(patchNo(r) >= 37 ? { cluster: { name: 'lab' } } : {}, r).clusterSpec.spec;
    const at = releaseName(r);
    expect({ at, k8s: spec.cluster.kubernetesVersion }).toEqual({ at, k8s: d.cluster.kubernetes_version });
    expect({ at, ranges: spec.network.ipRanges, endpoint: spec.controlPlane.endpointIP }).toEqual({ at, ranges: d.network.ip_ranges, endpoint: d.controlplane.endpoint_ip });
    expect({ at, dns: spec.network.dnsServers, prefix: spec.network.prefix }).toEqual({ at, dns: d.network.dns_servers, prefix: Number(d.network.ip_prefix) });
    expect({ at, workers: spec.workers[0].replicas, disk: spec.workers[0].bootVolumeSizeGB }).toEqual({ at, workers: d.worker.machine_count, disk: d.worker.boot_volume_size });
    expect({ at, template: spec.proxmox.template.templateID }).toEqual({ at, template: Number(d.proxmox.template.template_vmid) });
    // The credentials Secret's namespace: capmox-system up to 0.1.16, the cluster's own from 0.1.17.
    expect({ at, ns: spec.proxmox.credentialsRef.namespace }).toEqual({ at, ns: patchNo(r) >= 17 ? (patchNo(r) >= 37 ? 'lab' : 'cluster09') : 'capmox-system' });
  }
});

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261125;
const label = (max: number) => fc.stringMatching(new RegExp(`^[a-z]([-a-z0-9]{0,${max - 2}}[a-z0-9])?$`));
const PROPERTY_RELEASES = MODEL_RELEASES.filter((r) => patchNo(r) !== 32);
/** A release and values a chart user of it could have: every group sometimes left to that release's defaults. */
const releaseAndValues = fc
  .record({
    release: fc.constantFrom(...PROPERTY_RELEASES),
    name: label(40),
    net: fc.integer({ min: 1, max: 250 }),
    k8s: fc.constantFrom('v1.31.9', 'v1.32.0', 'v1.33.4'),
    tag: fc.constantFrom('v1.10.7', 'v1.11.1', 'v1.11.5'),
    dns: fc.integer({ min: 1, max: 2 }),
    bastion: fc.record({ host: label(20), ip: fc.integer({ min: 2, max: 254 }) }),
    cp: fc.record({ machine_count: fc.constantFrom(1, 3, 5), boot_volume_size: fc.integer({ min: 10, max: 500 }), num_cores: fc.integer({ min: 1, max: 16 }), num_sockets: fc.integer({ min: 1, max: 4 }), memory_mib: fc.integer({ min: 128, max: 8192 }).map((n) => n * 8) }),
    worker: fc.record({ machine_count: fc.integer({ min: 0, max: 10 }), boot_volume_size: fc.integer({ min: 10, max: 500 }), num_cores: fc.integer({ min: 1, max: 16 }), num_sockets: fc.integer({ min: 1, max: 4 }), memory_mib: fc.integer({ min: 128, max: 8192 }).map((n) => n * 8) }),
    nodes: fc.uniqueArray(label(10), { minLength: 1, maxLength: 3 }),
    template: fc.record({ sourcenode: label(10), template_vmid: fc.integer({ min: 100, max: 99999 }) }),
    vm: fc.record({ boot_volume_device: fc.constantFrom('virtio0', 'virtio1', 'scsi0', 'scsi2'), bridge: label(8) }),
    flags: fc.record({ cilium: fc.boolean(), storage: fc.boolean(), scheduling: fc.boolean(), mirror: fc.boolean() }),
    leaveOut: fc.subarray(['image', 'k8s', 'worker', 'proxmox', 'bastion', 'cp-size']),
  })
  .map((x) => {
    const r = x.release;
    const n = patchNo(r);
    const d = chartValues(r);
    const v: Obj = {
      cluster: { name: x.name, kubernetes_version: x.k8s, image: n === 29 ? 'factory.talos.dev/nocloud-installer/abc123' : `factory.talos.dev/nocloud-installer/abc123:${x.tag}` },
      network: { ip_ranges: [`192.168.${x.net}.50-192.168.${x.net}.70`], ip_prefix: 24, gateway: `192.168.${x.net}.1`, dns_servers: Array.from({ length: x.dns }, (_, i) => `192.168.${x.net}.${2 + i}`) },
      controlplane: { endpoint_ip: `192.168.${x.net}.40`, ...x.cp },
      worker: x.worker,
      proxmox: { allowed_nodes: x.nodes, template: x.template, vm: x.vm },
    };
    if ('talos_version' in d.cluster) v.cluster.talos_version = n === 29 ? x.tag : x.tag.replace(/\.\d+$/, '');
    if ('bastion_host' in d.network) Object.assign(v.network, { bastion_host: x.bastion.host, bastion_host_endpoint_ip: `172.16.1.${x.bastion.ip}` });
    if ('certSANs' in d.network) v.network.certSANs = x.leaveOut.includes('bastion') ? [] : [x.bastion.host, `172.16.1.${x.bastion.ip}`];
    if (n >= 37) Object.assign(v, { cni: x.flags.cilium ? 'cilium' : '', storage: x.flags.storage ? 'in-cluster' : '' }), (v.cluster.controlplaneScheduling = x.flags.scheduling);
    if (d.registries && x.flags.mirror) v.registries = 'enabled' in d.registries ? { enabled: true, mirrors: { 'docker.io': { endpoints: ['http://m.example/d'], overridePath: true } } } : { mirrors: { 'docker.io': { endpoints: ['http://m.example/d'] } } };
    if (x.leaveOut.includes('image')) delete v.cluster.image, delete v.cluster.talos_version;
    // Left to the release's default, the Kubernetes version must be one the image's Talos runs (v1.34 needs Talos 1.11).
    if (x.leaveOut.includes('k8s')) delete v.cluster.kubernetes_version;
    if (x.leaveOut.includes('k8s') && String(d.cluster.kubernetes_version).startsWith('v1.34') && x.tag === 'v1.10.7') {
      if (v.cluster.image) v.cluster.image = v.cluster.image.replace('v1.10.7', 'v1.11.5');
      if (v.cluster.talos_version) v.cluster.talos_version = n === 29 ? 'v1.11.5' : 'v1.11';
    }
    if (x.leaveOut.includes('worker')) delete v.worker;
    if (x.leaveOut.includes('proxmox')) delete v.proxmox;
    if (x.leaveOut.includes('bastion')) delete v.network.bastion_host, delete v.network.bastion_host_endpoint_ip;
    if (x.leaveOut.includes('cp-size')) v.controlplane = { endpoint_ip: v.controlplane.endpoint_ip, machine_count: x.cp.machine_count };
    // The cluster09 0.1.6 is told from the charts 0.1.6 by its extra_manifests key (tested above): give it.
    if (r.repo === 'cluster09') v.controlplane.extra_manifests = d.controlplane.extra_manifests;
    return { r, v };
  });

test('any release, any values file: import + render differs from that release\'s render only by the differences listed for it', () => {
  fc.assert(
    fc.property(releaseAndValues, ({ r, v }) => {
      expect({ release: releaseName(r), d: differences(renderChart(v, r), imported(v, r)).sort() }).toEqual({ release: releaseName(r), d: expectedDifferences(r, v) });
    }),
    { seed, numRuns: 200 },
  );
});

describe('which release: --chart-version, or the keys of a complete values file', () => {
  const detect = (v: unknown) => importHelmValues(v);
  test('complete values (helm get values --all) of a release whose keys only it and releases that render alike have: imported without the flag', () => {
    const cases: [ModelRelease, string][] = [
      [{ version: '0.1.4' }, '0.1.4'], // the credential keys
      [{ version: '0.1.6', repo: 'charts' }, '0.1.6'], // 0.1.5 has the same keys and renders alike
      [{ version: '0.1.20' }, '0.1.20'], // suffixes without talos_version
      [{ version: '0.1.31' }, '0.1.31'], // network.ntp_servers
      [NEWEST, '0.1.39'], // 0.1.37 and 0.1.38 render alike
    ];
    for (const [r, version] of cases) {
      const got = detect(complete(r));
      expect({ release: releaseName(r), errors: got.errors, version: got.release?.version }).toEqual({ release: releaseName(r), errors: [], version });
      expect(got.clusterSpec).toEqual(importOf(complete(r), r).clusterSpec);
    }
    expect(detect(complete({ version: '0.1.6', repo: 'charts' })).chosen).toBe('told by the keys of the values file (0.1.5, 0.1.6 render them the same)');
  });

  test('keys that fit releases which render them differently: an error that asks for --chart-version, nothing imported', () => {
    const cases: [ModelRelease, string][] = [
      [{ version: '0.1.9' }, '0.1.6–0.1.11'], // the cluster09 packages before the registries value
      [{ version: '0.1.19' }, '0.1.12–0.1.19'],
      [{ version: '0.1.30' }, '0.1.22–0.1.27, 0.1.29, 0.1.30, 0.1.32, 0.1.33'],
    ];
    for (const [r, fits] of cases) {
      const got = detect(complete(r));
      expect(got.errors).toEqual([
        `the keys of this values file fit cluster-chart ${fits}, which render it differently; say which one the cluster runs: --chart-version VERSION (the CHART column of \`helm list -A\`, without "cluster-chart-")`,
      ]);
      expect(got.clusterSpec).toEqual({});
    }
    // A partial file fits nearly every release: the flag is needed.
    expect(detect({ cluster: { name: 'lab' } }).errors[0]).toMatch(/fit cluster-chart 0\.1\.4–0\.1\.20, 0\.1\.22–0\.1\.27, 0\.1\.29–0\.1\.33, 0\.1\.37–0\.1\.39, which render it differently/);
  });

  test('releases that are not imported say why; an unknown version lists the known ones', () => {
    const version = (x: string) => importHelmValues({}, { chartVersion: x }).errors;
    expect(version('0.1.2')[0]).toMatch(/^chart 0\.1\.2 prints numbers in quotes .* which the API server rejects for integer fields: no cluster ran on it/);
    expect(version('0.1.28')[0]).toMatch(/^chart 0\.1\.28 was never published/);
    expect(version('0.1.35')[0]).toMatch(/^the templates of chart 0\.1\.35 could not be read in full .* upgrade the release to 0\.1\.39 first/);
    expect(version('2.0.0')[0]).toBe(
      'no cluster-chart release 2.0.0 is known (known: 0.1.4–0.1.20, 0.1.22–0.1.27, 0.1.29–0.1.33, 0.1.37–0.1.39); give the version the CHART column of `helm list` shows, without "cluster-chart-"',
    );
    // What helm list prints works too.
    expect(importHelmValues({ cluster: { name: 'lab' } }, { chartVersion: 'cluster-chart-0.1.39' }).release?.version).toBe('0.1.39');
  });

  test('0.1.6 was published twice: the keys tell the packages apart; partial values follow motttt.github.io/charts, said so', () => {
    expect(importOf(complete({ version: '0.1.6', repo: 'cluster09' }), { version: '0.1.6' }).clusterSpec.spec.talos.extraManifests[0]).toMatch(/^https:\/\/raw\.githubusercontent\.com\/MoTTTT\/cluster09\//);
    const partial = importOf({ cluster: { name: 'lab' } }, { version: '0.1.6' });
    expect(partial.clusterSpec.spec.talos.extraManifests[0]).toBe('http://192.168.4.1/cilium.yaml');
    expect(partial.warnings.join('\n')).toMatch(/chart 0\.1\.6 was published twice .*the spec follows the https:\/\/motttt\.github\.io\/charts\/ package/);
  });
});

describe('keys no release knows, and files that are not chart values (issues 23 and 25)', () => {
  test('a misspelt key is an error naming it, with the key it likely meant; nothing is imported', () => {
    const got = importHelmValues({ cluster: { name: 'lab' }, worker: { machine_cont: 3 } }, { chartVersion: '0.1.19' });
    expect(got.errors).toEqual([
      'keys that chart 0.1.19 does not have: Helm ignored them, so they did not shape your cluster, and a misspelt key means the cluster runs the default. Fix or remove:',
      'worker.machine_cont: no cluster-chart release has this key; did you mean worker.machine_count?',
    ]);
    expect(got.clusterSpec).toEqual({});
  });

  test("a key of another release is named as such", () => {
    expect(importHelmValues({ network: { ntp_servers: ['10.0.0.9'] } }, { chartVersion: '0.1.30' }).errors[1]).toBe('network.ntp_servers: not a value of chart 0.1.30 (chart 0.1.31 has it)');
  });

  test('a literal dotted key is not the nested value Helm reads: an error that says to nest it', () => {
    const got = importHelmValues({ 'cluster.kubernetes_version': 'v1.33.4', cluster: { name: 'lab' } }, { chartVersion: '0.1.6' });
    expect(got.errors[1]).toBe('"cluster.kubernetes_version" is one key with dots in its name: Helm reads nested keys only, so the chart never saw it; nest it (cluster:   kubernetes_version: …) if your cluster has that value');
    // Inside a map the chart copies whole, dots are part of the names (registry hosts): fine.
    const mirrors = importHelmValues({ cluster: { name: 'lab' }, registries: { enabled: true, mirrors: { 'registry.k8s.io': { endpoints: ['http://m.example/k8s'] } } } }, { chartVersion: '0.1.39' });
    expect(mirrors.errors).toEqual([]);
    expect(mirrors.clusterSpec.spec.talos.registryMirrors).toEqual({ 'registry.k8s.io': ['http://m.example/k8s'] });
  });

  test('an empty section (worker: {}) is the defaults, not an unknown key', () => {
    const got = importHelmValues({ cluster: { name: 'lab' }, worker: {}, proxmox: { vm: {} } }, { chartVersion: '0.1.6' });
    expect(got.errors).toEqual([]);
    expect(got.clusterSpec.spec.workers[0].replicas).toBe(CHART_0_1_6_VALUES.worker.machine_count);
    // An empty map where the release has no section is still unknown.
    expect(importHelmValues({ ingress: {} }, { chartVersion: '0.1.6' }).errors[1]).toBe('ingress: no cluster-chart release has this key');
  });

  test('50,000 unknown keys: an error of bounded size, in bounded time', () => {
    const junk: Obj = { cluster: { name: 'lab' } };
    for (let i = 0; i < 50_000; i++) junk[`junk_key_${i}`] = i;
    const start = Date.now();
    const r = run(BIN, ['import-helm-values', '--chart-version', '0.1.6', '-'], { input: stringify(junk) });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(22); // the heading, 20 keys, the count of the rest
    expect(lines.at(-1)).toBe('[error] … and 49980 more keys chart 0.1.6 does not have');
    expect(r.stderr.length).toBeLessThan(4000);
    console.log(`import-helm-values of 50,000 unknown keys: ${Date.now() - start} ms (bench figure, not asserted)`);
  });

  test('a ClusterSpec given by mistake: exit 1, one line saying what it is and what to do, nothing on stdout', () => {
    const spec = readFileSync(join(__dirname, '..', 'functionconfig.yaml'), 'utf8');
    const r = run(BIN, ['import-helm-values', '-'], { input: spec });
    expect(r).toEqual({ status: 1, stdout: '', stderr: '[error] this is a ClusterSpec, not cluster-chart values: it needs no import; render it (capi-proxmox-talos render FILE)\n' });
    const hr = run(BIN, ['import-helm-values', '-'], { input: 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: lab}\nspec: {}\n' });
    expect(hr.stderr).toMatch(/^\[error\] this is a Flux HelmRelease, not the values it installs: give the release's computed values \(helm get values RELEASE -n NAMESPACE --all -o yaml\)\n$/);
    expect(hr.status).toBe(1);
  });

  test('the title line of `helm get values` without -o yaml is accepted; null (which deletes a default) is an error', () => {
    const titled = importHelmValues({ 'COMPUTED VALUES': null, ...complete(NEWEST) });
    expect(titled.errors).toEqual([]);
    expect(importHelmValues({ cluster: { name: 'lab', image: null } }, { chartVersion: '0.1.39' }).errors).toEqual([
      "cluster.image: null deletes the chart's default, and the templates then print no value; give the value your cluster has",
    ]);
  });

  test('--help says every value is written out, and how the release is chosen', () => {
    const help = run(BIN, ['import-helm-values', '--help']).stdout;
    expect(help).toMatch(/^Usage: capi-proxmox-talos import-helm-values \[--chart-version VERSION\] VALUES\n/);
    expect(help).toContain('Every value is written out');
    expect(help).not.toMatch(/left out \(an empty spec|equal to the chart's defaults are left out/);
    expect(help).toContain('helm get values RELEASE -n NAMESPACE --all -o yaml');
    // What the help promises, the binary does: every key the spec has is written, defaults included.
    const spec = parse(run(BIN, ['import-helm-values', '--chart-version', '0.1.39', '-'], { input: 'cluster: {name: lab}\n' }).stdout).spec;
    expect(spec.controlPlane).toEqual({ endpointIP: '192.168.4.190', replicas: 1, bootVolumeSizeGB: 40, cores: 4, sockets: 4, memoryMiB: 16384, patches: [{ cluster: { allowSchedulingOnControlPlanes: true } }] });
  });

  test('the option is checked: unknown options and a missing value are usage errors', () => {
    expect(run(BIN, ['import-helm-values', '--chart', '0.1.6', 'x.yaml'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/^\[error\] import-helm-values: unknown option --chart\n/) });
    expect(run(BIN, ['import-helm-values', 'x.yaml', '--chart-version'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/--chart-version needs a value/) });
    expect(run(BIN, ['import-helm-values', '--chart-version=0.1.39', '-'], { input: 'cluster: {name: lab}\n' }).status).toBe(0);
  });
});

describe("issue 25's new user: values in the current README's format", () => {
  /** The chart README's quick-start values (0.1.38/0.1.39 format) with the newer keys a user sets. */
  const readmeValues = {
    cluster: { name: 'my-cluster', image: 'factory.talos.dev/nocloud-installer/abc123:v1.12.6', talos_version: 'v1.12', controlplaneScheduling: false },
    cni: 'cilium',
    storage: '',
    machine: { installDisk: '/dev/vda' },
    network: { ip_ranges: ['10.20.0.50-10.20.0.60'], ip_prefix: 24, gateway: '10.20.0.1', certSANs: ['vpn.example'] },
    controlplane: { endpoint_ip: '10.20.0.40' },
    worker: { machine_count: 2 },
    proxmox: { allowed_nodes: ['pve1'], template: { sourcenode: 'pve1', template_vmid: 9000 } },
    registries: { enabled: true, mirrors: { 'docker.io': { endpoints: ['http://proxy.example/docker'], overridePath: true } } },
  };

  test('without --chart-version: no key is left out or mistaken for 0.1.6; the keys fit only 0.1.37-0.1.39, whose defaults differ: an error asking for the flag', () => {
    const got = importHelmValues(readmeValues);
    expect(got.errors).toEqual([
      'the keys of this values file fit cluster-chart 0.1.37–0.1.39, which render it differently; say which one the cluster runs: --chart-version VERSION (the CHART column of `helm list -A`, without "cluster-chart-")',
    ]);
  });

  test("with --chart-version 0.1.39: every setting the file gives, and none of 0.1.6's (bastion, CNI none everywhere, 192.168.4.1 manifests, drbd)", () => {
    const got = importHelmValues(readmeValues, { chartVersion: '0.1.39' });
    expect(got.errors).toEqual([]);
    expect(got.warnings).toEqual([]);
    const spec = got.clusterSpec.spec;
    expect(spec.network.bastion).toEqual({});
    expect(spec.controlPlane.patches).toEqual([{ cluster: { apiServer: { certSANs: ['vpn.example'] } } }]); // no allowSchedulingOnControlPlanes: it is false
    expect(spec.talos).toMatchObject({ cni: 'none', kubeProxy: false, registryMirrors: { 'docker.io': ['http://proxy.example/docker'] } });
    expect(spec.talos.extraManifests).toBeUndefined();
    expect(spec.talos.kernelModules).toBeUndefined();
    expect(spec.cluster).toMatchObject({ talosVersion: 'v1.12', kubernetesVersion: 'v1.34.6' });
    expect(JSON.stringify(got.clusterSpec)).not.toMatch(/freyr|192\.168\.1\.80|192\.168\.4\.1\//);
    // And the render is that release's render (the parity checks above, for these values).
    expect(differences(renderChart(readmeValues, NEWEST), imported(readmeValues, NEWEST)).sort()).toEqual(expectedDifferences(NEWEST, readmeValues));
  });

  test("the chart's default name, which is no valid namespace name, and values 0.1.38's schema refuses: errors", () => {
    expect(importHelmValues({}, { chartVersion: '0.1.39' }).errors).toEqual([
      'cluster.name "YourNewCluster": the chart names the namespace after it, and a namespace name must be lower-case letters, digits and \'-\'; no live cluster has this name: give your cluster\'s',
    ]);
    expect(importHelmValues({ cluster: { name: 'lab' }, cni: 'calico' }, { chartVersion: '0.1.39' }).errors).toEqual([
      'cni "calico": chart 0.1.39\'s values.schema.json allows only "" or "cilium", so Helm refused it; give the value your cluster has',
    ]);
    // 0.1.37 had no schema: it rendered the default CNI for any other word, and so does the import.
    expect(importHelmValues({ cluster: { name: 'lab' }, cni: 'calico' }, { chartVersion: '0.1.37' }).clusterSpec.spec.talos.cni).toBe('flannel');
  });
});

describe('what only some releases render', () => {
  test('0.1.32 with add-on manifests renders an unreadable control-plane patch: an error that says which release to import instead', () => {
    const got = importOf({ cluster: { name: 'lab' } }, { version: '0.1.32' });
    expect(got.errors).toHaveLength(1);
    expect(got.errors[0]).toMatch(/^controlplane\.extra_manifests: chart 0\.1\.32 prints it inside YAML comments, which leaves the control plane's Talos patch unreadable/);
    expect(renderChart({}, { version: '0.1.32' }).find((o) => o.kind === 'TalosControlPlane')!.spec.controlPlaneConfig.controlplane.strategicPatches[0]).toMatch(/^UNREADABLE/);
  });

  test('registry credentials the chart wrote into Talos configs are never copied, nor printed', () => {
    const values = { ...complete({ version: '0.1.19' }), registries: { config: { 'r.example': { auth: { username: 'u', password: 's3cr3t-registry' }, tls: { insecureSkipVerify: true, clientIdentity: { crt: 'c', key: 'k3y-material' } } } } } };
    const r = run(BIN, ['import-helm-values', '--chart-version', '0.1.19', '-'], { input: stringify(values) });
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/s3cr3t|k3y-material/);
    expect(r.stderr).toContain('[warning] registries.config.r.example.auth: a registry credential; not copied');
    // The rest of the registry config (TLS verification) is kept.
    expect(parse(r.stdout).spec.talos.patches).toContainEqual({ machine: { registries: { config: { 'r.example': { tls: { insecureSkipVerify: true } } }, mirrors: expect.anything() } } });
  });

  test('the README spelling cluster.version: agrees or is an error; refused when the chart rendered another version', () => {
    const k = (cluster: Obj) => importHelmValues({ cluster }, { chartVersion: '0.1.6' });
    expect(k({ kubernetes_version: 'v1.33.4' }).clusterSpec.spec.cluster.kubernetesVersion).toBe('v1.33.4');
    expect(k({ kubernetes_version: 'v1.33.4', version: 'v1.33.4' }).errors).toEqual([]);
    expect(k({ kubernetes_version: 'v1.33.4', version: 'v1.32.0' }).errors).toEqual(['cluster.kubernetes_version and cluster.version are the same chart value with different content; keep one']);
    // The chart's templates only read kubernetes_version: with cluster.version alone the cluster got v1.32.0.
    expect(k({ version: 'v1.32.0' }).errors).toEqual([]);
    expect(k({ version: 'v1.33.4' }).errors[0]).toMatch(/^cluster.version: the chart's templates never read this key; they render cluster.kubernetes_version, which is "v1.32.0" by default/);
  });

  test('the customised 0.1.6 file of testdata: the corrections, said and applied', () => {
    const v = testdata('customised.values.yaml');
    const { corrections, clusterSpec } = importOf(v, { version: '0.1.6', repo: 'charts' });
    expect(corrections).toEqual([
      'talosVersion: the chart generates Talos v1.10 config whatever the image; the spec generates v1.11 config, the image\'s version',
      'network.dns_servers: the chart renders a list of 2 entries as the one string "10.10.0.2 10.10.0.3", which the provider rejects or misreads; the spec lists them separately',
      'proxmox.allowed_nodes: the chart renders a list of 2 entries as the one string "pve1 pve2", which the provider rejects or misreads; the spec lists them separately',
      "externalCloudProvider: the chart enables it on the control planes only, so its worker kubelets run without --cloud-provider=external (Talos takes it from each machine's own config) and their Nodes are never initialised; the spec enables it on the workers too",
      'proxmox.vm.boot_volume_device scsi0: the chart always installs Talos to /dev/vda; the spec installs to /dev/sda, the disk scsi0 is',
    ]);
    expect(clusterSpec.spec.cluster.kubernetesVersion).toBe('v1.33.4');
    expect(clusterSpec.spec.workers).toEqual([{ name: 'workers', replicas: 5, bootVolumeSizeGB: 140, cores: 8, sockets: 4, memoryMiB: 16384 }]);
  });
});

/**
 * `diff CHART_RENDER SPEC` for every release: what is adopted, that both machine sets roll, and that
 * nothing is deleted (0.1.4: its unreferenced credentials Secret). The diff command's text is asserted —
 * in process for every release, through the binary for three (the process edge does not depend on the
 * release) — and only these lines, so a rewrite of diff's wording elsewhere leaves the test standing.
 */
describe('diff of each release\'s render against its import', () => {
  const THROUGH_THE_BINARY = ['0.1.4', '0.1.19', NEWEST.version];
  test.each(MODEL_RELEASES.filter((x) => patchNo(x) !== 32).map((r) => [releaseName(r), r] as const))('%s: adopted in place, every machine rolls, nothing deleted', (at, r) => {
    const v = customised(r);
    const chart = renderChart(v, r).map((o) => `---\n${toYAML(o)}`).join('');
    const imported = importHelmValuesCommand(stringify(v), { chartVersion: r.version });
    expect(imported.exitCode).toBe(0);
    let out = diffCommand(chart, imported.stdout);
    if (THROUGH_THE_BINARY.includes(at)) {
      const dir = mkdtempSync(join(tmpdir(), 'chart-diff-'));
      writeFileSync(join(dir, 'chart.yaml'), chart);
      writeFileSync(join(dir, 'values.yaml'), stringify(v));
      const spec = run(BIN, ['import-helm-values', '--chart-version', r.version, join(dir, 'values.yaml')]);
      expect(spec.stdout).toBe(imported.stdout);
      writeFileSync(join(dir, 'cluster.yaml'), spec.stdout);
      const d = run(BIN, ['diff', join(dir, 'chart.yaml'), join(dir, 'cluster.yaml')]);
      expect(d.stdout).toBe(out.stdout);
      out = { ...out, exitCode: d.status };
    }
    const lines = out.stdout.trim().split('\n');
    expect(out.exitCode).toBe(0);
    expect(lines.slice(0, 2)).toEqual([
      'cluster prod/prod: update',
      'adopted in place: Cluster/prod, MachineDeployment/prod-workers, Namespace/prod, ProxmoxCluster/proxmox-cluster, TalosControlPlane/talos-controlplane (same kind, namespace and name: updated, never recreated)',
    ]);
    // The Flux gate lets the handover through: nothing destroyed, nothing flagged.
    const judged = gate(planOf(renderChart(v, r), JSON.parse(JSON.stringify(generate(parse(imported.stdout)).objects))), []);
    expect({ flags: judged.clusters[0].flags, destroys: judged.clusters[0].destroys, refused: judged.refused }).toEqual({ flags: [], destroys: [], refused: false });
    expect(lines.filter((l) => /^control plane: .* → rolls 3 control planes one at a time, surge 1, needs 1 free IP$/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /^pool workers: .* → rolls 5 machines, surge 1, needs 1 free IP$/.test(l))).toHaveLength(1);
    const deleted = lines.filter((l) => l.startsWith('deleted:') || /^pool [^:]+: removed:/.test(l));
    expect(deleted).toEqual([patchNo(r) <= 4 ? 'deleted: Secret/capmox-manager-credentials' : 'deleted: nothing']);
  });
});

test("without adoption the chart's identity objects would be deleted, and diff says so", () => {
  const { clusterSpec } = importOf({ cluster: { name: 'lab' } }, NEWEST);
  delete clusterSpec.spec.cluster.adoptedFrom;
  const dir = mkdtempSync(join(tmpdir(), 'chart-'));
  writeFileSync(join(dir, 'chart.yaml'), renderChart({ cluster: { name: 'lab' } }, NEWEST).map((o) => `---\n${toYAML(o)}`).join(''));
  writeFileSync(join(dir, 'cluster.yaml'), stringify(clusterSpec));
  const lines = run(BIN, ['diff', join(dir, 'chart.yaml'), join(dir, 'cluster.yaml')]).stdout.split('\n');
  // What each takes with it, in the providers' words.
  expect(lines).toContain("deleted: TalosControlPlane/talos-controlplane: deleting the TalosControlPlane deletes every control-plane machine of lab/lab and its VM; etcd and the cluster's state go with them");
  expect(lines).toContain("deleted: ProxmoxCluster/proxmox-cluster: the cluster's infrastructure: CAPMOX holds it (Terminating) until the Cluster is deleted, but lab/lab can no longer create or replace a machine");
  // The Cluster's references switch to objects that start from nothing: flagged.
  expect(lines.filter((l) => l.startsWith('flag spec.cluster.adoptedFrom: '))).toHaveLength(2);
});

test("one command through the binary: comments mark the chart's settings; credentials are never copied or echoed", () => {
  const input = `${readFileSync(join(__dirname, '..', 'testdata', 'helm', 'customised.values.yaml'), 'utf8')}`.replace('proxmox:\n', 'proxmox:\n  secret: s3cr3t-token-value\n');
  const r = run(BIN, ['import-helm-values', '--chart-version', '0.1.4', '-'], { input });
  expect(r.status).toBe(0);
  expect(r.stderr).toMatch(/^\[info\] cluster-chart 0\.1\.4: given with --chart-version\n/);
  expect(r.stderr).toMatch(/\[warning\] proxmox.secret: a Proxmox credential; not copied/);
  expect(r.stderr).toMatch(/\[info\] corrected: proxmox.vm.boot_volume_device scsi0/);
  expect(r.stdout + r.stderr).not.toContain('s3cr3t');
  const lines = r.stdout.split('\n');
  for (const [path, comment] of Object.entries(FROM_CHART_TEMPLATES)) {
    const key = path.split('.').at(-1)!;
    const at = lines.findIndex((l) => l.trim().startsWith(`${key}:`));
    expect(lines[at - 1].trim()).toBe(`# ${comment}`);
  }
  const rendered = run(BIN, ['render', '-'], { input: r.stdout });
  expect(rendered.status).toBe(0);
  expect(rendered.stdout).toContain('name: talos-controlplane');
});

test('a values file that is not YAML, or not a mapping, is one clear line', () => {
  const bad = run(BIN, ['import-helm-values', '-'], { input: 'cluster:\n  name: [x\n' });
  expect(bad.status).toBe(1);
  expect(bad.stderr).toMatch(/^\[error\] the values file is not valid YAML: .* at the end of the input \(line 2\): is a bracket or quote left open\?\n$/);
  const list = run(BIN, ['import-helm-values', '-'], { input: '- a\n- b\n' });
  expect(list.status).toBe(1);
  expect(list.stderr).toBe('[error] the values file must be a mapping of chart values\n');
});

test('a values file whose spec would not render writes nothing: the problems on stderr, exit 1', () => {
  const r = run(BIN, ['import-helm-values', '--chart-version', '0.1.19', '-'], { input: 'cluster: {name: lab}\ncontrolplane: {endpoint_ip: 192.168.4.195}\n' });
  expect(r.status).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/\[error\] .*endpointIP/);
});
