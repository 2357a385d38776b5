/** `diff` given junk on either side (issue 11): a clean error naming the side, never an internal error. */
import { diffCommand } from '../src/cli/diff';
import { toYAML } from '../src/yaml/write';
import { clusterSpec, renderObjects } from './support/render';
import { BIN, REPO, run } from './support/exec';
import { join } from 'node:path';

const good = toYAML(clusterSpec({}));
// A bastion, so the control plane's config has both a machine and a cluster section to lose.
const rendered = renderObjects({ network: { bastion: { host: 'jump', endpointIP: '192.168.1.80' } } });
const stream = (objs: unknown[]) => objs.map((o) => `---\n${toYAML(o)}`).join('');
const withTcp = (edit: (tcp: any) => void) =>
  stream(
    rendered.map((o) => {
      if (o.kind !== 'TalosControlPlane') return o;
      const copy = structuredClone(o);
      edit(copy);
      return copy;
    }),
  );

test.each([
  ['spec: null', 'apiVersion: capi-proxmox-talos.dev/v1alpha1\nkind: ClusterSpec\nmetadata: {name: cluster09}\nspec: null\n', /spec: expected object, got null/],
  ['metadata: null', 'apiVersion: capi-proxmox-talos.dev/v1alpha1\nkind: ClusterSpec\nmetadata: null\nspec: {}\n', /metadata: expected object, got null/],
  ['items that is a scalar', 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: 5\n', /ResourceList.items must be a list/],
  ['items that are junk', 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: [1, "x", [2], {kind: Cluster}, {metadata: null}]\n', /ResourceList item 1 is not a Kubernetes object/],
  ['an object without a name', 'kind: Cluster\nmetadata: {namespace: x}\n', /document 1 is not a Kubernetes object/],
  ['a spec that is not a mapping', 'kind: TalosControlPlane\nmetadata: {name: x}\nspec: 3\n', /document 1 is not a Kubernetes object/],
  ['a list document', '- a\n- b\n', /document 1 is not a Kubernetes object/],
])('%s: a clean error on either side', (_, junk, message) => {
  for (const [oldText, newText, side] of [
    [good, junk, 'NEW'],
    [junk, good, 'OLD'],
  ]) {
    const out = diffCommand(oldText, newText);
    expect(out.exitCode).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(message);
    expect(out.stderr).not.toMatch(/internal error|TypeError/);
    for (const line of out.stderr.trim().split('\n')) expect(line).toMatch(/^\[(error|warning)\] /);
    if (!/^(spec|metadata): null|hand-edited/.test(_)) expect(out.stderr).toContain(`${side}: `);
  }
});

test('a hand-edited render whose patches are a number reads as a config without patches, on either side', () => {
  const edited = withTcp((t) => (t.spec.controlPlaneConfig.controlplane.strategicPatches = 5));
  for (const [oldText, newText] of [
    [stream(rendered), edited],
    [edited, stream(rendered)],
  ]) {
    const out = diffCommand(oldText, newText);
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toMatch(/^control plane: patches: (cluster|machine)\S* (removed|added|\S+ added), .*→ rolls 1 control plane/m);
    expect(out.stderr).not.toMatch(/internal error|TypeError/);
  }
});

test('a rendered side against a hand-edited one: compared where it can be, never a crash', () => {
  const out = diffCommand(stream(rendered), withTcp((t) => (t.spec = { ...t.spec, replicas: 3 })));
  expect(out.exitCode).toBe(0);
  expect(out.stdout).toContain('control plane: replicas 1 → 3 (scale, no roll)');
});

test('the binary: one [error] line, exit 1', () => {
  const r = run(BIN, ['diff', join(REPO, 'functionconfig.yaml'), '-'], { input: 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: 5\n' });
  expect(r.status).toBe(1);
  expect(r.stderr).toBe('[error] NEW: ResourceList.items must be a list\n');
});
