/**
 * The ClusterSpec API (capi-proxmox-talos.dev/v1alpha1): the one source of truth for its TypeScript
 * types, its defaults, its error messages and the published JSON Schema (schema/clusterspec.schema.json).
 *
 * Field-level rules live here (types, ranges, patterns). Rules that need several fields at once
 * (IP ranges inside the subnet, enough addresses for a rollout, version support) live in check.ts.
 */
import * as z from 'zod';
import { CHART_DEFAULTS as D, DEFAULT_POD_CIDRS, DEFAULT_SERVICE_CIDRS } from './defaults';
import { asText } from '../yaml/read';
import { LIMITS as L, numberText, addressText, boundedList, boundedRecord, boundedString, dnsSubdomain, hostOrIPv4, kernelArg, labelValue, manifestURL, mirrorURL, nonEmpty, qualifiedName, REGISTRY_HOST } from './fields';

/** One parse per process: zod's JIT (new Function per object schema) costs more than it saves here. */
z.config({ jitless: true });

export const API_VERSION = 'capi-proxmox-talos.dev/v1alpha1';
export const KIND = 'ClusterSpec';

/** RFC 1123 label: what Kubernetes requires of namespace names and what we require of every name part. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Longest cluster name: `<cluster>-control-plane-<8 hex>` must stay a 63-character DNS label. */
export const MAX_CLUSTER_NAME = 40;

const dnsLabel = (what: string, max: number) =>
  boundedString(what, max)
    .min(1, { error: `${what} must not be empty` })
    .regex(DNS_LABEL, {
      error: `${what} must be a DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit`,
    });

const int = (min: number, max: number, what: string) =>
  z
    .number({ error: `${what} must be a whole number` })
    .int({ error: `${what} must be a whole number` })
    .min(min, { error: `${what} must be at least ${min}` })
    .max(max, { error: `${what} must be at most ${max}` });

/** A version number part: 0 to 999, no leading zeros (larger numbers are not real versions). */
const NUM = '(0|[1-9][0-9]{0,2})';
const version = (what: string) =>
  boundedString(what, 16).regex(new RegExp(`^v${NUM}\\.${NUM}\\.${NUM}$`), {
    error: `${what} must look like v1.32.0 (a "v", then major.minor.patch, each a number up to ${L.versionPart})`,
  });

const nonEmptyString = (what: string) => nonEmpty(what);

/** IPv4 address; parsed and range-checked in check.ts (which knows the subnet). */
const ip = (what: string) => addressText(what);

/** A Talos strategic merge patch: a partial Talos machine config, written as YAML, not as a string. */
const patch = z
  .record(z.string(), z.unknown())
  .describe('A Talos machine-config strategic merge patch, written as a YAML mapping (e.g. {machine: {sysctls: {...}}}).');
const patches = boundedList(patch, 'patches', L.patches).describe('Talos strategic merge patches, applied in order after the generated ones.');

const proxmoxTemplate = z
  .strictObject({
    sourceNode: nonEmptyString('template.sourceNode').describe('Proxmox node that holds the VM template.'),
    templateID: int(100, 999999999, 'template.templateID').describe('VM ID of the Talos template to clone.'),
  })
  .describe('The Proxmox VM template machines are cloned from.');

/** Settings of one Proxmox network device, shared by net0 and any extra device. */
const nicFields = {
  bridge: nonEmptyString('bridge'),
  vlan: int(1, 4094, 'vlan').optional(),
  mtu: z
    .number()
    .int()
    .refine((m) => m === 1 || (m >= 1280 && m <= 65520), { error: 'mtu must be 1 (inherit from the bridge) or from 1280 to 65520' })
    .optional(),
  model: z.enum(['virtio', 'e1000', 'rtl8139', 'vmxnet3']).default('virtio'),
};

const quantityOrPercent = z.union([
  z.number().int().min(0).max(100000),
  boundedString('value', 4).regex(/^(100|[1-9]?[0-9])%$/, { error: 'must be a whole number or a percentage such as 25%' }),
]);

const taint = z.strictObject({
  key: qualifiedName('taint key'),
  value: labelValue('taint value').optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute'], {
    error: 'taint effect must be NoSchedule, PreferNoSchedule or NoExecute',
  }),
});

const labels = boundedRecord(qualifiedName('label key'), labelValue('label value'), 'labels', L.labels)
  .describe('Kubernetes node labels set by the kubelet (machine.nodeLabels).');

