import type { Model } from '../clusterspec/parse';
import type { Profile } from './profile';
import { meta, type K8sObject } from './meta';
import { names } from '../naming/names';

/** The VM shape of the control plane or of one pool. */
export interface MachineShape {
  bootVolumeSizeGB: number;
  cores: number;
  sockets: number;
  memoryMiB: number;
  allowedNodes?: string[];
  template?: { sourceNode: string; templateID: number };
}

/**
 * A ProxmoxMachineTemplate for Talos VMs. Talos runs no cloud-init and (without the extension) no guest
 * agent, so both checks are skipped; CAPMOX injects the provider ID through nocloud metadata so the Node
 * matches its Machine (CAPMOX docs/Usage.md). The name carries a hash of the spec: CAPMOX rejects every
 * update of this kind, so a changed shape must be a new object.
 */
export function proxmoxMachineTemplate(m: Model, p: Profile, role: string, shape: MachineShape): K8sObject {
  const template = shape.template ?? m.proxmox.template;
  const vm = m.proxmox.vm;
  const spec = {
    template: {
      spec: {
        sourceNode: template.sourceNode,
        templateID: template.templateID,
        ...(shape.allowedNodes && { allowedNodes: shape.allowedNodes }),
        ...(vm.clone?.full !== undefined && { full: vm.clone.full }),
        ...(vm.clone?.format && { format: vm.clone.format }),
        ...(vm.clone?.storage && { storage: vm.clone.storage }),
        numSockets: shape.sockets,
        numCores: shape.cores,
        memoryMiB: shape.memoryMiB,
        disks: { bootVolume: { disk: vm.bootVolumeDevice, sizeGb: shape.bootVolumeSizeGB } },
        network: p.machineNetwork({ bridge: vm.bridge, model: vm.model, vlan: vm.vlan, mtu: vm.mtu }, vm.extraNetworkDevices ?? []),
        ...(m.proxmox.vmIDRange && { vmIDRange: { start: m.proxmox.vmIDRange.start, end: m.proxmox.vmIDRange.end } }),
        checks: { skipCloudInitStatus: true, skipQemuGuestAgent: true },
        metadataSettings: { providerIDInjection: true },
      },
    },
  };
  return {
    apiVersion: p.proxmox,
    kind: 'ProxmoxMachineTemplate',
    metadata: meta(m, names.template(m.name, role, { apiVersion: p.proxmox, spec })),
    spec,
  };
}
