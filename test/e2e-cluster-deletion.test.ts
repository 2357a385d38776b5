/**
 * An empty or emptied ClusterSpec must never delete a cluster by accident (issue 11). What the real tools
 * do with one, what the function does without a functionConfig, and the deletion guard of the Flux
 * example's render.sh and its CI gate (--check), all with the real kustomize and kpt.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const readdir = (d: string) => readdirSync(d).sort();
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, KPT, KUSTOMIZE, REPO, changes, commitAll, git, packageCopy, run } from './support/exec';

const env = { KUSTOMIZE };

/** The Flux example as a git repository with its render committed, the exec path made absolute. */
function fluxRepo(): string {
  const dir = packageCopy('flux');
  const spec = join(dir, 'clusters', 'cluster09', 'cluster.yaml');
  writeFileSync(spec, readFileSync(spec, 'utf8').replace('path: ../../../../dist/capi-proxmox-talos', `path: ${BIN}`));
  expect(run('bash', [join(dir, 'render.sh')], { env }).status).toBe(0);
  commitAll(dir);
  return dir;
}
const renderSh = (dir: string, args: string[] = [], extra: Record<string, string> = {}) => run('bash', [join(dir, 'render.sh'), ...args], { env: { ...env, ...extra } });
const rendered = (dir: string) => join(dir, 'rendered', 'cluster09.yaml');
const REFUSAL = /refusing to render rendered\/cluster09\.yaml: it would delete Cluster cluster09\/cluster09, which the previous render has .* --allow-cluster-deletion cluster09/;

describe('what the tools do with an empty ClusterSpec', () => {
  test('kpt fn render with an emptied configPath file fails in kpt itself (it never calls the function): nothing is written', () => {
    const dir = packageCopy('kpt');
    expect(run(KPT, ['fn', 'render', '--allow-exec', dir]).status).toBe(0);
    commitAll(dir);
    writeFileSync(join(dir, 'cluster.yaml'), '');
    commitAll(dir);
    const r = run(KPT, ['fn', 'render', '--allow-exec', dir]);
    expect(r.status).not.toBe(0);
    expect(changes(dir)).toBe('');
  });

  test('kustomize does not run a generator whose file is empty: an empty build, exit 0 (hence the guard below)', () => {
    const dir = fluxRepo();
    writeFileSync(join(dir, 'clusters', 'cluster09', 'cluster.yaml'), '');
    const r = run(KUSTOMIZE, ['build', '--enable-alpha-plugins', '--enable-exec', join(dir, 'clusters', 'cluster09')]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('');
  });

  test('kpt fn eval without --fn-config passes a placeholder: the function says it has no ClusterSpec, exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpt-'));
    writeFileSync(join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n');
    const r = run(KPT, ['fn', 'eval', dir, '--exec', BIN]);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/no ClusterSpec to render: this function takes a ClusterSpec/);
    expect(readdir(dir)).toEqual(['cm.yaml']);
  });
});



describe('render.sh deletion guard', () => {
  test('--help prints the help, renders nothing', () => {
    const dir = fluxRepo();
    rmSync(rendered(dir));
    const r = renderSh(dir, ['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: render\.sh \[--check\] \[--allow-cluster-deletion NAME\]/);
    expect(r.stdout).toMatch(/Deletion guard/);
    expect(existsSync(rendered(dir))).toBe(false);
  });

  test('an emptied cluster.yaml: render.sh refuses and writes nothing; allowed by name it writes the empty render', () => {
    const dir = fluxRepo();
    const before = readFileSync(rendered(dir), 'utf8');
    writeFileSync(join(dir, 'clusters', 'cluster09', 'cluster.yaml'), '# emptied by mistake\n');
    const r = renderSh(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(REFUSAL);
    expect(readFileSync(rendered(dir), 'utf8')).toBe(before);
    expect(renderSh(dir, ['--allow-cluster-deletion', 'other']).status).toBe(1); // another name allows nothing here
    const allowed = renderSh(dir, ['--allow-cluster-deletion', 'cluster09']);
    expect(allowed.status).toBe(0);
    expect(allowed.stderr).toMatch(/deleting Cluster cluster09\/cluster09 \(allowed\)/);
    expect(readFileSync(rendered(dir), 'utf8').trim()).toBe('');
  });

  test('the CI gate: an emptied render committed with it still fails --check against the previous commit, unless allowed', () => {
    const dir = fluxRepo();
    writeFileSync(join(dir, 'clusters', 'cluster09', 'cluster.yaml'), '');
    expect(renderSh(dir, [], { ALLOW_CLUSTER_DELETION: 'cluster09' }).status).toBe(0);
    commitAll(dir); // rendered/cluster09.yaml is now empty and "current"
    const gate = renderSh(dir, ['--check']);
    expect(gate.status).toBe(1);
    expect(gate.stderr).toMatch(REFUSAL);
    expect(renderSh(dir, ['--check'], { ALLOW_CLUSTER_DELETION: 'cluster09/cluster09' }).status).toBe(0);
    // RENDER_BASE names the revision last applied (a pull request's base): the same answer.
    const first = git(dir, 'rev-list', '--max-parents=0', 'HEAD').stdout.trim();
    expect(renderSh(dir, ['--check'], { RENDER_BASE: first }).stderr).toMatch(/refusing to render/);
  });

  test('a removed cluster folder: refused; allowed by name, its rendered file goes too', () => {
    const dir = fluxRepo();
    rmSync(join(dir, 'clusters', 'cluster09'), { recursive: true });
    const r = renderSh(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(REFUSAL);
    expect(existsSync(rendered(dir))).toBe(true);
    expect(renderSh(dir, ['--check']).status).toBe(1);
    expect(renderSh(dir, [], { ALLOW_CLUSTER_DELETION: 'cluster09' }).status).toBe(0);
    expect(existsSync(rendered(dir))).toBe(false);
  });

  test('ordinary edits pass the guard, and the gate still catches a stale render', () => {
    const dir = fluxRepo();
    const spec = join(dir, 'clusters', 'cluster09', 'cluster.yaml');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('replicas: 2', 'replicas: 3'));
    const stale = renderSh(dir, ['--check']);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toMatch(/rendered\/cluster09.yaml is stale/);
    expect(stale.stderr).not.toMatch(/refusing/);
    expect(renderSh(dir).status).toBe(0);
    commitAll(dir);
    expect(renderSh(dir, ['--check']).status).toBe(0);
  });

  test('unknown arguments are refused', () => {
    const r = run('bash', [join(REPO, 'examples', 'flux', 'render.sh'), '--chek'], { env });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown argument '--chek'/);
  });
});
