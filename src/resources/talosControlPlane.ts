import type { Model } from '../clusterspec/parse';
import type { Profile } from './profile';
import { meta, type K8sObject } from './meta';
import { names } from '../naming/names';
import { controlPlanePatches, patchText } from '../talos/patches';

/**
 * The TalosControlPlane (CACPPT v1alpha3). `infrastructureTemplate` is a full ObjectReference that must
 * name the CAPMOX apiVersion actually emitted. Any change to `controlPlaneConfig`, `version` or the
 * template name rolls every control plane node. maxSurge is 0 or 1 (CACPPT's webhook).
 */
export function talosControlPlane(m: Model, p: Profile, machineTemplateName: string): K8sObject {
  return {
    apiVersion: p.talosControlPlane,
    kind: 'TalosControlPlane',
    metadata: meta(m, names.controlPlane(m.name, m.cluster.adoptedFrom)),
    spec: {
      version: m.cluster.kubernetesVersion,
      replicas: m.controlPlane.replicas,
      infrastructureTemplate: { apiVersion: p.proxmox, kind: 'ProxmoxMachineTemplate', name: machineTemplateName, namespace: m.namespace },
      rolloutStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: m.controlPlane.maxSurge } },
      controlPlaneConfig: {
        controlplane: {
          generateType: 'controlplane',
          talosVersion: m.talosVersion,
          // The infrastructure machine's name, never the Machine's: CACPPT creates the ProxmoxMachine under a name
          // of its own (CAPI external.CreateFromTemplate: <template>-<random>), CAPMOX reports that name as the
          // Machine's Hostname address (vmservice getClusterAPIMachineAddresses), and CACPPT's etcd audit removes
          // every etcd member whose hostname matches no Machine's Hostname address (controllers/etcd.go auditEtcd,
          // v0.5.12). Found by the real-controller tests (test/e2e): with MachineName each member was removed.
          hostname: { source: 'InfrastructureName' },
          strategicPatches: controlPlanePatches(m).map(patchText),
        },
      },
    },
  };
}
