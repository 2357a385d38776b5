/**
 * What a spec asks for that the Talos ≥ 1.14 config contract has no place for, as errors in the spec's
 * own words, before anything is rendered:
 *
 * - a user patch (spec.talos.patches, spec.controlPlane.patches, spec.workers[].patches) that writes a
 *   v1alpha1 field the contract replaced with a document. Talos refuses most of them beside the document
 *   CABPT's base config or this generator already writes (machinery v1.14.1: each document's
 *   `V1Alpha1ConflictValidate`, e.g. "kubelet config is already set in v1alpha1 config (.machine.kubelet)"),
 *   and the rest would take two forms at once. Decision: an error naming the field and the document to
 *   write instead, rather than translating the patch: the documents are not field-for-field copies of the
 *   v1alpha1 sections (KubeletConfig has no extraMounts, KubeNodeConfig took kubelet.nodeIP, …), so a
 *   silent translation could drop or move settings. A patch may be written as the document itself: a
 *   mapping with `apiVersion: v1alpha1` and `kind:` (CABPT loads it as a multi-document patch).
 * - spec.talos.kernelArgs: the only place for them was machine.install.extraKernelArgs, which 1.14
 *   deprecates ("use Image Factory/imager instead to build a proper installer") and which cannot stand
 *   beside the UnattendedInstallConfig document that carries the install disk and image from 1.14 on.
 */
import type { Model } from '../clusterspec/parse';
import { error, type Problem } from '../results';
import { multiDocumentKubernetes } from './contract';

/** v1alpha1 paths (section → key) the 1.14 contract moved, and the documents that replace them. */
export const MOVED_IN_1_14: Record<'machine' | 'cluster', Record<string, string>> = {
  machine: {
    kubelet: 'KubeletConfig (and KubeNodeConfig for nodeIP, registerWithFQDN, skipNodeRegistration)',
    nodeLabels: 'KubeNodeConfig (labels)',
    nodeAnnotations: 'KubeNodeConfig (annotations)',
    nodeTaints: 'KubeNodeConfig (taints)',
    install: 'UnattendedInstallConfig',
    time: 'TimeSyncConfig',
    sysctls: 'SysctlConfig',
    kernel: 'KernelModuleConfig (one per module)',
    registries: 'RegistryMirrorConfig, RegistryAuthConfig and RegistryTLSConfig (one per registry host)',
    pods: 'KubeStaticPodConfig',
    controlPlane: 'KubeControllerManagerConfig and KubeSchedulerConfig',
  },
  cluster: {
    apiServer: 'KubeAPIServerConfig (certExtraSANs, extraArgs, …), KubeAdmissionControlConfig, KubeAuditPolicyConfig and KubeAuthorizerConfig',
    controllerManager: 'KubeControllerManagerConfig',
    scheduler: 'KubeSchedulerConfig',
    proxy: 'KubeProxyConfig',
    network: 'KubeNetworkConfig and KubeFlannelCNIConfig',
    coreDNS: 'KubeCoreDNSConfig',
    clusterName: 'KubeClusterConfig',
    controlPlane: 'KubeClusterConfig (endpoint) and KubeAPIServerConfig (apiPort)',
    ca: 'KubeAPIServerCAConfig',
    acceptedCAs: 'KubeAPIServerCAConfig',
    aggregatorCA: 'KubeAggregatorCAConfig',
    serviceAccount: 'KubeServiceAccountConfig',
    aescbcEncryptionSecret: 'KubeEtcdEncryptionConfig',
    secretboxEncryptionSecret: 'KubeEtcdEncryptionConfig',
    extraManifests: 'KubeExternalManifestConfig (one per manifest)',
    extraManifestHeaders: 'KubeExternalManifestConfig (headers)',
    inlineManifests: 'KubeInlineManifestConfig (one per manifest)',
    allowSchedulingOnControlPlanes: 'KubeNodeConfig (taints)',
    discovery: 'DiscoveryServiceConfig',
    id: 'DiscoveryIdentityConfig',
    secret: 'DiscoveryIdentityConfig',
  },
};

/** machine.features keys the 1.14 contract moved. */
const MOVED_FEATURES: Record<string, string> = {
  kubernetesTalosAPIAccess: 'KubeTalosAPIAccessConfig',
  kubePrism: 'KubePrismConfig',
};

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The moved fields one patch writes, as [path inside the patch, replacing documents]. */
export function movedFieldsOf(patch: Record<string, unknown>): [string, string][] {
  // A patch with a kind is a document of its own (v1alpha1 config only when kind is v1alpha1 or absent).
  if (typeof patch.kind === 'string' && patch.kind !== 'v1alpha1') return [];
  const out: [string, string][] = [];
  for (const section of ['machine', 'cluster'] as const) {
    const body = patch[section];
    if (!isObj(body)) continue;
    for (const key of Object.keys(body)) {
      const to = Object.hasOwn(MOVED_IN_1_14[section], key) ? MOVED_IN_1_14[section][key] : undefined;
      if (to) out.push([`${section}.${key}`, to]);
    }
    if (section === 'machine' && isObj(body.features)) {
      for (const key of Object.keys(body.features)) if (Object.hasOwn(MOVED_FEATURES, key)) out.push([`machine.features.${key}`, MOVED_FEATURES[key]]);
    }
  }
  return out;
}

export function contractProblems(m: Model): Problem[] {
  if (!multiDocumentKubernetes(m.talosVersion)) return [];
  const out: Problem[] = [];
  const contract = `the Talos ${m.talosVersion} config contract`;
  if (m.talos.kernelArgs?.length) {
    out.push(
      error(
        'spec.talos.kernelArgs',
        `${contract} has no place for extra kernel arguments (machine.install.extraKernelArgs is deprecated and cannot stand beside the UnattendedInstallConfig document from Talos 1.14 on): put them into the installer image instead (an Image Factory schematic's customization.extraKernelArgs, which gives a new talosImage) and remove spec.talos.kernelArgs`,
      ),
    );
  }
  const lists: [string, Record<string, unknown>[] | undefined][] = [
    ['spec.talos.patches', m.talos.patches],
    ['spec.controlPlane.patches', m.controlPlane.patches],
    ...m.workers.map((w, i): [string, Record<string, unknown>[] | undefined] => [`spec.workers[${i}].patches`, w.patches]),
  ];
  for (const [path, patches] of lists) {
    (patches ?? []).forEach((p, i) => {
      for (const [field, to] of movedFieldsOf(p)) {
        out.push(
          error(
            `${path}[${i}].${field}`,
            `${field} is replaced by ${to} in ${contract}: its configs carry that document, and Talos refuses the v1alpha1 form beside most of them (e.g. machine.kubelet beside KubeletConfig); write this patch as the document instead (a patch mapping with apiVersion: v1alpha1 and kind: ${to.split(/[ ,]/)[0]}), or keep talosVersion below v1.14`,
          ),
        );
      }
    });
  }
  return out;
}
