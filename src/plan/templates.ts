/**
 * What differs between two versions of a machine template or a Talos config, named for a reader: the
 * pieces of a ProxmoxMachineTemplate (cores, memory, network, VM template, ...) and the settings of a
 * Talos config (the installer image, every setting of the merged strategic patches by its path). Also the
 * API profile a rendered set was made with. Pure: objects in, words out.
 */
import { describeSettingChanges, mergePatches, settingChanges } from '../talos/merge';
import { canonicalJSON } from '../naming/names';
import type { Obj } from './types';

export const same = (a: unknown, b: unknown) => canonicalJSON(a) === canonicalJSON(b);

/** The API profile a rendered set was made with, read from its Cluster (or machine templates). */
export function profileOf(objs: Obj[]): 'legacy' | 'current' | undefined {
  const versions = objs.filter((o) => o?.kind === 'Cluster' || o?.kind === 'ProxmoxMachineTemplate').map((o) => o.apiVersion);
  if (versions.some((v) => v === 'cluster.x-k8s.io/v1beta2' || v === 'infrastructure.cluster.x-k8s.io/v1alpha2')) return 'current';
  if (versions.some((v) => v === 'cluster.x-k8s.io/v1beta1' || v === 'infrastructure.cluster.x-k8s.io/v1alpha1')) return 'legacy';
  return undefined;
}

export const PROFILE_APIS = { legacy: { capi: 'v1beta1', capmox: 'v1alpha1' }, current: { capi: 'v1beta2', capmox: 'v1alpha2' } } as const;
export const PROFILE_NEEDS = { legacy: 'CAPMOX ≤ v0.7 serves it', current: 'the management cluster must run CAPI ≥ v1.11 and CAPMOX ≥ v0.8 first' } as const;

/** A spec without the API-version parts of its references, so two profiles' renderings compare by content. */
export function withoutApiVersions(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutApiVersions);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'apiVersion' && k !== 'apiGroup').map(([k, x]) => [k, withoutApiVersions(x)]));
  return v;
}

/** The NICs of a machine template's network in one shape for both profiles: net0 first, then the extra devices. */
function nics(network: Obj | undefined): unknown {
  if (!network || typeof network !== 'object') return network;
  const pool = (r: Obj | undefined) => (r ? `${r.kind}/${r.name}` : undefined);
  const nic = (d: Obj, name: string, ref?: Obj) => ({ name, bridge: d?.bridge, model: d?.model, vlan: d?.vlan, mtu: d?.mtu, ipPool: pool(ref) });
  if (Array.isArray(network.networkDevices)) return network.networkDevices.map((d: Obj) => nic(d, d?.name, Array.isArray(d?.ipPoolRef) ? d.ipPoolRef[0] : undefined));
  if (network.default) return [nic(network.default, 'net0'), ...(Array.isArray(network.additionalDevices) ? network.additionalDevices : []).map((d: Obj) => nic(d, d?.name, d?.ipv4PoolRef))];
  return network;
}

/** The pieces of a machine template or config that differ, named for a reader. */
export function templateDelta(oldT: Obj | undefined, newT: Obj | undefined): string {
  if (!oldT || !newT) return 'new template';
  const a = oldT.spec?.template?.spec ?? {};
  const b = newT.spec?.template?.spec ?? {};
  const parts: string[] = [];
  const say = (label: string, x: unknown, y: unknown) => !same(x, y) && parts.push(`${label} ${fmt(x)} → ${fmt(y)}`);
  if (oldT.apiVersion !== newT.apiVersion) parts.push(`API ${fmt(oldT.apiVersion).split('/').at(-1)} → ${fmt(newT.apiVersion).split('/').at(-1)}`);
  if (newT.kind === 'ProxmoxMachineTemplate') {
    say('cores', a.numCores, b.numCores);
    say('sockets', a.numSockets, b.numSockets);
    say('memory MiB', a.memoryMiB, b.memoryMiB);
    say('disk GB', a.disks?.bootVolume?.sizeGb, b.disks?.bootVolume?.sizeGb);
    say('network', nics(a.network), nics(b.network));
    // As the spec writes them: node/ID for the VM template, start-end for a range.
    const vmTemplate = (t: Obj) => (t.sourceNode === undefined && t.templateID === undefined ? undefined : `${fmt(t.sourceNode)}/${fmt(t.templateID)}`);
    const idRange = (r: Obj | undefined) => (r ? `${fmt(r.start)}-${fmt(r.end)}` : undefined);
    say('VM template', vmTemplate(a), vmTemplate(b));
    say('allowed nodes', a.allowedNodes, b.allowedNodes);
    say('VM ID range', idRange(a.vmIDRange), idRange(b.vmIDRange));
    say('clone', [a.full, a.format, a.storage], [b.full, b.format, b.storage]);
    if (!parts.length && canonicalJSON(a) === canonicalJSON(b)) parts.push('the same VM shape under a new name');
  } else {
    const config = talosConfigDelta(a, b);
    if (config) parts.push(config);
  }
  return parts.length ? parts.join(', ') : 'template changed';
}

/**
 * What differs between two Talos configs (a TalosConfigTemplate's or the control plane's): the Talos
 * image in words, every other setting of the merged patches and of the config itself by its path.
 */
export function talosConfigDelta(a: Obj | undefined, b: Obj | undefined): string | undefined {
  const image = imageChange(a, b);
  const own = settingChanges({ ...a, strategicPatches: undefined }, { ...b, strategicPatches: undefined });
  const patched = settingChanges(mergePatches(a?.strategicPatches), mergePatches(b?.strategicPatches)).filter((c) => !(image && (c.path === 'machine.install.image' || c.path === 'UnattendedInstallConfig/.installer.image')));
  const parts = [image, own.length ? describeSettingChanges(own) : undefined, patched.length ? `patches: ${describeSettingChanges(patched)}` : undefined].filter(Boolean);
  return parts.length ? parts.join('; ') : undefined;
}

/**
 * The Talos installer image a config's strategic patches install: machine.install.image, or from the
 * Talos 1.14 contract on the UnattendedInstallConfig document's installer.image.
 */
function installImage(config: Obj | undefined): string | undefined {
  const merged = mergePatches(config?.strategicPatches) as Obj;
  const image = merged.machine?.install?.image ?? merged['UnattendedInstallConfig/']?.installer?.image;
  return typeof image === 'string' ? image : undefined;
}

/** "Talos image …:v1.11.1 → …:v1.11.5" when the installer image differs, else undefined. */
function imageChange(a: Obj | undefined, b: Obj | undefined): string | undefined {
  const x = installImage(a);
  const y = installImage(b);
  if (!x || !y || x === y) return undefined;
  const tag = (i: string) => i.slice(i.lastIndexOf(':') + 1);
  return tag(x) !== tag(y) && x.slice(0, x.lastIndexOf(':')) === y.slice(0, y.lastIndexOf(':')) ? `Talos image ${tag(x)} → ${tag(y)}` : `Talos image ${x} → ${y}`;
}

/** A value for a change line, at most 120 characters (values come from files that may hold anything). */
export function fmt(v: unknown): string {
  const text = v === undefined ? '(none)' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
