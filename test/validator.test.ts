/**
 * The validator must catch what the API server and the providers' webhooks would reject — otherwise
 * every "output validates" test elsewhere proves nothing. Each case breaks one valid generated object.
 */
import { renderObjects } from './support/render';
import { validatorFor } from '../src/validate/crdValidator';
import { validateObjects } from '../src/validate';
import { updateProblems } from '../src/validate/webhookRules';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PINNED, PROFILE_TARGETS, missingCrds } from '../src/validate/pinned';

const current = PROFILE_TARGETS.current[0].sources;
const legacy = PROFILE_TARGETS.legacy[0].sources;
const objectsFor = (profile: 'current' | 'legacy') => renderObjects({ cluster: { profile }, workers: [{ name: 'worker', healthCheck: {} }] });
const find = (objs: any[], kind: string) => objs.find((o) => o.kind === kind);

describe('valid output is accepted', () => {
  test.each(['current', 'legacy'] as const)('%s profile', (profile) => {
    for (const t of PROFILE_TARGETS[profile]) expect(validateObjects(objectsFor(profile), t.sources)).toEqual([]);
  });
});

describe('broken objects are caught', () => {
  const cases: [string, 'current' | 'legacy', (objs: any[]) => void, RegExp][] = [
    ['unknown field', 'current', (o) => (find(o, 'ProxmoxCluster').spec.dnsServer = ['1.1.1.1']), /"dnsServer" \(unknown field\)/],
    ['unknown nested field', 'current', (o) => (find(o, 'ProxmoxMachineTemplate').spec.template.spec.disks.bootVolume.sizeGB = 5), /"sizeGB" \(unknown field\)/],
    ['bad enum', 'current', (o) => (find(o, 'ProxmoxMachineTemplate').spec.template.spec.network.networkDevices[0].model = 'e1001'), /allowed values/],
    ['pattern', 'current', (o) => (find(o, 'ProxmoxMachineTemplate').spec.template.spec.network.networkDevices[0].name = 'eth0'), /must match pattern/],
    ['minimum', 'current', (o) => (find(o, 'ProxmoxMachineTemplate').spec.template.spec.disks.bootVolume.sizeGb = 4), /must be >= 5/],
    ['type', 'current', (o) => (find(o, 'TalosControlPlane').spec.replicas = 'three'), /must be integer/],
    ['required', 'current', (o) => delete find(o, 'ProxmoxCluster').spec.dnsServers, /must have required property 'dnsServers'/],
    ['CEL: full with format', 'current', (o) => Object.assign(find(o, 'ProxmoxMachineTemplate').spec.template.spec, { full: false, format: 'qcow2' }), /Must set full=true when specifying format/],
    ['CEL: template source', 'current', (o) => delete find(o, 'ProxmoxMachineTemplate').spec.template.spec.sourceNode, /Must specify either templateID or templateSelector|failed rule: has\(self.templateSelector\)/],
    ['CEL: ipPoolRef kind', 'current', (o) => (find(o, 'ProxmoxMachineTemplate').spec.template.spec.network.networkDevices[0].ipPoolRef = [{ apiGroup: 'ipam.cluster.x-k8s.io', kind: 'Pool', name: 'x' }]), /ipPoolRef allows either InClusterIPPool or GlobalInClusterIPPool/],
    ['CEL: vlan bounds', 'legacy', (o) => (find(o, 'ProxmoxMachineTemplate').spec.template.spec.network.default.vlan = 5000), /must be <= 4094/],
    ['Go (?i) pattern', 'current', (o) => (find(o, 'ProxmoxMachineTemplate').spec.template.spec.tags = ['-bad']), /must match pattern/],
    ['endpoint inside range (webhook)', 'current', (o) => (find(o, 'ProxmoxCluster').spec.controlPlaneEndpoint.host = '192.168.4.102'), /lies inside ipv4Config.addresses/],
    ['providerID in template (webhook)', 'current', (o) => (find(o, 'ProxmoxMachineTemplate').spec.template.spec.providerID = 'proxmox://6a1b3b72-2a0c-4c3e-8d6f-1f0c1b2a3c4d'), /providerID must not be set/],
    ['selector mismatch (webhook)', 'current', (o) => (find(o, 'MachineDeployment').spec.selector.matchLabels['x'] = 'y'), /selector does not match/],
    ['dangling reference', 'current', (o) => (find(o, 'MachineDeployment').spec.template.spec.infrastructureRef.name = 'gone'), /not emitted/],
    ['wrong apiVersion in reference', 'current', (o) => (find(o, 'TalosControlPlane').spec.infrastructureTemplate.apiVersion = 'infrastructure.cluster.x-k8s.io/v1alpha1'), /not emitted/],
    ['unserved version', 'legacy', (o) => (find(o, 'ProxmoxCluster').apiVersion = 'infrastructure.cluster.x-k8s.io/v1alpha2'), /not a served version/],
    ['MHC startup timeout', 'current', (o) => (find(o, 'MachineHealthCheck').spec.checks.nodeStartupTimeoutSeconds = 10), /0 or at least 30/],
  ];
  test.each(cases)('%s', (_name, profile, breakIt, expected) => {
    const objs = objectsFor(profile);
    breakIt(objs);
    const problems = validateObjects(objs, profile === 'current' ? current : legacy);
    expect(problems.join('\n')).toMatch(expected);
  });
});

