#!/usr/bin/env node
// Checks the test model of the cluster-chart (test/support/chartModel.ts) against the real chart: renders
// each chart given with `helm template` and with the model, for the chart's defaults and for customised
// values files (every key set to something else, lists of two, numbers written as strings, a million), and
// prints every difference. The tests never need helm or the chart; this is how the model was checked.
//
//   HELM=/path/to/helm node scripts/chart-parity.mjs CHART...
//
// CHART: a chart package (.tgz) or an unpacked chart directory, e.g. the packages of the chart's Helm
// repositories (helm pull cluster-chart --repo https://motttt.github.io/cluster09/ --version 0.1.19). helm
// itself comes from the Go module proxy: GOBIN=/tmp/helm go install helm.sh/helm/v3/cmd/helm@v3.21.4.
// Exit 0 when every chart renders like the model, 1 otherwise.
import { buildSync } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments, stringify } from 'yaml';

const helm = process.env.HELM ?? 'helm';
const charts = process.argv.slice(2);
if (!charts.length) {
  console.error('usage: HELM=/path/to/helm node scripts/chart-parity.mjs CHART.tgz|CHART_DIR...');
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const bundle = buildSync({ entryPoints: [join(here, '..', 'test', 'support', 'chartModel.ts')], bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'error' });
const mod = { exports: {} };
new Function('module', 'exports', 'require', bundle.outputFiles[0].text)(mod, mod.exports, createRequire(import.meta.url));
const { renderChart, chartValues, CHART_CREDENTIAL } = mod.exports;

const tmp = mkdtempSync(join(tmpdir(), 'chart-parity-'));
const isObj = (x) => x && typeof x === 'object' && !Array.isArray(x);

/** A rendered object for comparison: patches parsed (unreadable ones kept as a marker), registry credentials masked. */
function comparable(o) {
  const c = structuredClone(o);
  const cfg = c.kind === 'TalosConfigTemplate' ? c.spec?.template?.spec : c.kind === 'TalosControlPlane' ? c.spec?.controlPlaneConfig?.controlplane : undefined;
  if (cfg) {
    cfg.strategicPatches = cfg.strategicPatches.map((p) => {
      if (p.startsWith('UNREADABLE')) return 'UNREADABLE';
      const d = parseAllDocuments(p);
      return d.some((x) => x.errors.length) ? 'UNREADABLE' : d[0].toJS();
    });
    for (const p of cfg.strategicPatches) {
      for (const host of Object.values(p?.machine?.registries?.config ?? {})) {
        if (isObj(host?.auth)) for (const k of Object.keys(host.auth)) host.auth[k] = CHART_CREDENTIAL;
      }
    }
  }
  return c;
}

function diff(a, b, at, out) {
  if (isObj(a) && isObj(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diff(a[k], b[k], `${at}.${k}`, out);
  } else if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((x, i) => diff(x, b[i], `${at}[${i}]`, out));
  } else if (JSON.stringify(a) !== JSON.stringify(b)) {
    out.push(`${at}: helm ${JSON.stringify(a)} / model ${JSON.stringify(b)}`);
  }
}

/** Values files to try for a release: its defaults, and every key changed (known keys only: 0.1.38+ has a schema). */
function valuesFiles(release) {
  const d = chartValues(release);
  const files = [['defaults', {}]];
  const custom = structuredClone(d);
  custom.cluster.name = 'prod';
  custom.cluster.kubernetes_version = 'v1.33.4';
  custom.network = { ...custom.network, ip_ranges: ['10.10.0.50-10.10.0.60', '10.10.0.70-10.10.0.80'], ip_prefix: 'controlplaneScheduling' in d.cluster ? 23 : '23', gateway: '10.10.0.1', dns_servers: ['10.10.0.2', '10.10.0.3'] };
  if ('bastion_host' in custom.network) Object.assign(custom.network, { bastion_host: 'jump', bastion_host_endpoint_ip: '10.10.0.5' });
  if ('certSANs' in custom.network) custom.network.certSANs = ['10.10.0.5', 'jump.example'];
  if ('ntp_servers' in custom.network) custom.network.ntp_servers = ['10.10.0.9'];
  Object.assign(custom.controlplane, { endpoint_ip: '10.10.0.40', machine_count: 3, boot_volume_size: 50, num_cores: 2, num_sockets: 1, memory_mib: typeof d.proxmox.template.template_vmid === 'string' ? '8192' : 8192 });
  Object.assign(custom.worker, { machine_count: 5, boot_volume_size: 60, num_cores: 8, num_sockets: 2, memory_mib: 1048576 });
  if ('machine_template_suffix' in custom.controlplane) Object.assign(custom.controlplane, { machine_template_suffix: 'cp-abc123' }), Object.assign(custom.worker, { machine_template_suffix: 'w-abc123' });
  if ('extra_manifests' in custom.controlplane) custom.controlplane.extra_manifests = ['https://example.org/cni.yaml'];
  if ('cloudProviderManifests' in custom.controlplane) custom.controlplane.cloudProviderManifests = ['https://example.org/ccm.yaml'];
  custom.proxmox = { ...custom.proxmox, allowed_nodes: ['pve1', 'pve2'], template: { sourcenode: 'pve1', template_vmid: 1000000 }, vm: { boot_volume_device: 'scsi0', bridge: 'vmbr1' } };
  if ('talos_version' in custom.cluster) custom.cluster.talos_version = custom.cluster.talos_version === 'v1.11.5' ? 'v1.11.2' : 'v1.11';
  if ('controlplaneScheduling' in custom.cluster) Object.assign(custom, { cni: 'cilium', storage: 'in-cluster', machine: { installDisk: '/dev/sda' } }), (custom.cluster.controlplaneScheduling = false);
  if (custom.registries && 'enabled' in custom.registries) custom.registries = { enabled: true, mirrors: { 'docker.io': { endpoints: ['http://mirror.example/docker'], overridePath: true } } };
  else if (custom.registries) custom.registries = { mirrors: { 'docker.io': { endpoints: ['http://mirror.example/docker'] } } };
  files.push(['customised', custom]);
  return files;
}

let failed = 0;
for (const chart of charts) {
  const meta = parse(execFileSync(helm, ['show', 'chart', chart], { encoding: 'utf8' }));
  const shownValues = parse(execFileSync(helm, ['show', 'values', chart], { encoding: 'utf8' }));
  const release = { version: meta.version, ...(meta.version === '0.1.6' && { repo: shownValues?.controlplane?.extra_manifests ? 'cluster09' : 'charts' }) };
  for (const [label, values] of valuesFiles(release)) {
    const file = join(tmp, 'values.yaml');
    writeFileSync(file, stringify(values));
    let helmOut;
    try {
      helmOut = execFileSync(helm, ['template', 'cluster', chart, '-f', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      failed++;
      console.log(`${meta.version} ${label}: helm template failed: ${String(e.stderr).trim().split('\n')[0]}`);
      continue;
    }
    const fromHelm = parseAllDocuments(helmOut).map((d) => d.toJS()).filter(Boolean).map(comparable);
    const fromModel = renderChart(values, release).map(comparable);
    const key = (o) => `${o.kind}/${o.metadata.name}`;
    const out = [];
    const model = new Map(fromModel.map((o) => [key(o), o]));
    for (const o of fromHelm) {
      const m = model.get(key(o));
      if (!m) out.push(`${key(o)}: rendered by helm, not by the model`);
      else diff(o, m, key(o), out);
      model.delete(key(o));
    }
    for (const k of model.keys()) out.push(`${k}: rendered by the model, not by helm`);
    console.log(`${meta.version}${release.repo ? ` (${release.repo})` : ''} ${label}: ${out.length ? `${out.length} differences` : 'model == helm'}`);
    for (const d of out) console.log(`  ${d}`);
    if (out.length) failed++;
  }
}
process.exit(failed ? 1 : 0);
