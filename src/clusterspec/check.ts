/**
 * Rules that need more than one field: what the providers would reject later (CAPMOX's ProxmoxCluster
 * webhook, CAPI's MachineDeployment webhook) or what would silently break a cluster (no IP left for a
 * rolling update, a Kubernetes version Talos cannot run). Every rule reports in the user's words.
 */
import type { Model } from './parse';
import type { WorkerPool } from './schema';
import { DNS_LABEL, MAX_CLUSTER_NAME } from './schema';
import { contains, formatIPv4, inside, overlappingPairs, overlaps, parseIPv4, parseRange, subnetOf, usableAddresses, type Span } from './network';
import { kubernetesSupported, MIN_TALOS_MINOR, parseMinor, talosVersionOfImage } from './versions';
import { error, warning, type Problem } from '../results';
import { MAX_NAME_PART_TOTAL } from '../naming/names';
import { nicModels, vipSelectorProblem } from './vipSelector';

export function checkSpec(m: Model): Problem[] {
  return [...checkNames(m), ...checkNetwork(m), ...checkVMIDRange(m), ...checkVersions(m), ...checkPools(m), ...checkControlPlane(m), ...checkClone(m)];
}

/** CAPMOX's CRD rule (ProxmoxMachineTemplate CEL): a disk format or a target storage needs a full clone. */
function checkClone(m: Model): Problem[] {
  const clone = m.proxmox.vm.clone;
  if (clone?.full !== false || (!clone.format && !clone.storage)) return [];
  return [error('spec.proxmox.vm.clone.full', `a linked clone (full: false) cannot take ${clone.format ? 'a disk format' : 'a target storage'}; CAPMOX needs full: true for clone.format and clone.storage`)];
}

function checkNames(m: Model): Problem[] {
  const out: Problem[] = [];
  if (m.cluster.name === undefined && (!DNS_LABEL.test(m.name) || m.name.length > MAX_CLUSTER_NAME)) {
    out.push(
      error(
        'metadata.name',
        `the cluster name comes from metadata.name "${m.name}", which is not a DNS label of at most ${MAX_CLUSTER_NAME} characters; set spec.cluster.name`,
      ),
    );
  }
  const seen = new Map<string, number>();
  m.workers.forEach((w, i) => {
    const path = `spec.workers[${i}].name`;
    if (w.name === 'control-plane') out.push(error(path, 'pool name "control-plane" is reserved for the control plane\'s objects'));
    const first = seen.get(w.name);
    if (first !== undefined) out.push(error(path, `pool name "${w.name}" is already used by spec.workers[${first}]; pool names must be unique`));
    else seen.set(w.name, i);
    if (m.name.length + 1 + w.name.length > MAX_NAME_PART_TOTAL) {
      out.push(
        error(
          path,
          `"${m.name}-${w.name}" is too long: cluster name and pool name together may have at most ${MAX_NAME_PART_TOTAL} characters (with a '-' between), so that template names stay within 63`,
        ),
      );
    }
  });
  return out;
}

