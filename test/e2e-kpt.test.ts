/**
 * The real kpt (/usr/bin/kpt) running the built function: render in a Kptfile pipeline and eval, with each
 * executable (the Node one, and the standalone one on a PATH with no node).
 * The example package follows the kpt functions catalog convention: examples/kpt/.expected/ holds the
 * command (config.yaml), the change it makes (diff.patch) and its results (results.yaml).
 * Regenerate with UPDATE_GOLDEN=1 and read the diff.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { KPT, REPO, run, packageCopy, changes, commitAll, files } from './support/exec';
import { EACH_BINARY } from './support/binaries';
import { validateObjects } from '../src/validate';
import { PROFILE_TARGETS } from '../src/validate/pinned';

const expected = join(REPO, 'examples', 'kpt', '.expected');
const update = process.env.UPDATE_GOLDEN === '1';
const golden = (file: string, actual: string) => {
  const p = join(expected, file);
  if (update) writeFileSync(p, actual);
  if (!existsSync(p)) throw new Error(`${p} is missing: run with UPDATE_GOLDEN=1 and review the new file`);
  expect(actual).toBe(readFileSync(p, 'utf8'));
};

describe.each(EACH_BINARY)('kpt with the %s', (_name, bin) => {
  /** kpt finds the Kptfile's bare `exec: capi-proxmox-talos` on this binary's PATH. */
  const kpt = (args: string[]) => run(KPT, args, { env: { PATH: bin.PATH() } });

  test('kpt fn render writes the expected package change, with results, and a second render changes nothing', () => {
    const pkg = packageCopy('kpt');
    const cfg = parse(readFileSync(join(expected, 'config.yaml'), 'utf8'));
    const resultsDir = join(pkg, '..', `${pkg.split('/').pop()}-results`);
    const first = kpt([...cfg.args, pkg, '--results-dir', resultsDir]);
    expect(first.status).toBe(0);
    golden('diff.patch', changes(pkg));
    const results = parse(readFileSync(join(resultsDir, 'results.yaml'), 'utf8'));
    golden('results.yaml', `${JSON.stringify(results.items.map((i: any) => ({ image: i.image, exec: i.exec?.replace(/.*\//, ''), exitCode: i.exitCode, results: i.results })), null, 2)}\n`);
    commitAll(pkg);

    const second = kpt([...cfg.args, pkg]);
    expect(second.status).toBe(0);
    expect(changes(pkg)).toBe(''); // idempotent: no duplicates, no rewritten files
  });

  test('the rendered file holds plain, valid manifests', () => {
    const pkg = packageCopy('kpt');
    expect(kpt(['fn', 'render', '--allow-exec', pkg]).status).toBe(0);
    const docs = parseAllDocuments(readFileSync(join(pkg, 'generated', 'cluster09.yaml'), 'utf8')).map((d: any) => d.toJS());
    expect(docs.map((d) => d.kind)).toEqual(['Namespace', 'Cluster', 'ProxmoxCluster', 'ProxmoxMachineTemplate', 'TalosControlPlane', 'ProxmoxMachineTemplate', 'TalosConfigTemplate', 'MachineDeployment']);
    for (const d of docs) {
      const ann = Object.keys(d.metadata.annotations ?? {});
      expect(ann.filter((a) => a.startsWith('internal.config.kubernetes.io/') || a.startsWith('config.kubernetes.io/'))).toEqual([]);
    }
    expect(validateObjects(docs, PROFILE_TARGETS.current[0].sources)).toEqual([]);
  });

  test('a removed pool disappears on re-render; user files and the ClusterSpec stay as they are', () => {
    const pkg = packageCopy('kpt');
    const spec = join(pkg, 'cluster.yaml');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('    - name: worker\n      replicas: 2\n', '    - name: worker\n      replicas: 2\n    - name: gpu\n      replicas: 1\n'));
    writeFileSync(join(pkg, 'mine.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mine # keep me\ndata:\n  mode: 0755\n  when: 2024-01-02\n');
    commitAll(pkg);
    expect(kpt(['fn', 'render', '--allow-exec', pkg]).status).toBe(0);
    expect(readFileSync(join(pkg, 'generated', 'cluster09.yaml'), 'utf8')).toContain('name: cluster09-gpu');
    commitAll(pkg);
    const before = files(pkg);

    writeFileSync(spec, before['cluster.yaml'].replace('    - name: gpu\n      replicas: 1\n', ''));
    expect(kpt(['fn', 'render', '--allow-exec', pkg]).status).toBe(0);
    const after = files(pkg);
    expect(after['generated/cluster09.yaml']).not.toContain('cluster09-gpu');
    expect(after['mine.yaml']).toBe(before['mine.yaml']);
    expect(after['Kptfile']).toBe(before['Kptfile']);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
  });

  test('kpt fn eval --exec with --fn-config, no Kptfile needed', () => {
    const pkg = packageCopy('kpt-eval');
    const r = kpt(['fn', 'eval', pkg, '--exec', bin.path, '--fn-config', join(REPO, 'examples', 'kpt-eval', 'cluster.yaml')]);
    expect(r.status).toBe(0);
    const out = readFileSync(join(pkg, 'generated', 'cluster09.yaml'), 'utf8');
    expect(out).toContain('kind: TalosControlPlane');
    expect(kpt(['fn', 'eval', pkg, '--exec', bin.path, '--fn-config', join(REPO, 'examples', 'kpt-eval', 'cluster.yaml')]).status).toBe(0);
    expect(readFileSync(join(pkg, 'generated', 'cluster09.yaml'), 'utf8')).toBe(out);
  });

  test('a broken spec fails the render with our message, and no file changes', () => {
    const pkg = packageCopy('kpt');
    const spec = join(pkg, 'cluster.yaml');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('endpointIP: 192.168.4.100', 'endpointIP: 192.168.4.105'));
    commitAll(pkg);
    const r = kpt(['fn', 'render', '--allow-exec', pkg]);
    expect(r.status).not.toBe(0);
    const shown = r.stdout + r.stderr;
    expect(shown).toMatch(/\[error\] capi-proxmox-talos.dev\/v1alpha1\/ClusterSpec\/cluster09 spec.controlPlane.endpointIP: endpointIP 192.168.4.105 lies inside/);
    expect(shown).not.toMatch(/at \w+ \(.*\.js:\d+/); // no stack trace
    expect(shown.match(/lies inside/g)).toHaveLength(1); // kpt lists the results; no second copy from stderr
    expect(changes(pkg)).toBe('');
  });
});

test('allowing for kpt >= beta.62: a Kptfile change that is only render status is not a change', () => {
  const pkg = packageCopy('kpt');
  const k = join(pkg, 'Kptfile');
  writeFileSync(k, `${readFileSync(k, 'utf8')}status:\n  renderStatus: {result: Succeeded}\n`);
  expect(changes(pkg)).toBe('');
  writeFileSync(k, readFileSync(k, 'utf8').replace('name: clusters', 'name: renamed'));
  expect(changes(pkg)).toMatch(/renamed/);
});
