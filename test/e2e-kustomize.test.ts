/**
 * The pinned standalone kustomize (.tools/bin, built by scripts/setup-tools.sh) running the built
 * function as an exec generator, and the Flux workflow that applies its output, with each executable
 * (the Node one, and the standalone one on a PATH with no node). The examples name the function by its
 * bare name (`exec: path: capi-proxmox-talos`), which kustomize looks up on PATH: each executable is
 * found by the PATH it runs with, and the examples are used exactly as committed.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { KUSTOMIZE, REPO, run, packageCopy } from './support/exec';
import { EACH_BINARY, NODE_EXECUTABLE } from './support/binaries';
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
  const examples = join(REPO, 'examples');
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
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('replicas: 2', 'replicas: 2\n      memoryMiB: 1020'));
    const r = build(dir);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/\[error\] ClusterSpec\/cluster09 spec.workers\[0\].memoryMiB: memoryMiB must be a multiple of 8/);
    expect(r.stdout).toBe('');
  });

  describe('Flux workflow (examples/flux)', () => {
    const env = { KUSTOMIZE, PATH: bin.PATH() };
    /** The example as committed, in a git repository of its own (render.sh --check needs a base revision). */
    const repo = () => packageCopy('flux');
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

/**
 * How kustomize v5.8.1 finds an exec function, which the examples and docs rely on (kyaml's exec filter runs
 * exec.Command(path) with the kustomization folder as its working directory: kustomize@kustomize/v5.8.1
 * kyaml/fn/runtime/exec/exec.go, api/internal/target/kusttarget.go). Each case also pins the message
 * docs/troubleshooting.md quotes.
 */
describe('how kustomize finds the function', () => {
  /** A cluster folder whose spec names the function as `path`, or carries no function annotation (null). */
  function folder(path: string | null): string {
    const dir = packageCopy('kustomize');
    const spec = join(dir, 'cluster.yaml');
    const text = readFileSync(spec, 'utf8');
    expect(text).toContain('    config.kubernetes.io/function: |\n      exec:\n        path: capi-proxmox-talos\n'); // the example's annotation, which this edits
    const next = path === null ? text.replace(/ {2}annotations:\n(?: {4}#.*\n)*    config\.kubernetes\.io\/function: \|\n.*\n.*\n/, '') : text.replace('path: capi-proxmox-talos\n', `path: ${path}\n`);
    if (path === null) expect(next).not.toMatch(/config\.kubernetes\.io\/function/);
    writeFileSync(spec, next);
    writeFileSync(join(dir, 'kustomization.yaml'), 'generators:\n  - cluster.yaml\n');
    return dir;
  }
  const build = (dir: string, PATH: string, cwd = tmpdir()) => run(KUSTOMIZE, ['build', '--enable-alpha-plugins', '--enable-exec', dir], { cwd, env: { PATH } });
  const withoutFunction = '/usr/bin:/bin'; // no dist/, no capi-proxmox-talos

  test('a bare name is looked up on PATH (the examples\' annotation): found there, and only there', () => {
    const dir = folder('capi-proxmox-talos');
    expect(build(dir, NODE_EXECUTABLE.PATH()).stdout).toMatch(/^kind: TalosControlPlane$/m);
    writeFileSync(join(dir, 'capi-proxmox-talos'), readFileSync(NODE_EXECUTABLE.path), { mode: 0o755 }); // beside the kustomization: not used
    const r = build(dir, withoutFunction);
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 1, stdout: '' });
    expect(r.stderr).toContain('Error: couldn\'t execute function: exec: "capi-proxmox-talos": executable file not found in $PATH');
  });

  test('a path with a slash is taken from the kustomization folder, never from PATH or the working directory', () => {
    const dir = folder('./capi-proxmox-talos');
    const r = build(dir, NODE_EXECUTABLE.PATH(), join(REPO, 'dist')); // on PATH and in the working directory, not in the folder
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Error: couldn't execute function: fork/exec ./capi-proxmox-talos: no such file or directory");
    writeFileSync(join(dir, 'capi-proxmox-talos'), readFileSync(NODE_EXECUTABLE.path), { mode: 0o755 });
    expect(build(dir, NODE_EXECUTABLE.PATH()).stdout).toMatch(/^kind: TalosControlPlane$/m);
  });

  test('no function annotation: kustomize looks for a Go plugin and fails (render.sh renders such a folder itself)', () => {
    const dir = folder(null);
    const r = build(dir, NODE_EXECUTABLE.PATH());
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Error: loading generator plugins: failed to load generator: unable to find plugin root');
    expect(run(NODE_EXECUTABLE.path, ['render', dir]).stdout).toMatch(/^kind: TalosControlPlane$/m);
  });

  test('kustomize build -o FILE writes nothing when the build fails: the file keeps what it held (a shell > would empty it)', () => {
    const dir = folder('capi-proxmox-talos');
    const out = join(mkdtempSync(join(tmpdir(), 'cpt-out-')), 'rendered.yaml');
    const args = ['build', '--enable-alpha-plugins', '--enable-exec', dir, '-o', out];
    expect(run(KUSTOMIZE, args, { env: { PATH: withoutFunction } }).status).toBe(1);
    expect(existsSync(out)).toBe(false);
    writeFileSync(out, 'the previous render\n');
    expect(run(KUSTOMIZE, args, { env: { PATH: withoutFunction } }).status).toBe(1);
    expect(readFileSync(out, 'utf8')).toBe('the previous render\n');
    expect(run(KUSTOMIZE, args, { env: { PATH: NODE_EXECUTABLE.PATH() } }).status).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^kind: TalosControlPlane$/m);
  });
});
