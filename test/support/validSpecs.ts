/**
 * Random VALID ClusterSpecs for the meaning oracle (test/meaning.property.test.ts): every field of the
 * schema is exercised, set or left to its documented default, and every site value is set (a parallel
 * change makes them required). Valid by construction: the IP ranges hold every machine of a rolling update
 * (counted with test/support/meaningOracle.ts, not with the code under test), the endpoint lies in the
 * subnet outside the ranges and off the network, broadcast and gateway addresses, versions are a supported
 * Talos/Kubernetes pair, names fit.
 *
 * Free text (label values, sysctl values, …) is drawn so that YAML 1.1 and 1.2 read it as the same
 * string: what happens to `yes` or `0110` is issue 21 item 5's, not this oracle's.
 */
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { parse as parseYAML } from 'yaml';
import { TALOS_KUBERNETES_SUPPORT } from '../../src/clusterspec/versions';
import { peakMachines, usableAddresses } from './meaningOracle';

type Obj = Record<string, any>;
export interface GeneratedSpec {
  /** metadata.name of the ClusterSpec */
  name: string;
  spec: Obj;
}

/** A string every YAML reader takes as that same string, plain (remembered: the same strings come back often). */
const plainVerdicts = new Map<string, boolean>();
const sameInBothYAMLs = (s: string) => {
  let ok = plainVerdicts.get(s);
  if (ok === undefined) {
    try {
      ok = parseYAML(s, { version: '1.1' }) === s && parseYAML(s, { version: '1.2' }) === s;
    } catch {
      ok = false;
    }
    if (plainVerdicts.size > 50000) plainVerdicts.clear();
    plainVerdicts.set(s, ok);
  }
  return ok;
};
const word = (re: RegExp) => fc.stringMatching(re).filter(sameInBothYAMLs);
/** Left out one time in `freq`. */
const opt = <T>(a: fc.Arbitrary<T>, freq = 2) => fc.option(a, { nil: undefined, freq });
/** An object without its undefined entries (an omitted field, not `field: null`). */
const defined = (o: Obj) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const label = word(/^[a-z]([-a-z0-9]{0,8}[a-z0-9])?$/);
const nodeName = word(/^(pve|node|venus|mars)[0-9]{0,2}$/);
const hostName = word(/^[a-z][a-z0-9]{0,6}(\.[a-z][a-z0-9]{0,5}){0,2}$/);
const octet = fc.integer({ min: 1, max: 254 });
const someIPv4 = fc.tuple(fc.constantFrom(10, 100, 192), octet, octet, octet).map((o) => o.join('.'));
const url = fc.tuple(hostName, fc.constantFrom('', '/v2', '/manifests/a.yaml', '/x/y.yaml')).map(([h, p]) => `https://${h}${p}`);
const labelValue = word(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,10}[A-Za-z0-9])?)?$/);
const qualifiedKey = fc.oneof(word(/^(example\.com|a\.b|node\.kubernetes\.io)\/[a-z]([-a-z0-9]{0,5}[a-z0-9])?$/), word(/^[a-z][a-z0-9]{0,6}$/));
const percentOrInt = (ints: number[], pcts: string[]) => fc.constantFrom<number | string>(...ints, ...pcts);
const mac = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 }).map((b) => b.map((x) => x.toString(16).padStart(2, '0')).join(':'));

const sizes = {
  bootVolumeSizeGB: opt(fc.integer({ min: 5, max: 4096 })),
  cores: opt(fc.integer({ min: 1, max: 64 })),
  sockets: opt(fc.integer({ min: 1, max: 4 })),
  memoryMiB: opt(fc.integer({ min: 64, max: 65536 }).map((n) => n * 8)),
};
const template = fc.record({ sourceNode: nodeName, templateID: fc.integer({ min: 100, max: 999999999 }) });
const allowedNodes = fc.uniqueArray(nodeName, { minLength: 1, maxLength: 3 });

