/**
 * IPv4 address arithmetic for the machine network. Parsing and validation are ipaddr.js's; here we
 * only turn addresses into 32-bit numbers so ranges can be compared and counted.
 *
 * The address forms are those CAPMOX accepts in ProxmoxCluster.spec.ipv4Config.addresses
 * (internal/webhook/proxmoxcluster_webhook.go): a single IP, a range "a-b", or a CIDR.
 */
import ipaddr from 'ipaddr.js';

export interface Span {
  /** First and last address as unsigned 32-bit numbers, inclusive. */
  first: number;
  last: number;
}

export function parseIPv4(text: string): number | undefined {
  if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
  return toNumber(ipaddr.IPv4.parse(text));
}

function toNumber(a: ipaddr.IPv4): number {
  const [b0, b1, b2, b3] = a.octets;
  return ((b0 << 24) >>> 0) + (b1 << 16) + (b2 << 8) + b3;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Parses "a", "a-b" or "a/len"; undefined when malformed or when b < a. */
export function parseRange(text: string): Span | undefined {
  const t = text.trim();
  if (t.includes('/')) {
    const parts = t.split('/');
    if (parts.length !== 2) return undefined;
    const [addr, len] = parts;
    const address = parseIPv4(addr);
    if (address === undefined || !/^\d{1,2}$/.test(len) || Number(len) > 32) return undefined;
    return subnetOf(address, Number(len));
  }
  const parts = t.split('-');
  if (parts.length > 2) return undefined;
  const first = parseIPv4(parts[0]);
  const last = parts.length === 2 ? parseIPv4(parts[1]) : first;
  if (first === undefined || last === undefined || last < first) return undefined;
  return { first, last };
}

/** The subnet a gateway and prefix length describe. */
export function subnetOf(address: number, prefix: number): Span {
  const size = 2 ** (32 - prefix);
  const first = Math.floor(address / size) * size;
  return { first, last: first + size - 1 };
}

export const contains = (s: Span, n: number) => n >= s.first && n <= s.last;
export const inside = (outer: Span, inner: Span) => inner.first >= outer.first && inner.last <= outer.last;
export const overlaps = (a: Span, b: Span) => a.first <= b.last && b.first <= a.last;

/**
 * How many addresses the in-cluster IPAM pool can hand out: every address of the ranges except the
 * gateway and, for prefixes below /31, the subnet's network and broadcast addresses
 * (cluster-api-ipam-provider-in-cluster excludes those unless allocateReservedIPAddresses is set).
 */
export function usableAddresses(ranges: Span[], subnet: Span, gateway: number, prefix: number): number {
  const reserved = new Set<number>([gateway]);
  if (prefix < 31) {
    reserved.add(subnet.first);
    reserved.add(subnet.last);
  }
  let total = 0;
  for (const r of ranges) total += r.last - r.first + 1;
  for (const n of reserved) if (ranges.some((r) => contains(r, n))) total -= 1;
  return total;
}

/**
 * Overlapping spans, in O(n log n): sweeps the spans in address order (list order among equal starts),
 * keeping the one that reaches furthest, and reports each span that starts inside it as the pair
 * [span, the one it overlaps], by list index. Every overlap is found: a span is left unreported only
 * when it is the first of its group. Undefined entries (unparseable) are skipped.
 */
export function overlappingPairs(spans: readonly (Span | undefined)[]): [number, number][] {
  const order = spans.flatMap((s, i) => (s ? [i] : [])).sort((a, b) => spans[a]!.first - spans[b]!.first || a - b);
  const out: [number, number][] = [];
  let reach: number | undefined;
  for (const i of order) {
    if (reach !== undefined && spans[reach]!.last >= spans[i]!.first) out.push([i, reach]);
    if (reach === undefined || spans[i]!.last > spans[reach]!.last) reach = i;
  }
  return out.sort((a, b) => a[0] - b[0]);
}
