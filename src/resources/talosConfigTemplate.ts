import type { Model } from '../clusterspec/parse';
import type { WorkerPool } from '../clusterspec/schema';
import type { Profile } from './profile';
import { meta, type K8sObject } from './meta';
import { names } from '../naming/names';
import { patchText, workerPatches } from '../talos/patches';

/**
 * The TalosConfigTemplate of one pool (CABPT v1alpha3). CABPT's webhook rejects spec updates, so the name
 * carries a hash of the spec and a changed config is a new object the MachineDeployment rolls to.
 */
export function talosConfigTemplate(m: Model, p: Profile, pool: WorkerPool): K8sObject {
  const spec = {
    template: {
      spec: {
        generateType: 'worker',
        talosVersion: m.talosVersion,
        hostname: { source: 'MachineName' },
        strategicPatches: workerPatches(m, pool).map(patchText),
      },
    },
  };
  return {
    apiVersion: p.talosBootstrap,
    kind: 'TalosConfigTemplate',
    metadata: meta(m, names.template(m.name, pool.name, { apiVersion: p.talosBootstrap, spec })),
    spec,
  };
}
