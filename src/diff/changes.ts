/**
 * What an edit does to a live cluster, in words: compares two rendered object sets (old, new) and
 * classifies each change the way CAPI will act on it — a scale, a rolling replacement, a new pool —
 * with the machines and free IPs a roll needs. Pure: objects in, lines out.
 */
import { resolveSurge } from '../clusterspec/check';
import { describeSettingChanges, mergePatches, settingChanges } from '../talos/merge';
import { GENERATOR, MANAGED_BY_LABEL } from '../resources/meta';
import { canonicalJSON } from '../naming/names';

type Obj = Record<string, any>;

export interface Change {
  /** "control plane", "pool gpu", "cluster" */
  subject: string;
  text: string;
  /** Machines replaced by a rolling update this change starts (0 for scale or metadata changes). */
  rolls: number;
}

const byKey = (objs: Obj[]) => new Map(objs.map((o) => [`${o.kind}/${o.metadata?.name}`, o]));
const same = (a: unknown, b: unknown) => canonicalJSON(a) === canonicalJSON(b);
const refName = (r: Obj | undefined) => r?.name as string | undefined;

function poolName(md: Obj): string {
  const cluster = md.spec?.clusterName ?? '';
  return String(md.metadata.name).slice(cluster.length + 1) || md.metadata.name;
}

/** The API profile a rendered set was made with, read from its Cluster (or machine templates). */
function profileOf(objs: Obj[]): 'legacy' | 'current' | undefined {
  const versions = objs.filter((o) => o?.kind === 'Cluster' || o?.kind === 'ProxmoxMachineTemplate').map((o) => o.apiVersion);
  if (versions.some((v) => v === 'cluster.x-k8s.io/v1beta2' || v === 'infrastructure.cluster.x-k8s.io/v1alpha2')) return 'current';
  if (versions.some((v) => v === 'cluster.x-k8s.io/v1beta1' || v === 'infrastructure.cluster.x-k8s.io/v1alpha1')) return 'legacy';
  return undefined;
}

const PROFILE_APIS = { legacy: { capi: 'v1beta1', capmox: 'v1alpha1' }, current: { capi: 'v1beta2', capmox: 'v1alpha2' } } as const;
const PROFILE_NEEDS = { legacy: 'CAPMOX ≤ v0.7 serves it', current: 'the management cluster must run CAPI ≥ v1.11 and CAPMOX ≥ v0.8 first' } as const;

