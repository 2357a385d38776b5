/**
 * Property-based tests over the space of specs (fast-check, seeded: a failure prints its seed and the
 * shrunk spec; rerun with FC_SEED=<seed>). Valid specs: every object validates against the pinned CRDs
 * (CEL included) and webhook rules, names are DNS-safe and unique per kind, every reference resolves,
 * and the IP pool holds every machine plus surge. Invalid specs: error results with paths, no objects,
 * no exception.
 */
import fc from 'fast-check';
import { generate } from '../src/generate';
import { clusterSpec } from './support/render';
import { validateObjects } from '../src/validate';
import { validatorFor } from '../src/validate/crdValidator';
import { PROFILE_TARGETS } from '../src/validate/pinned';
import { runKRM } from '../src/krm/run';
import { toYAML } from '../src/yaml/write';
import { EACH_BINARY, runFunction } from './support/binaries';

const RUNS = Number(process.env.FC_RUNS ?? 500);
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261125;

// DNS labels of every allowed shape: digits first, inner dashes, up to the length limits.
const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,11}[a-z0-9])?$/);
const size = { bootVolumeSizeGB: fc.integer({ min: 5, max: 4096 }), cores: fc.integer({ min: 1, max: 64 }), sockets: fc.integer({ min: 1, max: 4 }), memoryMiB: fc.integer({ min: 64, max: 65536 }).map((n) => n * 8) };

const pool = fc.record(
  {
    name: label,
    replicas: fc.integer({ min: 0, max: 50 }),
    ...size,
    labels: fc.dictionary(fc.stringMatching(/^example\.com\/[a-z]{1,8}$/), fc.stringMatching(/^[a-z0-9]{0,8}$/), { maxKeys: 2 }),
    // One taint per key: Talos keeps node taints in a map (a repeated key is an error).
    taints: fc.uniqueArray(fc.record({ key: fc.stringMatching(/^example\.com\/[a-z]{1,8}$/), value: fc.stringMatching(/^[a-z]{1,5}$/), effect: fc.constantFrom('NoSchedule', 'PreferNoSchedule', 'NoExecute') }), { maxLength: 2, selector: (t) => t.key }),
    rollout: fc.record({ maxSurge: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constantFrom('25%', '100%')), maxUnavailable: fc.constantFrom(0, 1, '10%') }),
    autoscaling: fc.integer({ min: 0, max: 20 }).chain((min) => fc.record({ minReplicas: fc.constant(min), maxReplicas: fc.integer({ min: Math.max(min, 1), max: 50 }) })),
    healthCheck: fc.record({ maxUnhealthy: fc.constantFrom(1, '40%') }),
    allowedNodes: fc.uniqueArray(label, { minLength: 1, maxLength: 2 }),
  },
  { requiredKeys: ['name', 'replicas'] },
);

const validSpec = fc
  .record({
    profile: fc.constantFrom('current', 'legacy'),
    clusterName: fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/),
    cp: fc.record({ replicas: fc.integer({ min: 1, max: 7 }), ...size }),
    workers: fc.uniqueArray(pool, { maxLength: 20, selector: (p) => p.name }),
    vlan: fc.option(fc.integer({ min: 1, max: 4094 }), { nil: undefined }),
    device: fc.constantFrom('virtio0', 'scsi0', 'virtio1'),
    extraNics: fc.array(fc.record({ bridge: label, vlan: fc.integer({ min: 1, max: 4094 }), ipPool: fc.record({ kind: fc.constantFrom('InClusterIPPool', 'GlobalInClusterIPPool'), name: label }) }), { maxLength: 3 }),
  })
  .map(({ profile, clusterName, cp, workers, vlan, device, extraNics }) => ({
    name: clusterName,
    spec: {
      cluster: { profile },
      // A /16 with a big range: capacity is checked separately below.
      network: { prefix: 16, gateway: '10.20.0.1', ipRanges: ['10.20.1.0-10.20.9.255'], dnsServers: ['10.20.0.53'], bastion: {} },
      controlPlane: { endpointIP: '10.20.0.10', ...cp, ...(extraNics.length && { vipDeviceSelector: { busPath: '0000:00:12.0' } }) },
      workers: workers.filter((w) => w.name !== 'control-plane'),
      proxmox: { vm: { bootVolumeDevice: device, ...(vlan && { vlan }), ...(extraNics.length && { extraNetworkDevices: extraNics }) } },
    },
  }));

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe('valid specs', () => {
  const validators = { current: PROFILE_TARGETS.current.map((t) => validatorFor(t.sources)), legacy: PROFILE_TARGETS.legacy.map((t) => validatorFor(t.sources)) };
  let checked = { current: 0, legacy: 0 };

  test(`${RUNS} random specs per profile render valid, consistent objects`, () => {
    for (const profile of ['current', 'legacy'] as const) {
      fc.assert(
        fc.property(validSpec.map((s) => ({ ...s, spec: { ...s.spec, cluster: { profile } } })), ({ name, spec }) => {
          const g = generate(clusterSpec(spec, name));
          const errors = g.results.filter((r) => r.severity === 'error');
          expect(errors).toEqual([]);
          const objs = JSON.parse(JSON.stringify(g.objects));
          PROFILE_TARGETS[profile].forEach((t, i) => expect(validateObjects(objs, t.sources, validators[profile][i])).toEqual([]));
          const seen = new Set<string>();
          for (const o of objs) {
            expect(o.metadata.name.length).toBeLessThanOrEqual(63);
            expect(o.metadata.name).toMatch(DNS_LABEL);
            const key = `${o.kind}/${o.metadata.name}`;
            expect(seen.has(key)).toBe(false);
            seen.add(key);
          }
          checked[profile]++;
        }),
        { numRuns: RUNS, seed, verbose: 1 },
      );
    }
    console.log(`validated the output of ${checked.current} current-profile and ${checked.legacy} legacy-profile specs against the pinned CRDs`);
  });

  test('whenever the capacity check passes, the pool holds every machine plus surge', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.array(fc.record({ replicas: fc.integer({ min: 0, max: 6 }), maxSurge: fc.integer({ min: 1, max: 3 }) }), { maxLength: 5 }), fc.integer({ min: 1, max: 40 }), (cp, pools, rangeSize) => {
        const spec = {
          network: { ipRanges: [`192.168.4.101-192.168.4.${100 + rangeSize}`] },
          controlPlane: { replicas: cp },
          workers: pools.map((p, i) => ({ name: `p${i}`, replicas: p.replicas, rollout: { maxSurge: p.maxSurge, maxUnavailable: 0 } })),
        };
        const needed = cp + 1 + pools.reduce((s, p) => s + p.replicas + p.maxSurge, 0);
        const capacityError = generate(clusterSpec(spec)).results.some((r) => r.severity === 'error' && r.field?.path === 'spec.network.ipRanges');
        expect(capacityError).toBe(needed > rangeSize);
      }),
      { numRuns: 300, seed },
    );
  });
});

