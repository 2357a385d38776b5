/**
 * Migration from the "cluster-chart" Helm chart: a values.yaml becomes a ClusterSpec that keeps only
 * the values that differ from the chart's defaults (which are this generator's defaults too).
 * The key-by-key mapping is this table; the README prints the same table.
 */
import { CHART_DEFAULTS as D } from '../clusterspec/defaults';
import { API_VERSION, KIND } from '../clusterspec/schema';

type Kind = 'string' | 'int' | 'list';

/** chart key → ClusterSpec path (under spec, except metadata.name). */
export const HELM_KEY_MAP: { key: string; path: string; kind: Kind; chartDefault: unknown }[] = [
  { key: 'cluster.name', path: 'metadata.name', kind: 'string', chartDefault: D.clusterName },
  { key: 'cluster.version', path: 'spec.cluster.kubernetesVersion', kind: 'string', chartDefault: D.kubernetesVersion },
  { key: 'cluster.image', path: 'spec.cluster.talosImage', kind: 'string', chartDefault: D.talosImage },
  { key: 'network.ip_ranges', path: 'spec.network.ipRanges', kind: 'list', chartDefault: D.ipRanges },
  { key: 'network.ip_prefix', path: 'spec.network.prefix', kind: 'int', chartDefault: D.prefix },
  { key: 'network.gateway', path: 'spec.network.gateway', kind: 'string', chartDefault: D.gateway },
  { key: 'network.dns_servers', path: 'spec.network.dnsServers', kind: 'list', chartDefault: D.dnsServers },
  { key: 'network.bastion_host', path: 'spec.network.bastion.host', kind: 'string', chartDefault: D.bastionHost },
  { key: 'network.bastion_host_endpoint_ip', path: 'spec.network.bastion.endpointIP', kind: 'string', chartDefault: D.bastionEndpointIP },
  { key: 'controlplane.endpoint_ip', path: 'spec.controlPlane.endpointIP', kind: 'string', chartDefault: D.controlPlane.endpointIP },
  { key: 'controlplane.machine_count', path: 'spec.controlPlane.replicas', kind: 'int', chartDefault: D.controlPlane.replicas },
  { key: 'controlplane.boot_volume_size', path: 'spec.controlPlane.bootVolumeSizeGB', kind: 'int', chartDefault: D.controlPlane.bootVolumeSizeGB },
  { key: 'controlplane.num_cores', path: 'spec.controlPlane.cores', kind: 'int', chartDefault: D.controlPlane.cores },
  { key: 'controlplane.num_sockets', path: 'spec.controlPlane.sockets', kind: 'int', chartDefault: D.controlPlane.sockets },
  { key: 'controlplane.memory_mib', path: 'spec.controlPlane.memoryMiB', kind: 'int', chartDefault: D.controlPlane.memoryMiB },
  { key: 'worker.machine_count', path: 'spec.workers[0].replicas', kind: 'int', chartDefault: D.worker.replicas },
  { key: 'worker.boot_volume_size', path: 'spec.workers[0].bootVolumeSizeGB', kind: 'int', chartDefault: D.worker.bootVolumeSizeGB },
  { key: 'worker.num_cores', path: 'spec.workers[0].cores', kind: 'int', chartDefault: D.worker.cores },
  { key: 'worker.num_sockets', path: 'spec.workers[0].sockets', kind: 'int', chartDefault: D.worker.sockets },
  { key: 'worker.memory_mib', path: 'spec.workers[0].memoryMiB', kind: 'int', chartDefault: D.worker.memoryMiB },
  { key: 'proxmox.allowed_nodes', path: 'spec.proxmox.allowedNodes', kind: 'list', chartDefault: D.allowedNodes },
  { key: 'proxmox.template.sourcenode', path: 'spec.proxmox.template.sourceNode', kind: 'string', chartDefault: D.templateSourceNode },
  { key: 'proxmox.template.template_vmid', path: 'spec.proxmox.template.templateID', kind: 'int', chartDefault: D.templateID },
  { key: 'proxmox.vm.boot_volume_device', path: 'spec.proxmox.vm.bootVolumeDevice', kind: 'string', chartDefault: D.bootVolumeDevice },
  { key: 'proxmox.vm.bridge', path: 'spec.proxmox.vm.bridge', kind: 'string', chartDefault: D.bridge },
];

/** Fields the ClusterSpec takes as a whole: when one member differs from the default, all are written. */
const GROUPS = ['spec.network.bastion', 'spec.proxmox.template'];

export interface Imported {
  clusterSpec: Record<string, any>;
  warnings: string[];
}

function leaves(v: unknown, prefix = ''): [string, unknown][] {
  if (v && typeof v === 'object' && !Array.isArray(v)) return Object.entries(v).flatMap(([k, x]) => leaves(x, prefix ? `${prefix}.${k}` : k));
  return [[prefix, v]];
}

function coerce(value: unknown, kind: Kind, key: string, warnings: string[]): unknown {
  if (kind === 'int' && typeof value === 'string' && /^\d+$/.test(value.trim())) return Number(value);
  if (kind === 'list' && typeof value === 'string') return value.split(',').map((s) => s.trim()).filter(Boolean);
  if (kind === 'string' && typeof value === 'number') return String(value);
  if ((kind === 'int' && typeof value !== 'number') || (kind === 'list' && !Array.isArray(value))) warnings.push(`${key}: ${JSON.stringify(value)} is not a ${kind === 'int' ? 'number' : 'list'}; copied as it is (the spec check will say what it expects)`);
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

export function importHelmValues(values: unknown): Imported {
  const warnings: string[] = [];
  const given = new Map(leaves(values ?? {}).filter(([k]) => k !== ''));
  const known = new Map(HELM_KEY_MAP.map((m) => [m.key, m]));
  for (const key of given.keys()) if (!known.has(key)) warnings.push(`${key}: not a cluster-chart value this importer knows; left out`);

  const resolved = HELM_KEY_MAP.map((m) => ({ ...m, value: given.has(m.key) ? coerce(given.get(m.key), m.kind, m.key, warnings) : m.chartDefault }));
  const changedGroups = new Set(GROUPS.filter((g) => resolved.some((r) => r.path.startsWith(`${g}.`) && !same(r.value, r.chartDefault))));
  const doc: Record<string, any> = { apiVersion: API_VERSION, kind: KIND, metadata: { name: D.clusterName }, spec: {} };
  for (const r of resolved) {
    const group = GROUPS.find((g) => r.path.startsWith(`${g}.`));
    if (r.path === 'metadata.name' || !same(r.value, r.chartDefault) || (group && changedGroups.has(group))) setPath(doc, r.path, r.value);
  }
  if (doc.spec.workers) doc.spec.workers[0] = { name: D.worker.name, ...doc.spec.workers[0] };
  // The chart emitted CAPI v1beta1 + CAPMOX v1alpha1 objects: keep that until the management cluster
  // runs CAPMOX >= v0.8, then switch to profile: current.
  setPath(doc, 'spec.cluster.profile', 'legacy');
  doc.spec = { cluster: doc.spec.cluster, ...doc.spec };
  return { clusterSpec: doc, warnings };
}
