import type { Model } from '../clusterspec/parse';
import type { Profile } from './profile';
import { meta, type K8sObject } from './meta';
import { names } from '../naming/names';

/**
 * The CAPI Cluster. `controlPlaneEndpoint` is left unset: CAPI copies it from the ProxmoxCluster.
 * clusterNetwork is read by CABPT into the Talos pod and service subnets.
 */
export function cluster(m: Model, p: Profile): K8sObject {
  return {
    apiVersion: p.capi,
    kind: 'Cluster',
    metadata: meta(m, names.cluster(m.name)),
    spec: {
      clusterNetwork: {
        pods: { cidrBlocks: m.cluster.podCIDRs },
        services: { cidrBlocks: m.cluster.serviceCIDRs },
      },
      controlPlaneRef: p.ref(p.talosControlPlane, 'TalosControlPlane', names.controlPlane(m.name, m.cluster.adoptedFrom)),
      infrastructureRef: p.ref(p.proxmox, 'ProxmoxCluster', names.proxmoxCluster(m.name, m.cluster.adoptedFrom)),
    },
  };
}
