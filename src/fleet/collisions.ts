/**
 * Clusters that must never collide: two clusters sharing an API endpoint fight over one VIP; overlapping
 * machine ranges hand one address to two machines (or a machine address to the other cluster's VIP);
 * overlapping VM ID ranges let CAPMOX clone into, and delete, the other cluster's VMs; two clusters that
 * render the same object (group, kind, namespace, name) overwrite each other's object on every apply.
 *
 * Read from rendered objects, so that the same facts come from a ClusterSpec rendered now, from a cluster
 * rendered earlier (ResourceList items of a kpt package) and from a rendered fleet folder.
 */
import { formatIPv4, overlaps, parseIPv4, parseRange, type Span } from '../clusterspec/network';
import { error, type Problem } from '../results';

type Obj = Record<string, any>;

/** What of a cluster can collide with another cluster. */
export interface ClusterFacts {
  /** Who the cluster is, for messages: its ClusterSpec (`ClusterSpec/ns/name`) or its Cluster. */
  owner: string;
  endpoints: string[];
  /** Machine address ranges (ProxmoxCluster ipv4Config.addresses), as written and as numbers. */
  ranges: { text: string; span: Span }[];
  vmIDRanges: { start: number; end: number }[];
  /** Every object by API group, kind, namespace and name. */
  keys: string[];
}

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** An object's identity for an apply: API group (not version), kind, namespace, name. */
export function objectKey(o: Obj): string {
  const api = typeof o.apiVersion === 'string' ? o.apiVersion : '';
  const group = api.includes('/') ? api.slice(0, api.lastIndexOf('/')) : '';
  return `${group}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
}

/** A key for a reader: `TalosControlPlane prod/talos-controlplane`. */
export const showKey = (key: string): string => {
  const [, kind, ns, name] = key.split('/');
  return `${kind} ${ns ? `${ns}/` : ''}${name}`;
};

/** The collision facts of one cluster's rendered objects. */
export function clusterFacts(owner: string, objects: readonly unknown[]): ClusterFacts {
  const facts: ClusterFacts = { owner, endpoints: [], ranges: [], vmIDRanges: [], keys: [] };
  for (const o of objects) {
    if (!isObj(o) || typeof o.kind !== 'string' || !isObj(o.metadata)) continue;
    facts.keys.push(objectKey(o));
    const spec = isObj(o.spec) ? o.spec : {};
    if (o.kind === 'ProxmoxCluster') {
      const host = spec.controlPlaneEndpoint?.host;
      if (typeof host === 'string') facts.endpoints.push(host);
      const addresses = spec.ipv4Config?.addresses;
      for (const text of Array.isArray(addresses) ? addresses : []) {
        const span = typeof text === 'string' ? parseRange(text) : undefined;
        if (span) facts.ranges.push({ text, span });
      }
    }
    if (o.kind === 'ProxmoxMachineTemplate') {
      const r = spec.template?.spec?.vmIDRange;
      if (isObj(r) && Number.isInteger(r.start) && Number.isInteger(r.end)) facts.vmIDRanges.push({ start: r.start, end: r.end });
    }
  }
  return facts;
}

/**
 * The problems of `ours` against every other cluster one run sees, with the field path of our spec each
 * one is about. At most one problem of each kind per other cluster.
 */
export function collisionProblems(ours: ClusterFacts, others: readonly ClusterFacts[]): Problem[] {
  const out: Problem[] = [];
  const mine = new Set(ours.keys);
  for (const other of others) {
    const them = `the cluster of ${other.owner}`;
    const endpoint = ours.endpoints.find((e) => other.endpoints.includes(e));
    if (endpoint) out.push(error('spec.controlPlane.endpointIP', `endpointIP ${endpoint} is also the API endpoint of ${them}: two clusters would fight over one VIP`));
    const inTheirs = ours.endpoints.find((e) => other.ranges.some((r) => inRange(e, r.span)));
    if (inTheirs) out.push(error('spec.controlPlane.endpointIP', `endpointIP ${inTheirs} lies in the machine addresses of ${them}: its IPAM would give it to one of its machines`));
    const theirsInOurs = other.endpoints.find((e) => ours.ranges.some((r) => inRange(e, r.span)));
    if (theirsInOurs) out.push(error('spec.network.ipRanges', `ipRanges hold ${theirsInOurs}, the API endpoint of ${them}: a machine of this cluster could take its VIP's address`));
    const range = ours.ranges.flatMap((a) => other.ranges.filter((b) => overlaps(a.span, b.span)).map((b) => [a, b] as const))[0];
    if (range) {
      out.push(error('spec.network.ipRanges', `range ${range[0].text} overlaps ${range[1].text} of ${them}: two clusters' IPAM pools would hand out the same addresses (from ${formatIPv4(Math.max(range[0].span.first, range[1].span.first))})`));
    }
    const ids = ours.vmIDRanges.flatMap((a) => other.vmIDRanges.filter((b) => a.start <= b.end && b.start <= a.end).map((b) => [a, b] as const))[0];
    if (ids) {
      out.push(error('spec.proxmox.vmIDRange', `vmIDRange ${ids[0].start}-${ids[0].end} overlaps ${ids[1].start}-${ids[1].end} of ${them}: CAPMOX could clone into, and delete, the other cluster's VMs`));
    }
    // Two clusters in one namespace both render its Namespace, identical but for the generated-from mark: not a clash.
    const shared = other.keys.filter((k) => mine.has(k) && !k.startsWith('/Namespace/'));
    if (shared.length) {
      const shown = shared.slice(0, 3).map(showKey).join(', ');
      out.push(
        error(
          'spec.cluster.name',
          `${them} renders the same object${shared.length === 1 ? '' : 's'} (${shown}${shared.length > 3 ? ` and ${shared.length - 3} more` : ''}): each apply would overwrite the other cluster's; give the clusters different names or namespaces`,
        ),
      );
    }
  }
  return out;
}

function inRange(ip: string, span: Span): boolean {
  const n = parseIPv4(ip);
  return n !== undefined && n >= span.first && n <= span.last;
}