/** A spec without the API-version parts of its references, so two profiles' renderings compare by content. */
function withoutApiVersions(v: unknown): unknown {
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
function templateDelta(oldT: Obj | undefined, newT: Obj | undefined): string {
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
    say('VM template', [a.sourceNode, a.templateID], [b.sourceNode, b.templateID]);
    say('allowed nodes', a.allowedNodes, b.allowedNodes);
    say('VM ID range', a.vmIDRange && [a.vmIDRange.start, a.vmIDRange.end], b.vmIDRange && [b.vmIDRange.start, b.vmIDRange.end]);
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
function talosConfigDelta(a: Obj | undefined, b: Obj | undefined): string | undefined {
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
function fmt(v: unknown): string {
  const text = v === undefined ? '(none)' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

export function describeChanges(oldObjs: Obj[], newObjs: Obj[]): Change[] {
  const before = byKey(oldObjs);
  const after = byKey(newObjs);
  const out: Change[] = [];
  const fromProfile = profileOf(oldObjs);
  const toProfile = profileOf(newObjs);
  const profileSwitch = fromProfile && toProfile && fromProfile !== toProfile;
  if (profileSwitch) {
    out.push({
      subject: 'cluster',
      text: `API profile ${fromProfile} → ${toProfile} (CAPI ${PROFILE_APIS[fromProfile].capi} → ${PROFILE_APIS[toProfile].capi}, CAPMOX ${PROFILE_APIS[fromProfile].capmox} → ${PROFILE_APIS[toProfile].capmox}): every machine template is re-created in the new API version, so every machine rolls; ${PROFILE_NEEDS[toProfile]}`,
      rolls: 0,
    });
  }

  const oldTcp = oldObjs.find((o) => o.kind === 'TalosControlPlane');
  const newTcp = newObjs.find((o) => o.kind === 'TalosControlPlane');
  if (oldTcp && newTcp) {
    const a = oldTcp.spec;
    const b = newTcp.spec;
    const reasons: string[] = [];
    if (a.version !== b.version) reasons.push(`Kubernetes ${a.version} → ${b.version}`);
    if (refName(a.infrastructureTemplate) !== refName(b.infrastructureTemplate)) {
      reasons.push(`new machine template (${templateDelta(before.get(`ProxmoxMachineTemplate/${refName(a.infrastructureTemplate)}`), after.get(`ProxmoxMachineTemplate/${refName(b.infrastructureTemplate)}`))})`);
    }
    if (!same(a.controlPlaneConfig, b.controlPlaneConfig)) {
      reasons.push(talosConfigDelta(a.controlPlaneConfig?.controlplane, b.controlPlaneConfig?.controlplane) ?? 'Talos control plane config changed');
    }
    const replicas = b.replicas ?? 1;
    if (reasons.length) {
      const surge = b.rolloutStrategy?.rollingUpdate?.maxSurge ?? 1;
      out.push({ subject: 'control plane', text: `${reasons.join('; ')} → rolls ${replicas} control plane${replicas === 1 ? '' : 's'} one at a time, surge ${surge}, needs ${surge} free IP${surge === 1 ? '' : 's'}`, rolls: replicas });
    }
    if ((a.replicas ?? 1) !== replicas) out.push({ subject: 'control plane', text: `replicas ${a.replicas ?? 1} → ${replicas} (scale, no roll)`, rolls: 0 });
  }

  const mds = (objs: Obj[]) => objs.filter((o) => o.kind === 'MachineDeployment');
  for (const md of mds(newObjs)) {
    const pool = `pool ${poolName(md)}`;
    const old = before.get(`MachineDeployment/${md.metadata.name}`);
    const replicas = md.spec.replicas;
    const count = replicas ?? `autoscaled (${md.metadata.annotations?.['cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size']}-${md.metadata.annotations?.['cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size']})`;
    if (!old) {
      out.push({ subject: pool, text: `new pool: ${count} machine${replicas === 1 ? '' : 's'}`, rolls: 0 });
      continue;
    }
    const a = old.spec.template.spec;
    const b = md.spec.template.spec;
    const reasons: string[] = [];
    if (a.version !== b.version) reasons.push(`Kubernetes ${a.version} → ${b.version}`);
    if (refName(a.infrastructureRef) !== refName(b.infrastructureRef)) {
      reasons.push(`new machine template (${templateDelta(before.get(`ProxmoxMachineTemplate/${refName(a.infrastructureRef)}`), after.get(`ProxmoxMachineTemplate/${refName(b.infrastructureRef)}`))})`);
    }
    if (refName(a.bootstrap?.configRef) !== refName(b.bootstrap?.configRef)) {
      reasons.push(`new Talos config (${templateDelta(before.get(`TalosConfigTemplate/${refName(a.bootstrap?.configRef)}`), after.get(`TalosConfigTemplate/${refName(b.bootstrap?.configRef)}`))})`);
    }
    if (reasons.length) {
      const n = typeof replicas === 'number' ? replicas : 0;
      const ru = md.spec.rollout?.strategy?.rollingUpdate ?? md.spec.strategy?.rollingUpdate ?? {};
      const surge = resolveSurge(ru.maxSurge ?? 1, n);
      out.push({ subject: pool, text: `${reasons.join('; ')} → rolls ${typeof replicas === 'number' ? n : 'all'} machine${n === 1 ? '' : 's'}, surge ${surge}, needs ${surge} free IP${surge === 1 ? '' : 's'}`, rolls: n });
    }
    if (old.spec.replicas !== replicas) out.push({ subject: pool, text: `replicas ${old.spec.replicas ?? 'autoscaled'} → ${count} (scale, no roll)`, rolls: 0 });
  }

  for (const kind of ['MachineHealthCheck', 'ProxmoxCluster', 'Cluster']) {
    for (const o of newObjs.filter((x) => x.kind === kind)) {
      const old = before.get(`${kind}/${o.metadata.name}`);
      if (!old) out.push({ subject: kind, text: `${o.metadata.name} added`, rolls: 0 });
      else if (old.apiVersion !== o.apiVersion && (kind === 'MachineHealthCheck' || same(withoutApiVersions(old.spec), withoutApiVersions(o.spec)))) {
        out.push({ subject: kind, text: `${fmt(o.metadata.name)} rewritten as ${fmt(o.apiVersion)}, same settings (API profile switch; no roll by itself)`, rolls: 0 });
      } else if (!same(old.spec, o.spec)) {
        const note = kind === 'ProxmoxCluster' ? ' (IP pool, DNS or placement: applies to machines created from now on)' : kind === 'Cluster' ? ' (no machine rolls)' : '';
        out.push({ subject: kind, text: `${fmt(o.metadata.name)} changed: ${describeSettingChanges(settingChanges(old.spec, o.spec))}${note}`, rolls: 0 });
      }
    }
  }
  out.push(...leavingTheRender(oldObjs, after));
  const adopted = oldObjs.filter((o) => o.metadata?.labels?.[MANAGED_BY_LABEL] !== GENERATOR && after.has(key(o)) && !TEMPLATE_KINDS.has(o.kind));
  if (adopted.length) {
    out.unshift({ subject: 'adopted in place', text: `${listed(adopted)} (same kind and name: updated, never recreated)`, rolls: 0 });
    if (!out.some((c) => c.subject === 'deleted' || c.text.startsWith('removed:'))) out.push({ subject: 'deleted', text: 'nothing', rolls: 0 });
  }
  return out;
}

/** Kinds of the immutable templates machines are created from: a superseded one is pruned, and no machine goes with it. */
const TEMPLATE_KINDS = new Set(['ProxmoxMachineTemplate', 'TalosConfigTemplate']);
const key = (o: Obj) => `${o.kind}/${o.metadata?.name}`;
/** Objects by kind/name for a change line: each name shortened, at most 12, then how many more. */
const listed = (objs: Obj[]) => {
  const shown = objs.slice(0, 12).map((o) => fmt(key(o)));
  return objs.length > 12 ? `${shown.join(', ')} and ${objs.length - 12} more` : shown.join(', ');
};

/**
 * Every old object the new render no longer has: superseded templates (harmless: machines are cloned from
 * them, not owned by them), and anything else, which a pruning GitOps apply deletes. Pools, health checks,
 * the ProxmoxCluster and the Cluster are said with their consequence; the rest by name.
 */
function leavingTheRender(oldObjs: Obj[], after: Map<string, Obj>): Change[] {
  const gone = oldObjs.filter((o) => o.kind && o.metadata?.name && !after.has(key(o)));
  const templates = gone.filter((o) => TEMPLATE_KINDS.has(o.kind));
  const deleted = gone.filter((o) => !TEMPLATE_KINDS.has(o.kind));
  const out: Change[] = [];
  for (const o of deleted) {
    if (o.kind === 'MachineDeployment') {
      const n = o.spec?.replicas;
      out.push({ subject: `pool ${poolName(o)}`, text: `removed: ${n ?? 'all'} machine${n === 1 ? '' : 's'} drained and deleted`, rolls: 0 });
      continue;
    }
    const machinesGo = o.kind === 'Cluster' || o.kind === 'ProxmoxCluster' || o.kind === 'TalosControlPlane';
    out.push({ subject: 'deleted', text: `${fmt(key(o))}${machinesGo ? ': a pruning apply deletes it, and with it machines of the cluster' : ''}`, rolls: 0 });
  }
  if (templates.length) {
    out.push({ subject: 'superseded templates', text: `${listed(templates)} leave the render (pruned; no machine is deleted with them)`, rolls: 0 });
  }
  return out;
}
