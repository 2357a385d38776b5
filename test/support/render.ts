import { generate } from '../../src/generate';
import { API_VERSION, KIND } from '../../src/clusterspec/schema';

/**
 * The site values the tests' clusters live on (a spec must give them: they have no defaults). The chart
 * author's lab network, as the goldens have always used; tests about the site values themselves write their own.
 */
export const SITE = {
  network: { ipRanges: ['192.168.4.101-192.168.4.107'], prefix: 24, gateway: '192.168.4.1', dnsServers: ['192.168.1.201'], bastion: {} },
  controlPlane: { endpointIP: '192.168.4.100' },
  proxmox: { allowedNodes: ['venus'], template: { sourceNode: 'venus', templateID: 100 } },
};

/**
 * SITE as YAML flow-mapping entries, for tests that write a ClusterSpec as text:
 * `spec: {workers: [], ${SITE_FLOW}}` or `spec:\n    ${SITE_BLOCK(4)}`.
 */
export const SITE_FLOW =
  'network: {ipRanges: [192.168.4.101-192.168.4.107], prefix: 24, gateway: 192.168.4.1, dnsServers: [192.168.1.201], bastion: {}}, ' +
  'controlPlane: {endpointIP: 192.168.4.100}, proxmox: {allowedNodes: [venus], template: {sourceNode: venus, templateID: 100}}';

/** SITE as block-style lines at this indent (each line ends in a newline). */
export const SITE_BLOCK = (indent: number) =>
  ['network: {ipRanges: [192.168.4.101-192.168.4.107], prefix: 24, gateway: 192.168.4.1, dnsServers: [192.168.1.201], bastion: {}}', 'controlPlane: {endpointIP: 192.168.4.100}', 'proxmox: {allowedNodes: [venus], template: {sourceNode: venus, templateID: 100}}']
    .map((l) => `${' '.repeat(indent)}${l}\n`)
    .join('');

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** `spec` over `base`: mappings merged key by key, anything else (lists included) taken from `spec`. */
export function over(base: unknown, spec: unknown): unknown {
  if (!isObj(base) || !isObj(spec)) return spec === undefined ? base : spec;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(spec)) out[k] = over(base[k], v);
  return out;
}

/** A ClusterSpec document around a spec body, on the test site: SITE's values wherever the spec gives none. */
export const clusterSpec = (spec: unknown, name = 'cluster09') => ({ apiVersion: API_VERSION, kind: KIND, metadata: { name }, spec: over(SITE, spec) });

/** A ClusterSpec document around exactly this spec body (for tests about what a spec leaves out). */
export const bareClusterSpec = (spec: unknown, name = 'cluster09') => ({ apiVersion: API_VERSION, kind: KIND, metadata: { name }, spec });

/** Renders a spec body; fails the test if the spec has errors. */
export function renderObjects(spec: unknown, name?: string): any[] {
  const g = generate(clusterSpec(spec, name));
  const errors = g.results.filter((r) => r.severity === 'error');
  if (errors.length) throw new Error(`spec has errors: ${errors.map((e) => `${e.field?.path}: ${e.message}`).join('; ')}`);
  return JSON.parse(JSON.stringify(g.objects));
}

export function errorsOf(spec: unknown, name?: string) {
  return generate(clusterSpec(spec, name)).results.filter((r) => r.severity === 'error');
}