const machineShape = {
  bootVolumeSizeGB: int(5, 65536, 'bootVolumeSizeGB').describe('Size of the boot disk in GB (CAPMOX minimum 5).'),
  cores: int(1, 1024, 'cores').describe('CPU cores per socket.'),
  sockets: int(1, 16, 'sockets').describe('CPU sockets.'),
  memoryMiB: int(512, 16777216, 'memoryMiB')
    .refine((m) => m % 8 === 0, { error: 'memoryMiB must be a multiple of 8 (Proxmox rejects other sizes)' })
    .describe('Memory in MiB (a multiple of 8).'),
  allowedNodes: boundedList(nonEmptyString('allowedNodes entry'), 'allowedNodes', L.nodes).min(1).optional().describe('Proxmox nodes for these machines; defaults to proxmox.allowedNodes.'),
  template: proxmoxTemplate.optional().describe('VM template for these machines; defaults to proxmox.template.'),
  patches: patches.optional(),
};

/**
 * A Talos network device selector (v1alpha1 config NetworkDeviceSelector): at least one of its fields;
 * every given field must match the link.
 */
const vipDeviceSelector = z
  .strictObject({
    busPath: nonEmptyString('vipDeviceSelector.busPath').optional(),
    hardwareAddr: nonEmptyString('vipDeviceSelector.hardwareAddr').optional(),
    permanentAddr: nonEmptyString('vipDeviceSelector.permanentAddr').optional(),
    pciID: nonEmptyString('vipDeviceSelector.pciID').optional(),
    driver: nonEmptyString('vipDeviceSelector.driver').optional(),
    physical: z.boolean().optional(),
  })
  .refine((s) => Object.keys(s).length > 0, {
    error: 'vipDeviceSelector must select something, e.g. {physical: true} or {busPath: "0000:00:12.0"}',
    when: (payload) => payload.issues.length === 0, // not again when the only keys given were unknown ones
  })
  .meta({ minProperties: 1 });

const healthCheck = z
  .strictObject({
    enabled: z.boolean().default(true),
    nodeStartupTimeoutSeconds: z
      .number()
      .int()
      .refine((n) => n === 0 || (n >= 30 && n <= 86400), { error: 'nodeStartupTimeoutSeconds must be 0 or from 30 to 86400' })
      .default(600)
      .describe('How long a new machine may take to become a Node (0 disables the check).'),
    unhealthyTimeoutSeconds: int(30, 86400, 'unhealthyTimeoutSeconds').default(300).describe('How long a Node may be NotReady or Unknown before it is replaced.'),
    maxUnhealthy: quantityOrPercent.default('40%').describe('Stop remediating when more machines than this are unhealthy.'),
  })
  .describe('A MachineHealthCheck for this pool (replaces machines whose Node stays unhealthy).');

export const workerPoolSchema = z
  .strictObject({
    name: dnsLabel('pool name', 30).describe('Pool name; part of every object name of the pool.'),
    replicas: int(0, 1000, 'replicas').default(D.worker.replicas).describe('Number of worker machines (ignored when autoscaling is set).'),
    bootVolumeSizeGB: machineShape.bootVolumeSizeGB.default(D.worker.bootVolumeSizeGB),
    cores: machineShape.cores.default(D.worker.cores),
    sockets: machineShape.sockets.default(D.worker.sockets),
    memoryMiB: machineShape.memoryMiB.default(D.worker.memoryMiB),
    allowedNodes: machineShape.allowedNodes,
    template: machineShape.template,
    labels: labels.optional(),
    taints: boundedList(taint, 'taints', L.taints).optional().describe('Node taints registered by the kubelet (machine.nodeTaints).'),
    rollout: z
      .strictObject({
        maxSurge: quantityOrPercent.default(1).describe('Extra machines (and IPs) a rolling update may create.'),
        maxUnavailable: quantityOrPercent.default(0).describe('Machines a rolling update may take away before replacements are ready.'),
      })
      .prefault({})
      .describe('Rolling update strategy of the MachineDeployment.'),
    autoscaling: z
      .strictObject({
        minReplicas: int(0, 1000, 'autoscaling.minReplicas'),
        maxReplicas: int(1, 1000, 'autoscaling.maxReplicas'),
      })
      .optional()
      .describe('cluster-autoscaler bounds; when set, replicas is left to the autoscaler.'),
    healthCheck: healthCheck.optional(),
    patches: machineShape.patches,
  })
  .describe('A pool of identical worker machines: one MachineDeployment.');

