/**
 * Objects updated in place that roll nothing: the Cluster, the ProxmoxCluster, health checks. What changes
 * is said in words (a note); the fields that do not do what the edit looks like are flags:
 * - ProxmoxCluster spec.controlPlaneEndpoint: CAPI copies it into Cluster.spec.controlPlaneEndpoint once,
 *   while that is unset, and never again (cluster-api@v1.14.0 core/reconcilers/cluster/
 *   cluster_controller_phases.go); kubeconfigs, talosconfigs and the API server certificate hold it.
 * - Cluster spec.clusterNetwork: CABPT writes the pod and service networks into each new machine's Talos
 *   config; running machines, the CNI and every Service keep the network the cluster was created with.
 * - Cluster spec.controlPlaneRef / infrastructureRef: another object behind the cluster; CAPI moves no
 *   machine over to it.
 */
import { describeSettingChanges, settingChanges } from '../talos/merge';
import { refOf, isCluster, isProxmoxCluster, isKind, GROUPS } from './objects';
import { fmt, same, withoutApiVersions } from './templates';
import type { Flag, Note, Obj } from './types';

const CAPI_COPIES_ONCE =
  'CAPI copied the API endpoint into the Cluster (spec.controlPlaneEndpoint) when the cluster was created and never copies it again; kubeconfigs, talosconfigs and the API server certificate hold the old address. The control planes roll onto the new VIP while CAPI, the providers and every client keep using the old one: the roll stalls and the cluster is unreachable. Moving the endpoint means a new cluster (or a migration by hand)';
const NETWORK_FIXED =
  "the cluster's pod and service networks are fixed when it is created: CABPT writes the new ones into the Talos config of machines created from now on, while running machines, the CNI and every Service keep the old ones; new machines join with a network the cluster does not use";
const REF_SWITCH = (what: string) =>
  `the Cluster switches to another ${what}: CAPI moves no machine over, the old one is pruned (see what it destroys) and a new one starts from nothing (a TalosControlPlane: a new control plane with a new etcd). Only spec.cluster.adoptedFrom changes these names: keep it as the cluster was adopted`;

/**
 * The pod and service networks Talos uses when the Cluster names none (CABPT then writes none into the
 * config): Talos's defaults (cluster.network.podSubnets / serviceSubnets).
 */
const TALOS_DEFAULT_NETWORK = { pods: ['10.244.0.0/16'], services: ['10.96.0.0/12'] } as const;

const under = (path: string, roots: string[]) => roots.some((r) => path === r || path.startsWith(`${r}.`) || path.startsWith(`${r}[`));

