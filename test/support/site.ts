/**
 * Site values (the machine network, the endpoint, the Proxmox nodes and template) for test specs: every
 * one given explicitly, as users must give them. site() is the values the function used to default to
 * (so rendered names and hashes stay as the tests knew them), with no bastion; site(i) for i > 0 is a
 * cluster of a fleet that collides with no other: its own /24, endpoint and VM ID range.
 */
export function site(i = 0) {
  if (i === 0) {
    return {
      network: { ipRanges: ['192.168.4.101-192.168.4.140'], prefix: 24, gateway: '192.168.4.1', dnsServers: ['192.168.1.201'], bastion: {} },
      controlPlane: { endpointIP: '192.168.4.100' },
      proxmox: { allowedNodes: ['venus'], template: { sourceNode: 'venus', templateID: 100 } },
    };
  }
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
  const s = site(i) as Spec;
  const out: Spec = { ...spec };
  for (const k of ['network', 'controlPlane', 'proxmox']) out[k] = { ...s[k], ...(spec[k] ?? {}) };
  return out;
}