export const clusterSpecBody = z
  .strictObject({
    cluster: z
      .strictObject({
        name: dnsLabel('cluster name', MAX_CLUSTER_NAME).optional().describe('Cluster name; defaults to metadata.name.'),
        namespace: dnsLabel('namespace', 63).optional().describe('Namespace of every object; defaults to the cluster name.'),
        kubernetesVersion: version('kubernetesVersion').default(D.kubernetesVersion).describe('Kubernetes version, e.g. v1.32.0.'),
        talosImage: nonEmpty('talosImage', L.image)
          .regex(new RegExp(`^[^\\s:@]+(:[0-9]+)?(\\/[^\\s:@]+)*:v${NUM}\\.${NUM}\\.${NUM}([-+.@][^\\s]*)?$`), {
            error: 'talosImage must be an installer image with a Talos version tag, e.g. factory.talos.dev/nocloud-installer/<schematic>:v1.11.1',
          })
          .default(D.talosImage)
          .describe('Talos nocloud installer image (its tag is the Talos version).'),
        talosVersion: boundedString('talosVersion', 16)
          .regex(new RegExp(`^v${NUM}\\.${NUM}$`), { error: `talosVersion must look like v1.11 (major.minor, each a number up to ${L.versionPart})` })
          .optional()
          .describe("Talos config version for CABPT; defaults to the image tag's major.minor."),
        profile: z
          .enum(['current', 'legacy'], { error: 'profile must be "current" (CAPI v1beta2, CAPMOX ≥ v0.8) or "legacy" (CAPI v1beta1, CAPMOX ≤ v0.7)' })
          .default('current')
          .describe('API versions to emit: current = CAPI v1beta2 + CAPMOX v1alpha2; legacy = CAPI v1beta1 + CAPMOX v1alpha1.'),
        adoptedFrom: z
          .enum(['cluster-chart'], { error: 'adoptedFrom must be "cluster-chart" (the only source this generator adopts from)' })
          .optional()
          .describe(
            'Set by import-helm-values: this cluster was made by the cluster-chart Helm chart, so the objects that identify it keep the ' +
              "chart's names (ProxmoxCluster proxmox-cluster, TalosControlPlane talos-controlplane) and a live cluster is updated in place.",
          ),
        podCIDRs: boundedList(addressText('podCIDRs entry'), 'podCIDRs', L.cidrs).min(1).default([...DEFAULT_POD_CIDRS]).describe('Pod network CIDRs.'),
        serviceCIDRs: boundedList(addressText('serviceCIDRs entry'), 'serviceCIDRs', L.cidrs).min(1).default([...DEFAULT_SERVICE_CIDRS]).describe('Service network CIDRs.'),
      })
      .prefault({}),
    network: z
      .strictObject({
        ipRanges: boundedList(addressText('ipRanges entry'), 'ipRanges', L.ipRanges)
          .min(1, { error: 'ipRanges needs at least one range' })
          .describe('Machine addresses: single IPs, ranges a-b, or CIDRs (required).'),
        prefix: int(1, 32, 'prefix').describe('Prefix length of the machine network (required).'),
        gateway: ip('gateway').describe('Default gateway of the machine network (required).'),
        dnsServers: boundedList(ip('dnsServers entry'), 'dnsServers', L.servers).min(1, { error: 'dnsServers needs at least one server' }).describe('DNS servers of the machines (required).'),
        bastion: z
          .strictObject({
            host: hostOrIPv4('bastion.host').optional().describe('Bastion host name, added to the API server certificate.'),
            endpointIP: ip('bastion.endpointIP').optional().describe('Bastion IP, added to the API server certificate.'),
          })
          .default({})
          .describe('A host users reach the API through; its name and IP become certificate SANs (default: none).'),
      })
      .describe('The machine network (required: it has no defaults).'),
    controlPlane: z
      .strictObject({
        endpointIP: ip('endpointIP').describe('Kubernetes API address: a Talos VIP outside ipRanges (required).'),
        replicas: int(1, 15, 'replicas').default(D.controlPlane.replicas).describe('Control plane machines (1, 3 or 5).'),
        bootVolumeSizeGB: machineShape.bootVolumeSizeGB.default(D.controlPlane.bootVolumeSizeGB),
        cores: machineShape.cores.default(D.controlPlane.cores),
        sockets: machineShape.sockets.default(D.controlPlane.sockets),
        memoryMiB: machineShape.memoryMiB.default(D.controlPlane.memoryMiB),
        allowedNodes: machineShape.allowedNodes,
        template: machineShape.template,
        maxSurge: z.union([z.literal(0), z.literal(1)], { error: 'controlPlane.maxSurge must be 0 or 1' }).default(1).describe('1: add a new control plane before removing an old one; 0: remove first.'),
        vipDeviceSelector: vipDeviceSelector
          .default({ physical: true })
          .describe('Talos deviceSelector of the link that carries the endpoint VIP.'),
        patches: machineShape.patches,
      })
      .describe('The control plane (required: its endpointIP has no default).'),
    workers: boundedList(workerPoolSchema, 'workers', 50)
      .prefault([{ name: D.worker.name }])
      .describe('Worker pools; [] for a control-plane-only cluster.'),
    proxmox: z
      .strictObject({
        allowedNodes: boundedList(nonEmptyString('allowedNodes entry'), 'allowedNodes', L.nodes).min(1).describe('Proxmox nodes VMs may be placed on (required).'),
        template: proxmoxTemplate.describe('The Proxmox VM template machines are cloned from (required).'),
        vmIDRange: z
          .strictObject({
            start: int(100, 999999999, 'vmIDRange.start'),
            end: int(100, 999999999, 'vmIDRange.end'),
          })
          .refine((r) => r.end >= r.start, {
            error: 'vmIDRange.end must not be below vmIDRange.start',
            path: ['end'],
            when: (payload) => payload.issues.length === 0, // not when start or end is already wrong
          })
          .optional()
          .describe(
            "Proxmox VM IDs this cluster's VMs take (CAPMOX vmIDRange). Without it CAPMOX takes Proxmox's next free ID, which Proxmox hands out again as soon as a VM is deleted: CAPMOX v0.9 can then delete another machine's VM (ionos-cloud/cluster-api-provider-proxmox#856, #842). With a range, CAPMOX skips every ID a machine of the cluster still holds; give each cluster on the same Proxmox its own range.",
          ),
        vm: z
          .strictObject({
            bootVolumeDevice: boundedString('bootVolumeDevice', 8)
              .regex(/^(virtio|scsi)([0-9]|1[0-5])$/, { error: 'bootVolumeDevice must be virtioN or scsiN (e.g. virtio0, scsi0)' })
              .default(D.bootVolumeDevice),
            bridge: nonEmptyString('bridge').default(D.bridge).describe('Proxmox bridge of net0.'),
            vlan: nicFields.vlan.describe('VLAN tag of net0.'),
            mtu: nicFields.mtu,
            model: nicFields.model,
            clone: z
              .strictObject({
                full: z.boolean().optional().describe('true: a full clone; false: a linked clone (needs a template on storage that supports them).'),
                format: z.enum(['raw', 'qcow2', 'vmdk'], { error: 'clone.format must be raw, qcow2 or vmdk' }).optional().describe('Disk format of a full clone.'),
                storage: nonEmpty('clone.storage').optional().describe("Proxmox storage of a full clone (default: the template's)."),
              })
              .optional()
              .describe("How CAPMOX clones the VM template; unset fields take CAPMOX's defaults (a full clone in the template's format and storage)."),
            extraNetworkDevices: boundedList(
              z.strictObject({
                ...nicFields,
                ipPool: z
                  .strictObject({
                    kind: z.enum(['InClusterIPPool', 'GlobalInClusterIPPool'], { error: 'ipPool.kind must be InClusterIPPool or GlobalInClusterIPPool' }),
                    name: dnsSubdomain('ipPool.name'),
                  })
                  .describe('The IPAM pool (created by you) that addresses this device.'),
              }),
              'extraNetworkDevices',
              7,
            )
              .optional()
              .describe('More NICs: net1, net2, … on other bridges or VLANs, each addressed from an IPAM pool you create.'),
          })
          .prefault({}),
        schedulerHints: z
          .strictObject({
            memoryAdjustment: int(0, 10000, 'schedulerHints.memoryAdjustment').describe(
              "Percent of a Proxmox node's memory CAPMOX may allocate to VMs (100 = all of it, 0 = no memory check).",
            ),
          })
          .optional()
          .describe('How CAPMOX places VMs on Proxmox nodes (ProxmoxCluster.spec.schedulerHints).'),
        credentialsRef: z
          .strictObject({ name: dnsSubdomain('credentialsRef.name'), namespace: dnsLabel('credentialsRef.namespace', 63).optional() })
          .optional()
          .describe('Secret with the Proxmox API token for this cluster (never the token itself); default: the provider-wide secret.'),
      })
      .describe('Where the VMs run (required: nodes and the VM template have no defaults).'),
    talos: z
      .strictObject({
        cni: z.enum(['flannel', 'none'], { error: 'cni must be flannel or none' }).default('flannel').describe('none: install your own CNI (e.g. Cilium).'),
        kubeProxy: z.boolean().default(true).describe('false disables kube-proxy (for a CNI that replaces it).'),
        ntpServers: boundedList(hostOrIPv4('ntpServers entry'), 'ntpServers', L.servers).min(1).optional(),
        registryMirrors: boundedRecord(
          boundedString('registry host', L.dnsName + 6).regex(REGISTRY_HOST, { error: 'registry mirror keys must be a registry host such as docker.io or registry.example:5000 (or "*")' }),
          boundedList(mirrorURL, 'registry mirror endpoints', L.endpoints).min(1),
          'registryMirrors',
          L.registries,
        )
          .optional()
          .describe('Registry host → mirror endpoint URLs.'),
        kernelArgs: boundedList(kernelArg, 'kernelArgs', L.kernelArgs).min(1).optional().describe('Extra kernel arguments given to the installer.'),
        kernelModules: boundedList(
          z.strictObject({
            name: nonEmpty('kernelModules entry name').describe('Module name, e.g. drbd.'),
            parameters: boundedList(nonEmpty('module parameter', L.kernelArg), 'module parameters', L.kernelArgs).min(1).optional().describe('Module parameters, e.g. usermode_helper=disabled.'),
          }),
          'kernelModules',
          L.kernelModules,
        )
          .min(1)
          .optional()
          .describe('Kernel modules loaded on every machine (machine.kernel.modules); the module must be in the image (a system extension).'),
        sysctls: boundedRecord(nonEmpty('sysctl name'), z.union([boundedString('sysctl value', L.text), numberText]).transform(asText), 'sysctls', L.settings)
          .optional()
          .describe('Kernel parameters on every machine (machine.sysctls), e.g. vm.max_map_count: "262144".'),
        kubeletExtraArgs: boundedRecord(nonEmpty('kubelet flag name'), z.union([boundedString('kubelet flag value', L.kernelArg), numberText, z.boolean()]).transform(asText), 'kubeletExtraArgs', L.settings)
          .optional()
          .describe('Extra kubelet flags on every machine (machine.kubelet.extraArgs), e.g. rotate-server-certificates: "true".'),
        externalCloudProvider: z
          .strictObject({
            manifests: boundedList(manifestURL('externalCloudProvider manifests'), 'externalCloudProvider.manifests', L.manifests).optional().describe('Manifests of the cloud controller manager, applied at bootstrap.'),
          })
          .optional()
          .describe('Run Kubernetes with an external cloud provider (cluster.externalCloudProvider), e.g. the Talos cloud controller manager.'),
        extraManifests: boundedList(manifestURL('extraManifests entries'), 'extraManifests', L.manifests)
          .min(1)
          .optional()
          .describe('Manifests the control plane applies at bootstrap (cluster.extraManifests), e.g. a CNI.'),
        talosAPIAccess: z
          .strictObject({
            allowedRoles: boundedList(nonEmpty('allowedRoles entry'), 'allowedRoles', L.servers).min(1).describe('Talos roles workloads may get, e.g. os:reader.'),
            allowedKubernetesNamespaces: boundedList(dnsLabel('allowedKubernetesNamespaces entry', 63), 'allowedKubernetesNamespaces', L.labels)
              .min(1)
              .describe('Namespaces whose workloads may get them.'),
          })
          .optional()
          .describe('Let workloads reach the Talos API with these roles (machine.features.kubernetesTalosAPIAccess, control planes).'),
        patches: patches.optional(),
      })
      .prefault({}),
  })
  .describe('A Talos Kubernetes cluster on Proxmox VMs.');

/**
 * Kubernetes ObjectMeta fields other than name and namespace: kpt and kustomize add annotations (and a
 * user may add labels or copy a live object's fields); taken as they are, never read.
 */
const OTHER_OBJECT_META = ['labels', 'annotations', 'generateName', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'ownerReferences', 'finalizers', 'managedFields', 'selfLink'] as const;

/** The whole ClusterSpec document: every key anywhere in it is known (a mistyped `spce:` is an error, not a default cluster). */
export const clusterSpecSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION, { error: `apiVersion must be ${API_VERSION}` }),
  kind: z.literal(KIND, { error: `kind must be ${KIND}` }),
  metadata: z
    .strictObject({
      name: dnsSubdomain('metadata.name').optional(),
      namespace: dnsLabel('metadata.namespace', 63).optional(),
      ...Object.fromEntries(OTHER_OBJECT_META.map((k) => [k, z.unknown().optional()])),
    })
    .prefault({}),
  spec: clusterSpecBody,
});

export type ClusterSpecInput = z.input<typeof clusterSpecSchema>;
export type ClusterSpecDoc = z.output<typeof clusterSpecSchema>;
export type Spec = z.output<typeof clusterSpecBody>;
export type WorkerPool = z.output<typeof workerPoolSchema>;