test('defaults are applied before required fields are checked (v1alpha1 ipv4Config.metric)', () => {
  const pc = find(objectsFor('legacy'), 'ProxmoxCluster');
  expect(pc.spec.ipv4Config.metric).toBeUndefined();
  expect(validatorFor(legacy).validate(pc)).toEqual([]);
});

test('transition rules use the old object when one is given', () => {
  const v = validatorFor(current);
  const old = find(objectsFor('current'), 'ProxmoxMachineTemplate');
  const changed = structuredClone(old);
  changed.spec.template.spec.disks.bootVolume.sizeGb = 80;
  expect(v.validate(changed)).toEqual([]); // a create: oldSelf rules do not apply
  expect(v.validate(changed, old).join('\n')).toMatch(/bootVolume/);
  expect(updateProblems(old, changed).join('\n')).toMatch(/immutable/);
});

test('missing CRDs fail loudly, in one line that says what to do', () => {
  expect(() => validatorFor([{ repo: 'cluster-api', tag: 'v0.0.0', from: 'go' }])).toThrow(/^no CRDs of cluster-api v0.0.0 in .*: run `bash scripts\/setup-tools.sh --crds`[^\n]*$/);
  expect(() => validatorFor([{ repo: 'cluster-api-provider-proxmox', tag: 'v0.0.1', from: 'shared' }])).toThrow(/shared\/crds.*not serve this release/);
  expect(missingCrds()).toEqual([]);
});

test('the Go-module CRD sources are exactly the modules pinned in providers/go.mod', () => {
  const gomod = readFileSync(join(__dirname, '..', 'providers', 'go.mod'), 'utf8');
  const required = [...gomod.matchAll(/^\s+(\S+) (v\S+) \/\/ crds: \S+$/gm)].map((m) => `${m[1].split('/').pop()}@${m[2]}`).sort();
  const fromGo = Object.values(PINNED).filter((s) => s.from === 'go').map((s) => `${s.repo}@${s.tag}`).sort();
  expect(required).toEqual(fromGo);
  expect(required).toEqual(['cluster-api-bootstrap-provider-talos@v0.6.12', 'cluster-api-control-plane-provider-talos@v0.5.13', 'cluster-api-provider-proxmox@v0.9.0', 'cluster-api@v1.14.2']);
});

test('every pinned release has CRDs on disk', () => {
  for (const src of Object.values(PINNED)) expect(validatorFor([src]).files.length).toBeGreaterThan(0);
});
