/**
 * The meaning oracle's properties, shared by the jest suite (test/meaning.property.test.ts) and the
 * mutation check (scripts/mutation-check.mjs runs them on mutated copies of src/ without jest).
 */
import fc from 'fast-check';
import { generate } from '../../src/generate';
import { meaningProblems, peakMachines, usableAddresses, type KnownBug, type Rendered } from './meaningOracle';
import { network, validSpec, type GeneratedSpec } from './validSpecs';

type Obj = Record<string, any>;

export interface Rendering {
  exitCode: number;
  objects: Rendered[];
  results: Obj[];
}

/**
 * Renders a spec with the function's own entry point (the ClusterSpec as data, as the KRM edge hands it
 * over) and reads the objects back as plain data. The Talos patches inside them are YAML text, which the
 * oracle parses as Talos does. (Reading and writing YAML at the edge is the golden, KRM and CLI suites'.)
 */
export function render(name: string, spec: Obj): Rendering {
  const g = generate({ apiVersion: 'capi-proxmox-talos.dev/v1alpha1', kind: 'ClusterSpec', metadata: { name }, spec: JSON.parse(JSON.stringify(spec)) });
  const failed = g.results.some((r) => r.severity === 'error');
  return { exitCode: failed ? 1 : 0, objects: JSON.parse(JSON.stringify(g.objects)), results: g.results as Obj[] };
}

/** Throws with every problem when the rendering of a valid spec does not mean what the spec says. */
export function expectMeaning(g: GeneratedSpec, skip: ReadonlySet<KnownBug>, seen?: Set<KnownBug>): void {
  const r = render(g.name, g.spec);
  const errors = r.results.filter((x) => x.severity === 'error');
  if (r.exitCode !== 0 || errors.length) throw new Error(`a valid spec was refused (exit ${r.exitCode}): ${errors.map((x) => `${x.field?.path}: ${x.message}`).join('; ')}`);
  const { problems, skipped } = meaningProblems(g.name, g.spec, r.objects, { skip });
  skipped.forEach((s) => seen?.add(s));
  if (problems.length) throw new Error(`${problems.length} problems:\n  ${problems.join('\n  ')}`);
}

/** Every valid spec of a profile renders objects that mean what it says. */
export const meaningProperty = (profile: 'current' | 'legacy', skip: ReadonlySet<KnownBug>, seen?: Set<KnownBug>) =>
  fc.property(validSpec(profile), (g) => expectMeaning(g, skip, seen));

/**
 * A small cluster on a small subnet whose ranges may hold the network, broadcast and gateway addresses:
 * the function must accept it exactly when the IPAM pool holds every machine of a rolling update.
 */
export const capacitySpec = fc
  .record({
    cp: fc.record({ replicas: fc.integer({ min: 1, max: 3 }), maxSurge: fc.constantFrom(0, 1) }),
    pools: fc.array(fc.record({ replicas: fc.integer({ min: 0, max: 3 }), maxSurge: fc.constantFrom<number | string>(1, 2, '50%'), maxUnavailable: fc.constant(0) }), { maxLength: 2 }),
    prefix: fc.integer({ min: 27, max: 29 }),
  })
  .chain(({ cp, pools, prefix }) => {
    const spec: Obj = {
      cluster: { kubernetesVersion: 'v1.32.0', talosImage: 'factory.talos.dev/nocloud-installer/6adc7e7fba27948460e2231e5272e88b85159da3f3db980551976bf9898ff64b:v1.11.1' },
      controlPlane: cp,
      workers: pools.map((p, i) => ({ name: `p${i}`, replicas: p.replicas, rollout: { maxSurge: p.maxSurge, maxUnavailable: p.maxUnavailable } })),
      proxmox: { allowedNodes: ['pve1'], template: { sourceNode: 'pve1', templateID: 9000 } },
    };
    return network(peakMachines(spec), { prefix }).map((net) => ({
      name: 'capacity',
      spec: { ...spec, network: { ipRanges: net.ipRanges, prefix: net.prefix, gateway: net.gateway, dnsServers: ['10.0.0.53'], bastion: {} }, controlPlane: { ...cp, endpointIP: net.endpointIP } },
    }));
  });

/** Accepted exactly when the addresses suffice; refused with an error on spec.network.ipRanges otherwise. */
export const capacityProperty = () =>
  fc.property(capacitySpec, ({ name, spec }) => {
    const usable = usableAddresses(spec.network);
    const peak = peakMachines(spec);
    const r = render(name, spec);
    const errors = r.results.filter((x) => x.severity === 'error');
    if (usable >= peak) {
      if (errors.length) throw new Error(`${usable} usable addresses hold ${peak} machines, yet the spec was refused: ${errors.map((x) => `${x.field?.path}: ${x.message}`).join('; ')}`);
    } else if (!errors.some((x) => x.field?.path === 'spec.network.ipRanges')) {
      throw new Error(`only ${usable} usable addresses (network, broadcast and gateway excluded) for ${peak} machines, yet no error on spec.network.ipRanges (exit ${r.exitCode}: ${errors.map((x) => x.message).join('; ')})`);
    }
  });
