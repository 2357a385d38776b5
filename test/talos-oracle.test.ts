/**
 * Truth from Talos: every Talos config we render goes through Talos machinery v1.14.1 the way CABPT
 * generates it for the config's `talosVersion` contract (the Go oracle in test/talosconfig: generate the
 * base config, apply every strategic patch, validate strictly in cloud mode as a node of that Talos minor),
 * and must come out without a single error. Then the FINAL machine config is read back and every setting
 * the spec asked for must be there, in the form of its contract.
 *
 * The expectations are written from the spec and from Talos' documented config shapes only: nothing here
 * calls the builders in src/talos or src/resources (the spec is read with the parser, for its defaults).
 * Each check names the bug it catches.
 *
 * Cost: one oracle process per contract over all its specs, and one for the goldens (machinery config
 * generation is a few milliseconds a config; see the timing printed below).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { generate } from '../src/generate';
import { parseClusterSpec, type Model } from '../src/clusterspec/parse';
import { clusterSpec } from './support/render';
import { CONTRACTS, talosSpec, type Contract } from './support/talosSpecs';
import { REPO } from './support/exec';
import { importHelmValues } from '../src/migrate/chooseRelease';

const RUNS = Number(process.env.TALOS_ORACLE_RUNS ?? 200);
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261206;

/** The oracle binary (built by scripts/test.sh before jest starts; `bash test/talosconfig/build.sh` by hand). */
function oracle(): string {
  const r = spawnSync('bash', [join(REPO, 'test', 'talosconfig', 'build.sh'), '--no-build'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr.trim());
  return r.stdout.trim();
}

interface Config {
  kind: 'TalosControlPlane' | 'TalosConfigTemplate';
  namespace: string;
  name: string;
  cluster: string;
  talosVersion: string;
  kubernetesVersion: string;
  errors: string[];
  warnings: string[];
  documents: any[];
}

/** Runs the oracle over renders (each a list of objects: one ResourceList each, read on its own). */
function runOracle(...renders: unknown[][]): { configs: (Config & { input: number })[]; ms: number } {
  const start = Date.now();
  const input = renders.map((items) => JSON.stringify({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items })).join('\n---\n');
  const r = spawnSync(oracle(), [], { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`the Talos oracle failed (exit ${r.status}): ${r.stderr}`);
  return { configs: JSON.parse(r.stdout).configs, ms: Date.now() - start };
}

// --- Talos' config shapes, per contract (facts of Talos, written here independently of src/talos) ---

const minorOf = (v: string) => Number(/^v1\.(\d+)/.exec(v)![1]);
/** Contract ≥ 1.14: Kubernetes, install, time, registry, sysctl and kernel-module settings are documents. */
const docs14 = (v: string) => minorOf(v) >= 14;
/** Contract ≥ 1.12: the VIP as LinkAliasConfig + Layer2VIPConfig (when the selector has a CEL form). */
const docs12 = (v: string) => minorOf(v) >= 12;
const CEL_SELECTOR_KEYS = ['physical', 'driver', 'hardwareAddr', 'permanentAddr', 'busPath'];

/** Proxmox boot device → the disk Talos sees: virtioN → /dev/vd<letter N>, scsiN → /dev/sd<letter N>. */
function diskOf(device: string): string {
  const [, bus, n] = /^(virtio|scsi)(\d+)$/.exec(device)!;
  return `/dev/${bus === 'virtio' ? 'vd' : 'sd'}${'abcdefghijklmnop'[Number(n)]}`;
}

const v1alpha1 = (c: Config) => c.documents.find((d) => d?.version === 'v1alpha1' && !d.kind);
const ofKind = (c: Config, kind: string) => c.documents.filter((d) => d?.kind === kind);
const one = (c: Config, kind: string) => {
  const found = ofKind(c, kind);
  expect({ kind, count: found.length }).toEqual({ kind, count: 1 });
  return found[0];
};

/** What a pool's config in this model must say, or the control plane's (pool undefined). */
function expectSettings(m: Model, c: Config, pool?: Model['workers'][number]) {
  const v = m.talosVersion;
  const cfg = v1alpha1(c);
  const machine = cfg?.machine ?? {};
  const cluster = cfg?.cluster ?? {};
  const t = m.talos;
  const isCP = pool === undefined;

  // Kubernetes version reached the kubelet (catches a wrong version on a pool or the control plane).
  const kubeletImage = docs14(v) ? one(c, 'KubeletConfig').image : machine.kubelet?.image;
  expect(kubeletImage).toMatch(new RegExp(`:${m.cluster.kubernetesVersion.replace(/\./g, '\\.')}$`));

  // Install disk and image (catches a SCSI boot device installing to /dev/vdX, a stale image, the legacy form on 1.14).
  const disk = diskOf(m.proxmox.vm.bootVolumeDevice);
  if (docs14(v)) {
    const install = one(c, 'UnattendedInstallConfig');
    expect(install.installer.image).toBe(m.cluster.talosImage);
    expect(install.provisioning.diskSelector.match).toBe(`disk.dev_path == "${disk}"`);
    expect(machine.install).toBeUndefined();
  } else {
    expect({ disk: machine.install?.disk, image: machine.install?.image }).toEqual({ disk, image: m.cluster.talosImage });
    expect(machine.install?.extraKernelArgs).toEqual(t.kernelArgs); // catches lost kernel args
  }

  // NTP (catches workers losing the time servers).
  if (docs14(v)) {
    if (t.ntpServers) expect(one(c, 'TimeSyncConfig').ntp.servers).toEqual(t.ntpServers);
    else expect(ofKind(c, 'TimeSyncConfig')).toEqual([]);
    expect(machine.time).toBeUndefined();
  } else expect(machine.time?.servers).toEqual(t.ntpServers);

  // Registry mirrors (catches lost or merged mirrors).
  const mirrors = Object.fromEntries(Object.entries(t.registryMirrors ?? {}).map(([h, e]) => [h, e]));
  if (docs14(v)) {
    expect(Object.fromEntries(ofKind(c, 'RegistryMirrorConfig').map((d) => [d.name, d.endpoints.map((e: any) => e.url)]))).toEqual(mirrors);
  } else {
    expect(Object.fromEntries(Object.entries(machine.registries?.mirrors ?? {}).map(([h, e]: [string, any]) => [h, e.endpoints]))).toEqual(mirrors);
  }

  // Kernel modules and sysctls (catches lost parameters, a module on only some machines).
  // Spec modules, then those a v1alpha1 patch adds (Talos appends list entries of a strategic patch).
  const patchModules = [...(t.patches ?? []), ...((isCP ? m.controlPlane.patches : pool!.patches) ?? [])].flatMap((p: any) => (p.kind === 'KernelModuleConfig' ? [{ name: p.name, ...(p.parameters && { parameters: p.parameters }) }] : (p.machine?.kernel?.modules ?? [])));
  const modules = [...(t.kernelModules ?? []).map((k) => ({ name: k.name, ...(k.parameters && { parameters: k.parameters }) })), ...patchModules];
  const sysctls = t.sysctls ?? {};
  if (docs14(v)) {
    expect(ofKind(c, 'KernelModuleConfig').map((d) => ({ name: d.name, ...(d.parameters && { parameters: d.parameters }) }))).toEqual(modules);
    expect(ofKind(c, 'SysctlConfig').reduce((a, d) => ({ ...a, ...d.params }), {})).toEqual(sysctls);
    expect({ kernel: machine.kernel, sysctls: machine.sysctls }).toEqual({ kernel: undefined, sysctls: undefined });
  } else {
    expect(machine.kernel?.modules ?? []).toEqual(modules);
    expect(machine.sysctls ?? {}).toEqual(sysctls);
  }

  // Kubelet flags (catches flags dropped or written where a 1.14 node refuses them).
  const kubeletArgs = docs14(v) ? one(c, 'KubeletConfig').extraArgs : machine.kubelet?.extraArgs;
  expect(kubeletArgs ?? {}).toEqual(t.kubeletExtraArgs ?? {});

  // Pod and service networks (the Cluster's, which CABPT copies in).
  const podSubnets = docs14(v) ? one(c, 'KubeNetworkConfig').podSubnets : cluster.network?.podSubnets;
  const serviceSubnets = docs14(v) ? one(c, 'KubeNetworkConfig').serviceSubnets : cluster.network?.serviceSubnets;
  expect({ podSubnets, serviceSubnets }).toEqual({ podSubnets: m.cluster.podCIDRs, serviceSubnets: m.cluster.serviceCIDRs });

  // Talos API certificate names: the bastion on control planes, then the spec's patches in order.
  const sans = [m.network.bastion.host, m.network.bastion.endpointIP].filter(Boolean);
  const patchSANs = (ps: any[] | undefined) => (ps ?? []).flatMap((p) => p.machine?.certSANs ?? []);
  const expectedMachineSANs = [...(isCP ? sans : []), ...patchSANs(t.patches), ...patchSANs(isCP ? m.controlPlane.patches : pool!.patches)];
  expect(machine.certSANs ?? []).toEqual(expectedMachineSANs); // catches lost SANs and lost or reordered patches

  if (isCP) {
    // API server certificate names (catches SANs missing on the API certificate, or the v1alpha1 form on 1.14).
    const apiSANs = docs14(v) ? one(c, 'KubeAPIServerConfig').certExtraSANs : cluster.apiServer?.certSANs;
    expect(apiSANs ?? []).toEqual(expect.arrayContaining(sans));
    if (docs14(v)) expect(cluster.apiServer).toBeUndefined();

    // The VIP on the selected link (catches a missing VIP, a wrong address, the wrong form for the contract).
    const sel = m.controlPlane.vipDeviceSelector;
    const celForm = docs12(v) && Object.keys(sel).every((k) => CEL_SELECTOR_KEYS.includes(k));
    const interfacesWithVIP = (machine.network?.interfaces ?? []).filter((i: any) => i.vip);
    if (celForm) {
      const vip = one(c, 'Layer2VIPConfig');
      expect(vip.name).toBe(m.controlPlane.endpointIP);
      expect(ofKind(c, 'LinkAliasConfig').map((d) => d.name)).toContain(vip.link);
      expect(interfacesWithVIP).toEqual([]);
    } else {
      expect(interfacesWithVIP).toEqual([{ deviceSelector: sel, dhcp: false, vip: { ip: m.controlPlane.endpointIP } }]);
      expect(ofKind(c, 'Layer2VIPConfig')).toEqual([]);
    }

    // CNI (catches Flannel still deployed under cni: none, or removed under flannel).
    if (docs14(v)) expect(ofKind(c, 'KubeFlannelCNIConfig').length).toBe(t.cni === 'none' ? 0 : 1);
    else expect(cluster.network?.cni?.name ?? 'flannel').toBe(t.cni);

    // kube-proxy (catches kube-proxy left on when a CNI replaces it).
    const proxyOff = docs14(v) ? one(c, 'KubeProxyConfig').enabled === false : cluster.proxy?.disabled === true;
    expect(proxyOff).toBe(!t.kubeProxy);

    // Extra manifests, in order (catches lost or reordered manifests).
    const manifests = docs14(v) ? ofKind(c, 'KubeExternalManifestConfig').map((d) => d.url) : (cluster.extraManifests ?? []);
    expect(manifests).toEqual(t.extraManifests ?? []);

    // External cloud provider (cluster.externalCloudProvider in every contract).
    const ccm = t.externalCloudProvider;
    expect(cluster.externalCloudProvider ?? null).toEqual(ccm ? { enabled: true, ...(ccm.manifests?.length && { manifests: ccm.manifests }) } : null);

    // Talos API access for workloads.
    const access = t.talosAPIAccess;
    const got = docs14(v) ? ofKind(c, 'KubeTalosAPIAccessConfig')[0] : machine.features?.kubernetesTalosAPIAccess;
    if (access) expect({ roles: got?.allowedRoles, namespaces: got?.allowedKubernetesNamespaces }).toEqual({ roles: access.allowedRoles, namespaces: access.allowedKubernetesNamespaces });
    else expect(got ?? null).toBeNull();
  } else {
    // Workers never carry the VIP, the control plane's add-ons or its SANs.
    expect(ofKind(c, 'Layer2VIPConfig')).toEqual([]);
    expect((machine.network?.interfaces ?? []).filter((i: any) => i.vip)).toEqual([]);

    // Node labels and taints of this pool (catches a pool getting another pool's labels, or the v1alpha1 form on 1.14).
    const node = docs14(v) ? one(c, 'KubeNodeConfig') : { labels: machine.nodeLabels, taints: machine.nodeTaints };
    expect(node.labels ?? {}).toEqual(expect.objectContaining(pool!.labels ?? {}));
    expect(Object.keys(node.labels ?? {}).filter((k) => k.startsWith('example.com/')).sort()).toEqual(Object.keys(pool!.labels ?? {}).sort());
    expect(node.taints ?? {}).toEqual(Object.fromEntries((pool!.taints ?? []).map((x) => [x.key, `${x.value ?? ''}:${x.effect}`])));
    if (docs14(v)) {
      expect({ nodeLabels: machine.nodeLabels, nodeTaints: machine.nodeTaints }).toEqual({ nodeLabels: undefined, nodeTaints: undefined });
      // A document patch of the pool reached the final config.
      const annotated = (pool!.patches ?? []).find((p: any) => p.kind === 'KubeNodeConfig') as any;
      expect(node.annotations ?? {}).toEqual(annotated ? annotated.annotations : {});
    }
  }
}

/** The config of each machine kind in one cluster's oracle output, matched to the spec's control plane and pools. */
function expectCluster(m: Model, configs: Config[]) {
  const mine = configs.filter((c) => c.namespace === m.namespace && c.cluster === m.name);
  expect(mine.length).toBe(1 + m.workers.length); // catches a pool without a Talos config
  for (const c of mine) {
    // Zero errors from Talos' own generation, patching and strict validation.
    expect({ config: `${c.kind}/${c.name}`, errors: c.errors, warnings: c.warnings }).toEqual({ config: `${c.kind}/${c.name}`, errors: [], warnings: [] });
    expect(c.talosVersion).toBe(m.talosVersion);
    if (c.kind === 'TalosControlPlane') expectSettings(m, c);
    else {
      const pool = m.workers.find((w) => new RegExp(`^${m.name}-${w.name}-[0-9a-f]{8}$`).test(c.name));
      expect(pool).toBeDefined();
      expectSettings(m, c, pool);
    }
  }
}

const timings: string[] = [];
afterAll(() => console.log(`Talos oracle: ${timings.join('; ')}`));

describe.each(Object.keys(CONTRACTS) as Contract[])('Talos %s contract', (contract) => {
  test(`${RUNS} random specs setting every Talos field: Talos machinery generates, patches and validates every config, and every setting is in the final config`, () => {
    const specs = fc.sample(talosSpec(contract), { numRuns: RUNS, seed: seed + minorOf(contract) });
    const models: { model: Model; spec: unknown }[] = [];
    const objects: unknown[] = [];
    specs.forEach((spec, i) => {
      const name = `c${i}`;
      const g = generate(clusterSpec(spec, name));
      const errors = g.results.filter((r) => r.severity === 'error');
      expect({ spec: i, errors }).toEqual({ spec: i, errors: [] });
      models.push({ model: parseClusterSpec(clusterSpec(spec, name)).model!, spec });
      objects.push(...JSON.parse(JSON.stringify(g.objects)));
    });
    if (process.env.TALOS_ORACLE_DUMP) require('node:fs').writeFileSync(`${process.env.TALOS_ORACLE_DUMP}-${contract}.json`, JSON.stringify({ kind: 'ResourceList', items: objects }));
    const { configs, ms } = runOracle(objects);
    timings.push(`${contract}: ${configs.length} configs of ${RUNS} specs in ${ms} ms`);
    for (const { model, spec } of models) {
      try {
        expectCluster(model, configs);
      } catch (e) {
        throw new Error(`spec ${model.name} (${contract}): ${JSON.stringify(spec)}\n${(e as Error).message}`);
      }
    }
  });
});

describe('goldens', () => {
  const root = join(REPO, 'testdata', 'golden');
  const cases = readdirSync(root)
    .sort()
    .filter((n) => readFileSync(join(root, n, 'exit-code'), 'utf8').trim() === '0');

  test(`every golden's Talos configs (${cases.join(', ')}) pass Talos machinery and carry the spec's settings`, () => {
    const outputs = cases.map((n) => ({ n, input: parse(readFileSync(join(root, n, 'input.yaml'), 'utf8')), out: parse(readFileSync(join(root, n, 'expected.yaml'), 'utf8')) }));
    // One oracle run, each golden its own input (goldens reuse cluster names).
    const r = runOracle(...outputs.map(({ out }) => out.items ?? []));
    const configs = r.configs.length;
    outputs.forEach(({ n, input }, i) => {
      const mine = r.configs.filter((c) => c.input === i);
      expect({ golden: n, configs: mine.length > 0 }).toEqual({ golden: n, configs: true });
      const model = parseClusterSpec(input.functionConfig ?? input).model!;
      try {
        expectCluster(model, mine);
      } catch (e) {
        throw new Error(`golden ${n}: ${(e as Error).message}`);
      }
    });
    timings.push(`goldens: ${configs} configs in ${r.ms} ms`);
  });
});

describe('every Talos field at once', () => {
  const everything = (contract: Contract) => ({
    cluster: { kubernetesVersion: `v1.${CONTRACTS[contract].kubernetes[1]}.1`, talosImage: `factory.talos.dev/nocloud-installer/x:${CONTRACTS[contract].image}`, talosVersion: contract, podCIDRs: ['10.244.0.0/16'], serviceCIDRs: ['10.96.0.0/12'] },
    network: { ipRanges: ['10.20.1.0-10.20.1.40'], prefix: 16, gateway: '10.20.0.1', dnsServers: ['10.20.0.53'], bastion: { host: 'bastion.example', endpointIP: '192.168.1.80' } },
    controlPlane: { endpointIP: '10.20.0.10', replicas: 3, vipDeviceSelector: { driver: 'virtio_net', physical: true }, patches: [{ machine: { certSANs: ['cp-patch.example'] } }] },
    workers: [
      { name: 'gpu', labels: { 'example.com/gpu': 'true' }, taints: [{ key: 'example.com/gpu', value: 'true', effect: 'NoSchedule' }, { key: 'example.com/dedicated', effect: 'NoExecute' }], patches: [{ machine: { certSANs: ['gpu-patch.example'] } }] },
      { name: 'plain' },
    ],
    proxmox: { allowedNodes: ['pve1'], template: { sourceNode: 'pve1', templateID: 100 }, vm: { bootVolumeDevice: 'scsi1' } },
    talos: {
      cni: 'none',
      kubeProxy: false,
      ntpServers: ['time.example', '10.1.1.1'],
      registryMirrors: { 'docker.io': ['https://mirror.example/v2/docker.io'], 'ghcr.io': ['https://mirror.example/v2/ghcr.io'] },
      ...(contract !== 'v1.14' && { kernelArgs: ['console=ttyS0'] }),
      kernelModules: [{ name: 'drbd', parameters: ['usermode_helper=disabled'] }, { name: 'nbd' }],
      sysctls: { 'vm.max_map_count': '262144' },
      kubeletExtraArgs: { 'rotate-server-certificates': 'true' },
      externalCloudProvider: { manifests: ['https://example.com/ccm.yaml'] },
      extraManifests: ['https://example.com/a.yaml', 'https://example.com/b.yaml'],
      talosAPIAccess: { allowedRoles: ['os:reader'], allowedKubernetesNamespaces: ['kube-system'] },
      patches: [{ machine: { certSANs: ['all-patch.example'] } }],
    },
  });
  test.each(Object.keys(CONTRACTS) as Contract[])('Talos %s: generated, patched and validated without an error; every setting arrived', (contract) => {
    const doc = clusterSpec(everything(contract), 'everything');
    const g = generate(doc);
    expect(g.results.filter((r) => r.severity === 'error')).toEqual([]);
    expectCluster(parseClusterSpec(doc).model!, runOracle(JSON.parse(JSON.stringify(g.objects))).configs);
  });
  test('Talos v1.14 refuses nothing but kernelArgs, which the contract has no place for (an error naming the field)', () => {
    const spec = everything('v1.14');
    (spec.talos as any).kernelArgs = ['console=ttyS0'];
    const errors = generate(clusterSpec(spec, 'everything')).results.filter((r) => r.severity === 'error');
    expect(errors.map((e) => e.field?.path)).toEqual(['spec.talos.kernelArgs']);
    expect(errors[0].message).toMatch(/Image Factory schematic/);
  });
});

describe('a chart-imported cluster', () => {
  // The migration path (docs/migrating-from-cluster-chart.md), then today's Talos: the imported spec with only the image (and a
  // Kubernetes version Talos 1.14 runs) changed must render configs Talos 1.14 takes.
  test.each(['chart-defaults', 'customised'])('%s values, imported and moved to Talos v1.14: Talos machinery takes every config', (values) => {
    const { clusterSpec: imported } = importHelmValues(parse(readFileSync(join(REPO, 'testdata', 'helm', `${values}.values.yaml`), 'utf8')), { chartVersion: '0.1.6' });
    const doc = structuredClone(imported) as any;
    doc.spec.cluster.talosImage = doc.spec.cluster.talosImage.replace(/:v[0-9.]+$/, `:${CONTRACTS['v1.14'].image}`);
    doc.spec.cluster.kubernetesVersion = 'v1.35.0';
    const g = generate(doc);
    expect(g.results.filter((r) => r.severity === 'error')).toEqual([]);
    const model = parseClusterSpec(doc).model!;
    expect(model.talosVersion).toBe('v1.14');
    const { configs } = runOracle(JSON.parse(JSON.stringify(g.objects)));
    expect(configs.length).toBe(1 + model.workers.length);
    for (const c of configs) expect({ config: c.name, errors: c.errors }).toEqual({ config: c.name, errors: [] });
    expectSettings(model, configs.find((c) => c.kind === 'TalosControlPlane')!);
    expectSettings(model, configs.find((c) => c.kind === 'TalosConfigTemplate')!, model.workers[0]);
  });
});

describe('the oracle itself', () => {
  // The oracle must be able to fail: the v1alpha1 forms that Talos 1.14 refuses beside CABPT's documents.
  test('a v1.14 config written in the v1.13 form is refused by Talos machinery, with its reasons', () => {
    const spec = {
      cluster: { kubernetesVersion: 'v1.35.0', talosImage: `factory.talos.dev/nocloud-installer/x:${CONTRACTS['v1.13'].image}` },
      network: { ipRanges: ['10.20.1.0-10.20.1.20'], prefix: 16, gateway: '10.20.0.1', dnsServers: ['10.20.0.53'], bastion: { host: 'bastion.example' } },
      controlPlane: { endpointIP: '10.20.0.10' },
      workers: [{ name: 'w', labels: { 'example.com/a': 'b' } }],
      proxmox: { allowedNodes: ['pve1'], template: { sourceNode: 'pve1', templateID: 100 } },
      talos: { kubeletExtraArgs: { v: '2' }, kubeProxy: false },
    };
    const objects = JSON.parse(JSON.stringify(generate(clusterSpec(spec, 'old-form')).objects));
    // The same v1.13-form patches, declared as the v1.14 contract.
    for (const o of objects) {
      const s = o.kind === 'TalosControlPlane' ? o.spec.controlPlaneConfig.controlplane : o.kind === 'TalosConfigTemplate' ? o.spec.template.spec : undefined;
      if (s) s.talosVersion = 'v1.14';
    }
    const { configs } = runOracle(objects);
    const cp = configs.find((c) => c.kind === 'TalosControlPlane')!;
    const worker = configs.find((c) => c.kind === 'TalosConfigTemplate')!;
    expect(cp.errors.join('\n')).toMatch(/kubelet config is already set in v1alpha1 config \(\.machine\.kubelet\)/);
    expect(cp.errors.join('\n')).toMatch(/kube-apiserver config is already set in v1alpha1 config \(\.cluster\.apiServer\)/);
    expect(cp.errors.join('\n')).toMatch(/KubeProxyConfig/);
    expect(worker.errors.join('\n')).toMatch(/\.machine\.nodeLabels is already set in v1alpha1 config/);
  });

  test('a Kubernetes version the config\'s Talos minor does not run is refused (validated as a node of that minor)', () => {
    const spec = {
      cluster: { kubernetesVersion: 'v1.29.0', talosImage: `factory.talos.dev/nocloud-installer/x:${CONTRACTS['v1.11'].image}` },
      network: { ipRanges: ['10.20.1.0-10.20.1.20'], prefix: 16, gateway: '10.20.0.1', dnsServers: ['10.20.0.53'], bastion: {} },
      controlPlane: { endpointIP: '10.20.0.10' },
      workers: [],
      proxmox: { allowedNodes: ['pve1'], template: { sourceNode: 'pve1', templateID: 100 } },
    };
    const objects = JSON.parse(JSON.stringify(generate(clusterSpec(spec, 'k8s')).objects));
    expect(runOracle(objects).configs[0].errors).toEqual([]); // 1.29 on Talos 1.11: supported
    const tcp = objects.find((o: any) => o.kind === 'TalosControlPlane');
    tcp.spec.version = 'v1.35.0';
    expect(runOracle(objects).configs[0].errors.join('\n')).toMatch(/too new to be used with Talos 1\.11/);
  });
});
