/** Validation of the ClusterSpec: each rule once with input it accepts and once with input it rejects. */
import { errorsOf, renderObjects, clusterSpec, bareClusterSpec, SITE } from './support/render';
import { API_VERSION, KIND } from '../src/clusterspec/schema';
import { generate } from '../src/generate';
import { validateObjects } from '../src/validate';
import { PROFILE_TARGETS } from '../src/validate/pinned';

const only = (spec: unknown) => errorsOf(spec).map((e) => `${e.field?.path}: ${e.message}`);

describe('rules: accepted input', () => {
  test.each([
    ['empty spec (the chart defaults)', {}],
    ['three control planes', { controlPlane: { replicas: 3 }, network: { ipRanges: ['192.168.4.101-192.168.4.120'] } }],
    ['CIDR and single-address ranges', { network: { ipRanges: ['192.168.4.128/28', '192.168.4.101', '192.168.4.102'] } }],
    ['scsi boot disk', { proxmox: { vm: { bootVolumeDevice: 'scsi0' } } }],
    ['no worker pools', { workers: [] }],
    ['percent surge', { workers: [{ name: 'a', replicas: 2, rollout: { maxSurge: '50%', maxUnavailable: 0 } }] }],
    ['autoscaled pool', { network: { ipRanges: ['192.168.4.101-192.168.4.130'] }, workers: [{ name: 'a', autoscaling: { minReplicas: 1, maxReplicas: 10 } }] }],
    ['allowed kubelet label', { workers: [{ name: 'a', labels: { 'node.kubernetes.io/pool': 'a', 'example.com/gpu': 'true' } }] }],
    ['Talos 1.12 with Kubernetes 1.35', { cluster: { talosImage: 'factory.talos.dev/nocloud-installer/abc:v1.12.0', kubernetesVersion: 'v1.35.0' } }],
    ['Secret and IPAM pool names are DNS subdomains (dots allowed)', {
      proxmox: { credentialsRef: { name: 'proxmox.cluster09', namespace: 'capmox' }, vm: { extraNetworkDevices: [{ bridge: 'vmbr1', ipPool: { kind: 'InClusterIPPool', name: 'storage.net-1' } }] } },
      controlPlane: { vipDeviceSelector: { busPath: '0000:00:12.0' } },
    }],
    ['qualified label and taint keys at their length limits', {
      workers: [{ name: 'w', labels: { [`${'a'.repeat(63)}.example.com/${'n'.repeat(63)}`]: 'v'.repeat(63) }, taints: [{ key: `example.com/${'k'.repeat(63)}`, value: 'a.b_c-d', effect: 'NoSchedule' }, { key: 'dedicated', effect: 'NoExecute' }] }],
    }],
    ['bastion and NTP by host name or IP', { network: { bastion: { host: 'Bastion-1.example.com', endpointIP: '192.168.1.80' } }, talos: { ntpServers: ['pool.ntp.org', '192.168.1.1'] } }],
    ['registry mirrors: http(s) endpoints, host:port keys', { talos: { registryMirrors: { 'docker.io': ['https://mirror.example/v2/docker.io', 'http://10.0.0.5:5000'], 'registry.example:5000': ['https://m.example'], '*': ['https://all.example'] } } }],
    ['a percentage rollout with only one side zero', { workers: [{ name: 'w', rollout: { maxSurge: '0%', maxUnavailable: 1 } }] }],
    ['a ClusterSpec in a namespace, cluster named apart from it', { cluster: { name: 'prod' } }],
  ])('%s', (_n, spec) => expect(only(spec)).toEqual([]));
});

