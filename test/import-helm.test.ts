/**
 * Migration from the cluster-chart: import-helm-values + render must reproduce every setting the chart
 * renders (test/support/chartModel.ts, our model of its templates), keep the names of the objects that
 * identify a live cluster, and differ only where this file says why.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { importHelmValues, FROM_CHART_TEMPLATES } from '../src/migrate/helmValues';
import { generate } from '../src/generate';
import { mergePatches } from '../src/talos/merge';
import { clusterLines, planOf } from './support/plan';
import { gate } from '../src/plan/gate';
import { toYAML } from '../src/yaml/write';
import { renderChart, CHART_0_1_6_VALUES } from './support/chartModel';
import { BIN, run } from './support/exec';
import fc from 'fast-check';
import { installDisk } from '../src/talos/patches';

type Obj = Record<string, any>;
const values = (f: string) => parse(readFileSync(join(__dirname, '..', 'testdata', 'helm', f), 'utf8'));

function imported(v: unknown): Obj[] {
  const { clusterSpec, errors } = importHelmValues(v);
  expect(errors).toEqual([]);
  const g = generate(clusterSpec);
  expect(g.results.filter((r) => r.severity === 'error')).toEqual([]);
  return JSON.parse(JSON.stringify(g.objects));
}

/** Talos reads the leaves of these configs as strings (sysctls, kubelet flags); certSANs are a set. */
function talosConfig(cfg: Obj): Obj {
  const { strategicPatches, ...rest } = cfg;
  const norm = (x: any, key = ''): any =>
    Array.isArray(x)
      ? (key === 'certSANs' ? [...x].sort() : x).map((e) => norm(e))
      : x && typeof x === 'object'
        ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, norm(v, k)]))
        : String(x);
  return { ...rest, config: norm(mergePatches(strategicPatches)) };
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
 * through the reference that uses them. Talos configs are compared as merged configs.
 */