/**
 * Talos strategic patches a user might write. They touch settings the generator also writes (sysctls,
 * kubelet flags, NTP servers, kernel args, node labels: later patches must win or append, as Talos merges)
 * and settings it never writes (machine.env: must arrive untouched). Values are never Talos' zero value ("").
 */
const sysctlName = fc.constantFrom('vm.max_map_count', 'net.core.somaxconn', 'fs.inotify.max_user_watches', 'kernel.pid_max');
const textValue = word(/^[a-z][a-z0-9.-]{0,7}$/);
const userPatch = fc.oneof(
  fc.dictionary(sysctlName, fc.oneof(textValue, fc.integer({ min: 1, max: 9999999 }).map(String)), { minKeys: 1, maxKeys: 2 }).map((s) => ({ machine: { sysctls: s } })),
  fc.dictionary(fc.constantFrom('rotate-server-certificates', 'max-pods', 'v'), textValue, { minKeys: 1, maxKeys: 2 }).map((a) => ({ machine: { kubelet: { extraArgs: a } } })),
  fc.dictionary(word(/^[A-Z][A-Z_]{0,6}$/), textValue, { minKeys: 1, maxKeys: 2 }).map((e) => ({ machine: { env: e } })),
  fc.uniqueArray(hostName, { minLength: 1, maxLength: 2 }).map((s) => ({ machine: { time: { servers: s } } })),
  fc.array(textValue.map((v) => `cpt.${v}=1`), { minLength: 1, maxLength: 2 }).map((a) => ({ machine: { install: { extraKernelArgs: a } } })),
  fc.dictionary(fc.constantFrom('example.com/patched', 'tier'), labelValue, { minKeys: 1, maxKeys: 2 }).map((l) => ({ machine: { nodeLabels: l } })),
);
const patches = opt(fc.array(userPatch, { minLength: 1, maxLength: 3 }), 2);

/**
 * A user patch as a user of the Talos v1.14 config contract writes it: the v1alpha1 fields that contract
 * moved are written as their documents (the generator refuses the old form there), and kernel arguments,
 * which that contract has no place for, are left out.
 */
function patchFor14(p: Obj): Obj | undefined {
  const m = p.machine ?? {};
  const d = (kind: string, body: Obj) => ({ apiVersion: 'v1alpha1', kind, ...body });
  if (m.sysctls) return d('SysctlConfig', { params: m.sysctls });
  if (m.kubelet) return d('KubeletConfig', { extraArgs: m.kubelet.extraArgs });
  if (m.time) return d('TimeSyncConfig', { ntp: { servers: m.time.servers } });
  if (m.nodeLabels) return d('KubeNodeConfig', { labels: m.nodeLabels });
  if (m.install) return undefined;
  return p;
}
const onContract14 = (ps: Obj[] | undefined) => {
  const out = ps?.flatMap((p) => patchFor14(p) ?? []);
  return out?.length ? out : undefined;
};

const pool = fc
  .record({
    name: label,
    replicas: opt(fc.integer({ min: 0, max: 20 })),
    ...sizes,
    allowedNodes: opt(allowedNodes, 3),
    template: opt(template, 3),
    labels: opt(fc.dictionary(qualifiedKey, labelValue, { maxKeys: 3 })),
    // One taint per key: Talos keeps node taints in a map.
    taints: opt(fc.uniqueArray(fc.record({ key: qualifiedKey, value: opt(labelValue), effect: fc.constantFrom('NoSchedule', 'PreferNoSchedule', 'NoExecute') }), { maxLength: 3, selector: (t) => t.key }).map((ts) => ts.map(defined))),
    rollout: opt(fc.record({ maxSurge: opt(percentOrInt([0, 1, 2, 3], ['0%', '25%', '50%', '100%'])), maxUnavailable: opt(percentOrInt([0, 1, 2], ['0%', '10%', '33%'])) }).map(defined)),
    autoscaling: opt(fc.integer({ min: 0, max: 10 }).chain((min) => fc.record({ minReplicas: fc.constant(min), maxReplicas: fc.integer({ min: Math.max(min, 1), max: 20 }) })), 3),
    healthCheck: opt(
      fc
        .record({
          enabled: opt(fc.boolean()),
          nodeStartupTimeoutSeconds: opt(fc.oneof(fc.constant(0), fc.integer({ min: 30, max: 86400 }))),
          unhealthyTimeoutSeconds: opt(fc.integer({ min: 30, max: 86400 })),
          maxUnhealthy: opt(percentOrInt([0, 1, 5], ['0%', '40%', '100%'])),
        })
        .map(defined),
    ),
    patches,
  })
  .map(defined)
  // rollout.maxSurge and maxUnavailable may not both be zero (defaults 1 and 0)
  .filter((p) => !(isZero(p.rollout?.maxSurge ?? 1) && isZero(p.rollout?.maxUnavailable ?? 0)));

