/**
 * Talos machine-config strategic merge patches, built in one place for the control plane and every pool.
 * CABPT applies them in order (siderolabs/cluster-api-bootstrap-provider-talos controllers/talosconfig_controller.go,
 * `StrategicPatches`); JSON 6902 `configPatches` are never used: they break on Talos ≥ 1.12 (CABPT README).
 * Each patch is a plain object (or several documents) here; the resource builders turn it into the YAML
 * string CABPT expects.
 *
 * Every setting takes the form of the config contract (`talosVersion`, contract.ts): v1alpha1 fields up to
 * 1.13 (the VIP as network documents from 1.12), and from 1.14 the document that replaces each field
 * (kubernetesDocuments.ts), since Talos refuses a v1alpha1 field beside its document and CABPT's 1.14 base
 * config already holds the Kubernetes documents.
 */
import type { Model } from '../clusterspec/parse';
import type { WorkerPool } from '../clusterspec/schema';
import { Documents, vipDocuments, vipMachineNetwork } from './network';
import { multiDocumentKubernetes } from './contract';
import * as docs from './kubernetesDocuments';

export type Patch = Record<string, unknown>;
export { Documents, patchText } from './network';

/** Linux device of the boot volume as Talos sees it on Proxmox: virtioN → /dev/vdX, scsiN → /dev/sdX. */
export function installDisk(bootVolumeDevice: string): string {
  const m = /^(virtio|scsi)(\d+)$/.exec(bootVolumeDevice);
  if (!m) throw new Error(`unsupported boot volume device ${bootVolumeDevice}`); // the schema admits only these
  const letter = String.fromCharCode('a'.charCodeAt(0) + Number(m[2]));
  return m[1] === 'virtio' ? `/dev/vd${letter}` : `/dev/sd${letter}`;
}

/** Install disk and image (the nocloud installer of `talosImage`), for every machine. */
function install(m: Model): Patch | Documents {
  if (multiDocumentKubernetes(m.talosVersion)) return new Documents([docs.unattendedInstall(installDisk(m.proxmox.vm.bootVolumeDevice), m.cluster.talosImage)]);
  return {
    machine: {
      install: {
        disk: installDisk(m.proxmox.vm.bootVolumeDevice),
        image: m.cluster.talosImage,
        ...(m.talos.kernelArgs && { extraKernelArgs: m.talos.kernelArgs }),
      },
    },
  };
}

/** Cluster-wide machine settings: time servers and registry mirrors. Undefined when none is set. */
function machineExtras(m: Model): Patch | Documents | undefined {
  if (multiDocumentKubernetes(m.talosVersion)) {
    return documents([m.talos.ntpServers && docs.timeSync(m.talos.ntpServers), ...docs.registryMirrors(m.talos.registryMirrors ?? {})]);
  }
  const machine: Record<string, unknown> = {};
  if (m.talos.ntpServers) machine.time = { servers: m.talos.ntpServers };
  if (m.talos.registryMirrors) {
    const mirrors: Record<string, unknown> = {};
    for (const host of Object.keys(m.talos.registryMirrors).sort()) mirrors[host] = { endpoints: m.talos.registryMirrors[host] };
    machine.registries = { mirrors };
  }
  return Object.keys(machine).length ? { machine } : undefined;
}

/**
 * Kernel and kubelet settings for every machine: kernel modules (machine.kernel.modules), sysctls
 * (machine.sysctls) and kubelet flags (machine.kubelet.extraArgs). Talos' config takes sysctl values and
 * kubelet flags as strings (v1alpha1 MachineConfig: `Sysctls map[string]string`, `ExtraArgs map[string]string`).
 * Undefined when none is set.
 */
function machineKernel(m: Model): Patch | Documents | undefined {
  if (multiDocumentKubernetes(m.talosVersion)) {
    return documents([
      ...(m.talos.kernelModules ?? []).map(docs.kernelModule),
      m.talos.sysctls && Object.keys(m.talos.sysctls).length ? docs.sysctls(m.talos.sysctls) : undefined,
      m.talos.kubeletExtraArgs && Object.keys(m.talos.kubeletExtraArgs).length ? docs.kubelet(m.talos.kubeletExtraArgs) : undefined,
    ]);
  }
  const machine: Record<string, unknown> = {};
  if (m.talos.kernelModules) machine.kernel = { modules: m.talos.kernelModules.map((k) => ({ name: k.name, ...(k.parameters && { parameters: k.parameters }) })) };
  if (m.talos.sysctls && Object.keys(m.talos.sysctls).length) machine.sysctls = m.talos.sysctls;
  if (m.talos.kubeletExtraArgs && Object.keys(m.talos.kubeletExtraArgs).length) machine.kubelet = { extraArgs: m.talos.kubeletExtraArgs };
  return Object.keys(machine).length ? { machine } : undefined;
}

/**
 * What only control planes act on, cluster-wide: manifests applied at bootstrap (cluster.extraManifests),
 * the external cloud provider and its manifests (cluster.externalCloudProvider), and Talos API access for
 * workloads (machine.features.kubernetesTalosAPIAccess, which Talos accepts on control planes only).
 */
