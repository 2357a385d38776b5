import type { Model } from '../clusterspec/parse';
import type { WorkerPool } from '../clusterspec/schema';
import type { Profile } from './profile';
import { CLUSTER_NAME_LABEL, DEPLOYMENT_NAME_LABEL, meta, type K8sObject } from './meta';
import { names } from '../naming/names';

export const AUTOSCALER_MIN = 'cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size';
export const AUTOSCALER_MAX = 'cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size';

/**
 * The MachineDeployment of one pool. With autoscaling, `replicas` is omitted so the autoscaler owns it
 * (CAPI then starts from the min-size annotation) and a GitOps apply never fights the autoscaler.
 */
export function machineDeployment(m: Model, p: Profile, pool: WorkerPool, refs: { machineTemplate: string; configTemplate: string }): K8sObject {
  const name = names.machineDeployment(m.name, pool.name);
  const labels = { [CLUSTER_NAME_LABEL]: m.name, [DEPLOYMENT_NAME_LABEL]: name };
  const autoscaling = pool.autoscaling && {
    [AUTOSCALER_MIN]: String(pool.autoscaling.minReplicas),
    [AUTOSCALER_MAX]: String(pool.autoscaling.maxReplicas),
  };
  return {
    apiVersion: p.capi,
    kind: 'MachineDeployment',
    metadata: meta(m, name, { annotations: autoscaling }),
    spec: {
      clusterName: m.name,
      ...(!pool.autoscaling && { replicas: pool.replicas }),
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          clusterName: m.name,
          version: m.cluster.kubernetesVersion,
          bootstrap: { configRef: p.ref(p.talosBootstrap, 'TalosConfigTemplate', refs.configTemplate) },
          infrastructureRef: p.ref(p.proxmox, 'ProxmoxMachineTemplate', refs.machineTemplate),
        },
      },
      ...p.rollout(pool.rollout.maxSurge, pool.rollout.maxUnavailable),
    },
  };
}
