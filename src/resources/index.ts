/**
 * Every object of one cluster, in a stable order: Namespace, Cluster, ProxmoxCluster, the control plane
 * (machine template, TalosControlPlane), then each pool (machine template, config template,
 * MachineDeployment, MachineHealthCheck).
 */
import type { Model } from '../clusterspec/parse';
import { PROFILES } from './profile';
import type { K8sObject } from './meta';
import { namespace } from './namespace';
import { cluster } from './cluster';
import { proxmoxCluster } from './proxmoxCluster';
import { proxmoxMachineTemplate } from './proxmoxMachineTemplate';
import { talosControlPlane } from './talosControlPlane';
import { talosConfigTemplate } from './talosConfigTemplate';
import { machineDeployment } from './machineDeployment';
import { machineHealthCheck } from './machineHealthCheck';
import { CONTROL_PLANE } from '../naming/names';

export function renderCluster(m: Model): K8sObject[] {
  const p = PROFILES[m.cluster.profile];
  const cpTemplate = proxmoxMachineTemplate(m, p, CONTROL_PLANE, m.controlPlane);
  const out: K8sObject[] = [namespace(m), cluster(m, p), proxmoxCluster(m, p), cpTemplate, talosControlPlane(m, p, cpTemplate.metadata.name)];
  for (const pool of m.workers) {
    const machineTemplate = proxmoxMachineTemplate(m, p, pool.name, pool);
    const configTemplate = talosConfigTemplate(m, p, pool);
    out.push(machineTemplate, configTemplate);
    out.push(machineDeployment(m, p, pool, { machineTemplate: machineTemplate.metadata.name, configTemplate: configTemplate.metadata.name }));
    const mhc = machineHealthCheck(m, p, pool);
    if (mhc) out.push(mhc);
  }
  return out.map(withoutFluxSubstitution);
}

/**
 * Flux's post-build substitution would rewrite `${...}` in user patches (e.g. a shell snippet); objects
 * that contain it opt out.
 */
function withoutFluxSubstitution(o: K8sObject): K8sObject {
  if (!JSON.stringify(o.spec ?? {}).includes('${')) return o;
  return { ...o, metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, 'kustomize.toolkit.fluxcd.io/substitute': 'disabled' } } };
}

export type { K8sObject };