function checkNetwork(m: Model): Problem[] {
  const out: Problem[] = [...duplicates(m.proxmox.allowedNodes, 'spec.proxmox.allowedNodes', 'Proxmox node'), ...duplicates(m.network.dnsServers, 'spec.network.dnsServers', 'DNS server')];
  if (m.talos.ntpServers) out.push(...duplicates(m.talos.ntpServers, 'spec.talos.ntpServers', 'NTP server'));
  for (const [host, endpoints] of Object.entries(m.talos.registryMirrors ?? {})) out.push(...duplicates(endpoints, `spec.talos.registryMirrors.${host}`, 'mirror endpoint'));
  const net = m.network;
  net.dnsServers.forEach((d, i) => {
    if (parseIPv4(d) === undefined) out.push(error(`spec.network.dnsServers[${i}]`, `DNS server "${d}" is not an IPv4 address`));
  });
  if (net.bastion.endpointIP !== undefined && parseIPv4(net.bastion.endpointIP) === undefined) {
    out.push(error('spec.network.bastion.endpointIP', `bastion endpointIP "${net.bastion.endpointIP}" is not an IPv4 address`));
  }
  const gateway = parseIPv4(net.gateway);
  if (gateway === undefined) {
    out.push(error('spec.network.gateway', `gateway "${net.gateway}" is not an IPv4 address`));
    return out; // the remaining address rules are relative to the gateway's subnet
  }
  const subnet = subnetOf(gateway, net.prefix);
  const subnetText = `${formatIPv4(subnet.first)}/${net.prefix}`;
  if (net.prefix < 31 && (gateway === subnet.first || gateway === subnet.last)) {
    out.push(error('spec.network.gateway', `gateway ${net.gateway} is the network or broadcast address of ${subnetText}`));
  }

  const parsed = net.ipRanges.map(parseRange);
  parsed.forEach((r, i) => {
    const path = `spec.network.ipRanges[${i}]`;
    const text = net.ipRanges[i];
    if (!r) out.push(error(path, `"${text}" is not an IPv4 address, a range such as 192.168.4.101-192.168.4.107, or a CIDR`));
    else if (!inside(subnet, r)) out.push(error(path, `range ${text} is not inside the machine network ${subnetText} (gateway ${net.gateway}, prefix ${net.prefix})`));
  });
  for (const [i, j] of overlappingPairs(parsed)) {
    out.push(error(`spec.network.ipRanges[${i}]`, `range ${net.ipRanges[i]} overlaps spec.network.ipRanges[${j}] (${net.ipRanges[j]})`));
  }
  const ranges = parsed.filter((r): r is Span => r !== undefined);

  const endpoint = parseIPv4(m.controlPlane.endpointIP);
  if (endpoint === undefined) {
    out.push(error('spec.controlPlane.endpointIP', `endpointIP "${m.controlPlane.endpointIP}" is not an IPv4 address`));
  } else {
    if (!contains(subnet, endpoint)) {
      out.push(error('spec.controlPlane.endpointIP', `endpointIP ${m.controlPlane.endpointIP} is not inside the machine network ${subnetText}: the Talos VIP must be on the machines' network`));
    }
    const hit = parsed.findIndex((r) => r !== undefined && contains(r, endpoint));
    if (hit >= 0) {
      out.push(
        error(
          'spec.controlPlane.endpointIP',
          `endpointIP ${m.controlPlane.endpointIP} lies inside spec.network.ipRanges[${hit}] (${net.ipRanges[hit]}); CAPMOX rejects this: the endpoint must be outside the machine ranges`,
        ),
      );
    }
    if (endpoint === gateway) out.push(error('spec.controlPlane.endpointIP', `endpointIP ${m.controlPlane.endpointIP} is the gateway's address`));
    if (net.prefix < 31 && (endpoint === subnet.first || endpoint === subnet.last)) {
      out.push(error('spec.controlPlane.endpointIP', `endpointIP ${m.controlPlane.endpointIP} is the ${endpoint === subnet.first ? 'network' : 'broadcast'} address of ${subnetText}, which no host can hold`));
    }
  }

  // Pod and service networks must not collide with each other or with the machines.
  const cidrs = [
    ...m.cluster.podCIDRs.map((text, i) => ({ path: `spec.cluster.podCIDRs[${i}]`, text })),
    ...m.cluster.serviceCIDRs.map((text, i) => ({ path: `spec.cluster.serviceCIDRs[${i}]`, text })),
  ].map((c) => ({ ...c, span: /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(c.text) ? parseRange(c.text) : undefined }));
  for (const c of cidrs) {
    if (!c.span) out.push(error(c.path, `"${c.text}" is not an IPv4 CIDR such as 10.244.0.0/16`));
    else if (overlaps(c.span, subnet)) out.push(error(c.path, `${c.text} overlaps the machine network ${subnetText}`));
  }
  for (const [i, j] of overlappingPairs(cidrs.map((c) => c.span))) out.push(error(cidrs[i].path, `${cidrs[i].text} overlaps ${cidrs[j].path} (${cidrs[j].text})`));

  if (ranges.length === net.ipRanges.length && !out.some((p) => p.path.startsWith('spec.network.ipRanges'))) {
    out.push(...checkCapacity(m, usableAddresses(ranges, subnet, gateway, net.prefix)));
  }
  return out;
}