function isZero(v: number | string) {
  return v === 0 || v === '0%';
}

const supported = Object.entries(TALOS_KUBERNETES_SUPPORT).map(([talos, k]) => ({ talos, min: Number(k.min.split('.')[1]), max: Number(k.max.split('.')[1]) }));
const versions = fc
  .constantFrom(...supported)
  .chain((t) =>
    fc.record({
      talosMinor: fc.constant(t.talos),
      talosPatch: fc.integer({ min: 0, max: 12 }),
      kubeMinor: fc.integer({ min: t.min, max: t.max }),
      kubePatch: fc.integer({ min: 0, max: 9 }),
      registry: fc.constantFrom('factory.talos.dev/nocloud-installer/6adc7e7fba27948460e2231e5272e88b85159da3f3db980551976bf9898ff64b', 'ghcr.io/siderolabs/installer', 'registry.example:5000/talos/installer'),
      explicitTalosVersion: fc.boolean(),
    }),
  );

/**
 * What a guest sees of each NIC model: its Linux driver, and the PCI ID Talos reads from the link's device
 * uevent — none for virtio, whose link device is the virtio bus device (siderolabs/talos
 * pkg/machinery/nethelpers/device.go).
 */
const NIC: Record<string, { driver: string; pciID?: string }> = { virtio: { driver: 'virtio_net' }, e1000: { driver: 'e1000', pciID: '8086:100E' }, rtl8139: { driver: '8139cp', pciID: '10EC:8139' }, vmxnet3: { driver: 'vmxnet3', pciID: '15AD:07B0' } };

/** A VIP device selector that picks net0 (of this model); with extra NICs one that picks at most one link (net0's bus path, or a MAC). */
const vipSelector = (extraNics: boolean, model: string) =>
  extraNics
    ? fc.oneof(fc.constant({ busPath: '0000:00:12.0' }), mac.map((m) => ({ hardwareAddr: m })))
    : fc.oneof(
        fc.constant({ physical: true }),
        fc.constant({ busPath: '0000:00:12.0' }),
        fc.constant({ driver: NIC[model].driver }),
        fc.constant({ driver: NIC[model].driver, physical: true }),
        fc.constant({ hardwareAddr: 'bc:24:11:00:00:00' }),
        fc.constant({ permanentAddr: 'bc:24:11:*' }),
        ...(NIC[model].pciID ? [fc.constant({ pciID: NIC[model].pciID })] : []),
        // Talos matches selector strings as wildcard patterns
        fc.constant({ driver: `${NIC[model].driver.slice(0, 3)}*` }),
        fc.constant({ busPath: '0000:00:1*', physical: true }),
        mac.map((m) => ({ hardwareAddr: m })),
      );

