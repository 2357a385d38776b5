/**
 * Hostile and oversized ClusterSpecs: every answer is bounded (≤ 1 MB of errors, < 5 s), nothing the user
 * typed into a wrong field is echoed, the ClusterSpec's identity cannot be forged, and the limits are
 * where the README and the JSON Schema say.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { generate } from '../src/generate';
import { runKRM } from '../src/krm/run';
import { diffCommand } from '../src/cli/diff';
import { toYAML } from '../src/yaml/write';
import { generatedFrom } from '../src/resources/meta';
import { LIMITS, DNS_SUBDOMAIN } from '../src/clusterspec/fields';
import { MAX_PROBLEMS, MAX_SPEC_VALUES } from '../src/clusterspec/parse';
import { overlappingPairs, overlaps, type Span } from '../src/clusterspec/network';
import { talosUpgradeProblem, kubernetesUpgradeProblem } from '../src/clusterspec/versions';
import { clusterSpec, errorsOf, renderObjects } from './support/render';

const MB = 1 << 20;
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261125;
const resourceList = (fc: unknown, items: unknown[] = []) => toYAML({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items, functionConfig: fc });
const ips = (n: number) => Array.from({ length: n }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
const bigNetwork = { prefix: 8, gateway: '10.255.255.254' };

describe('the ClusterSpec identity (generated-from annotation) cannot be forged or bloated', () => {
  test('metadata.name and namespace are checked even when spec.cluster.name is set', () => {
    const named = (name: string, namespace?: string) => generate({ ...clusterSpec({ cluster: { name: 'prod' } }, name), metadata: { name, ...(namespace && { namespace }) } }).results.filter((r) => r.severity === 'error');
    expect(named('team-a/prod').map((e) => e.field?.path)).toEqual(['metadata.name']);
    expect(named('team-a/prod')[0].message).toMatch(/DNS subdomain/);
    expect(named('x', 'Team/A').map((e) => e.field?.path)).toEqual(['metadata.namespace']);
    expect(named('prod.v2', 'team-a')).toEqual([]); // dots are fine in object names
    const huge = named('a'.repeat(300 * 1024));
    expect(huge.map((e) => e.message)).toEqual(['metadata.name must be at most 253 characters']);
    expect(JSON.stringify(huge).length).toBeLessThan(1000); // the name is not echoed, not even as resourceRef
  });

  test('a ClusterSpec named team-a/prod leaves the objects of ClusterSpec prod in namespace team-a alone', () => {
    const other = { ...clusterSpec({}, 'prod'), metadata: { name: 'prod', namespace: 'team-a' } };
    const first = runKRM(resourceList(other));
    expect(first.exitCode).toBe(0);
    const items = first.stdout.slice(0, first.stdout.indexOf('results:'));
    const forged = runKRM(`${items}functionConfig:\n${toYAML({ ...clusterSpec({ cluster: { name: 'evil' } }, 'team-a/prod') }).replace(/^/gm, '  ')}`);
    expect(forged.exitCode).toBe(1);
    expect(forged.stderr).toMatch(/metadata.name: metadata.name must be a DNS subdomain/);
    expect(forged.stdout.split(`generated-from: ClusterSpec/team-a/prod`).length).toBe(first.stdout.split(`generated-from: ClusterSpec/team-a/prod`).length);
  });

  test('for valid names, generated-from tells every ClusterSpec apart', () => {
    const name = fc.stringMatching(/^[a-z0-9]([-a-z0-9.]{0,10}[a-z0-9])?$/).filter((s) => DNS_SUBDOMAIN.test(s));
    const ref = fc.record({ name, namespace: fc.option(fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,8}[a-z0-9])?$/), { nil: undefined }) });
    fc.assert(
      fc.property(ref, ref, (a, b) => {
        if (a.name !== b.name || a.namespace !== b.namespace) expect(generatedFrom(a)).not.toBe(generatedFrom(b));
      }),
      { numRuns: 2000, seed },
    );
  });
});

describe('type errors never echo the value', () => {
  const token = 'PVEAPIToken=root@pam!capi=4f9a3c1e-0000-4000-8000-5ecre7000000';
  test.each([
    ['credentialsRef', { proxmox: { credentialsRef: token } }, 'spec.proxmox.credentialsRef', 'expected object, got a string'],
    ['a number field', { controlPlane: { replicas: token } }, 'spec.controlPlane.replicas', 'replicas must be a whole number, got a string'],
    ['a list field', { network: { dnsServers: token } }, 'spec.network.dnsServers', 'expected array, got a string'],
    ['a boolean field', { talos: { kubeProxy: token } }, 'spec.talos.kubeProxy', 'expected boolean, got a string'],
    ['an enum field', { talos: { cni: token } }, 'spec.talos.cni', 'cni must be flannel or none'],
    ['a pool', { workers: [token] }, 'spec.workers[0]', 'expected object, got a string'],
  ])('%s', (_n, spec, path, message) => {
    const out = runKRM(resourceList(clusterSpec(spec)));
    expect(out.exitCode).toBe(1);
    expect(out.stdout + out.stderr).not.toContain('PVEAPIToken');
    expect(out.stdout + out.stderr).not.toContain('4f9a3c1e');
    expect(out.stderr).toContain(`${path}: ${message}`);
  });
});

test('a string in any non-string field is never echoed (property)', () => {
  const nonStringFields = [
    ['controlPlane', 'replicas'], ['network', 'prefix'], ['network', 'ipRanges'], ['network', 'dnsServers'], ['network', 'bastion'], ['workers'], ['proxmox', 'template'],
    ['proxmox', 'credentialsRef'], ['proxmox', 'vm', 'vlan'], ['talos', 'kubeProxy'], ['talos', 'registryMirrors'], ['talos', 'patches'], ['controlPlane', 'vipDeviceSelector'], ['cluster'],
  ];
  fc.assert(
    fc.property(fc.constantFrom(...nonStringFields), fc.stringMatching(/^[A-Za-z0-9=!@._-]{12,40}$/), (path, secret) => {
      const spec: any = {};
      let at = spec;
      path.slice(0, -1).forEach((p) => (at = at[p] = {}));
      at[path.at(-1)!] = `TOKEN${secret}`;
      const out = runKRM(resourceList(clusterSpec(spec)));
      expect(out.exitCode).toBe(1);
      expect(out.stdout + out.stderr).not.toContain(`TOKEN${secret}`);
    }),
    { numRuns: 200, seed },
  );
});

describe('no input of up to 1 MB makes the function write more than 1 MB of errors or run 5 s', () => {
  const cases: [string, unknown][] = [
    ['100,000 ipRanges', { network: { ...bigNetwork, ipRanges: ips(100_000) } }],
    ['19,000 ipRanges', { network: { ...bigNetwork, ipRanges: ips(19_000) } }],
    ['1,024 identical ipRanges', { network: { ipRanges: Array(LIMITS.ipRanges).fill('192.168.4.101-192.168.4.107') } }],
    ['100,000 bad DNS servers', { network: { dnsServers: Array(100_000).fill('x') } }],
    ['a 1 MB bastion host', { network: { bastion: { host: 'a'.repeat(MB) } } }],
    ['a 1 MB ipRanges entry', { network: { ipRanges: ['1'.repeat(MB)] } }],
    ['a 1 MB unknown key', { ['k'.repeat(MB)]: 1 }],
    ['50,000 unknown keys', Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, 1]))],
    ['19,000 invalid label keys', { workers: [{ name: 'w', labels: Object.fromEntries(Array.from({ length: 19_000 }, (_, i) => [`-${i}-`, 'v'])) }] }],
    ['6,000 taints with one key', { workers: [{ name: 'w', taints: Array(6_000).fill({ key: 'a', effect: 'NoSchedule' }) }] }],
    ['9,000 pools', { workers: Array.from({ length: 9_000 }, (_, i) => ({ name: `p${i}` })) }],
    ['versions v1.30000000', { cluster: { kubernetesVersion: 'v1.30000000.0', talosVersion: 'v1.30000000' } }],
    ['a 1 MB version', { cluster: { kubernetesVersion: `v1.${'9'.repeat(MB)}.0` } }],
    ['a 1 MB label value pattern trap', { workers: [{ name: 'w', labels: { a: `${'a-'.repeat(MB / 2)}-` } }] }],
    ['a 1 MB qualified-name trap', { workers: [{ name: 'w', taints: [{ key: `${'a.'.repeat(MB / 2)}/x`, effect: 'NoSchedule' }] }] }],
  ];
  test.each(cases)('%s', (_n, spec) => {
    // The ClusterSpec checks on their own (the YAML parse before them is the KRM edge's, timed in its tests).
    const start = Date.now();
    const results = generate(clusterSpec(spec)).results;
    expect(Date.now() - start).toBeLessThan(5000);
    expect(results.length).toBeLessThanOrEqual(MAX_PROBLEMS + 1);
    expect(JSON.stringify(results).length).toBeLessThanOrEqual(MB);
    // And end to end: a bounded result in a ResourceList, on stdout and stderr.
    const out = runKRM(resourceList(clusterSpec(spec)));
    expect(out.exitCode).toBe(1);
    expect(out.stderr.length).toBeLessThanOrEqual(MB);
    expect(out.stdout.length).toBeLessThanOrEqual(MB);
    expect(out.stderr).not.toMatch(/internal error/);
    expect(out.stderr.split('\n').filter(Boolean).length).toBeLessThanOrEqual(MAX_PROBLEMS + 1);
  });

  test('cluster-wide Talos settings copied into 51 objects are bounded per object and in all', () => {
    const pools = Array.from({ length: 50 }, (_, i) => ({ name: `p${i}`, replicas: 0 }));
    const file = (bytes: number) => ({ machine: { files: [{ content: 'x'.repeat(bytes), path: '/var/f', op: 'create' }] } });
    const network = { ipRanges: ['192.168.4.2-192.168.4.99'] };
    const perObject = errorsOf({ network, workers: pools, talos: { patches: [file(900_000)] } });
    expect(perObject.map((e) => e.field?.path)).toEqual(['spec.controlPlane']);
    expect(perObject[0].message).toMatch(/^the Talos config of the control plane would be 8\d\d KiB \(its patches, labels and taints, plus spec.talos\); at most 512 KiB$/);
    const mirrors = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`r${i}.example`, Array.from({ length: 16 }, (_, j) => `https://m${j}.example/${'p'.repeat(90)}`)]));
    const total = errorsOf({ network, workers: pools, talos: { registryMirrors: mirrors } });
    expect(total.map((e) => e.field?.path)).toEqual(['spec.talos']);
    expect(total[0].message).toMatch(/^the Talos configs of the control plane and 50 pools would be \d+ KiB together; at most 4096 KiB: spec.talos is copied into each of them/);
    // The same content in the control plane's own patches is fine: it is not copied.
    expect(errorsOf({ network, workers: pools, controlPlane: { patches: [file(400_000)] } })).toEqual([]);
    const start = Date.now();
    const out = runKRM(resourceList(clusterSpec({ network, workers: pools, talos: { patches: [file(900_000)] } })));
    expect(Date.now() - start).toBeLessThan(5000);
    expect(out.exitCode).toBe(1);
    expect(out.stdout.length).toBeLessThan(MB);
  });

  test('1,024 valid ipRanges render quickly (overlap checks are O(n log n))', () => {
    const start = Date.now();
    const objs = renderObjects({ network: { ...bigNetwork, ipRanges: ips(LIMITS.ipRanges) }, controlPlane: { endpointIP: '10.200.0.1' }, cluster: { podCIDRs: ['172.16.0.0/16'], serviceCIDRs: ['172.17.0.0/16'] } });
    expect(Date.now() - start).toBeLessThan(5000);
    expect(objs.find((o) => o.kind === 'ProxmoxCluster').spec.ipv4Config.addresses).toHaveLength(LIMITS.ipRanges);
  });

  test('more problems than MAX_PROBLEMS: the first ones and a count of the rest', () => {
    const errors = errorsOf({ network: { dnsServers: Array(LIMITS.servers).fill('x y'), ipRanges: Array(500).fill('a b') } });
    expect(errors).toHaveLength(MAX_PROBLEMS);
    expect(errors.at(-1)!.message).toBe(`${500 + LIMITS.servers - (MAX_PROBLEMS - 1)} more problems not shown; fix these first`);
  });

  test(`a spec of more than ${MAX_SPEC_VALUES} values is refused before any other check`, () => {
    const patch = { machine: { sysctls: Object.fromEntries(Array.from({ length: MAX_SPEC_VALUES }, (_, i) => [`net.k${i}`, '1'])) } };
    expect(errorsOf({ talos: { patches: [patch] } }).map((e) => `${e.field?.path}: ${e.message}`)).toEqual([
      `spec: the spec holds more than ${MAX_SPEC_VALUES} values (mapping and list entries); that is far beyond any real cluster`,
    ]);
  });

  test('diff of two small files with absurd Talos and Kubernetes versions writes a few lines', () => {
    const tcp = (talos: string, k8s: string) => `apiVersion: controlplane.cluster.x-k8s.io/v1alpha3\nkind: TalosControlPlane\nmetadata: {name: a, labels: {cluster.x-k8s.io/cluster-name: c}}\nspec: {version: ${k8s}, controlPlaneConfig: {controlplane: {talosVersion: ${talos}}}}\n`;
    const start = Date.now();
    const out = diffCommand(tcp('v1.0', 'v1.0.0'), tcp('v1.30000000', 'v1.30000000.0'));
    expect(Date.now() - start).toBeLessThan(1000);
    expect(out.exitCode).toBe(1);
    expect(out.stdout.length + out.stderr.length).toBeLessThan(2000);
    expect(out.stderr).toMatch(/Talos v1.0 → v1.30000000 skips a minor version; upgrade one minor at a time: v1.0 → v1.1 → … → v1.30000000 \(30000000 steps\)/);
    expect(out.stderr).toMatch(/Kubernetes v1.0.0 → v1.30000000.0 skips a minor version/);
  });

  test('diff reads unparseable or alias-bomb patch strings in rendered files as nothing, without throwing', () => {
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`).join('\n')}\n`;
    const tcp = (patch: string) => toYAML({ apiVersion: 'controlplane.cluster.x-k8s.io/v1alpha3', kind: 'TalosControlPlane', metadata: { name: 'a', labels: { 'cluster.x-k8s.io/cluster-name': 'c' } }, spec: { version: 'v1.32.0', controlPlaneConfig: { controlplane: { talosVersion: 'v1.11', strategicPatches: [patch, 42] } } } });
    const start = Date.now();
    const out = diffCommand(tcp(bomb), tcp('machine: [unclosed'));
    expect(Date.now() - start).toBeLessThan(5000);
    // Two hand-made renders: nothing is taken over from another generator (the old "adopted in place" line
    // said so of any object without this generator's label, also when neither side was ours).
    expect(out.stdout).toBe('cluster /c: update\ncontrol plane: Talos control plane config changed → rolls 1 control plane one at a time, surge 1, needs 1 free IP\n');
  });

  test('diff bounds its lines: values and names from the files are shortened', () => {
    const md = (name: string, cores: number) =>
      `---\napiVersion: cluster.x-k8s.io/v1beta2\nkind: MachineDeployment\nmetadata: {name: ${name}}\nspec: {clusterName: c, replicas: 1, template: {spec: {infrastructureRef: {name: t${cores}}}}}\n---\napiVersion: infrastructure.cluster.x-k8s.io/v1alpha2\nkind: ProxmoxMachineTemplate\nmetadata: {name: t${cores}}\nspec: {template: {spec: {numCores: ${cores}, network: {default: {bridge: ${'b'.repeat(10_000)}${cores}}}}}}\n`;
    const names = Array.from({ length: 500 }, (_, i) => `c-${'p'.repeat(2000)}${i}`);
    const out = diffCommand(names.map((n) => md(n, 1)).join(''), names.map((n) => md(n, 2)).join(''));
    // At most 500 lines (room for a fleet's plan) of at most 1,000 characters.
    expect(out.stdout.split('\n').length).toBeLessThanOrEqual(502);
    expect(out.stdout.length).toBeLessThan(510_000);
    // The cluster's header and 499 of the 500 pool lines; then the last pool line and the three lines of the
    // two templates, which no reference with a kind ties to the cluster.
    expect(out.stdout).toMatch(/… 4 more lines\n$/);
  });
});

describe('version steps', () => {
  test('messages stay short for any distance', () => {
    expect(talosUpgradeProblem('v1.7', 'v1.13')).toBe('Talos v1.7 → v1.13 skips a minor version; upgrade one minor at a time: v1.7 → v1.8 → v1.9 → v1.10 → v1.11 → v1.12 → v1.13 (commit and roll out each step)');
    expect(talosUpgradeProblem('v1.0', `v1.${'9'.repeat(400)}`)!.length).toBeLessThan(300);
    expect(kubernetesUpgradeProblem('v1.0.0', `v1.${'9'.repeat(400)}.0`)!.message.length).toBeLessThan(300);
  });

  test.each([
    ['v1.32.0', 'v1.33.4', undefined],
    ['v1.32.4', 'v1.32.4', undefined],
    ['v1.32.0', 'v1.32.9', undefined],
    ['v1.32.9', 'v1.32.1', { severity: 'warning', message: 'Kubernetes v1.32.9 → v1.32.1 is a patch downgrade: every machine is replaced with the older patch release' }],
    ['v1.33.1', 'v1.32.5', { severity: 'error', message: 'Kubernetes v1.33.1 → v1.32.5 is a downgrade, which Kubernetes does not support; keep v1.33 (going back means restoring an etcd snapshot)' }],
    ['v1.32.0', 'v1.34.0', { severity: 'error', message: 'Kubernetes v1.32.0 → v1.34.0 skips a minor version; upgrade one minor at a time: v1.32 → v1.33 → v1.34 (commit and roll out each step)' }],
  ])('Kubernetes %s → %s', (from, to, expected) => expect(kubernetesUpgradeProblem(from, to)).toEqual(expected));
});

describe('overlap sweep', () => {
  const span = fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 20 })).map(([first, len]): Span => ({ first, last: first + len }));
  test('finds an overlap exactly when one exists, and reports only real ones, each span at most once', () => {
    fc.assert(
      fc.property(fc.array(fc.option(span, { nil: undefined }), { maxLength: 30 }), (spans) => {
        const pairs = overlappingPairs(spans);
        const any = spans.some((a, i) => a && spans.some((b, j) => b && j !== i && overlaps(a, b)));
        expect(pairs.length > 0).toBe(any);
        for (const [i, j] of pairs) expect(i !== j && overlaps(spans[i]!, spans[j]!)).toBe(true);
        expect(new Set(pairs.map(([i]) => i)).size).toBe(pairs.length);
        // Every span that overlaps another is named, as the reported one or as the one it overlaps.
        const named = new Set(pairs.flat());
        spans.forEach((a, i) => {
          if (a && spans.some((b, j) => b && j !== i && overlaps(a, b))) expect(named.has(i)).toBe(true);
        });
      }),
      { numRuns: 2000, seed },
    );
  });
});

describe('the limits are published', () => {
  const schema = JSON.parse(readFileSync(join(__dirname, '..', 'schema', 'clusterspec.schema.json'), 'utf8'));
  test('every string, list and mapping of the JSON Schema has a maximum (free-form Talos patches excepted)', () => {
    const unbounded: string[] = [];
    const walk = (s: any, path: string) => {
      if (!s || typeof s !== 'object') return;
      const freeForm = s.type === 'object' && s.additionalProperties && Object.keys(s.additionalProperties).length === 0;
      if (freeForm) return;
      if (s.type === 'string' && s.maxLength === undefined && s.enum === undefined && s.const === undefined) unbounded.push(path);
      if (s.type === 'array' && s.maxItems === undefined) unbounded.push(path);
      if (s.type === 'object' && s.additionalProperties && s.maxProperties === undefined) unbounded.push(path);
      for (const [k, v] of Object.entries<any>(s.properties ?? {})) walk(v, `${path}.${k}`);
      if (s.items) walk(s.items, `${path}[]`);
      if (s.additionalProperties) walk(s.additionalProperties, `${path}.*`);
      if (s.propertyNames) walk(s.propertyNames, `${path}.<key>`);
      for (const alt of s.anyOf ?? []) walk(alt, path);
    };
    walk(schema.properties.spec, 'spec');
    walk(schema.properties.metadata, 'metadata');
    expect(unbounded).toEqual([]);
  });

  test("the README's Limits table states the limits the schema enforces", () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Limits'), readme.indexOf('\n## ', readme.indexOf('### Limits')));
    const row = (cell: string) => section.split('\n').find((l) => l.startsWith(`| ${cell}`)) ?? `(no row ${cell})`;
    expect(row('the whole spec')).toContain(MAX_SPEC_VALUES.toLocaleString('en-US'));
    expect(row('`spec.network.ipRanges`')).toContain(`| ${LIMITS.ipRanges.toLocaleString('en-US')} `);
    expect(row('`spec.cluster.podCIDRs`')).toContain(`| ${LIMITS.cidrs} `);
    expect(row('`spec.network.dnsServers`')).toContain(`| ${LIMITS.servers} `);
    expect(row('`allowedNodes`')).toContain(`| ${LIMITS.nodes} `);
    expect(row('`labels`')).toContain(`| ${LIMITS.labels} `);
    expect(row('`taints`')).toContain(`| ${LIMITS.taints} `);
    expect(row('`spec.talos.registryMirrors`')).toContain(`| ${LIMITS.registries} `);
    expect(row('`spec.talos.kernelArgs`')).toContain(`| ${LIMITS.kernelArgs} `);
    expect(row('`patches`')).toContain(`| ${LIMITS.patches} `);
    expect(row('host names')).toContain(`| ${LIMITS.dnsName} `);
    expect(row('addresses')).toContain(`| ${LIMITS.address} `);
    expect(row('`spec.cluster.talosImage`')).toContain(`| ${LIMITS.image} `);
    expect(row('mirror endpoint')).toContain(`| ${LIMITS.url.toLocaleString('en-US')} `);
    expect(row('kernel argument')).toContain(`| ${LIMITS.kernelArg.toLocaleString('en-US')} `);
    expect(row('other strings')).toContain(`| ${LIMITS.text} `);
    expect(row('problems reported')).toContain(`| ${MAX_PROBLEMS} `);
    expect(row('Talos config per rendered object')).toContain(`| ${LIMITS.patchBytesPerObject / 1024} KiB `);
    expect(row('Talos config of all objects')).toContain(`| ${(LIMITS.patchBytesTotal / 1024).toLocaleString('en-US')} KiB `);
    for (const [k, v] of Object.entries(LIMITS)) expect([k, section.includes((k.startsWith('patchBytes') ? v / 1024 : v).toLocaleString('en-US'))]).toEqual([k, true]);
  });
});