/** Machines a pool may have at once: its replicas (or autoscaler maximum) plus its rolling-update surge. */
export function poolPeak(w: WorkerPool): { machines: number; surge: number } {
  const machines = w.autoscaling ? w.autoscaling.maxReplicas : w.replicas;
  return { machines, surge: resolveSurge(w.rollout.maxSurge, machines) };
}

/** CAPI rounds a percentage maxSurge up (intstr.GetScaledValueFromIntOrPercent with roundUp=true). */
export function resolveSurge(v: number | string, replicas: number): number {
  if (typeof v === 'number') return v;
  return Math.ceil((Number(v.slice(0, -1)) * replicas) / 100);
}

/**
 * Machines that can exist at once during a rolling update (the control plane and every pool with
 * its surge), and how the count is made up; both ipRanges and vmIDRange must cover it.
 */
function peakMachines(m: Model): { needed: number; parts: string[] } {
  let needed = m.controlPlane.replicas + m.controlPlane.maxSurge;
  const parts = [`control plane ${m.controlPlane.replicas} + surge ${m.controlPlane.maxSurge}`];
  for (const w of m.workers) {
    const p = poolPeak(w);
    needed += p.machines + p.surge;
    parts.push(`pool ${w.name} ${p.machines} + surge ${p.surge}`);
  }
  return { needed, parts };
}

/**
 * CAPMOX takes the first ID of vmIDRange that no ProxmoxMachine of the cluster holds (a machine being
 * deleted holds its ID until its VM is gone): the range must hold every machine of a rolling update,
 * or new machines wait with "No free vmid found in vmIDRange".
 */
export function checkVMIDRange(m: Model): Problem[] {
  const r = m.proxmox.vmIDRange;
  if (!r) return [];
  const size = r.end - r.start + 1;
  const { needed, parts } = peakMachines(m);
  if (needed <= size) return [];
  return [
    error(
      'spec.proxmox.vmIDRange',
      `vmIDRange ${r.start}-${r.end} holds ${size} VM IDs but a rolling update can need ${needed} (${parts.join(', ')}); widen the range or lower replicas or maxSurge`,
    ),
  ];
}

function checkCapacity(m: Model, available: number): Problem[] {
  const { needed, parts } = peakMachines(m);
  if (needed <= available) return [];
  return [
    error(
      'spec.network.ipRanges',
      `ipRanges hold ${available} usable addresses but a rolling update can need ${needed} (${parts.join(', ')}); widen the ranges or lower replicas or maxSurge`,
    ),
  ];
}

function checkVersions(m: Model): Problem[] {
  const out: Problem[] = [];
  const imageVersion = talosVersionOfImage(m.cluster.talosImage);
  if (!m.cluster.talosVersion && !imageVersion) {
    out.push(error('spec.cluster.talosImage', `cannot read a Talos version from the image tag of "${m.cluster.talosImage}"; set spec.cluster.talosVersion`));
    return out;
  }
  const talos = parseMinor(m.talosVersion);
  const talosPath = m.cluster.talosVersion ? 'spec.cluster.talosVersion' : 'spec.cluster.talosImage';
  if (talos && talos.major === 1 && talos.minor < MIN_TALOS_MINOR) {
    out.push(error(talosPath, `Talos ${m.talosVersion} is too old: this generator needs Talos v1.${MIN_TALOS_MINOR} or newer`));
    return out;
  }
  const support = kubernetesSupported(m.talosVersion, m.cluster.kubernetesVersion);
  if (support.ok === false) {
    out.push(
      error(
        'spec.cluster.kubernetesVersion',
        `Kubernetes ${m.cluster.kubernetesVersion} is not supported by Talos ${m.talosVersion}; it supports Kubernetes ${support.allowed}`,
      ),
    );
  } else if (support.ok === 'unknown') {
    out.push(
      warning(
        talosPath,
        `Talos ${m.talosVersion} is not in this generator's support table (src/clusterspec/versions.ts); check that it supports Kubernetes ${m.cluster.kubernetesVersion}`,
      ),
    );
  }
  return out;
}