describe('rules: rejected input, with the field path and a message in the user\'s words', () => {
  test.each([
    ['unknown field', { network: { gatway: '192.168.4.1' } }, 'spec.network.gatway', /unknown field "gatway"/],
    ['unknown top-level field', { workerz: [] }, 'spec.workerz', /unknown field "workerz"/],
    ['wrong type', { controlPlane: { replicas: 'three' } }, 'spec.controlPlane.replicas', /whole number, got a string$/],
    ['gateway not an IP', { network: { gateway: '192.168.4' } }, 'spec.network.gateway', /not an IPv4 address/],
    ['range not parseable', { network: { ipRanges: ['192.168.4.107-192.168.4.101'] } }, 'spec.network.ipRanges[0]', /not an IPv4 address, a range/],
    ['range outside the prefix', { network: { ipRanges: ['192.168.5.10-192.168.5.20'] } }, 'spec.network.ipRanges[0]', /not inside the machine network 192.168.4.0\/24/],
    ['overlapping ranges', { network: { ipRanges: ['192.168.4.101-192.168.4.110', '192.168.4.105'] } }, 'spec.network.ipRanges[1]', /overlaps spec.network.ipRanges\[0\]/],
    ['endpoint inside the ranges', { controlPlane: { endpointIP: '192.168.4.103' } }, 'spec.controlPlane.endpointIP', /lies inside spec.network.ipRanges\[0\].*CAPMOX rejects/],
    ['endpoint outside the subnet', { controlPlane: { endpointIP: '10.0.0.1' } }, 'spec.controlPlane.endpointIP', /not inside the machine network/],
    ['endpoint on the network address', { controlPlane: { endpointIP: '192.168.4.0' } }, 'spec.controlPlane.endpointIP', /is the network address of 192.168.4.0\/24, which no host can hold/],
    ['endpoint on the broadcast address', { controlPlane: { endpointIP: '192.168.4.255' } }, 'spec.controlPlane.endpointIP', /is the broadcast address of 192.168.4.0\/24/],
    ['not enough addresses', { controlPlane: { replicas: 3 }, workers: [{ name: 'w', replicas: 3 }] }, 'spec.network.ipRanges', /hold 7 usable addresses but a rolling update can need 8/],
    ['autoscaler max counts for capacity', { workers: [{ name: 'w', autoscaling: { minReplicas: 1, maxReplicas: 6 } }] }, 'spec.network.ipRanges', /can need 9/],
    ['duplicate pool names', { workers: [{ name: 'a' }, { name: 'a' }] }, 'spec.workers[1].name', /already used by spec.workers\[0\]/],
    ['pool name not a DNS label', { workers: [{ name: 'GPU_pool' }] }, 'spec.workers[0].name', /DNS label/],
    ['reserved pool name', { workers: [{ name: 'control-plane' }] }, 'spec.workers[0].name', /reserved/],
    ['cluster + pool name too long', { cluster: { name: 'a'.repeat(40) }, workers: [{ name: 'b'.repeat(20) }] }, 'spec.workers[0].name', /at most 54 characters/],
    ['Kubernetes version malformed', { cluster: { kubernetesVersion: '1.32' } }, 'spec.cluster.kubernetesVersion', /must look like v1.32.0/],
    ['Kubernetes too new for Talos', { cluster: { kubernetesVersion: 'v1.35.0' } }, 'spec.cluster.kubernetesVersion', /not supported by Talos v1.11; it supports Kubernetes v1.29 to v1.34/],
    ['Talos too old', { cluster: { talosImage: 'ghcr.io/siderolabs/installer:v1.5.0', kubernetesVersion: 'v1.28.0' } }, 'spec.cluster.talosImage', /too old/],
    ['image without a version tag', { cluster: { talosImage: 'factory.talos.dev/nocloud-installer/abc:latest' } }, 'spec.cluster.talosImage', /installer image with a Talos version tag/],
    ['memory not a multiple of 8', { controlPlane: { memoryMiB: 4097 } }, 'spec.controlPlane.memoryMiB', /multiple of 8/],
    ['boot volume below the CAPMOX minimum', { workers: [{ name: 'w', bootVolumeSizeGB: 4 }] }, 'spec.workers[0].bootVolumeSizeGB', /at least 5/],
    ['unknown boot device', { proxmox: { vm: { bootVolumeDevice: 'ide0' } } }, 'spec.proxmox.vm.bootVolumeDevice', /virtioN or scsiN/],
    ['surge and unavailable both 0', { workers: [{ name: 'w', rollout: { maxSurge: 0, maxUnavailable: 0 } }] }, 'spec.workers[0].rollout', /cannot both be 0/],
    ['autoscaling min > max', { workers: [{ name: 'w', autoscaling: { minReplicas: 3, maxReplicas: 2 } }] }, 'spec.workers[0].autoscaling.minReplicas', /larger than maxReplicas/],
    ['label the kubelet may not set', { workers: [{ name: 'w', labels: { 'node-role.kubernetes.io/gpu': '' } }] }, 'spec.workers[0].labels.node-role.kubernetes.io/gpu', /NodeRestriction/],
    ['profile unknown', { cluster: { profile: 'v1beta3' } }, 'spec.cluster.profile', /"current".*or "legacy"/],
    ['pod network overlaps machines', { cluster: { podCIDRs: ['192.168.0.0/16'] } }, 'spec.cluster.podCIDRs[0]', /overlaps the machine network/],
    ['vlan out of range', { proxmox: { vm: { vlan: 4095 } } }, 'spec.proxmox.vm.vlan', /at most 4094/],
    ['control plane maxSurge 2', { controlPlane: { maxSurge: 2 } }, 'spec.controlPlane.maxSurge', /must be 0 or 1/],
    // Accepted before, broken later (each an error with its field path now).
    ['label key name over 63', { workers: [{ name: 'w', labels: { [`example.com/${'n'.repeat(64)}`]: 'v' } }] }, `spec.workers[0].labels.example.com/${'n'.repeat(52)}…`, /qualified name/],
    ['label key prefix over 253', { workers: [{ name: 'w', labels: { [`${'a.'.repeat(127)}com/x`]: 'v' } }] }, /^spec\.workers\[0\]\.labels\./, /qualified name/],
    ['taint key name over 63', { workers: [{ name: 'w', taints: [{ key: 'k'.repeat(64), effect: 'NoSchedule' }] }] }, 'spec.workers[0].taints[0].key', /qualified name/],
    ['taint value with a colon', { workers: [{ name: 'w', taints: [{ key: 'a', value: 'a:b', effect: 'NoSchedule' }] }] }, 'spec.workers[0].taints[0].value', /taint value must be empty or at most 63 letters/],
    ['two taints with one key', { workers: [{ name: 'w', taints: [{ key: 'gpu', effect: 'NoSchedule' }, { key: 'gpu', value: 'x', effect: 'NoSchedule' }] }] }, 'spec.workers[0].taints[1].key', /"gpu" is already used by spec.workers\[0\].taints\[0\]; Talos keeps one taint per key/],
    ['two taints with one key, other effects', { workers: [{ name: 'w', taints: [{ key: 'gpu', effect: 'NoSchedule' }, { key: 'gpu', effect: 'NoExecute' }] }] }, 'spec.workers[0].taints[1].key', /already used/],
    ['bastion host with a space', { network: { bastion: { host: 'bastion host' } } }, 'spec.network.bastion.host', /host name .* or an IPv4 address/],
    ['bastion host of 1 MB', { network: { bastion: { host: 'a'.repeat(1 << 20) } } }, 'spec.network.bastion.host', /^bastion.host must be at most 253 characters$/],
    ['ipRanges entry with spaces', { network: { ipRanges: [' 192.168.4.101-192.168.4.107'] } }, 'spec.network.ipRanges[0]', /must not contain spaces/],
    ['dnsServers entry with spaces', { network: { dnsServers: ['192.168.1.201 '] } }, 'spec.network.dnsServers[0]', /must not contain spaces/],
    ['empty vipDeviceSelector', { controlPlane: { vipDeviceSelector: {} } }, 'spec.controlPlane.vipDeviceSelector', /must select something/],
    ['vipDeviceSelector with an unknown key', { controlPlane: { vipDeviceSelector: { interface: 'eth0' } } }, 'spec.controlPlane.vipDeviceSelector.interface', /unknown field "interface"/],
    ['registry mirror with an empty host', { talos: { registryMirrors: { '': ['https://m.example'] } } }, 'spec.talos.registryMirrors.', /registry host/],
    ['registry mirror endpoint file:', { talos: { registryMirrors: { 'docker.io': ['file:///etc/passwd'] } } }, 'spec.talos.registryMirrors.docker.io[0]', /http:\/\/ or https:\/\//],
    ['registry mirror endpoint javascript:', { talos: { registryMirrors: { 'docker.io': ['javascript:alert(1)'] } } }, 'spec.talos.registryMirrors.docker.io[0]', /http:\/\/ or https:\/\//],
    ['registry mirror endpoint without a host', { talos: { registryMirrors: { 'docker.io': ['https:///v2'] } } }, 'spec.talos.registryMirrors.docker.io[0]', /with a host/],
    ['registry mirror endpoint with user:password', { talos: { registryMirrors: { 'docker.io': ['https://user:hunter2@mirror.example'] } } }, 'spec.talos.registryMirrors.docker.io[0]', /must not carry a user or password: put credentials in Talos' registry auth config \(machine.registries.config/],
    ['kernel arg with a newline', { talos: { kernelArgs: ['console=ttyS0\ninit=/bin/sh'] } }, 'spec.talos.kernelArgs[0]', /control characters/],
    ['kernel arg with a tab', { talos: { kernelArgs: ['a\tb'] } }, 'spec.talos.kernelArgs[0]', /control characters/],
    ['NTP server that is no host name', { talos: { ntpServers: ['ntp://pool.ntp.org'] } }, 'spec.talos.ntpServers[0]', /host name/],
    ['rollout 0% and 0%', { workers: [{ name: 'w', rollout: { maxSurge: '0%', maxUnavailable: '0%' } }] }, 'spec.workers[0].rollout', /cannot both be 0/],
    ['rollout 0 and 0%', { workers: [{ name: 'w', rollout: { maxSurge: 0, maxUnavailable: '0%' } }] }, 'spec.workers[0].rollout', /cannot both be 0/],
    ['Secret name with capitals', { proxmox: { credentialsRef: { name: 'Proxmox' } } }, 'spec.proxmox.credentialsRef.name', /DNS subdomain/],
    ['malformed CIDR in ipRanges', { network: { ipRanges: ['192.168.4.101/26/1'] } }, 'spec.network.ipRanges[0]', /not an IPv4 address, a range/],
    ['malformed CIDR in podCIDRs', { cluster: { podCIDRs: ['10.244.0.0/16/1'] } }, 'spec.cluster.podCIDRs[0]', /not an IPv4 CIDR/],
    ['repeated Proxmox node', { proxmox: { allowedNodes: ['venus', 'mars', 'venus'] } }, 'spec.proxmox.allowedNodes[2]', /"venus" is already listed at spec.proxmox.allowedNodes\[0\]/],
    ['repeated pool node', { workers: [{ name: 'w', allowedNodes: ['venus', 'venus'] }] }, 'spec.workers[0].allowedNodes[1]', /already listed/],
    ['repeated control-plane node', { controlPlane: { allowedNodes: ['venus', 'venus'] } }, 'spec.controlPlane.allowedNodes[1]', /already listed/],
    ['repeated DNS server', { network: { dnsServers: ['192.168.1.201', '192.168.1.201'] } }, 'spec.network.dnsServers[1]', /already listed/],
    ['repeated NTP server', { talos: { ntpServers: ['pool.ntp.org', 'pool.ntp.org'] } }, 'spec.talos.ntpServers[1]', /already listed/],
    ['repeated mirror endpoint', { talos: { registryMirrors: { 'docker.io': ['https://m.example', 'https://m.example'] } } }, 'spec.talos.registryMirrors.docker.io[1]', /already listed/],
    ['absurd Kubernetes version', { cluster: { kubernetesVersion: 'v1.30000000.0' } }, 'spec.cluster.kubernetesVersion', /each a number up to 999/],
    ['absurd Talos version', { cluster: { talosVersion: 'v1.30000000' } }, 'spec.cluster.talosVersion', /each a number up to 999/],
    ['absurd Talos image tag', { cluster: { talosImage: 'factory.talos.dev/nocloud-installer/abc:v1.11.30000000' } }, 'spec.cluster.talosImage', /Talos version tag/],
  ])('%s', (_n, spec, path: string | RegExp, message) => {
    const errors = errorsOf(spec);
    const hit = errors.find((e) => (typeof path === 'string' ? e.field?.path === path : path.test(e.field?.path ?? '')));
    expect(hit).toBeDefined();
    expect(hit!.message).toMatch(message);
    for (const e of errors) {
      expect(e.severity).toBe('error');
      expect(e.resourceRef).toMatchObject({ apiVersion: 'capi-proxmox-talos.dev/v1alpha1', kind: 'ClusterSpec', name: 'cluster09' });
    }
  });
});

test('every problem is reported at once, not just the first', () => {
  const paths = errorsOf({ network: { gateway: '192.168.4.1', dnsServers: ['x'] }, controlPlane: { replicas: 0 }, workers: [{ name: 'A' }] }).map((e) => e.field?.path);
  expect(paths).toEqual(expect.arrayContaining(['spec.controlPlane.replicas', 'spec.workers[0].name']));
  expect(errorsOf({ network: { dnsServers: ['x'], ipRanges: ['192.168.4.200-192.168.4.100'] } }).map((e) => e.field?.path)).toEqual(
    expect.arrayContaining(['spec.network.ipRanges[0]', 'spec.network.dnsServers[0]']),
  );
  expect(errorsOf({ network: { gateway: 'nope', dnsServers: ['x'] } }).map((e) => e.field?.path)).toEqual(['spec.network.dnsServers[0]', 'spec.network.gateway']);
});

test('wrong apiVersion or kind of the functionConfig', () => {
  const r = generate({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: {} }).results;
  expect(r.map((x) => x.message).join('\n')).toMatch(/apiVersion must be capi-proxmox-talos.dev\/v1alpha1/);
  expect(generate(null).results[0].message).toMatch(/must be a ClusterSpec/);
  expect(generate('text').results[0].message).toMatch(/must be a ClusterSpec/);
});

describe('site values have no defaults (issue 21: a typo never builds the chart author\'s cluster)', () => {
  const ALL = ['spec.network.ipRanges', 'spec.network.prefix', 'spec.network.gateway', 'spec.network.dnsServers', 'spec.controlPlane.endpointIP', 'spec.proxmox.allowedNodes', 'spec.proxmox.template'];
  /** The one site-values error of a spec, and the paths it lists in order. */
  const missingOf = (doc: unknown) => {
    const g = generate(doc);
    const errors = g.results.filter((r) => r.severity === 'error');
    const site = errors.filter((e) => /leaves out .* no default/.test(e.message));
    expect(site).toHaveLength(1);
    expect(g.objects).toEqual([]);
    return { listed: [...site[0].message.matchAll(/((?:spec|metadata)\.[A-Za-z.]+), /g)].map((m) => m[1]), errors, message: site[0].message };
  };

  test('spec: {} renders nothing and one error lists every site value, each with an example', () => {
    const { listed, errors, message } = missingOf(bareClusterSpec({}));
    expect(listed).toEqual(ALL);
    expect(errors).toHaveLength(1);
    expect(message).toMatch(/spec\.network\.gateway, its gateway \(e\.g\. 192\.168\.10\.1\)/);
  });

  test('a misspelled spec renders nothing (never the chart\'s lab values) and says which key was meant', () => {
    for (const key of ['spce', 'Spec']) {
      const g = generate({ apiVersion: API_VERSION, kind: KIND, metadata: { name: 'x' }, [key]: SITE });
      expect(g.objects).toEqual([]);
      expect(g.results.filter((r) => r.severity === 'error').map((e) => `${e.field?.path}: ${e.message}`)).toEqual([`${key}: unknown field "${key}"; did you mean "spec"?`]);
    }
    // With no spec at all, the site values are listed.
    expect(missingOf({ apiVersion: API_VERSION, kind: KIND, metadata: { name: 'x' } }).listed).toEqual(ALL);
  });

  test('a partial spec names exactly what it leaves out: Proxmox left out takes no node or template', () => {
    const { listed } = missingOf(bareClusterSpec({ network: SITE.network, controlPlane: SITE.controlPlane }));
    expect(listed).toEqual(['spec.proxmox.allowedNodes', 'spec.proxmox.template']);
    const half = missingOf(bareClusterSpec({ ...SITE, proxmox: { allowedNodes: ['pve1'], template: { sourceNode: 'pve1' } } }));
    expect(half.listed).toEqual(['spec.proxmox.template.templateID']);
  });

  test('a cluster needs a name: metadata.name or spec.cluster.name', () => {
    const { listed } = missingOf({ apiVersion: API_VERSION, kind: KIND, spec: SITE });
    expect(listed).toEqual(['metadata.name']);
    expect(renderObjects({}, 'prod')[1].metadata).toMatchObject({ name: 'prod', namespace: 'prod' });
    expect(renderObjects({ cluster: { name: 'east', namespace: 'clusters' } }, 'prod')[1].metadata).toMatchObject({ name: 'east', namespace: 'clusters' });
    expect(errorsOf({}, 'Prod_Cluster').map((e) => e.field?.path)).toEqual(['metadata.name']);
    const g = generate({ apiVersion: API_VERSION, kind: KIND, spec: { ...SITE, cluster: { name: 'east' } } });
    expect(g.results.filter((r) => r.severity === 'error')).toEqual([]);
  });

  test('no bastion unless one is given: no extra API certificate names', () => {
    const patches = JSON.stringify(renderObjects({ network: { bastion: undefined } }).find((o) => o.kind === 'TalosControlPlane').spec);
    expect(patches).not.toMatch(/certSANs|freyr|192\.168\.1\.80/);
  });

  test('unknown keys anywhere are errors with a "did you mean": at the top, in metadata, in spec', () => {
    const doc = { ...clusterSpec({}), metadta: {}, metadata: { name: 'x', nmae: 'y', annotations: { a: 'b' }, labels: { c: 'd' } } };
    const errors = generate(doc).results.filter((r) => r.severity === 'error').map((e) => `${e.field?.path}: ${e.message}`);
    expect(errors.sort()).toEqual(['metadata.nmae: unknown field "nmae" in metadata; did you mean "name"?', 'metadta: unknown field "metadta"; did you mean "metadata"?']);
  });
});

test('warnings do not block the render', () => {
  const g = generate(clusterSpec({ controlPlane: { replicas: 1 } }));
  expect(g.objects.length).toBeGreaterThan(0);
  expect(g.results.some((r) => r.severity === 'warning' && r.field?.path === 'spec.controlPlane.replicas')).toBe(true);
  expect(g.results.at(-1)).toMatchObject({ severity: 'info' });
  expect(g.results.at(-1)!.message).toMatch(/API endpoint https:\/\/192.168.4.100:6443.*cluster09-talosconfig/);
});

describe('extra network devices', () => {
  const extra = [{ bridge: 'vmbr1', vlan: 20, ipPool: { kind: 'InClusterIPPool', name: 'storage-net' } }];
  test('need a VIP selector that picks one link', () => {
    expect(only({ proxmox: { vm: { extraNetworkDevices: extra } } })).toEqual([expect.stringMatching(/^spec.controlPlane.vipDeviceSelector: vipDeviceSelector with 2 network devices it selects net0 and net1 .*Talos puts the endpoint VIP on every link/)]);
    expect(only({ proxmox: { vm: { extraNetworkDevices: extra } }, controlPlane: { vipDeviceSelector: { busPath: '0000:00:12.0' } } })).toEqual([]);
  });

  // Talos picks every link whose values match every key given (device_config.go, selectDevices); a VM's
  // NICs all report physical, their model's driver, and a PCI ID only when not virtio.
  const sel = (vipDeviceSelector: object, models: string[] = ['virtio', 'virtio']) =>
    only({ controlPlane: { vipDeviceSelector }, proxmox: { vm: { model: models[0], extraNetworkDevices: models.slice(1).map((model) => ({ ...extra[0], model })) } } });
  test.each([
    ['{physical: true, driver: virtio_net}, two virtio NICs', { physical: true, driver: 'virtio_net' }, ['virtio', 'virtio'], /selects net0 and net1/],
    ['{driver: "virtio*"}, two virtio NICs (a glob)', { driver: 'virtio*' }, ['virtio', 'virtio'], /selects net0 and net1/],
    ['{driver: e1000}, net0 virtio and net1 e1000', { driver: 'e1000' }, ['virtio', 'e1000'], /selects net1 but not net0/],
    ['{driver: e1000}, one virtio NIC', { driver: 'e1000' }, ['virtio'], /selects none of the VM's network devices .*net0 \(virtio: driver virtio_net, no PCI ID\).*never come up/],
    ['{pciID: 1AF4:1000}, one virtio NIC (a virtio link reports no PCI ID)', { pciID: '1AF4:1000' }, ['virtio'], /selects none/],
    ['{physical: false}', { physical: false }, ['virtio'], /selects none/],
    ['{hardwareAddr: "52:54:*"}, two NICs (a glob may match both)', { hardwareAddr: '52:54:*' }, ['virtio', 'virtio'], /selects net0 and net1/],
  ])('a selector that does not pick net0 alone is refused: %s', (_, selector, models, message) => {
    expect(sel(selector, models)).toEqual([expect.stringMatching(message)]);
  });
  test.each([
    ['{driver: virtio_net}, net0 virtio and net1 e1000', { driver: 'virtio_net' }, ['virtio', 'e1000']],
    ['{pciID: 8086:100E}, net0 e1000 and net1 virtio', { pciID: '8086:100E' }, ['e1000', 'virtio']],
    ['{physical: true}, one NIC', { physical: true }, ['virtio']],
    ['{hardwareAddr: a MAC}, two NICs', { hardwareAddr: '52:54:00:12:34:56' }, ['virtio', 'virtio']],
    ['{busPath: net0\'s slot, physical: true}, two NICs', { busPath: '0000:00:12.0', physical: true }, ['virtio', 'virtio']],
  ])('a selector that picks net0 alone is accepted: %s', (_, selector, models) => {
    expect(sel(selector, models)).toEqual([]);
  });
  test.each(['current', 'legacy'] as const)('render as the %s profile expects: net1 addressed from its pool', (profile) => {
    const objs = renderObjects({ cluster: { profile }, proxmox: { vm: { extraNetworkDevices: extra } }, controlPlane: { vipDeviceSelector: { busPath: '0000:00:12.0' } } });
    const net = objs.find((o) => o.kind === 'ProxmoxMachineTemplate').spec.template.spec.network;
    const pool = { apiGroup: 'ipam.cluster.x-k8s.io', kind: 'InClusterIPPool', name: 'storage-net' };
    if (profile === 'current') expect(net.networkDevices[1]).toEqual({ name: 'net1', bridge: 'vmbr1', model: 'virtio', vlan: 20, ipPoolRef: [pool] });
    else expect(net.additionalDevices).toEqual([{ name: 'net1', bridge: 'vmbr1', model: 'virtio', vlan: 20, ipv4PoolRef: pool }]);
    for (const t of PROFILE_TARGETS[profile]) expect(validateObjects(objs, t.sources)).toEqual([]);
  });
});

describe('vmIDRange', () => {
  const range = { start: 1000, end: 1099 };
  test.each(['current', 'legacy'] as const)('goes into every machine template of the %s profile, which the CRDs accept', (profile) => {
    const objs = renderObjects({ cluster: { profile }, proxmox: { vmIDRange: range }, workers: [{ name: 'a' }, { name: 'b' }] });
    const templates = objs.filter((o) => o.kind === 'ProxmoxMachineTemplate');
    expect(templates).toHaveLength(3);
    for (const t of templates) expect(t.spec.template.spec.vmIDRange).toEqual(range);
    for (const t of PROFILE_TARGETS[profile]) expect(validateObjects(objs, t.sources)).toEqual([]);
  });
  test('is left out unless set (no template changes for existing clusters)', () => {
    for (const t of renderObjects({}).filter((o) => o.kind === 'ProxmoxMachineTemplate')) expect(t.spec.template.spec).not.toHaveProperty('vmIDRange');
  });
  test('must hold every machine of a rolling update, surge included', () => {
    // 3 control planes + surge 1, pool of 4 + surge 1: 9 machines at once.
    const spec = (end: number) => ({ network: { ipRanges: ['192.168.4.101-192.168.4.120'] }, proxmox: { vmIDRange: { start: 1000, end } }, controlPlane: { replicas: 3 }, workers: [{ name: 'w', replicas: 4 }] });
    expect(only(spec(1008))).toEqual([]);
    expect(only(spec(1007))).toEqual([
      'spec.proxmox.vmIDRange: vmIDRange 1000-1007 holds 8 VM IDs but a rolling update can need 9 (control plane 3 + surge 1, pool w 4 + surge 1); widen the range or lower replicas or maxSurge',
    ]);
  });
  test('bounds: one error per wrong field', () => {
    expect(only({ proxmox: { vmIDRange: { start: 1000, end: 999 } } })).toEqual(['spec.proxmox.vmIDRange.end: vmIDRange.end must not be below vmIDRange.start']);
    expect(only({ proxmox: { vmIDRange: { start: 1000, end: 99 } } })).toEqual(['spec.proxmox.vmIDRange.end: vmIDRange.end must be at least 100']);
  });
});
