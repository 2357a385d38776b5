/**
 * Clusters of one render that would fight over something (issue 21): the same API endpoint, an endpoint
 * inside another cluster's machine addresses, overlapping machine address ranges, overlapping VM ID
 * ranges. Read from the rendered objects: each cluster's ProxmoxCluster (controlPlaneEndpoint.host,
 * ipv4Config.addresses) and machine templates (vmIDRange). The function refuses the same within one run;
 * this sees a whole rendered fleet, whatever rendered it.
 */
import { parseIPv4, parseRange, formatIPv4, type Span } from '../clusterspec/network';
import { isMachineTemplate, isProxmoxCluster } from './objects';
import type { Item, PlanProblem } from './types';

interface Claims {
  cluster: string;
  endpoint?: string;
  addresses: { span: Span; text: string }[];
  vmIDs: { span: Span; text: string }[];
}

function claimsOf(cluster: string, items: Item[]): Claims {
  const out: Claims = { cluster, addresses: [], vmIDs: [] };
  for (const { object: o } of items) {
    if (isProxmoxCluster(o)) {
      const host = o.spec?.controlPlaneEndpoint?.host;
      if (typeof host === 'string') out.endpoint = host;
      const addresses = o.spec?.ipv4Config?.addresses;
      for (const a of Array.isArray(addresses) ? addresses : []) {
        const span = typeof a === 'string' ? parseRange(a) : undefined;
        if (span) out.addresses.push({ span, text: a });
      }
    } else if (isMachineTemplate(o)) {
      const r = o.spec?.template?.spec?.vmIDRange;
      if (Number.isInteger(r?.start) && Number.isInteger(r?.end) && r.end >= r.start && !out.vmIDs.some((v) => v.span.first === r.start && v.span.last === r.end)) {
        out.vmIDs.push({ span: { first: r.start, last: r.end }, text: `${r.start}-${r.end}` });
      }
    }
  }
  return out;
}

/** Pairs of spans of different clusters that overlap, each pair once, in a sweep over the spans in order. */
function crossOverlaps(all: { owner: number; span: Span; text: string }[]) {
  const sorted = [...all].sort((a, b) => a.span.first - b.span.first || a.owner - b.owner);
  const active: typeof sorted = [];
  const out: [(typeof sorted)[number], (typeof sorted)[number]][] = [];
  const seen = new Set<string>();
  for (const s of sorted) {
    for (let i = active.length - 1; i >= 0; i--) if (active[i].span.last < s.span.first) active.splice(i, 1);
    for (const a of active) {
      const k = `${Math.min(a.owner, s.owner)},${Math.max(a.owner, s.owner)}`;
      if (a.owner !== s.owner && !seen.has(k)) {
        seen.add(k);
        out.push(a.owner < s.owner ? [a, s] : [s, a]);
      }
    }
    active.push(s);
  }
  return out.sort(([a1, b1], [a2, b2]) => a1.owner - a2.owner || b1.owner - b2.owner);
}

/** Collisions between the clusters of one render, given as cluster key ("namespace/name") → its items, sorted. */
export function collisions(clusters: [string, Item[]][]): PlanProblem[] {
  const claims = clusters.map(([k, items]) => claimsOf(k, items));
  const out: PlanProblem[] = [];
  const byEndpoint = new Map<string, number>();
  claims.forEach((c, i) => {
    if (c.endpoint === undefined) return;
    const first = byEndpoint.get(c.endpoint);
    if (first === undefined) byEndpoint.set(c.endpoint, i);
    else out.push({ severity: 'error', cluster: c.cluster, field: { path: 'spec.controlPlane.endpointIP' }, message: `clusters ${claims[first].cluster} and ${c.cluster} have the same API endpoint ${c.endpoint}: both control planes would claim one VIP` });
  });
  claims.forEach((c, i) => {
    const ip = c.endpoint === undefined ? undefined : parseIPv4(c.endpoint);
    if (ip === undefined) return;
    claims.forEach((d, j) => {
      if (i === j) return;
      const hit = d.addresses.find((a) => ip >= a.span.first && ip <= a.span.last);
      if (hit) out.push({ severity: 'error', cluster: c.cluster, field: { path: 'spec.controlPlane.endpointIP' }, message: `the API endpoint of ${c.cluster}, ${formatIPv4(ip)}, is inside the machine addresses of ${d.cluster} (${hit.text}): a machine of ${d.cluster} can be given the VIP's address` });
    });
  });
  const spans = (pick: (c: Claims) => { span: Span; text: string }[]) => claims.flatMap((c, owner) => pick(c).map((s) => ({ owner, ...s })));
  for (const [a, b] of crossOverlaps(spans((c) => c.addresses))) {
    out.push({ severity: 'error', cluster: claims[b.owner].cluster, field: { path: 'spec.network.ipRanges' }, message: `the machine addresses of ${claims[a.owner].cluster} (${a.text}) and ${claims[b.owner].cluster} (${b.text}) overlap: both clusters' IP pools hand out the same addresses` });
  }
  for (const [a, b] of crossOverlaps(spans((c) => c.vmIDs))) {
    out.push({ severity: 'error', cluster: claims[b.owner].cluster, field: { path: 'spec.proxmox.vmIDRange' }, message: `the VM ID ranges of ${claims[a.owner].cluster} (${a.text}) and ${claims[b.owner].cluster} (${b.text}) overlap: CAPMOX would clone into, and delete, the other cluster's VM IDs` });
  }
  return out;
}
