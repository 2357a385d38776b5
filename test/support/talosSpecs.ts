/**
 * Random valid ClusterSpecs that set every Talos-related field, for one Talos config contract at a time
 * (fast-check arbitraries, shared by the suites that need them). Every site value is set explicitly.
 */
import fc from 'fast-check';

/** The contracts checked, with the Talos patch release of each image and the Kubernetes minors each runs (Talos support matrix). */
export const CONTRACTS = {
  'v1.11': { image: 'v1.11.5', kubernetes: [29, 34] },
  'v1.12': { image: 'v1.12.4', kubernetes: [30, 35] },
  'v1.13': { image: 'v1.13.2', kubernetes: [31, 36] },
  'v1.14': { image: 'v1.14.1', kubernetes: [32, 37] },
} as const;
export type Contract = keyof typeof CONTRACTS;

const SCHEMATIC = '6adc7e7fba27948460e2231e5272e88b85159da3f3db980551976bf9898ff64b';
const word = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/);
const host = fc.tuple(word, word).map(([a, b]) => `${a}.${b}.example`);
const ipv4 = (prefix: string) => fc.integer({ min: 2, max: 250 }).map((n) => `${prefix}.${n}`);
const labelKey = fc.stringMatching(/^example\.com\/[a-z]{1,8}$/);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });

/** A strategic patch whose effect the final config shows: one more API certificate name for the Talos API. */
const marker = (where: string) => fc.integer({ min: 0, max: 9999 }).map((n) => `patched-${where}-${n}.example`);

const pool = (contract: Contract) =>
  fc.record(
    {
      name: fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/),
      replicas: fc.integer({ min: 0, max: 3 }),
      labels: maybe(fc.dictionary(labelKey, fc.stringMatching(/^[a-z0-9]{0,8}$/), { minKeys: 1, maxKeys: 3 })),
      taints: maybe(fc.uniqueArray(fc.record({ key: labelKey, value: maybe(fc.stringMatching(/^[a-z]{1,5}$/)), effect: fc.constantFrom('NoSchedule', 'PreferNoSchedule', 'NoExecute') }), { minLength: 1, maxLength: 3, selector: (t) => t.key })),
      patches: maybe(fc.tuple(marker('pool'), fc.integer({ min: 0, max: 99 })).map(([san, n]) => [{ machine: { certSANs: [san] } }, ...(contract === 'v1.14' ? [{ apiVersion: 'v1alpha1', kind: 'KubeNodeConfig', annotations: { 'example.com/patched': String(n) } }] : [])])),
    },
    { requiredKeys: ['name', 'replicas'] },
  );

const selector = fc.constantFrom<Record<string, string | boolean>>(
  { physical: true },
  { busPath: '0000:00:12.0' },
  { driver: 'virtio_net', physical: true },
  { hardwareAddr: 'bc:24:11:00:00:01' },
  { permanentAddr: 'bc:24:11:*' },
  // (not pciID: a virtio link reports no PCI ID, so no pciID selects net0 of these virtio-only VMs)
  { driver: 'virtio*' },
);

