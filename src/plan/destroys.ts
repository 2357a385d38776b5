/**
 * What a pruned object takes with it. Flux deletes what leaves the render (prune: true, background
 * propagation), and the providers' controllers do the rest:
 * - Cluster: CAPI deletes the whole cluster: control plane, pools, every machine and VM, the etcd data.
 * - TalosControlPlane: CACPPT deletes every control-plane Machine it finds for the cluster
 *   (cluster-api-control-plane-provider-talos@v0.5.12 controllers/taloscontrolplane_controller.go
 *   reconcileDelete); the etcd members and their data go with them.
 * - MachineDeployment: its MachineSets and every machine of the pool.
 * - ProxmoxCluster: CAPMOX keeps it (Terminating) until the Cluster itself is deleted
 *   (cluster-api-provider-proxmox@v0.9.0 internal/controller/proxmoxcluster_controller.go reconcileDelete),
 *   but the cluster has lost its infrastructure object: no machine can be created or replaced for it.
 * - Namespace (without prune: disabled): everything in it, every cluster's objects in no order (the
 *   Proxmox credentials can go before CAPMOX has deleted the VMs, which are then left behind).
 * Superseded templates and health checks take nothing with them.
 */
import { isCluster, isControlPlane, isMachineDeployment, isNamespace, isProxmoxCluster, refOf } from './objects';
import { poolName } from './rollouts';
import type { Destroy, Obj } from './types';

export function destroyOf(o: Obj, clusterName: string): Destroy | undefined {
  const object = refOf(o);
  if (isCluster(o)) return { object, machines: 'all', reason: `deleting the Cluster deletes cluster ${clusterName} entirely: every machine and its VM, the etcd members and their data` };
  if (isControlPlane(o)) {
    const n = typeof o.spec?.replicas === 'number' ? o.spec.replicas : 'all';
    return { object, machines: n, reason: `deleting the TalosControlPlane deletes every control-plane machine of ${clusterName} and its VM; etcd and the cluster's state go with them` };
  }
  if (isMachineDeployment(o)) {
    const n = o.spec?.replicas;
    return { object, machines: typeof n === 'number' ? n : 'all', reason: `pool ${poolName(o)} removed: ${typeof n === 'number' ? `${n} machine${n === 1 ? '' : 's'}` : 'all its machines'} drained and deleted, and their VMs` };
  }
  if (isProxmoxCluster(o)) {
    return { object, machines: 0, reason: `the cluster's infrastructure: CAPMOX holds it (Terminating) until the Cluster is deleted, but ${clusterName} can no longer create or replace a machine` };
  }
  if (isNamespace(o)) {
    return { object, machines: 'all', reason: `deleting the Namespace deletes everything in it, in no order: every cluster there with its machines; the Proxmox credentials may go before the VMs, which are then left behind` };
  }
  return undefined;
}