const extraNic = fc
  .record({
    bridge: word(/^vmbr[0-9]{1,2}$/),
    vlan: opt(fc.integer({ min: 1, max: 4094 })),
    mtu: opt(fc.oneof(fc.constant(1), fc.integer({ min: 1280, max: 9000 }))),
    model: opt(fc.constantFrom('virtio', 'e1000', 'rtl8139', 'vmxnet3')),
    ipPool: fc.record({ kind: fc.constantFrom('InClusterIPPool', 'GlobalInClusterIPPool'), name: word(/^[a-z][a-z0-9-]{0,8}[a-z0-9](\.[a-z]{1,4})?$/) }),
  })
  .map(defined);

const talos = fc
  .record({
    cni: opt(fc.constantFrom('flannel', 'none')),
    kubeProxy: opt(fc.boolean()),
    ntpServers: opt(fc.uniqueArray(fc.oneof(hostName, someIPv4), { minLength: 1, maxLength: 3 })),
    registryMirrors: opt(fc.dictionary(fc.constantFrom('docker.io', 'ghcr.io', 'registry.k8s.io', 'registry.example:5000', '*'), fc.uniqueArray(url, { minLength: 1, maxLength: 2 }), { minKeys: 1, maxKeys: 3 })),
    kernelArgs: opt(fc.array(fc.constantFrom('console=ttyS0', 'net.ifnames=0', 'talos.dashboard.disabled=1', 'mitigations=off', 'sysctl.kernel.kexec_load_disabled=1'), { minLength: 1, maxLength: 3 })),
    // One entry per module name (the generator refuses a repeat: from Talos 1.14 each is a document named after it).
    kernelModules: opt(fc.uniqueArray(fc.record({ name: fc.constantFrom('drbd', 'zfs', 'br_netfilter', 'nvme_tcp'), parameters: opt(fc.array(fc.constantFrom('usermode_helper=disabled', 'nf_conntrack_max=131072'), { minLength: 1, maxLength: 2 })) }).map(defined), { minLength: 1, maxLength: 3, selector: (k) => k.name })),
    sysctls: opt(fc.dictionary(sysctlName, fc.oneof(textValue, fc.integer({ min: 0, max: 99999999 }), fc.integer({ min: 1, max: 99999999 }).map(String)), { maxKeys: 3 })),
    kubeletExtraArgs: opt(fc.dictionary(fc.constantFrom('rotate-server-certificates', 'max-pods', 'v', 'feature-gates'), fc.oneof(textValue, fc.integer({ min: 0, max: 500 }), fc.boolean()), { maxKeys: 3 })),
    externalCloudProvider: opt(fc.oneof(fc.constant({}), fc.record({ manifests: fc.uniqueArray(url, { minLength: 1, maxLength: 2 }) }))),
    extraManifests: opt(fc.uniqueArray(url, { minLength: 1, maxLength: 2 })),
    talosAPIAccess: opt(fc.record({ allowedRoles: fc.uniqueArray(fc.constantFrom('os:reader', 'os:admin', 'os:etcd:backup'), { minLength: 1, maxLength: 2 }), allowedKubernetesNamespaces: fc.uniqueArray(label, { minLength: 1, maxLength: 2 }) })),
    patches,
  })
  .map(defined);

