/**
 * The Talos config contract policy in the spec's own words: what a v1.14 spec may not ask for (patches of
 * v1alpha1 fields the contract moved, kernel args), a talosVersion newer than the image, and what `diff`
 * says when an edit crosses a contract boundary. (Whether the output itself is what Talos takes is
 * test/talos-oracle.test.ts.)
 */
import { parseAllDocuments } from 'yaml';
import { generate } from '../src/generate';
import { diffCommand } from '../src/cli/diff';
import { clusterSpec } from './support/render';
import { toYAML } from '../src/yaml/write';

const site = {
  network: { ipRanges: ['10.20.1.0-10.20.1.40'], prefix: 16, gateway: '10.20.0.1', dnsServers: ['10.20.0.53'], bastion: {} },
  controlPlane: { endpointIP: '10.20.0.10', replicas: 3 },
  proxmox: { allowedNodes: ['pve1'], template: { sourceNode: 'pve1', templateID: 100 }, vmIDRange: { start: 1000, end: 1100 } },
};
const image = (tag: string) => `factory.talos.dev/nocloud-installer/x:${tag}`;
const spec = (tag: string, extra: Record<string, any> = {}) => ({
  ...site,
  ...extra,
  cluster: { kubernetesVersion: 'v1.35.0', talosImage: image(tag), ...extra.cluster },
  controlPlane: { ...site.controlPlane, ...extra.controlPlane },
});
const errors = (s: unknown) => generate(clusterSpec(s, 'c')).results.filter((r) => r.severity === 'error');

describe('patches of v1alpha1 fields the Talos 1.14 contract moved', () => {
  test.each([
    ['spec.talos.patches', { talos: { patches: [{ machine: { kubelet: { extraArgs: { v: '2' } } } }] } }, 'spec.talos.patches[0].machine.kubelet', /replaced by KubeletConfig/],
    ['spec.controlPlane.patches', { controlPlane: { patches: [{ cluster: { apiServer: { extraArgs: { a: 'b' } } } }] } }, 'spec.controlPlane.patches[0].cluster.apiServer', /replaced by KubeAPIServerConfig/],
    ['a pool', { workers: [{ name: 'w', patches: [{ machine: { certSANs: ['ok.example'] } }, { machine: { nodeLabels: { a: 'b' } } }] }] }, 'spec.workers[0].patches[1].machine.nodeLabels', /replaced by KubeNodeConfig/],
    ['machine.features', { talos: { patches: [{ machine: { features: { kubernetesTalosAPIAccess: { enabled: true } } } }] } }, 'spec.talos.patches[0].machine.features.kubernetesTalosAPIAccess', /KubeTalosAPIAccessConfig/],
    ['machine.install', { talos: { patches: [{ machine: { install: { wipe: true } } }] } }, 'spec.talos.patches[0].machine.install', /UnattendedInstallConfig/],
  ])('in %s: an error at the field naming the document (catches a config Talos 1.14 refuses)', (_where, extra, path, message) => {
    const e = errors(spec('v1.14.1', extra));
    expect(e.map((r) => r.field?.path)).toEqual([path]);
    expect(e[0].message).toMatch(message);
    expect(e[0].message).toMatch(/Talos v1\.14 config contract/);
    // the same patch on the v1.13 contract is fine: the field is in its place there
    expect(errors(spec('v1.13.2', extra))).toEqual([]);
  });

  test('the same setting written as the document renders, as its own multi-document patch', () => {
    const kubelet = { apiVersion: 'v1alpha1', kind: 'KubeletConfig', extraArgs: { v: '2' } };
    const g = generate(clusterSpec(spec('v1.14.1', { talos: { patches: [kubelet] } }), 'c'));
    expect(g.results.filter((r) => r.severity === 'error')).toEqual([]);
    const tcp: any = g.objects.find((o) => o.kind === 'TalosControlPlane');
    const patches = tcp.spec.controlPlaneConfig.controlplane.strategicPatches as string[];
    expect(patches.map((p) => parseAllDocuments(p).map((d) => d.toJS()))).toContainEqual([kubelet]);
  });

  test('kernelArgs on the v1.14 contract: one error saying where kernel arguments go instead; v1.13 keeps them', () => {
    const e = errors(spec('v1.14.1', { talos: { kernelArgs: ['console=ttyS0'] } }));
    expect(e.map((r) => r.field?.path)).toEqual(['spec.talos.kernelArgs']);
    expect(e[0].message).toMatch(/installer image/);
    expect(errors(spec('v1.13.2', { talos: { kernelArgs: ['console=ttyS0'] } }))).toEqual([]);
  });
});

describe('talosVersion and the image', () => {
  test('an explicit talosVersion newer than the image tag is refused (the node would not know the documents)', () => {
    const e = errors(spec('v1.13.2', { cluster: { talosVersion: 'v1.14' } }));
    expect(e.map((r) => r.field?.path)).toEqual(['spec.cluster.talosVersion']);
    expect(e[0].message).toMatch(/newer than the Talos of talosImage \(v1\.13\)/);
  });
  test('an older talosVersion than the image is the supported direction (a v1.13 config on Talos 1.14)', () => {
    expect(errors(spec('v1.14.1', { cluster: { talosVersion: 'v1.13' } }))).toEqual([]);
    expect(errors(spec('v1.14.1', { cluster: { talosVersion: 'v1.14' } }))).toEqual([]);
  });
});

describe('diff across a contract boundary', () => {
  const diff = (a: unknown, b: unknown) => diffCommand(toYAML(clusterSpec(a, 'c')), toYAML(clusterSpec(b, 'c')));
  test('v1.13 → v1.14 says every machine gets the new document form and the new defaults, and the image step', () => {
    const out = diff(spec('v1.13.2'), spec('v1.14.1'));
    expect(out.exitCode).toBe(0);
    const lines = out.stdout.split('\n');
    expect(lines[0]).toBe('cluster c/c: update');
    expect(lines[1]).toMatch(/^cluster: Talos config contract v1\.13 → v1\.14: every machine's config is regenerated with Kubernetes, install, sysctl and kernel-module settings as separate documents/);
    expect(lines[1]).toMatch(/workload isolation/);
    // The rollout stalls on an older CABPT (seen with v0.6.12 in TestTalosContract114): the user must be told first.
    expect(lines[1]).toMatch(/needs CABPT ≥ v0\.6\.13 and CACPPT ≥ v0\.5\.14/);
    expect(out.stdout).toMatch(/control plane: Talos image v1\.13\.2 → v1\.14\.1/);
  });
  test('v1.11 → v1.12 names the network documents; a patch release within a contract says nothing of contracts', () => {
    const k = (tag: string) => spec(tag, { cluster: { kubernetesVersion: 'v1.34.0' } });
    expect(diff(k('v1.11.5'), k('v1.12.4')).stdout).toMatch(/^cluster c\/c: update\ncluster: Talos config contract v1\.11 → v1\.12: every machine's config is regenerated with network settings as separate documents/);
    expect(diff(k('v1.11.5'), k('v1.12.4')).stdout).not.toMatch(/CABPT/); // CABPT v0.6.12 knows the v1.12 documents
    expect(diff(spec('v1.14.1'), spec('v1.14.2')).stdout).not.toMatch(/contract/);
    expect(diff(spec('v1.13.1'), spec('v1.13.2')).stdout).not.toMatch(/contract/);
  });
});
