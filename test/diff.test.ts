/** The change preview (`diff OLD NEW`, a rendering of the plan engine's Plan) and the one-minor-at-a-time upgrade rules. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffCommand } from '../src/cli/diff';
import { clusterLines } from './support/plan';
import { withSite } from './support/site';
import { talosUpgradeProblem } from '../src/clusterspec/versions';
import { renderObjects, clusterSpec } from './support/render';
import { toYAML } from '../src/yaml/write';
import { runKRM } from '../src/krm/run';
import { KPT, run, packageCopy, commitAll, changes } from './support/exec';

// The Talos and Kubernetes pair these cases were written for (a v1alpha1-form config), pinned: the defaults moved on.
const pinned = { kubernetesVersion: 'v1.32.0', talosImage: 'factory.talos.dev/nocloud-installer/6adc7e7fba27948460e2231e5272e88b85159da3f3db980551976bf9898ff64b:v1.11.1' };
const base = withSite({ cluster: pinned, controlPlane: { replicas: 3 }, workers: [{ name: 'general', replicas: 4 }, { name: 'gpu', replicas: 3 }] });
const lines = (a: unknown, b: unknown) => clusterLines(renderObjects(a), renderObjects(b));

test.each([
  ['scale', { ...base, workers: [{ name: 'general', replicas: 6 }, base.workers[1]] }, ['pool general: replicas 4 → 6 (scale, no roll)']],
  ['resize a pool', { ...base, workers: [base.workers[0], { name: 'gpu', replicas: 3, cores: 8 }] }, ['pool gpu: new machine template (cores 4 → 8) → rolls 3 machines, surge 1, needs 1 free IP', 'superseded templates: ProxmoxMachineTemplate/cluster09-gpu-1a37e38b leave the render (pruned; no machine is deleted with them)']],
  [
    'upgrade Kubernetes',
    { ...base, cluster: { ...pinned, kubernetesVersion: 'v1.33.4' } },
    [
      'control plane: Kubernetes v1.32.0 → v1.33.4 → rolls 3 control planes one at a time, surge 1, needs 1 free IP',
      'pool general: Kubernetes v1.32.0 → v1.33.4 → rolls 4 machines, surge 1, needs 1 free IP',
      'pool gpu: Kubernetes v1.32.0 → v1.33.4 → rolls 3 machines, surge 1, needs 1 free IP',
    ],
  ],
  ['add a pool', { ...base, workers: [...base.workers, { name: 'burst', replicas: 2 }] }, ['pool burst: new pool: 2 machines']],
  ['remove a pool', { ...base, workers: [base.workers[0]] }, ['pool gpu: removed: 3 machines drained and deleted', 'superseded templates: ProxmoxMachineTemplate/cluster09-gpu-1a37e38b, TalosConfigTemplate/cluster09-gpu-56d7d7fc leave the render (pruned; no machine is deleted with them)']],
  ['patch a pool', { ...base, workers: [base.workers[0], { ...base.workers[1], labels: { 'example.com/gpu': 'yes' } }] }, [
      'pool gpu: new Talos config (patches: machine.nodeLabels.example.com/gpu yes added) → rolls 3 machines, surge 1, needs 1 free IP',
      'superseded templates: TalosConfigTemplate/cluster09-gpu-56d7d7fc leave the render (pruned; no machine is deleted with them)',
    ]],
  [
    'upgrade the Talos image',
    { ...base, cluster: { ...pinned, talosImage: 'factory.talos.dev/nocloud-installer/6adc7e7fba27948460e2231e5272e88b85159da3f3db980551976bf9898ff64b:v1.11.5' } },
    [
      'control plane: Talos image v1.11.1 → v1.11.5 → rolls 3 control planes one at a time, surge 1, needs 1 free IP',
      'pool general: new Talos config (Talos image v1.11.1 → v1.11.5) → rolls 4 machines, surge 1, needs 1 free IP',
      'pool gpu: new Talos config (Talos image v1.11.1 → v1.11.5) → rolls 3 machines, surge 1, needs 1 free IP',
      'superseded templates: TalosConfigTemplate/cluster09-general-56d7d7fc, TalosConfigTemplate/cluster09-gpu-56d7d7fc leave the render (pruned; no machine is deleted with them)',
    ],
  ],
  ['no change', base, []],
])('%s', (_n, next, expected) => expect(lines(base, next)).toEqual(expected));

test('diff warns before rolling a single control plane and accepts rendered manifests as input', () => {
  const one = { ...base, controlPlane: { replicas: 1 } };
  const rendered = renderObjects(one).map((o) => `---\n${toYAML(o)}`).join('');
  const r = diffCommand(rendered, toYAML(clusterSpec({ ...one, controlPlane: { replicas: 1, cores: 8 } })));
  expect(r.stdout).toMatch(/^cluster cluster09\/cluster09: update\ncontrol plane: new machine template \(cores 4 → 8\) → rolls 1 control plane/);
  expect(r.stderr).toMatch(/\[warning\] cluster cluster09\/cluster09: this rolls a single control plane/);
  expect(r.exitCode).toBe(0);
});

test('Talos upgrades go one minor at a time', () => {
  expect(talosUpgradeProblem('v1.10', 'v1.11')).toBeUndefined();
  expect(talosUpgradeProblem('v1.11', 'v1.11')).toBeUndefined();
  expect(talosUpgradeProblem('v1.10', 'v1.12')).toMatch(/skips a minor version; upgrade one minor at a time: v1.10 → v1.11 → v1.12/);
  expect(talosUpgradeProblem('v1.12', 'v1.11')).toMatch(/downgrade/);
  const img = (v: string) => ({ ...base, cluster: { talosImage: `factory.talos.dev/nocloud-installer/abc:${v}`, kubernetesVersion: 'v1.32.0' } });
  const r = diffCommand(toYAML(clusterSpec(img('v1.10.6'))), toYAML(clusterSpec(img('v1.12.0'))));
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toMatch(/skips a minor version/);
});

test('the KRM function refuses a minor skip against the previous render in its input', () => {
  const spec = (v: string) => clusterSpec({ ...base, cluster: { ...pinned, talosImage: `factory.talos.dev/nocloud-installer/abc:${v}` } });
  const first = runKRM(toYAML({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: [], functionConfig: spec('v1.10.6') }));
  expect(first.exitCode).toBe(0);
  const items = first.stdout.slice(0, first.stdout.indexOf('results:'));
  const skip = runKRM(`${items}functionConfig:\n${toYAML(spec('v1.12.1')).replace(/^/gm, '  ')}`);
  expect(skip.exitCode).toBe(1);
  expect(skip.stderr).toMatch(/spec.cluster.talosImage: Talos v1.10 → v1.12 skips a minor version/);
  const step = runKRM(`${items}functionConfig:\n${toYAML(spec('v1.11.5')).replace(/^/gm, '  ')}`);
  expect(step.exitCode).toBe(0);
});

test('the minor-skip check finds the previous render by the same identity, also without metadata.name', () => {
  const spec = (v: string) => ({ ...clusterSpec({ ...base, cluster: { ...pinned, name: 'c1', talosImage: `factory.talos.dev/nocloud-installer/abc:${v}` } }), metadata: {} });
  const first = runKRM(toYAML({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: [], functionConfig: spec('v1.10.6') }));
  expect(first.exitCode).toBe(0);
  const items = first.stdout.slice(0, first.stdout.indexOf('results:'));
  const skip = runKRM(`${items}functionConfig:\n${toYAML(spec('v1.12.1')).replace(/^/gm, '  ')}`);
  expect(skip.exitCode).toBe(1);
  expect(skip.stderr).toMatch(/Talos v1.10 → v1.12 skips a minor version/);
});

test('through kpt: the package remembers the Talos version, so a skipped minor fails the render', () => {
  const pkg = packageCopy('kpt');
  const file = join(pkg, 'cluster.yaml');
  const withImage = (v: string) => readFileSync(file, 'utf8').replace(/spec:\n/, `spec:\n  cluster:\n    talosImage: factory.talos.dev/nocloud-installer/abc:${v}\n    kubernetesVersion: v1.32.0\n`);
  writeFileSync(file, withImage('v1.10.6'));
  expect(run(KPT, ['fn', 'render', '--allow-exec', pkg]).status).toBe(0);
  commitAll(pkg);
  writeFileSync(file, readFileSync(file, 'utf8').replace('abc:v1.10.6', 'abc:v1.12.1'));
  commitAll(pkg);
  const r = run(KPT, ['fn', 'render', '--allow-exec', pkg]);
  expect(r.status).not.toBe(0);
  expect(r.stdout + r.stderr).toMatch(/skips a minor version/);
  expect(changes(pkg)).toBe('');
});

describe('Kubernetes upgrades go one minor at a time and never back, as for Talos', () => {
  const k8s = (v: string) => ({ ...base, cluster: { ...pinned, kubernetesVersion: v }, proxmox: { ...base.proxmox, vmIDRange: { start: 2000, end: 2099 } } });
  test.each([
    ['a skipped minor', 'v1.32.0', 'v1.34.1', 1, /\[error\] cluster cluster09\/cluster09 spec.cluster.kubernetesVersion: Kubernetes v1.32.0 → v1.34.1 skips a minor version; upgrade one minor at a time: v1.32 → v1.33 → v1.34/],
    ['a minor downgrade', 'v1.33.2', 'v1.32.0', 1, /\[error\] cluster cluster09\/cluster09 spec.cluster.kubernetesVersion: Kubernetes v1.33.2 → v1.32.0 is a downgrade, which Kubernetes does not support; keep v1.33/],
    ['a patch downgrade (warned)', 'v1.32.5', 'v1.32.1', 0, /\[warning\] cluster cluster09\/cluster09 spec.cluster.kubernetesVersion: Kubernetes v1.32.5 → v1.32.1 is a patch downgrade/],
    ['one minor up', 'v1.32.5', 'v1.33.0', 0, /^$/],
  ])('diff: %s', (_n, from, to, exit, stderr) => {
    const r = diffCommand(toYAML(clusterSpec(k8s(from))), toYAML(clusterSpec(k8s(to))));
    expect(r.exitCode).toBe(exit);
    expect(r.stderr).toMatch(stderr);
  });

  test('diff: against rendered manifests of the old version too', () => {
    const rendered = renderObjects(k8s('v1.33.2')).map((o) => `---\n${toYAML(o)}`).join('');
    const r = diffCommand(rendered, toYAML(clusterSpec(k8s('v1.32.0'))));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/is a downgrade/);
  });

  test('the KRM function refuses a downgrade or skip against the previous render in its input', () => {
    const first = runKRM(toYAML({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: [], functionConfig: clusterSpec(k8s('v1.32.3')) }));
    expect(first.exitCode).toBe(0);
    const items = first.stdout.slice(0, first.stdout.indexOf('results:'));
    const again = (v: string) => runKRM(`${items}functionConfig:\n${toYAML(clusterSpec(k8s(v))).replace(/^/gm, '  ')}`);
    expect(again('v1.34.0').stderr).toMatch(/spec.cluster.kubernetesVersion: Kubernetes v1.32.3 → v1.34.0 skips a minor version/);
    expect(again('v1.31.0').exitCode).toBe(1);
    expect(again('v1.31.0').stdout).not.toMatch(/kind: TalosControlPlane\n(.*\n)*.*version: v1.31.0/);
    expect(again('v1.33.0').exitCode).toBe(0);
  });

  test('through kpt: a Kubernetes downgrade fails the render and leaves the package as it was', () => {
    const pkg = packageCopy('kpt');
    const file = join(pkg, 'cluster.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/spec:\n/, 'spec:\n  cluster:\n    kubernetesVersion: v1.33.1\n'));
    expect(run(KPT, ['fn', 'render', '--allow-exec', pkg]).status).toBe(0);
    commitAll(pkg);
    writeFileSync(file, readFileSync(file, 'utf8').replace('v1.33.1', 'v1.32.0'));
    commitAll(pkg);
    const r = run(KPT, ['fn', 'render', '--allow-exec', pkg]);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/Kubernetes v1.33.1 → v1.32.0 is a downgrade/);
    expect(changes(pkg)).toBe('');
  });
});

test('diff explains an API profile switch in words', () => {
  const legacy = { ...base, cluster: { ...pinned, profile: 'legacy' } };
  const current = { ...base, cluster: { ...pinned, profile: 'current' } };
  expect(lines(legacy, current)).toEqual([
    'cluster: API profile legacy → current (CAPI v1beta1 → v1beta2, CAPMOX v1alpha1 → v1alpha2): every machine template is re-created in the new API version, so every machine rolls; the management cluster must run CAPI ≥ v1.11 and CAPMOX ≥ v0.8 first',
    'control plane: new machine template (API v1alpha1 → v1alpha2) → rolls 3 control planes one at a time, surge 1, needs 1 free IP',
    'pool general: new machine template (API v1alpha1 → v1alpha2) → rolls 4 machines, surge 1, needs 1 free IP',
    'pool gpu: new machine template (API v1alpha1 → v1alpha2) → rolls 3 machines, surge 1, needs 1 free IP',
    'ProxmoxCluster: cluster09 rewritten as infrastructure.cluster.x-k8s.io/v1alpha2, same settings (API profile switch; no roll by itself)',
    'Cluster: cluster09 rewritten as cluster.x-k8s.io/v1beta2, same settings (API profile switch; no roll by itself)',
    'superseded templates: ProxmoxMachineTemplate/cluster09-control-plane-aecb8bb8, ProxmoxMachineTemplate/cluster09-general-76b054a6, ProxmoxMachineTemplate/cluster09-gpu-76b054a6 leave the render (pruned; no machine is deleted with them)',
  ]);
  // A real change made in the same edit is still named, in the same words for both profiles.
  const wider = lines(legacy, { ...current, proxmox: { ...base.proxmox, vm: { bridge: 'vmbr1' } }, cluster: { ...pinned, profile: 'current', podCIDRs: ['10.240.0.0/16'] } });
  expect(wider).toContain('pool gpu: new machine template (API v1alpha1 → v1alpha2, network [{"name":"net0","bridge":"vmbr0","model":"virtio"}] → [{"name":"net0","bridge":"vmbr1","model":"virtio"}]) → rolls 3 machines, surge 1, needs 1 free IP');
  // The pod network is fixed when a cluster is created: flagged, not said as a harmless "Cluster changed (no machine rolls)" as before.
  expect(wider.some((l) => l.startsWith('flag spec.cluster.podCIDRs: pod network ["10.244.0.0/16"] → ["10.240.0.0/16"]: the cluster\'s pod and service networks are fixed when it is created'))).toBe(true);
  expect(wider.some((l) => l.startsWith('Cluster:'))).toBe(false);
  expect(lines(legacy, current).join('\n')).not.toMatch(/networkDevices|"default"/);
});

describe('a roll without a VM ID range is warned about (CAPMOX can delete a VM whose ID Proxmox reused)', () => {
  const range = { ...base.proxmox, vmIDRange: { start: 2000, end: 2099 } };
  const warned = (from: object, to: object) => /\[warning\] cluster cluster09\/cluster09 spec\.proxmox\.vmIDRange: this rolls machines and no VM ID range is set/.test(diffCommand(toYAML(clusterSpec(from)), toYAML(clusterSpec(to))).stderr);
  const resized = (s: any) => ({ ...s, workers: [base.workers[0], { name: 'gpu', replicas: 3, cores: 8 }] });
  test('a pool resize without a range: warned', () => expect(warned(base, resized(base))).toBe(true));
  test('the same resize with a range: not warned', () => expect(warned({ ...base, proxmox: range }, resized({ ...base, proxmox: range }))).toBe(false));
  test('adding the range (which rolls every machine): not warned', () => expect(warned(base, { ...base, proxmox: range })).toBe(false));
  test('moving the range names both as the spec writes them (not as JSON arrays)', () => {
    const moved = { ...base.proxmox, vmIDRange: { start: 3000, end: 3099 } };
    const out = diffCommand(toYAML(clusterSpec({ ...base, proxmox: range })), toYAML(clusterSpec({ ...base, proxmox: moved }))).stdout;
    expect(out).toMatch(/VM ID range 2000-2099 → 3000-3099/);
    expect(out).not.toMatch(/\[2000/);
  });
  test('scaling without a range rolls nothing: not warned', () => expect(warned(base, { ...base, workers: [{ name: 'general', replicas: 6 }, base.workers[1]] })).toBe(false));
});