/** Everything but the addresses and the VM ID range, which depend on how many machines there can be. */
const body = fc
  .record({
    name: word(/^[a-z]([-a-z0-9]{0,14}[a-z0-9])?$/),
    clusterName: opt(word(/^[a-z]([-a-z0-9]{0,14}[a-z0-9])?$/), 3),
    namespace: opt(label, 3),
    versions,
    // apart from each other and from the defaults (pods 10.244.0.0/16, services 10.96.0.0/12)
    podCIDRs: opt(fc.integer({ min: 0, max: 95 }).map((n) => [`10.${n}.0.0/16`]), 3),
    serviceCIDRs: opt(fc.integer({ min: 112, max: 243 }).map((n) => [`10.${n}.0.0/16`]), 3),
    cp: fc.record({ replicas: opt(fc.integer({ min: 1, max: 7 })), ...sizes, allowedNodes: opt(allowedNodes, 3), template: opt(template, 3), maxSurge: opt(fc.constantFrom(0, 1)), patches }).map(defined),
    workers: fc.uniqueArray(pool, { maxLength: 5, selector: (p) => p.name }).map((ws) => ws.filter((w) => w.name !== 'control-plane')),
    extraNics: fc.oneof({ weight: 2, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(extraNic, { minLength: 1, maxLength: 3 }) }),
    selectorSeed: fc.nat(),
    proxmox: fc.record({
      allowedNodes,
      template,
      vm: fc
        .record({
          bootVolumeDevice: opt(fc.tuple(fc.constantFrom('virtio', 'scsi'), fc.integer({ min: 0, max: 15 })).map(([b, n]) => `${b}${n}`), 4),
          bridge: opt(word(/^vmbr[0-9]{1,2}$/)),
          vlan: opt(fc.integer({ min: 1, max: 4094 })),
          mtu: opt(fc.oneof(fc.constant(1), fc.integer({ min: 1280, max: 65520 }))),
          model: opt(fc.constantFrom('virtio', 'e1000', 'rtl8139', 'vmxnet3')),
          clone: opt(
            fc.oneof(
              fc.record({ full: fc.constant(false) }),
              fc.record({ full: opt(fc.constant(true)), format: opt(fc.constantFrom('raw', 'qcow2', 'vmdk')), storage: opt(word(/^(local-lvm|ceph|nfs[0-9])$/)) }).map(defined),
            ),
          ),
        })
        .map(defined),
      schedulerHints: opt(fc.record({ memoryAdjustment: fc.integer({ min: 0, max: 10000 }) })),
      credentialsRef: opt(fc.record({ name: word(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/), namespace: opt(label) }).map(defined)),
    }),
    bastion: fc.oneof(fc.constant({}), fc.record({ host: opt(fc.oneof(hostName, someIPv4)), endpointIP: opt(someIPv4) }).map(defined)),
    dnsServers: fc.uniqueArray(someIPv4, { minLength: 1, maxLength: 3 }),
    talos,
  })
  .chain((b) => {
    const selectors = vipSelector(b.extraNics.length > 0, b.proxmox.vm.model ?? 'virtio');
    // with extra NICs a selector is required ({physical: true}, the default, would pick them all)
    return fc.tuple(fc.constant(b), b.extraNics.length ? selectors : opt(selectors, 2));
  })
  .map(([b, vipDeviceSelector]) => ({ ...b, vipDeviceSelector }));

/**
 * The subnet, gateway, endpoint and address ranges for a cluster that can have `peak` machines at once:
 * a subnet with room for them (unless `prefix` is given), ranges that may or may not hold enough.
 */
export const network = (peak: number, opts: { prefix?: number } = {}) =>
  fc
    .record({
      // a subnet with room for every machine plus gateway, endpoint, network and broadcast addresses
      prefix: opts.prefix !== undefined ? fc.constant(opts.prefix) : fc.integer({ min: 16, max: Math.min(29, 32 - Math.ceil(Math.log2(peak + 6))) }),
      space: fc.constantFrom([192, 168], [172, 16], [172, 31]),
      which: fc.nat(),
      gateway: fc.oneof(fc.constant('first'), fc.constant('last'), fc.nat()),
      endpoint: fc.nat(),
      cuts: fc.uniqueArray(fc.nat(), { minLength: 2, maxLength: 6 }),
      cidrs: fc.boolean(),
    })
    .map(({ prefix, space, which, gateway, endpoint, cuts, cidrs }) => {
      const size = 2 ** (32 - prefix);
      const blocks = 2 ** (prefix - 16);
      const base = ((space[0] << 24) | (space[1] << 16)) >>> 0;
      const first = base + (which % blocks) * size;
      const g = gateway === 'first' ? 1 : gateway === 'last' ? size - 2 : 1 + (gateway % (size - 2));
      let e = 1 + (endpoint % (size - 2));
      if (e === g) e = e === size - 2 ? e - 1 : e + 1;
      // ranges: pairs of sorted cut points, split around the endpoint (which must stay outside them)
      const points = [...new Set(cuts.map((c) => c % size))].sort((a, b) => a - b);
      const spans: [number, number][] = [];
      for (let i = 0; i + 1 < points.length; i += 2) spans.push([points[i], points[i + 1]]);
      if (points.length % 2) spans.push([points.at(-1)!, points.at(-1)!]);
      const split = spans.flatMap(([a, b]): [number, number][] => (e < a || e > b ? [[a, b]] : ([[a, e - 1], [e + 1, b]] as [number, number][]).filter(([x, y]) => x <= y)));
      const ipText = (off: number) => ipaddr.fromByteArray([...toBytes(first + off)]).toString();
      const ranges = split.map(([a, b]) => {
        const n = b - a + 1;
        if (n === 1) return ipText(a);
        if (cidrs && (n & (n - 1)) === 0 && a % n === 0) return `${ipText(a)}/${32 - Math.log2(n)}`;
        return `${ipText(a)}-${ipText(b)}`;
      });
      return { prefix, gateway: ipText(g), endpointIP: ipText(e), ipRanges: ranges };
    });

