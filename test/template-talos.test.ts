/**
 * A machine boots its VM template's Talos (src/clusterspec/templateTalos.ts): template.talosVersion, when
 * set, must name talosImage's version; `diff` warns when a Talos upgrade keeps the templates. The e2e
 * harness shows both halves on the simulated nodes (TestTalosUpgrade: a talosImage edit alone is refused by
 * the nodes, the same edit with a template of the new Talos upgrades them).
 */
import { diffCommand } from '../src/cli/diff';
import { generate } from '../src/generate';
import { toYAML } from '../src/yaml/write';
import { clusterSpec, renderObjects } from './support/render';

const IMAGE = 'factory.talos.dev/nocloud-installer/6adc7e7fba27948460e2231e5272e88b85159da3f3db980551976bf9898ff64b';
const site = (template: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  network: { ipRanges: ['10.0.4.101-10.0.4.120'], prefix: 24, gateway: '10.0.4.1', dnsServers: ['10.0.4.53'], bastion: {} },
  controlPlane: { endpointIP: '10.0.4.100', replicas: 3 },
  proxmox: { allowedNodes: ['venus'], template: { sourceNode: 'venus', templateID: 100, ...template } },
  ...extra,
});
const withImage = (v: string, template: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  ({ ...site(template, extra), cluster: { talosImage: `${IMAGE}:${v}`, kubernetesVersion: 'v1.32.0' } });
const results = (spec: unknown) => generate(clusterSpec(spec)).results.filter((r) => r.severity !== 'info').map((r) => `${r.severity} ${r.field?.path}: ${r.message}`);

test('a template of talosImage\'s version is accepted, and saying so changes no object (no machine rolls)', () => {
  expect(results(withImage('v1.11.1', { talosVersion: 'v1.11.1' }))).toEqual([]);
  expect(renderObjects(withImage('v1.11.1', { talosVersion: 'v1.11.1' }))).toEqual(renderObjects(withImage('v1.11.1', {})));
});

test('a template of another minor is an error at the template that says so (the machines would not run talosImage)', () => {
  const r = results(withImage('v1.12.0', { talosVersion: 'v1.11.1' }));
  expect(r).toEqual([
    expect.stringMatching(/^error spec\.proxmox\.template\.talosVersion: the VM template venus\/100 boots Talos v1\.11\.1 but talosImage is v1\.12\.0: .*disk image would run v1\.11\.1.*installer ISO of v1\.11\.1 cannot read a v1\.12 config; point this template at one that holds Talos v1\.12\.0/),
  ]);
  // per-pool and control-plane templates are checked where they are written
  const pools = results(withImage('v1.12.0', { talosVersion: 'v1.12.0' }, {
    controlPlane: { endpointIP: '10.0.4.100', replicas: 3, template: { sourceNode: 'venus', templateID: 110, talosVersion: 'v1.12.0' } },
    workers: [{ name: 'a' }, { name: 'gpu', template: { sourceNode: 'mars', templateID: 150, talosVersion: 'v1.11.1' } }],
  }));
  expect(pools).toEqual([expect.stringMatching(/^error spec\.workers\[1\]\.template\.talosVersion: the VM template mars\/150 boots Talos v1\.11\.1/)]);
});

test('a template of another patch release renders, with a warning saying what runs', () => {
  const g = generate(clusterSpec(withImage('v1.11.5', { talosVersion: 'v1.11.1' })));
  expect(g.objects.length).toBeGreaterThan(0);
  expect(g.results.filter((r) => r.severity !== 'info').map((r) => `${r.severity} ${r.field?.path}`)).toEqual(['warning spec.proxmox.template.talosVersion']);
  expect(g.results.find((r) => r.severity === 'warning')?.message).toMatch(/disk image run v1\.11\.1 .* installer ISO they install v1\.11\.5/);
});

test('template.talosVersion is a full version', () => {
  expect(results(withImage('v1.11.1', { talosVersion: 'v1.11' }))).toEqual([expect.stringMatching(/^error spec\.proxmox\.template\.talosVersion: template\.talosVersion must look like v1\.32\.0/)]);
});

test('diff warns when a Talos upgrade keeps the VM templates, not when it moves them', () => {
  const from = toYAML(clusterSpec(withImage('v1.11.1', {})));
  const stay = diffCommand(from, toYAML(clusterSpec(withImage('v1.12.0', {}))));
  expect(stay.exitCode).toBe(0);
  expect(stay.stderr).toMatch(/\[warning\] .*Talos v1\.11 → v1\.12, but machines are still cloned from the VM template venus\/100: a clone of a Talos disk image runs the image's Talos/);
  const moved = diffCommand(from, toYAML(clusterSpec(withImage('v1.12.0', { templateID: 110, talosVersion: 'v1.12.0' }))));
  expect(moved.exitCode).toBe(0);
  expect(moved.stderr).not.toMatch(/still cloned from/);
  expect(moved.stdout).toMatch(/VM template venus\/100 → venus\/110/);
  // a patch release inside the minor does not change the config contract: no warning from diff
  expect(diffCommand(from, toYAML(clusterSpec(withImage('v1.11.5', {})))).stderr).not.toMatch(/still cloned from/);
});
