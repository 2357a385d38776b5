/**
 * The pinned standalone kustomize (.tools/bin, built by scripts/setup-tools.sh) running the built
 * function as an exec generator, and the Flux workflow that applies its output, with each executable
 * (the Node one, and the standalone one on a PATH with no node).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { KUSTOMIZE, commitAll, run, packageCopy } from './support/exec';
import { EACH_BINARY, examplesFor, pointExecAt } from './support/binaries';
import { validateObjects } from '../src/validate';
import { PROFILE_TARGETS } from '../src/validate/pinned';

const docs = (text: string) => parseAllDocuments(text).map((d: any) => d.toJS());

/** What Flux would apply: no function or local-config annotations, nothing kpt-internal. */
function expectPlainManifests(objs: any[]) {
  for (const o of objs) {
    const keys = Object.keys(o.metadata.annotations ?? {});
    expect(keys.filter((k) => k.startsWith('config.kubernetes.io/') || k.startsWith('internal.config.kubernetes.io/'))).toEqual([]);
  }
  expect(objs.filter((o) => o.kind === 'ClusterSpec')).toEqual([]);
}

describe.each(EACH_BINARY)('kustomize with the %s', (_name, bin) => {
  const examples = examplesFor(bin);
  const build = (dir: string) => run(KUSTOMIZE, ['build', '--enable-alpha-plugins', '--enable-exec', dir], { env: { PATH: bin.PATH() } });

  test('kustomize build runs the generator beside resources and patches', () => {
    const r = build(join(examples, 'kustomize'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const objs = docs(r.stdout);
    const kinds = objs.map((o) => o.kind).sort();
    expect(kinds).toEqual(['Cluster', 'ConfigMap', 'MachineDeployment', 'Namespace', 'ProxmoxCluster', 'ProxmoxMachineTemplate', 'ProxmoxMachineTemplate', 'TalosConfigTemplate', 'TalosControlPlane']);
    expect(objs.find((o) => o.kind === 'Cluster').metadata.annotations['example.com/owner']).toBe('platform-team'); // the kustomize patch
    expect(objs.find((o) => o.kind === 'ConfigMap').data.cidr).toBe('0755'); // the resource beside it
    expect(objs.find((o) => o.kind === 'TalosControlPlane').spec.replicas).toBe(3);
    expectPlainManifests(objs);
    expect(validateObjects(objs.filter((o) => o.kind !== 'ConfigMap'), PROFILE_TARGETS.current[0].sources)).toEqual([]);
  });

  test('a broken spec fails kustomize build and the user sees our message on stderr', () => {
    const dir = packageCopy('kustomize');
    const spec = join(dir, 'cluster.yaml');
    pointExecAt(dir, bin);
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('replicas: 2', 'replicas: 2\n      memoryMiB: 1020'));
    const r = build(dir);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/\[error\] ClusterSpec\/cluster09 spec.workers\[0\].memoryMiB: memoryMiB must be a multiple of 8/);
    expect(r.stdout).toBe('');
  });

  describe('Flux workflow (examples/flux)', () => {
    const env = { KUSTOMIZE, PATH: bin.PATH() };
    /** The example as committed, in a git repository of its own (render.sh --check needs a base revision). */
    const repo = () => {
      const dir = packageCopy('flux');
      pointExecAt(dir, bin);
      commitAll(dir);
      return dir;
    };
    test('the committed rendered output is current, and holds what Flux can apply', () => {
      const dir = repo();
      const r = run('bash', [join(dir, 'render.sh'), '--check', '--base', 'HEAD'], { env });
      expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: 'no changes\n', stderr: '' });
      for (const cluster of ['cluster09', 'cluster10']) {
        const objs = docs(readFileSync(join(examples, 'flux', 'rendered', `${cluster}.yaml`), 'utf8'));
        expectPlainManifests(objs);
        expect(objs.find((o) => o.kind === 'Namespace').metadata.annotations['kustomize.toolkit.fluxcd.io/prune']).toBe('disabled');
        expect(objs.find((o) => o.kind === 'ProxmoxCluster').spec.credentialsRef).toEqual({ name: `${cluster}-proxmox`, namespace: cluster });
        expect(validateObjects(objs, PROFILE_TARGETS.current[0].sources)).toEqual([]);
      }
    });

    test('kustomize builds the same objects from a cluster folder as render.sh (the function alone) writes', () => {
      const r = build(join(examples, 'flux', 'clusters', 'cluster09'));
      expect(r.status).toBe(0);
      const byId = (objs: any[]) => [...objs].sort((a, b) => (`${a.kind}/${a.metadata.name}` < `${b.kind}/${b.metadata.name}` ? -1 : 1));
      expect(byId(docs(r.stdout))).toEqual(byId(docs(readFileSync(join(examples, 'flux', 'rendered', 'cluster09.yaml'), 'utf8')).filter(Boolean)));
    });

    test('the CI gate fails when a spec changed but its rendered output was not committed', () => {
      const dir = repo();
      const spec = join(dir, 'clusters', 'cluster09', 'cluster.yaml');
      writeFileSync(spec, readFileSync(spec, 'utf8').replace('replicas: 2', 'replicas: 3'));
      const r = run('bash', [join(dir, 'render.sh'), '--check', '--base', 'HEAD'], { env });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/rendered\/cluster09.yaml is stale/);
    });
  });

  describe('kustomize overlays over CAPI output', () => {
    test('the trap: namePrefix/namespace transformers leave references dangling', () => {
      const r = build(join(examples, 'kustomize-overlay-trap'));
      expect(r.status).toBe(0); // kustomize does not notice ...
      const objs = docs(r.stdout).filter((o) => o.kind !== 'ConfigMap');
      const problems = validateObjects(objs, PROFILE_TARGETS.current[0].sources).join('\n');
      // ... but CAPI would: the control plane points at a template name and namespace that no longer exist.
      expect(problems).toMatch(/TalosControlPlane\/prod-cluster09-control-plane: spec.infrastructureTemplate points at .* ProxmoxMachineTemplate cluster09-control-plane-\w+, which is not emitted/);
    });

    test('the way: names and namespace set in the ClusterSpec give a consistent cluster', () => {
      const r = build(join(examples, 'kustomize-overlay'));
      expect(r.status).toBe(0);
      const objs = docs(r.stdout);
      expect(objs.find((o) => o.kind === 'Cluster').metadata).toMatchObject({ name: 'prod-cluster09', namespace: 'prod' });
      expect(validateObjects(objs, PROFILE_TARGETS.current[0].sources)).toEqual([]);
    });
  });
});