function toBytes(n: number): number[] {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}

/**
 * A valid ClusterSpec of the given profile. The IP ranges are drawn until they hold every machine of a
 * rolling update (checked with ipaddr.js in meaningOracle.usableAddresses, the IPAM provider's rule).
 */
export function validSpec(profile: 'current' | 'legacy'): fc.Arbitrary<GeneratedSpec> {
  return body.chain((b) => {
    const spec: Obj = {
      cluster: defined({
        name: b.clusterName,
        namespace: b.namespace,
        // current is the default profile: sometimes left out
        profile: profile === 'current' && b.name.length % 2 ? undefined : profile,
        kubernetesVersion: `v1.${b.versions.kubeMinor}.${b.versions.kubePatch}`,
        talosImage: `${b.versions.registry}:${b.versions.talosMinor}.${b.versions.talosPatch}`,
        talosVersion: b.versions.explicitTalosVersion ? b.versions.talosMinor : undefined,
        podCIDRs: b.podCIDRs,
        serviceCIDRs: b.serviceCIDRs,
      }),
      controlPlane: defined({ ...b.cp, vipDeviceSelector: b.vipDeviceSelector }),
      workers: b.workers,
      proxmox: defined({
        ...b.proxmox,
        vm: defined({ ...b.proxmox.vm, extraNetworkDevices: b.extraNics.length ? b.extraNics : undefined }),
      }),
      talos: b.talos,
    };
    if (Number(b.versions.talosMinor.split('.')[1]) >= 14) {
      spec.controlPlane.patches = onContract14(spec.controlPlane.patches);
      spec.workers = spec.workers.map((w: Obj) => defined({ ...w, patches: onContract14(w.patches) }));
      if (spec.talos) spec.talos = defined({ ...spec.talos, kernelArgs: undefined, patches: onContract14(spec.talos.patches) });
    }
    const peak = peakMachines(spec);
    return fc
      .record({
        net: network(peak),
        vmIDRange: opt(fc.record({ start: fc.integer({ min: 100, max: 999_000_000 }), slack: fc.integer({ min: 0, max: 50 }) }).map(({ start, slack }) => ({ start, end: start + peak - 1 + slack }))),
      })
      .filter(({ net }) => usableOK(net, peak))
      .map(({ net, vmIDRange }) => ({
        name: b.name,
        spec: {
          ...spec,
          network: { ipRanges: net.ipRanges, prefix: net.prefix, gateway: net.gateway, dnsServers: b.dnsServers, bastion: b.bastion },
          controlPlane: { ...spec.controlPlane, endpointIP: net.endpointIP },
          proxmox: defined({ ...spec.proxmox, vmIDRange }),
        },
      }));
  });
}

const usableOK = (net: { ipRanges: string[]; prefix: number; gateway: string }, peak: number) => usableAddresses(net) >= peak;
