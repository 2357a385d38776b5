/** A mistyped field gets a "did you mean", and only that: no verdict about the value it failed to set. */
import { generate } from '../src/generate';
import { clusterSpec } from './support/render';
import { closest } from '../src/suggest';
import { fieldsAt } from '../src/clusterspec/hints';

const results = (spec: unknown) => generate(clusterSpec(spec)).results.filter((r) => r.severity !== 'info');

test.each([
  [{ controlPlane: { replicsa: 3 } }, 'spec.controlPlane.replicsa', 'unknown field "replicsa" in spec.controlPlane; did you mean "replicas"?'],
  [{ controlPlane: { memoryMib: 8192 } }, 'spec.controlPlane.memoryMib', 'unknown field "memoryMib" in spec.controlPlane; did you mean "memoryMiB"?'],
  [{ workers: [{ name: 'w', memoryMib: 8192 }] }, 'spec.workers[0].memoryMib', 'unknown field "memoryMib" in spec.workers[0]; did you mean "memoryMiB"?'],
  [{ network: { gatway: '192.168.4.1' } }, 'spec.network.gatway', 'unknown field "gatway" in spec.network; did you mean "gateway"?'],
  [{ proxmox: { vm: { brige: 'vmbr1' } } }, 'spec.proxmox.vm.brige', 'unknown field "brige" in spec.proxmox.vm; did you mean "bridge"?'],
  [{ workers: [{ name: 'w', healthCheck: { maxUnhealty: '40%' } }] }, 'spec.workers[0].healthCheck.maxUnhealty', 'unknown field "maxUnhealty" in spec.workers[0].healthCheck; did you mean "maxUnhealthy"?'],
])('%p: the error names the field it most likely meant', (spec, path, message) => {
  const errors = results(spec).filter((r) => r.severity === 'error');
  expect(errors.map((r) => [r.field?.path, r.message])).toEqual([[path, message]]);
});

test('a field name nothing resembles keeps the plain message', () => {
  expect(results({ controlPlane: { zzzz: 1 } })[0].message).toBe('unknown field "zzzz" in spec.controlPlane (check the spelling; see the field table in docs/reference.md)');
});

test('replicsa: 3 is only a typo: no single-control-plane warning about the replicas it failed to set', () => {
  expect(results({ controlPlane: { replicsa: 3 } }).map((r) => r.severity)).toEqual(['error']);
  // without the typo, one control plane is still worth the warning
  expect(results({ controlPlane: { zzzz: 1 } }).map((r) => `${r.severity} ${r.field?.path}`)).toContain('warning spec.controlPlane.replicas');
});

test.each([
  ['cluster', 'kubernetesVersion', /write a Kubernetes version as a string with a "v" and the patch number, e\.g\. kubernetesVersion: v1\.33\.4/],
  ['cluster', 'talosVersion', /write the Talos version as a string with a "v", e\.g\. talosVersion: v1\.12/],
])('a bare number for %s.%s says how to write the version', (group, field, hint) => {
  const secretish = 1.987654321; // the hint must not depend on, or repeat, the value
  const [r] = results({ [group]: { [field]: secretish } });
  expect(r.field?.path).toBe(`spec.${group}.${field}`);
  expect(r.message).toMatch(hint);
  expect(r.message.replace(/^[^:]*: /, '')).not.toContain('987654321');
});

test('closest: case-only differences and small edits, nothing far away', () => {
  expect(closest('rendr', ['render', 'diff', 'schema'])).toBe('render');
  expect(closest('SCHEMA', ['render', 'schema'])).toBe('schema');
  expect(closest('xyz', ['render', 'diff'])).toBeUndefined();
  expect(closest('cni', ['ntp'])).toBeUndefined();
  expect(closest('render', ['render'])).toBeUndefined();
});

test('the field lists come from the schema, through defaults, lists and unions', () => {
  expect(fieldsAt(['spec'])).toEqual(expect.arrayContaining(['cluster', 'network', 'controlPlane', 'workers', 'proxmox', 'talos']));
  expect(fieldsAt(['spec', 'workers', 3])).toEqual(expect.arrayContaining(['name', 'replicas', 'healthCheck', 'autoscaling']));
  expect(fieldsAt(['spec', 'nothing'])).toEqual([]);
});