/** One random valid spec of the given contract (metadata.name set by the caller, unique in a batch). */
export const talosSpec = (contract: Contract) =>
  fc
    .record({
      k8sMinor: fc.integer({ min: CONTRACTS[contract].kubernetes[0], max: CONTRACTS[contract].kubernetes[1] }),
      k8sPatch: fc.integer({ min: 0, max: 9 }),
      explicitVersion: fc.boolean(),
      profile: fc.constantFrom('current', 'legacy'),
      cpReplicas: fc.constantFrom(1, 3),
      device: fc.constantFrom('virtio0', 'virtio1', 'scsi0', 'scsi2'),
      bastion: fc.oneof(fc.constant({}), fc.record({ host: maybe(host), endpointIP: maybe(ipv4('192.168.1')) })),
      vipDeviceSelector: selector,
      cpPatches: maybe(marker('cp').map((san) => [{ machine: { certSANs: [san] } }])),
      workers: fc.uniqueArray(pool(contract), { maxLength: 3, selector: (p) => p.name }),
      talos: fc.record(
        {
          cni: fc.constantFrom('flannel', 'none'),
          kubeProxy: fc.boolean(),
          ntpServers: fc.uniqueArray(fc.oneof(host, ipv4('10.1.1')), { minLength: 1, maxLength: 3 }),
          registryMirrors: fc.dictionary(fc.constantFrom('docker.io', 'ghcr.io', 'registry.k8s.io', 'quay.io'), fc.uniqueArray(word.map((w) => `https://${w}.mirror.example/v2`), { minLength: 1, maxLength: 2 }), { minKeys: 1, maxKeys: 3 }),
          kernelArgs: fc.uniqueArray(fc.constantFrom('console=ttyS0', 'net.ifnames=0', 'talos.dashboard.disabled=1', 'mitigations=off'), { minLength: 1, maxLength: 3 }),
          kernelModules: fc.uniqueArray(fc.record({ name: fc.constantFrom('drbd', 'nbd', 'zfs', 'br_netfilter'), parameters: maybe(fc.uniqueArray(fc.constantFrom('usermode_helper=disabled', 'nbds_max=16', 'debug=1'), { minLength: 1, maxLength: 2 })) }, { requiredKeys: ['name'] }), { minLength: 1, maxLength: 3, selector: (k) => k.name }),
          sysctls: fc.dictionary(fc.constantFrom('vm.max_map_count', 'net.core.somaxconn', 'fs.inotify.max_user_watches', 'net.ipv4.ip_forward'), fc.integer({ min: 1, max: 9999999 }).map(String), { minKeys: 1, maxKeys: 3 }),
          kubeletExtraArgs: fc.dictionary(fc.constantFrom('rotate-server-certificates', 'max-pods', 'node-labels-dummy', 'v'), fc.constantFrom('true', '110', '2'), { minKeys: 1, maxKeys: 3 }),
          externalCloudProvider: fc.record({ manifests: maybe(fc.uniqueArray(word.map((w) => `https://example.com/ccm/${w}.yaml`), { minLength: 1, maxLength: 2 })) }, { requiredKeys: [] }),
          extraManifests: fc.uniqueArray(word.map((w) => `https://example.com/manifests/${w}.yaml`), { minLength: 1, maxLength: 3 }),
          talosAPIAccess: fc.record({ allowedRoles: fc.uniqueArray(fc.constantFrom('os:reader', 'os:operator', 'os:etcd:backup'), { minLength: 1, maxLength: 2 }), allowedKubernetesNamespaces: fc.uniqueArray(fc.constantFrom('kube-system', 'talos-backup', 'ops'), { minLength: 1, maxLength: 2 }) }),
          patches: fc.constant(undefined),
        },
        // Every Talos field is optional: each spec sets a random subset (kernelArgs has no place in 1.14).
        { requiredKeys: [] },
      ),
    })
    .map((r) => ({
      cluster: {
        profile: r.profile,
        kubernetesVersion: `v1.${r.k8sMinor}.${r.k8sPatch}`,
        talosImage: `factory.talos.dev/nocloud-installer/${SCHEMATIC}:${CONTRACTS[contract].image}`,
        ...(r.explicitVersion && { talosVersion: contract }),
      },
      network: { ipRanges: ['10.20.1.0-10.20.3.255'], prefix: 16, gateway: '10.20.0.1', dnsServers: ['10.20.0.53'], bastion: r.bastion },
      controlPlane: { endpointIP: '10.20.0.10', replicas: r.cpReplicas, vipDeviceSelector: r.vipDeviceSelector, ...(r.cpPatches && { patches: r.cpPatches }) },
      workers: r.workers.map((w) => Object.fromEntries(Object.entries(w).filter(([, v]) => v !== undefined))),
      proxmox: { allowedNodes: ['pve1', 'pve2'], template: { sourceNode: 'pve1', templateID: 100 }, vm: { bootVolumeDevice: r.device } },
      talos: Object.fromEntries(Object.entries(r.talos).filter(([k, v]) => v !== undefined && !(contract === 'v1.14' && k === 'kernelArgs'))),
    }));
