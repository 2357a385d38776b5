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

/** A ClusterSpec document around a spec body. */
export const clusterSpec = (spec: unknown, name = 'cluster09') => ({ apiVersion: API_VERSION, kind: KIND, metadata: { name }, spec });

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