const junk = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }));
const fieldPaths = [
    ['cluster', 'name'], ['cluster', 'kubernetesVersion'], ['cluster', 'talosImage'], ['cluster', 'profile'], ['network', 'ipRanges'], ['network', 'prefix'],
    ['network', 'gateway'], ['controlPlane', 'endpointIP'], ['controlPlane', 'replicas'], ['controlPlane', 'memoryMiB'], ['workers'], ['proxmox', 'vm', 'bootVolumeDevice'], ['proxmox', 'template'], ['typo'],
    ['network', 'bastion', 'host'], ['network', 'dnsServers'], ['controlPlane', 'vipDeviceSelector'], ['proxmox', 'credentialsRef'], ['proxmox', 'allowedNodes'],
    ['talos', 'ntpServers'], ['talos', 'registryMirrors'], ['talos', 'kernelArgs'], ['cluster', 'podCIDRs'],
];
/** A spec with one field set to junk (which may happen to be valid). */
const brokenSpec = fc.tuple(fc.constantFrom(...fieldPaths), junk).map(([path, value]) => {
  const spec: any = {};
  let at = spec;
  path.slice(0, -1).forEach((p) => (at = at[p] = {}));
  at[path.at(-1)!] = value;
  return spec;
});
const resourceList = (spec: unknown, name?: string) => toYAML({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: [], functionConfig: clusterSpec(spec, name) });

describe('invalid specs', () => {

  test('random breakage gives error results with field paths, no objects, a non-zero exit and no exception', () => {
    fc.assert(
      fc.property(brokenSpec, (spec) => {
        const g = generate(clusterSpec(spec));
        const errors = g.results.filter((r) => r.severity === 'error');
        if (errors.length === 0) return; // the junk happened to be valid (e.g. a string gateway that parses)
        expect(g.objects).toEqual([]);
        for (const e of errors) expect(e.field?.path).toMatch(/^(spec|metadata)/);
        const out = runKRM(resourceList(spec));
        expect(out.exitCode).toBe(1);
        expect(out.stderr).toMatch(/^\[error\]/);
      }),
      { numRuns: 500, seed },
    );
  });

  test('arbitrary YAML on stdin never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v))), (text) => {
        const out = runKRM(text);
        expect([0, 1]).toContain(out.exitCode);
      }),
      { numRuns: 300, seed },
    );
  });
});

// Random inputs through each built executable: its bytes and exit code must be what the same code gives
// in-process (the suites above check that output's properties). Each case starts a process, so fewer runs.
const BIN_RUNS = Number(process.env.FC_BIN_RUNS ?? 12);
describe.each(EACH_BINARY)('random input through the %s', (_name, bin) => {
  const same = (input: string) => {
    const want = runKRM(input);
    const r = runFunction(bin, [], { input });
    expect({ stdout: r.stdout, stderr: r.stderr, status: r.status }).toEqual({ stdout: want.stdout, stderr: want.stderr, status: want.exitCode });
  };
  test('valid specs', () => {
    fc.assert(fc.property(validSpec, ({ name, spec }) => same(resourceList(spec, name))), { numRuns: BIN_RUNS, seed });
  });
  test('broken specs', () => {
    fc.assert(fc.property(brokenSpec, (spec) => same(resourceList(spec))), { numRuns: BIN_RUNS, seed });
  });
  test('arbitrary text on stdin', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v))), same), { numRuns: BIN_RUNS, seed });
  });
});
