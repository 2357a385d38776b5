/**
 * Site values (the machine network, the endpoint, the Proxmox nodes and template) for the plan's tests,
 * every one given explicitly. site() is the test site of ./render.ts (SITE) with room for the machines of a
 * day-2 roll (.101-.140); site(i) for i > 0 is a cluster of a fleet that collides with no other: its own
 * /24, endpoint and VM ID range.
 */
import { SITE, over } from './render';

export function site(i = 0): Record<string, any> {
  if (i === 0) return over(SITE, { network: { ipRanges: ['192.168.4.101-192.168.4.140'] } }) as Record<string, any>;
  const net = `10.${Math.floor(i / 250)}.${i % 250}`;
  return {
    network: { ipRanges: [`${net}.101-${net}.140`], prefix: 24, gateway: `${net}.1`, dnsServers: ['10.255.0.53'], bastion: {} },
    controlPlane: { endpointIP: `${net}.100` },
    proxmox: { allowedNodes: ['venus'], template: { sourceNode: 'venus', templateID: 100 }, vmIDRange: { start: 1000 + i * 100, end: 1099 + i * 100 } },
  };
}

type Spec = Record<string, any>;
/** A spec body with a site's values under it: `spec`'s own sections win, key by key. */
export function withSite(spec: Spec, i = 0): Spec {
  const s = site(i);
  const out: Spec = { ...spec };
  for (const k of ['network', 'controlPlane', 'proxmox']) out[k] = { ...s[k], ...(spec[k] ?? {}) };
  return out;
}