/** Flags of one object updated in place (same identity on both sides). */
export function flagsOf(old: Obj, next: Obj): Flag[] {
  const out: Flag[] = [];
  const object = refOf(next);
  const a = old.spec ?? {};
  const b = next.spec ?? {};
  if (isProxmoxCluster(next) && !same(a.controlPlaneEndpoint, b.controlPlaneEndpoint)) {
    const show = (e: Obj | undefined) => (e ? `${fmt(e.host)}:${fmt(e.port)}` : '(none)');
    out.push({ path: 'spec.controlPlane.endpointIP', objectPath: 'spec.controlPlaneEndpoint', object, before: show(a.controlPlaneEndpoint), after: show(b.controlPlaneEndpoint), message: `the API endpoint ${show(a.controlPlaneEndpoint)} → ${show(b.controlPlaneEndpoint)}: ${CAPI_COPIES_ONCE}` });
  }
  if (isCluster(next)) {
    for (const [part, path] of [['pods', 'spec.cluster.podCIDRs'], ['services', 'spec.cluster.serviceCIDRs']] as const) {
      const x = a.clusterNetwork?.[part]?.cidrBlocks;
      const y = b.clusterNetwork?.[part]?.cidrBlocks;
      // Unset, the cluster runs Talos's defaults: setting them (as a chart's cluster gets on adoption) changes nothing.
      if (!same(x ?? TALOS_DEFAULT_NETWORK[part], y ?? TALOS_DEFAULT_NETWORK[part])) out.push({ path, objectPath: `spec.clusterNetwork.${part}.cidrBlocks`, object, before: fmt(x), after: fmt(y), message: `${part === 'pods' ? 'pod' : 'service'} network ${fmt(x)} → ${fmt(y)}: ${NETWORK_FIXED}` });
    }
    const rest = (n: Obj | undefined) => {
      const others = Object.entries(n ?? {}).filter(([k, v]) => k !== 'pods' && k !== 'services' && v !== undefined);
      return others.length ? Object.fromEntries(others) : undefined;
    };
    if (!same(rest(a.clusterNetwork), rest(b.clusterNetwork))) {
      out.push({ path: 'spec.cluster', objectPath: 'spec.clusterNetwork', object, before: fmt(rest(a.clusterNetwork)), after: fmt(rest(b.clusterNetwork)), message: `cluster network settings ${fmt(rest(a.clusterNetwork))} → ${fmt(rest(b.clusterNetwork))}: ${NETWORK_FIXED}` });
    }
    for (const [field, what] of [['controlPlaneRef', 'TalosControlPlane'], ['infrastructureRef', 'ProxmoxCluster']] as const) {
      const x = withoutApiVersions(a[field]) as Obj | undefined;
      const y = withoutApiVersions(b[field]) as Obj | undefined;
      if (!same(x, y)) {
        const show = (r: Obj | undefined) => (r ? `${fmt(r.kind)}/${fmt(r.name)}` : '(none)');
        out.push({ path: 'spec.cluster.adoptedFrom', objectPath: `spec.${field}`, object, before: show(x), after: show(y), message: `${field} ${show(x)} → ${show(y)}: ${REF_SWITCH(what)}` });
      }
    }
  }
  return out;
}

const NOTE_KINDS: [string, string][] = [
  [GROUPS.capi, 'MachineHealthCheck'],
  [GROUPS.infrastructure, 'ProxmoxCluster'],
  [GROUPS.capi, 'Cluster'],
];

/** Notes for the Cluster, the ProxmoxCluster and health checks: added, rewritten in another API version, or changed (flagged fields left to their flag). */
export function kindNotes(before: Map<string, Obj>, after: Obj[], keyOf: (o: Obj) => string): Note[] {
  const out: Note[] = [];
  for (const [group, kind] of NOTE_KINDS) {
    for (const o of after.filter((x) => isKind(x, group, kind)).sort((x, y) => (String(x.metadata?.name) < String(y.metadata?.name) ? -1 : 1))) {
      const old = before.get(keyOf(o));
      const object = refOf(o);
      const name = fmt(o.metadata?.name);
      if (!old) out.push({ subject: kind, text: `${name} added`, object });
      else if (old.apiVersion !== o.apiVersion && (kind === 'MachineHealthCheck' || same(withoutApiVersions(old.spec), withoutApiVersions(o.spec)))) {
        out.push({ subject: kind, text: `${name} rewritten as ${fmt(o.apiVersion)}, same settings (API profile switch; no roll by itself)`, object });
      } else if (!same(old.spec, o.spec)) {
        const roots = flagsOf(old, o).map((f) => f.objectPath.replace(/^spec\./, ''));
        // Across an API profile switch, references differ in form only (apiVersion → apiGroup): compare without them.
        const strip = (spec: unknown) => (old.apiVersion !== o.apiVersion ? withoutApiVersions(spec) : spec);
        const changes = settingChanges(strip(old.spec), strip(o.spec)).filter((c) => !under(c.path, roots) && !roots.some((r) => under(r, [c.path])));
        if (!changes.length) continue; // only flagged fields changed: their flags say it
        const note = kind === 'ProxmoxCluster' ? ' (IP pool, DNS or placement: applies to machines created from now on)' : kind === 'Cluster' ? ' (no machine rolls)' : '';
        out.push({ subject: kind, text: `${name} changed: ${describeSettingChanges(changes)}${note}`, object });
      }
    }
  }
  return out;
}
