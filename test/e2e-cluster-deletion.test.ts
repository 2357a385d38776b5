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

/** The Flux example as a git repository with its render committed, the exec path made absolute (for kustomize). */
function fluxRepo(): string {
  const dir = packageCopy('flux');
  for (const c of ['cluster09', 'cluster10']) {
    const spec = join(dir, 'clusters', c, 'cluster.yaml');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('path: ../../../../dist/capi-proxmox-talos', `path: ${BIN}`));
  }
  commitAll(dir);
  return dir;
}
const renderSh = (dir: string, args: string[] = [], extra: Record<string, string> = {}) => run('bash', [join(dir, 'render.sh'), ...args], { env: { ...env, ...extra } });
const rendered = (dir: string) => join(dir, 'rendered', 'cluster09.yaml');
const head = (dir: string) => git(dir, 'rev-parse', 'HEAD').stdout.trim();
const REFUSAL = /^\[error\] cluster cluster09\/cluster09: refused: deletes cluster cluster09\/cluster09: Flux prunes it and CAPI deletes its machines and VMs; if you mean it, allow it by name: --allow cluster09\/cluster09$/m;

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
    expect(r.stdout).toMatch(/^Usage: render\.sh \[--check\] \[--base REV\] \[--allow CLUSTER\]\.\.\. \[--output json\] \[--help\]\n/);
    expect(r.stdout).toMatch(/The gate/);
    expect(existsSync(rendered(dir))).toBe(false);
  });

  test('an emptied cluster.yaml renders nothing, which render.sh refuses whatever is allowed: nothing is written', () => {
    const dir = fluxRepo();
    const before = readFileSync(rendered(dir), 'utf8');
    writeFileSync(join(dir, 'clusters', 'cluster09', 'cluster.yaml'), '# emptied by mistake\n');
    for (const args of [[], ['--allow-cluster-deletion', 'cluster09'], ['--allow', 'cluster09/cluster09']]) {
      const r = renderSh(dir, args);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/cluster.yaml holds no ClusterSpec \(an empty or emptied file\): to delete a cluster, remove its folder/);
      expect(readFileSync(rendered(dir), 'utf8')).toBe(before);
    }
  });

  test('a removed cluster folder: refused; allowed by name, its rendered file goes too; the CI gate refuses the commit unless allowed', () => {
    const dir = fluxRepo();
    const base = head(dir);
    rmSync(join(dir, 'clusters', 'cluster09'), { recursive: true });
    const r = renderSh(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(REFUSAL);
    expect(existsSync(rendered(dir))).toBe(true);
    expect(renderSh(dir, ['--check', '--base', base]).status).toBe(1);
    const allowed = renderSh(dir, [], { ALLOW_CLUSTER_DELETION: 'cluster09' });
    expect(allowed.status).toBe(0);
    expect(allowed.stderr).toMatch(/^\[warning\] cluster cluster09\/cluster09: allowed: deletes cluster cluster09\/cluster09/m);
    expect(existsSync(rendered(dir))).toBe(false);
    commitAll(dir);
    expect(renderSh(dir, ['--check', '--base', base]).stderr).toMatch(REFUSAL);
    expect(renderSh(dir, ['--check', '--base', base, '--allow', 'cluster09']).status).toBe(0);
  });

  test('ordinary edits pass the guard, and the gate still catches a stale render', () => {
    const dir = fluxRepo();
    const base = head(dir);
    const spec = join(dir, 'clusters', 'cluster09', 'cluster.yaml');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('replicas: 2', 'replicas: 3'));
    const stale = renderSh(dir, ['--check', '--base', base]);
    expect(stale.status).toBe(1);
    expect(stale.stdout).toBe('cluster cluster09/cluster09: update\npool worker: replicas 2 → 3 (scale, no roll)\nunchanged: cluster10/cluster10\n');
    expect(stale.stderr).toBe('rendered/cluster09.yaml is stale: run render.sh and commit the result\n');
    expect(renderSh(dir).status).toBe(0);
    commitAll(dir);
    expect(renderSh(dir, ['--check', '--base', base]).status).toBe(0);
  });

  test('unknown arguments are refused', () => {
    const r = run('bash', [join(REPO, 'examples', 'flux', 'render.sh'), '--chek'], { env });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown argument '--chek'/);
  });
});
