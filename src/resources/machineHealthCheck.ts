import type { Model } from '../clusterspec/parse';
import type { WorkerPool } from '../clusterspec/schema';
import type { Profile } from './profile';
import { CLUSTER_NAME_LABEL, DEPLOYMENT_NAME_LABEL, meta, type K8sObject } from './meta';
import { names } from '../naming/names';

/**
 * A MachineHealthCheck for one pool's machines. None for the control plane: CACPPT v0.5 has no
 * remediation, so a control-plane health check would do nothing (../shared/reference/providers.md).
 */
export function machineHealthCheck(m: Model, p: Profile, pool: WorkerPool): K8sObject | undefined {
  const h = pool.healthCheck;
  if (!h || !h.enabled) return undefined;
  return {
    apiVersion: p.capi,
    kind: 'MachineHealthCheck',
    metadata: meta(m, names.machineHealthCheck(m.name, pool.name)),
    spec: {
      clusterName: m.name,
      selector: { matchLabels: { [CLUSTER_NAME_LABEL]: m.name, [DEPLOYMENT_NAME_LABEL]: names.machineDeployment(m.name, pool.name) } },
      ...p.healthChecks(h),
    },
  };
}