function differences(chart: Obj[], ours: Obj[]): string[] {
  const out: string[] = [];
  const find = (kind: string, name: string) => ours.find((o) => o.kind === kind && o.metadata.name === name);
  const cTcp = chart.find((o) => o.kind === 'TalosControlPlane')!;
  const cMd = chart.find((o) => o.kind === 'MachineDeployment')!;
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
    const at = `${c.kind}/${c.metadata.name}`;
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

/**
 * What the render adds to the chart's objects, each harmless: a provider default written out, a Talos
 * default, or a setting the chart left to chance.
 */
const ADDITIONS = [
  // Talos' own default pod and service subnets, written out (CABPT reads them from the Cluster).
  'added Cluster/cluster09.clusterNetwork',
  // CACPPT's default rollout strategy (RollingUpdate, maxSurge 1), written out.
  'added TalosControlPlane/talos-controlplane.rolloutStrategy',
  // Nodes are named after their Machine (the chart relied on the nocloud hostname, which CAPMOX sets to the same name).
  'added TalosControlPlane/talos-controlplane.controlPlaneConfig.controlplane.hostname',
  'added TalosConfigTemplate/talosconfig-worker.template.spec.hostname',
  // The bastion's name and address also in the Talos API certificate, not only the Kubernetes API's.
  'added TalosControlPlane/talos-controlplane.controlPlaneConfig.controlplane.config.machine.certSANs',
  // dhcp: false is Talos' default for a configured interface, written out.
  'added TalosControlPlane/talos-controlplane.controlPlaneConfig.controlplane.config.machine.network.interfaces[0].dhcp',
  // The selector and template labels CAPI's defaulting webhook sets on the chart's MachineDeployment.
  'added MachineDeployment/cluster09-workers.selector.matchLabels',
  'added MachineDeployment/cluster09-workers.template.metadata',
  // CAPI's default rolling update (maxSurge 1, maxUnavailable 0), written out.
  'added MachineDeployment/cluster09-workers.strategy',
  // The chart names the namespace of the MachineDeployment's template references; CAPI's defaulting webhook
  // sets the MachineDeployment's own namespace when it is left out, so the stored objects are the same.
  'missing MachineDeployment/cluster09-workers.template.spec.bootstrap.configRef.namespace',
  'missing MachineDeployment/cluster09-workers.template.spec.infrastructureRef.namespace',
];
/** The chart generates v1.10 config whatever the image; the spec generates config for the image's Talos. */
const TALOS_VERSION_CORRECTION = [
  'changed TalosControlPlane/talos-controlplane.controlPlaneConfig.controlplane.talosVersion: "v1.10" → "v1.11"',
  'changed TalosConfigTemplate/talosconfig-worker.template.spec.talosVersion: "v1.10" → "v1.11"',
];

test("chart 0.1.6's default values: import + render is the chart's render, names included, apart from the listed additions", () => {
  for (const v of [{}, values('chart-defaults.values.yaml'), CHART_0_1_6_VALUES]) {
    expect(differences(renderChart(v), imported(v)).sort()).toEqual([...ADDITIONS, ...TALOS_VERSION_CORRECTION].sort());
  }
});

test('a customised values file: every value and fixed setting reproduced; only the documented corrections differ', () => {
  const v = values('customised.values.yaml');
  const { warnings, corrections } = importHelmValues(v);
  expect(warnings).toEqual(['ingress.enabled: not a cluster-chart 0.1.6 value; left out']);
  expect(corrections).toEqual([
    'network.dns_servers: the chart renders a list of 2 entries as the one string "10.10.0.2 10.10.0.3", which the provider rejects or misreads; the spec lists them separately',
    'proxmox.allowed_nodes: the chart renders a list of 2 entries as the one string "pve1 pve2", which the provider rejects or misreads; the spec lists them separately',
    'proxmox.vm.boot_volume_device scsi0: the chart always installs Talos to /dev/vda; the spec installs to /dev/sda, the disk scsi0 is',
    'talosVersion: the chart generates Talos v1.10 config whatever the image; the spec generates v1.11 config, the image\'s version',
  ]);
  const diffs = differences(renderChart(v), imported(v)).map((d) => d.replace(/\/prod\b|prod-workers/g, (m) => (m === '/prod' ? '/cluster09' : 'cluster09-workers')));
  expect(diffs.sort()).toEqual(
    [
      ...ADDITIONS,
      ...TALOS_VERSION_CORRECTION,
      'changed ProxmoxCluster/proxmox-cluster.dnsServers: ["10.10.0.2 10.10.0.3"] → ["10.10.0.2","10.10.0.3"]',
      'changed ProxmoxCluster/proxmox-cluster.allowedNodes: ["pve1 pve2"] → ["pve1","pve2"]',
      'changed TalosControlPlane/talos-controlplane.controlPlaneConfig.controlplane.config.machine.install.disk: "/dev/vda" → "/dev/sda"',
      'changed TalosConfigTemplate/talosconfig-worker.template.spec.config.machine.install.disk: "/dev/vda" → "/dev/sda"',
    ].sort(),
  );
  const spec = importHelmValues(v).clusterSpec.spec;
  expect(spec.cluster.kubernetesVersion).toBe('v1.33.4');
  expect(spec.workers).toEqual([{ name: 'workers', replicas: 5, bootVolumeSizeGB: 140, cores: 8, sockets: 4, memoryMiB: 16384 }]);
});

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261125;
const label = (max: number) => fc.stringMatching(new RegExp(`^[a-z]([-a-z0-9]{0,${max - 2}}[a-z0-9])?$`));
/** Values files a chart user could have: every group sometimes left to the chart's defaults. */
const valuesFile = fc
  .record({
    name: label(40),
    net: fc.integer({ min: 1, max: 250 }),
    k8s: fc.constantFrom('v1.30.14', 'v1.31.9', 'v1.32.0', 'v1.33.4'),
    image: fc.constantFrom(CHART_0_1_6_VALUES.cluster.image, 'factory.talos.dev/nocloud-installer/abc123:v1.10.7', 'factory.talos.dev/nocloud-installer/abc123:v1.11.5'),
    dns: fc.integer({ min: 1, max: 2 }),
    bastion: fc.record({ host: label(20), ip: fc.integer({ min: 2, max: 254 }) }),
    cp: fc.record({ machine_count: fc.constantFrom(1, 3, 5), boot_volume_size: fc.integer({ min: 5, max: 500 }), num_cores: fc.integer({ min: 1, max: 16 }), num_sockets: fc.integer({ min: 1, max: 4 }), memory_mib: fc.integer({ min: 64, max: 8192 }).map((n) => n * 8) }),
    worker: fc.record({ machine_count: fc.integer({ min: 0, max: 10 }), boot_volume_size: fc.integer({ min: 5, max: 500 }), num_cores: fc.integer({ min: 1, max: 16 }), num_sockets: fc.integer({ min: 1, max: 4 }), memory_mib: fc.integer({ min: 64, max: 8192 }).map((n) => n * 8) }),
    nodes: fc.uniqueArray(label(10), { minLength: 1, maxLength: 3 }),
    template: fc.record({ sourcenode: label(10), template_vmid: fc.integer({ min: 100, max: 99999 }) }),
    vm: fc.record({ boot_volume_device: fc.constantFrom('virtio0', 'virtio1', 'scsi0', 'scsi2'), bridge: label(8) }),
    leaveOut: fc.subarray(['image', 'k8s', 'worker', 'proxmox', 'bastion', 'cp-size']),
  })
  .map((r) => {
    const v: Obj = {
      cluster: { name: r.name, kubernetes_version: r.k8s, image: r.image },
      network: { ip_ranges: [`192.168.${r.net}.50-192.168.${r.net}.70`], ip_prefix: 24, gateway: `192.168.${r.net}.1`, dns_servers: Array.from({ length: r.dns }, (_, i) => `192.168.${r.net}.${2 + i}`), bastion_host: r.bastion.host, bastion_host_endpoint_ip: `172.16.1.${r.bastion.ip}` },
      controlplane: { endpoint_ip: `192.168.${r.net}.40`, ...r.cp },
      worker: r.worker,
      proxmox: { allowed_nodes: r.nodes, template: r.template, vm: r.vm },
    };
    if (r.leaveOut.includes('image')) delete v.cluster.image;
    if (r.leaveOut.includes('k8s')) delete v.cluster.kubernetes_version;
    if (r.leaveOut.includes('worker')) delete v.worker;
    if (r.leaveOut.includes('proxmox')) delete v.proxmox;
    if (r.leaveOut.includes('bastion')) (delete v.network.bastion_host, delete v.network.bastion_host_endpoint_ip);
    if (r.leaveOut.includes('cp-size')) v.controlplane = { endpoint_ip: v.controlplane.endpoint_ip, machine_count: r.cp.machine_count };
    return v;
  });

test('any values file: import + render differs from the chart render only by the listed additions and the corrections that apply to it', () => {
  fc.assert(
    fc.property(valuesFile, (v) => {
      const c = v.cluster.name;
      const at = (kind: string, name: string) => `${kind}/${name}`;
      const eff = { image: v.cluster.image ?? CHART_0_1_6_VALUES.cluster.image, proxmox: v.proxmox ?? CHART_0_1_6_VALUES.proxmox };
      const disk = installDisk(eff.proxmox.vm.boot_volume_device);
      const expected = ADDITIONS.map((a) => a.replace('Cluster/cluster09', at('Cluster', c)).replace('cluster09-workers', `${c}-workers`));
      if (!eff.image.endsWith(':v1.10.7')) expected.push(...TALOS_VERSION_CORRECTION);
      if (v.network.dns_servers.length > 1) expected.push(`changed ProxmoxCluster/proxmox-cluster.dnsServers: ${JSON.stringify([v.network.dns_servers.join(' ')])} → ${JSON.stringify(v.network.dns_servers)}`);
      if (eff.proxmox.allowed_nodes.length > 1) expected.push(`changed ProxmoxCluster/proxmox-cluster.allowedNodes: ${JSON.stringify([eff.proxmox.allowed_nodes.join(' ')])} → ${JSON.stringify(eff.proxmox.allowed_nodes)}`);
      if (disk !== '/dev/vda') {
        expected.push(`changed TalosControlPlane/talos-controlplane.controlPlaneConfig.controlplane.config.machine.install.disk: "/dev/vda" → "${disk}"`);
        expected.push(`changed TalosConfigTemplate/talosconfig-worker.template.spec.config.machine.install.disk: "/dev/vda" → "${disk}"`);
      }
      expect(differences(renderChart(v), imported(v)).sort()).toEqual(expected.sort());
    }),
    { seed, numRuns: 150 },
  );
});

test('the Kubernetes version: both spellings agree or it is an error; the README-only spelling is refused when the chart rendered another version', () => {
  const k = (cluster: Obj) => importHelmValues({ cluster });
  expect(k({ kubernetes_version: 'v1.33.4' }).clusterSpec.spec.cluster.kubernetesVersion).toBe('v1.33.4');
  expect(k({ kubernetes_version: 'v1.33.4', version: 'v1.33.4' }).errors).toEqual([]);
  expect(k({ kubernetes_version: 'v1.33.4', version: 'v1.32.0' }).errors).toEqual([
    'cluster.kubernetes_version and cluster.version are the same chart value with different content; keep one',
  ]);
  // The chart's templates only read kubernetes_version: with cluster.version alone the cluster got v1.32.0.
  expect(k({ version: 'v1.32.0' }).errors).toEqual([]);
  expect(k({ version: 'v1.33.4' }).errors[0]).toMatch(/^cluster.version: the chart's templates never read this key; they render cluster.kubernetes_version, which is "v1.32.0" by default/);
});

test('diff of the chart render against the imported spec: what is adopted, what rolls, nothing deleted', () => {
  const v = values('customised.values.yaml');
  const lines = clusterLines(renderChart(v), imported(v));
  expect(lines[0]).toBe(
    'adopted in place: Cluster/prod, MachineDeployment/prod-workers, Namespace/prod, ProxmoxCluster/proxmox-cluster, TalosControlPlane/talos-controlplane (same kind, namespace and name: updated, never recreated)',
  );
  expect(lines.find((l) => l.startsWith('control plane:'))).toMatch(
    /^control plane: new machine template \(the same VM shape under a new name\); hostname.source InfrastructureName added, talosVersion v1.10 → v1.11; patches: .*machine.certSANs \["freyr","10.10.0.5"\] added, machine.install.disk \/dev\/vda → \/dev\/sda.* → rolls 3 control planes one at a time, surge 1, needs 1 free IP$/,
  );
  expect(lines.find((l) => l.startsWith('pool workers:'))).toMatch(/new Talos config \(.*machine.install.disk \/dev\/vda → \/dev\/sda.*\) → rolls 5 machines, surge 1, needs 1 free IP$/);
  expect(lines).toContain(
    'superseded templates: ProxmoxMachineTemplate/prod-controlplane, ProxmoxMachineTemplate/prod-worker, TalosConfigTemplate/talosconfig-worker leave the render (pruned; no machine is deleted with them)',
  );
  expect(lines.at(-1)).toBe('deleted: nothing');
  expect(lines.filter((l) => l.startsWith('deleted:') || / removed/.test(l))).toEqual(['deleted: nothing']);
  // The Cluster gains the pod and service networks the chart's cluster already runs (Talos's defaults): said, not flagged.
  expect(lines).toContain('Cluster: prod changed: clusterNetwork added (no machine rolls)');
  // So the Flux gate lets the handover through: nothing destroyed, nothing flagged.
  const judged = gate(planOf(renderChart(v), imported(v)), []);
  expect({ flags: judged.clusters[0].flags, destroys: judged.clusters[0].destroys, refused: judged.refused }).toEqual({ flags: [], destroys: [], refused: false });
});

test("without adoption the chart's identity objects would be deleted, and diff says so", () => {
  const { clusterSpec } = importHelmValues({});
  delete clusterSpec.spec.cluster.adoptedFrom;
  const lines = clusterLines(renderChart({}), JSON.parse(JSON.stringify(generate(clusterSpec).objects)));
  // What each takes with it, in the providers' words (the old lines said "and with it machines of the cluster" of both).
  expect(lines).toContain(
    "deleted: TalosControlPlane/talos-controlplane: deleting the TalosControlPlane deletes every control-plane machine of cluster09/cluster09 and its VM; etcd and the cluster's state go with them",
  );
  expect(lines).toContain("deleted: ProxmoxCluster/proxmox-cluster: the cluster's infrastructure: CAPMOX holds it (Terminating) until the Cluster is deleted, but cluster09/cluster09 can no longer create or replace a machine");
  // The Cluster's references switch to objects that start from nothing: flagged.
  expect(lines.filter((l) => l.startsWith('flag spec.cluster.adoptedFrom: '))).toHaveLength(2);
});

test('one command through the binary: comments mark the chart\'s fixed settings; credentials are never copied or echoed', () => {
  const input = `${readFileSync(join(__dirname, '..', 'testdata', 'helm', 'customised.values.yaml'), 'utf8')}\n# an old chart release took credentials as values\nproxmox2: {}\n`.replace(
    'proxmox:\n',
    'proxmox:\n  secret: s3cr3t-token-value\n',
  );
  const r = run(BIN, ['import-helm-values', '-'], { input });
  expect(r.status).toBe(0);
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

test('diff through the binary with the chart render as OLD', () => {
  const chart = renderChart({}).map((o) => `---\n${toYAML(o)}`).join('');
  const spec = run(BIN, ['import-helm-values', '-'], { input: '{}\n' });
  const dir = mkdtempSync(join(tmpdir(), 'chart-'));
  writeFileSync(join(dir, 'chart.yaml'), chart);
  writeFileSync(join(dir, 'cluster.yaml'), spec.stdout);
  const r = run(BIN, ['diff', join(dir, 'chart.yaml'), join(dir, 'cluster.yaml')]);
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^cluster cluster09\/cluster09: update\nadopted in place: /);
  expect(r.stdout).toMatch(/\ndeleted: nothing\n$/);
  expect(r.stderr).toMatch(/rolls a single control plane/);
});

test('a values file that is not YAML, or not a mapping, is one clear line', () => {
  const bad = run(BIN, ['import-helm-values', '-'], { input: 'cluster:\n  name: [x\n' });
  expect(bad.status).toBe(1);
  expect(bad.stderr).toMatch(/^\[error\] the values file is not valid YAML: .* at the end of the input \(line 2\): is a bracket or quote left open\?\n$/);
  const list = run(BIN, ['import-helm-values', '-'], { input: '- a\n- b\n' });
  expect(list.status).toBe(1);
  expect(list.stderr).toBe('[error] the values file must be a mapping of chart values\n');
});
