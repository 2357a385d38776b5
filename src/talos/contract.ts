/**
 * Talos config contracts: what form a config takes for the `talosVersion` CABPT generates it for. A
 * contract is the Talos minor (CABPT: `config.ParseContractFromVersion(talosVersion)`), and each feature
 * below is one of Talos machinery's VersionContract predicates (siderolabs/talos pkg/machinery/config/
 * contract.go, v1.14.1), whose generated config then leaves the v1alpha1 field out and writes a document:
 *
 * | contract | what changed (machinery predicate) |
 * |---|---|
 * | ≤ 1.11 | everything in the v1alpha1 document |
 * | ≥ 1.12 | network settings as documents (`MultidocNetworkConfigSupported`): here the VIP (network.ts) |
 * | ≥ 1.14 | Kubernetes settings as documents (`MultidocKubernetesConfigSupported`: KubeletConfig, KubeNodeConfig, KubeAPIServerConfig, KubeNetworkConfig, KubeProxyConfig, KubeFlannelCNIConfig, …), install (`UnattendedInstallConfig`), sysctls (`MultidocSysctlConfigSupported`: SysctlConfig), kernel modules (`MultidocKernelModuleConfigSupported`: KernelModuleConfig), workload isolation on by default (`WorkloadIsolationEnabledByDefault`) |
 *
 * A v1alpha1 field next to the document that replaces it is refused when Talos validates the config
 * (each document's `V1Alpha1ConflictValidate`), so from 1.14 on every setting is written as its document.
 */
import { parseMinor } from '../clusterspec/versions';

/** The first contract whose generated config holds the Kubernetes, install, sysctl and kernel-module documents. */
export const KUBERNETES_DOCUMENTS_CONTRACT = { major: 1, minor: 14 };
/** The first contract whose generated config takes network settings as documents. */
export const NETWORK_DOCUMENTS_CONTRACT = { major: 1, minor: 12 };

const atLeast = (talosVersion: string, c: { major: number; minor: number }) => {
  const v = parseMinor(talosVersion);
  return !!v && (v.major > c.major || (v.major === c.major && v.minor >= c.minor));
};

/** Talos ≥ 1.12: network settings as documents (LinkAliasConfig, Layer2VIPConfig, …). */
export const multiDocumentNetwork = (talosVersion: string) => atLeast(talosVersion, NETWORK_DOCUMENTS_CONTRACT);

/** Talos ≥ 1.14: Kubernetes, install, sysctl, kernel-module, time and registry settings as documents. */
export const multiDocumentKubernetes = (talosVersion: string) => atLeast(talosVersion, KUBERNETES_DOCUMENTS_CONTRACT);

/** The contract a Talos version's config takes, in words, for diff and messages. */
export function contractForm(talosVersion: string): string {
  if (multiDocumentKubernetes(talosVersion)) return 'Kubernetes, install, sysctl and kernel-module settings as separate documents';
  if (multiDocumentNetwork(talosVersion)) return 'network settings as separate documents';
  return 'one v1alpha1 document';
}

/**
 * The contract boundary an edit of `talosVersion` crosses, in words, or undefined when both sides take
 * the same form: every machine's config is then regenerated in the new form with the new contract's
 * defaults (CABPT generates the base config per contract), which the machine templates' rollout does.
 */
export function contractChange(from: string, to: string): string | undefined {
  if (!parseMinor(from) || !parseMinor(to) || contractForm(from) === contractForm(to)) return undefined;
  const into114 = !multiDocumentKubernetes(from) && multiDocumentKubernetes(to);
  const defaults = into114 ? ' (Talos 1.14 turns workload isolation and filesystem trim on by default)' : '';
  // CABPT < v0.6.13 (machinery v1.13) refuses the v1.14 documents ("UnattendedInstallConfig" "v1alpha1": not
  // registered): the new machines never get a config and the rollout stalls (TestTalosContract114).
  const providers = into114 ? '; the management cluster needs CABPT ≥ v0.6.13 and CACPPT ≥ v0.5.14 (an older CABPT refuses these documents and the rollout stalls)' : '';
  return `Talos config contract ${from} → ${to}: every machine's config is regenerated with ${contractForm(to)} and the new contract's defaults${defaults}${providers}`;
}