/** Label prefixes a kubelet may set on its own Node (NodeRestriction admission plugin). */
const KUBELET_ALLOWED = [/^kubelet\.kubernetes\.io\//, /^node\.kubernetes\.io\//, /^topology\.kubernetes\.io\/(region|zone)$/, /^kubernetes\.io\/(hostname|arch|os)$/];

function checkPools(m: Model): Problem[] {
  const out: Problem[] = [];
  m.workers.forEach((w, i) => {
    const base = `spec.workers[${i}]`;
    if (w.autoscaling && w.autoscaling.minReplicas > w.autoscaling.maxReplicas) {
      out.push(error(`${base}.autoscaling.minReplicas`, `autoscaling.minReplicas (${w.autoscaling.minReplicas}) is larger than maxReplicas (${w.autoscaling.maxReplicas})`));
    }
    if (isZero(w.rollout.maxSurge) && isZero(w.rollout.maxUnavailable)) {
      out.push(error(`${base}.rollout`, 'rollout.maxSurge and rollout.maxUnavailable cannot both be 0 (in any form: 0 or "0%"): a rolling update could never make progress'));
    }
    out.push(...duplicateTaints(w, base));
    if (w.allowedNodes) out.push(...duplicates(w.allowedNodes, `${base}.allowedNodes`, 'Proxmox node'));
    for (const key of Object.keys(w.labels ?? {})) {
      const domain = key.includes('/') ? key.slice(0, key.indexOf('/')) : '';
      if (/(^|\.)(kubernetes\.io|k8s\.io)$/.test(domain) && !KUBELET_ALLOWED.some((r) => r.test(key))) {
        out.push(
          error(
            `${base}.labels.${key}`,
            `label "${key}" is in a namespace the kubelet may not set on its own Node (NodeRestriction); use your own prefix, e.g. example.com/${key.slice(key.indexOf('/') + 1)}`,
          ),
        );
      }
    }
  });
  return out;
}

/** 0 or "0%": CAPI scales a percentage, so "0%" is zero however many replicas. */
const isZero = (v: number | string) => v === 0 || (typeof v === 'string' && Number(v.slice(0, -1)) === 0);

/**
 * Talos keeps node taints in a map by key (machine.nodeTaints: key → "value:Effect"), so a second taint
 * with the same key, whatever its effect, would silently replace the first.
 */
function duplicateTaints(w: WorkerPool, base: string): Problem[] {
  const out: Problem[] = [];
  const seen = new Map<string, number>();
  (w.taints ?? []).forEach((t, j) => {
    const first = seen.get(t.key);
    if (first === undefined) seen.set(t.key, j);
    else out.push(error(`${base}.taints[${j}].key`, `taint key "${t.key}" is already used by ${base}.taints[${first}]; Talos keeps one taint per key (machine.nodeTaints is a map)`));
  });
  return out;
}

/** Entries of a list the providers treat as a set (x-kubernetes-list-type: set): a repeat is rejected by the API server. */
function duplicates(list: readonly string[], path: string, what: string): Problem[] {
  const out: Problem[] = [];
  const seen = new Map<string, number>();
  list.forEach((v, i) => {
    const first = seen.get(v);
    if (first === undefined) seen.set(v, i);
    else out.push(error(`${path}[${i}]`, `${what} "${v}" is already listed at ${path}[${first}]`));
  });
  return out;
}

function checkControlPlane(m: Model): Problem[] {
  const out: Problem[] = [];
  if (m.controlPlane.allowedNodes) out.push(...duplicates(m.controlPlane.allowedNodes, 'spec.controlPlane.allowedNodes', 'Proxmox node'));
  const n = m.controlPlane.replicas;
  if (n % 2 === 0) {
    out.push(warning('spec.controlPlane.replicas', `${n} control planes give etcd no more fault tolerance than ${n - 1}; use an odd number`));
  }
  const vip = vipSelectorProblem(m.controlPlane.vipDeviceSelector, nicModels(m));
  if (vip) out.push(error('spec.controlPlane.vipDeviceSelector', `vipDeviceSelector ${vip}`));
  if (n === 1) {
    out.push(
      warning(
        'spec.controlPlane.replicas',
        'a single control plane: every Kubernetes or Talos upgrade and every control-plane resize replaces the only etcd member, with no quorum to spare; use 3 for production',
      ),
    );
  }
  return out;
}
