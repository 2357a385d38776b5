import type { Model } from '../clusterspec/parse';
import type { Profile } from './profile';
import { meta, type K8sObject } from './meta';
import { names } from '../naming/names';

export const API_SERVER_PORT = 6443;

/**
 * The ProxmoxCluster: where VMs may go, the machine IP pool CAPMOX hands out through nocloud, and the
 * API endpoint (the Talos VIP, outside the pool: CAPMOX's webhook rejects an endpoint inside it).
 * Credentials are a reference to a Secret, never the token.
 */
export function proxmoxCluster(m: Model, p: Profile): K8sObject {
  const { credentialsRef } = m.proxmox;
  return {
    apiVersion: p.proxmox,
    kind: 'ProxmoxCluster',
    metadata: meta(m, names.proxmoxCluster(m.name, m.cluster.adoptedFrom)),
    spec: {
      allowedNodes: m.proxmox.allowedNodes,
      controlPlaneEndpoint: { host: m.controlPlane.endpointIP, port: API_SERVER_PORT },
      dnsServers: m.network.dnsServers,
      ipv4Config: { addresses: m.network.ipRanges, prefix: m.network.prefix, gateway: m.network.gateway },
      ...(m.proxmox.schedulerHints && { schedulerHints: { memoryAdjustment: m.proxmox.schedulerHints.memoryAdjustment } }),
      ...(credentialsRef && { credentialsRef: { name: credentialsRef.name, namespace: credentialsRef.namespace ?? m.namespace } }),
    },
  };
}
