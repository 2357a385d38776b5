import type { Model } from '../clusterspec/parse';
import { meta, type K8sObject } from './meta';

/** Flux must not prune the namespace with the cluster: see namespace() below. */
export const FLUX_PRUNE = 'kustomize.toolkit.fluxcd.io/prune';

/**
 * The namespace every object of the cluster lives in. Marked so Flux never prunes it: deleting it with
 * the cluster would race CAPI's ordered teardown (the namespace's Secrets, such as the Proxmox
 * credentials, can vanish before CAPMOX has deleted the VMs). Delete it by hand once the Cluster is gone.
 */
export function namespace(m: Model): K8sObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: meta(m, m.namespace, { namespaced: false, annotations: { [FLUX_PRUNE]: 'disabled' } }) };
}
