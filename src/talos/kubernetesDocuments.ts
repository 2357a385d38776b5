/**
 * The Talos ≥ 1.14 config documents our settings take (contract.ts), one builder each. Kinds and fields
 * are those of Talos machinery v1.14.1 (pkg/machinery/config/types: runtime/unattended_install.go,
 * network/time_sync.go, cri/registry_mirror.go, runtime/kernel_module.go, runtime/sysctl.go,
 * k8s/kubelet.go, k8s/node.go, k8s/apiserver.go, k8s/flannel.go, k8s/proxy.go, k8s/external_manifest.go,
 * k8s/talos_api_access.go). A patch document of a kind CABPT's base config already holds (KubeletConfig,
 * KubeNodeConfig, KubeAPIServerConfig, KubeProxyConfig) merges into it; `$patch: delete` removes one.
 */
type Doc = Record<string, unknown>;

const doc = (kind: string, body: Doc): Doc => ({ apiVersion: 'v1alpha1', kind, ...body });

/**
 * Install image and disk. The disk is a CEL selector on the disk's device path, the form machinery's own
 * generator writes for an install disk (generate/init.go unattendedInstallConfig), wipe off as it sets it.
 */
export const unattendedInstall = (disk: string, image: string): Doc =>
  doc('UnattendedInstallConfig', { installer: { image }, provisioning: { diskSelector: { match: `disk.dev_path == ${JSON.stringify(disk)}` }, wipe: false } });

/** NTP servers (replaces machine.time.servers). */
export const timeSync = (servers: string[]): Doc => doc('TimeSyncConfig', { ntp: { servers } });

/** One RegistryMirrorConfig per registry host, named after it (replaces machine.registries.mirrors). */
export const registryMirrors = (mirrors: Record<string, string[]>): Doc[] =>
  Object.keys(mirrors)
    .sort()
    .map((host) => doc('RegistryMirrorConfig', { name: host, endpoints: mirrors[host].map((url) => ({ url })) }));

/** A kernel module to load (replaces machine.kernel.modules[]). */
export const kernelModule = (k: { name: string; parameters?: string[] }): Doc => doc('KernelModuleConfig', { name: k.name, ...(k.parameters && { parameters: k.parameters }) });

/** Kernel parameters (replaces machine.sysctls). */
export const sysctls = (params: Record<string, string>): Doc => doc('SysctlConfig', { params });

/** Extra kubelet flags (replaces machine.kubelet.extraArgs). */
export const kubelet = (extraArgs: Record<string, string>): Doc => doc('KubeletConfig', { extraArgs });

/** Node labels and taints (replaces machine.nodeLabels and machine.nodeTaints; taints keep the key → "value:Effect" form). */
export const node = (labels?: Record<string, string>, taints?: Record<string, string>): Doc => doc('KubeNodeConfig', { ...(labels && { labels }), ...(taints && { taints }) });

/** API server certificate SANs (replaces cluster.apiServer.certSANs). */
export const apiServerSANs = (sans: string[]): Doc => doc('KubeAPIServerConfig', { certExtraSANs: sans });

/** No CNI: CABPT's 1.14 base config deploys Flannel through its KubeFlannelCNIConfig document; this removes it (replaces cluster.network.cni.name: none). */
export const noFlannel = (): Doc => doc('KubeFlannelCNIConfig', { $patch: 'delete' });

/** No kube-proxy (replaces cluster.proxy.disabled: true). */
export const noKubeProxy = (): Doc => doc('KubeProxyConfig', { enabled: false });

/** A manifest the control plane applies at bootstrap (replaces one cluster.extraManifests entry); the name is its position. */
export const externalManifest = (url: string, i: number): Doc => doc('KubeExternalManifestConfig', { name: `extra-manifest-${i + 1}`, url });

/** Talos API access for workloads, control planes only (replaces machine.features.kubernetesTalosAPIAccess). */
export const talosAPIAccess = (a: { allowedRoles: string[]; allowedKubernetesNamespaces: string[] }): Doc =>
  doc('KubeTalosAPIAccessConfig', { allowedRoles: a.allowedRoles, allowedKubernetesNamespaces: a.allowedKubernetesNamespaces });