function controlPlaneAddOns(m: Model): Patch | Documents | undefined {
  const cluster: Record<string, unknown> = {};
  const multiDoc = multiDocumentKubernetes(m.talosVersion);
  if (m.talos.extraManifests && !multiDoc) cluster.extraManifests = m.talos.extraManifests;
  // cluster.externalCloudProvider has no document counterpart in 1.14 (and is not deprecated there).
  const ccm = m.talos.externalCloudProvider;
  if (ccm) cluster.externalCloudProvider = { enabled: true, ...(ccm.manifests?.length && { manifests: ccm.manifests }) };
  const access = m.talos.talosAPIAccess;
  if (multiDoc) {
    return documents([
      Object.keys(cluster).length ? { cluster } : undefined,
      ...(m.talos.extraManifests ?? []).map(docs.externalManifest),
      access && docs.talosAPIAccess(access),
    ]);
  }
  const patch: Patch = {
    ...(access && { machine: { features: { kubernetesTalosAPIAccess: { enabled: true, ...access } } } }),
    ...(Object.keys(cluster).length && { cluster }),
  };
  return Object.keys(patch).length ? patch : undefined;
}

/** Certificate SANs of the API server: the bastion's name and address, so users can reach the API through it. */
function certSANs(m: Model): string[] {
  const { host, endpointIP } = m.network.bastion;
  return [host, endpointIP].filter((s): s is string => !!s);
}

/**
 * The control plane: the endpoint as a Talos VIP on the link `vipDeviceSelector` picks (a selector, not an
 * interface name: names differ between images; Talos docs "Network Device Selector"), API certificate
 * SANs, and the cluster-wide choices (CNI, kube-proxy) that only control planes act on.
 */
function controlPlane(m: Model): Patch | Documents | undefined {
  const sans = certSANs(m);
  if (multiDocumentKubernetes(m.talosVersion)) {
    // machine.certSANs (the Talos API's certificate) stays in v1alpha1: it has no document of its own.
    const machine = { ...(vipMachineNetwork(m) && { network: vipMachineNetwork(m) }), ...(sans.length && { certSANs: sans }) };
    return documents([
      Object.keys(machine).length ? { machine } : undefined,
      sans.length ? docs.apiServerSANs(sans) : undefined,
      m.talos.cni === 'none' ? docs.noFlannel() : undefined,
      m.talos.kubeProxy ? undefined : docs.noKubeProxy(),
    ]);
  }
  const cluster: Record<string, unknown> = {};
  if (sans.length) cluster.apiServer = { certSANs: sans };
  if (m.talos.cni === 'none') cluster.network = { cni: { name: 'none' } };
  if (!m.talos.kubeProxy) cluster.proxy = { disabled: true };
  return {
    machine: {
      ...(vipMachineNetwork(m) && { network: vipMachineNetwork(m) }),
      ...(sans.length && { certSANs: sans }),
    },
    ...(Object.keys(cluster).length && { cluster }),
  };
}

/**
 * Node labels and taints (machine.nodeLabels, Talos ≥ 1.5; machine.nodeTaints, Talos ≥ 1.6). Taints are a
 * map key → "value:Effect", or ":Effect" without a value (Talos v1alpha1 config `MachineNodeTaints`,
 * example `exampletaint: examplevalue:NoSchedule`).
 */
function nodeIdentity(m: Model, pool: WorkerPool): Patch | Documents | undefined {
  const labels = pool.labels && Object.keys(pool.labels).length ? pool.labels : undefined;
  const taints = pool.taints?.length ? Object.fromEntries(pool.taints.map((t) => [t.key, `${t.value ?? ''}:${t.effect}`])) : undefined;
  if (multiDocumentKubernetes(m.talosVersion)) return documents([labels || taints ? docs.node(labels, taints) : undefined]);
  const machine: Record<string, unknown> = {};
  if (labels) machine.nodeLabels = labels;
  if (taints) machine.nodeTaints = taints;
  return Object.keys(machine).length ? { machine } : undefined;
}

/** Several documents as one patch (a single one as itself); undefined when there is none. */
function documents(list: (Patch | undefined | false)[]): Patch | Documents | undefined {
  const present = list.filter((d): d is Patch => !!d);
  if (!present.length) return undefined;
  return present.length === 1 ? present[0] : new Documents(present);
}

const present = <T>(ps: (T | undefined)[]): T[] => ps.filter((p): p is T => p !== undefined);

export function controlPlanePatches(m: Model): (Patch | Documents)[] {
  return present<Patch | Documents>([install(m), machineExtras(m), machineKernel(m), controlPlane(m), controlPlaneAddOns(m), vipDocuments(m), ...(m.talos.patches ?? []), ...(m.controlPlane.patches ?? [])]);
}

/**
 * Workers run with the external cloud provider too: Talos gives a kubelet `--cloud-provider=external` from
 * its own machine's cluster.externalCloudProvider.enabled (siderolabs/talos kubelet_config.go), so without
 * it a worker's Node never gets initialised by the cloud controller manager. The manifests stay with the
 * control planes, which apply them. A v1alpha1 field in every contract (1.14 has no document for it).
 */
function workerCloudProvider(m: Model): Patch | undefined {
  return m.talos.externalCloudProvider ? { cluster: { externalCloudProvider: { enabled: true } } } : undefined;
}

export function workerPatches(m: Model, pool: WorkerPool): (Patch | Documents)[] {
  return present<Patch | Documents>([install(m), machineExtras(m), machineKernel(m), nodeIdentity(m, pool), workerCloudProvider(m), ...(m.talos.patches ?? []), ...(pool.patches ?? [])]);
}
