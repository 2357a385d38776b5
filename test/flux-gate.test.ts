/**
 * The Flux gate (examples/flux/render.sh, which calls `capi-proxmox-talos diff --gate`) in real git
 * repositories, for every case of issue 19's "Why" list that reaches Flux: each edit is committed the way a
 * user would (rendered with render.sh, or pushed past a local guard), then judged by `render.sh --check`
 * against an explicit base, and the plan is asserted in JSON and in words. Kustomize (the real one, from
 * .tools/bin) only where a cluster folder needs it. Also issue 23's "render.sh without kustomize".
 */
import { cpSync, existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { importHelmValues } from '../src/migrate/chooseRelease';
import { toYAML } from '../src/yaml/write';
import { noNodePath } from './support/binaries';
import { BIN, KUSTOMIZE, commitAll, git, packageCopy, run } from './support/exec';

const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904'; // git hash-object -t tree /dev/null

/** examples/flux as a git repository: two clusters, their render committed. */
function fluxRepo(): { dir: string; base: string } {
  const dir = packageCopy('flux');
  return { dir, base: head(dir) };
}
const head = (dir: string) => git(dir, 'rev-parse', 'HEAD').stdout.trim();
/** examples/flux with both clusters on an older Kubernetes (the examples pin the newest, which cannot go up), rendered and committed. */
function fluxRepoOn(kubernetesVersion: string): { dir: string; base: string } {
  const dir = packageCopy('flux');
  for (const c of ['cluster09', 'cluster10']) editSpec(dir, c, (t) => t.replace('kubernetesVersion: v1.37.0', `kubernetesVersion: ${kubernetesVersion}`));
  for (const f of readdirSync(join(dir, 'rendered')).filter((f) => f.endsWith('.yaml'))) rmSync(join(dir, 'rendered', f));
  expect(renderSh(dir).status).toBe(0); // a first render
  commitAll(dir);
  return { dir, base: head(dir) };
}
const renderSh = (dir: string, args: string[] = [], env: Record<string, string> = {}) => run('bash', [join(dir, 'render.sh'), ...args], { env: { KUSTOMIZE, ...env } });
const check = (dir: string, base: string, args: string[] = [], env: Record<string, string> = {}) => renderSh(dir, ['--check', '--base', base, ...args], env);
const planJSON = (dir: string, base: string, args: string[] = []) => {
  const r = check(dir, base, ['--output', 'json', ...args]);
  return { status: r.status, plan: JSON.parse(r.stdout), stderr: r.stderr };
};
const specPath = (dir: string, cluster: string) => join(dir, 'clusters', cluster, 'cluster.yaml');
const editSpec = (dir: string, cluster: string, edit: (text: string) => string) => {
  const before = readFileSync(specPath(dir, cluster), 'utf8');
  const after = edit(before);
  expect(after).not.toBe(before); // the edit found what it changes
  writeFileSync(specPath(dir, cluster), after);
};
/** Render past the local guard (allowing the named clusters) and commit: what a push that reaches CI holds. */
const renderAndCommit = (dir: string, ...allow: string[]) => {
  const r = renderSh(dir, allow.flatMap((a) => ['--allow', a]));
  expect({ status: r.status, errors: r.stderr.split('\n').filter((l) => l.startsWith('[error]')) }).toEqual({ status: 0, errors: [] });
  commitAll(dir);
};
const renderedFiles = (dir: string) => Object.fromEntries(readdirSync(join(dir, 'rendered')).sort().map((f) => [f, readFileSync(join(dir, 'rendered', f), 'utf8')]));
const summary = (plan: any) => plan.clusters.map((c: any) => `${c.namespace}/${c.name} ${c.change}`);

test('the example: two clusters, each rendered into its own file; --check at its own commit passes with no changes', () => {
  const { dir, base } = fluxRepo();
  expect(readdirSync(join(dir, 'rendered')).sort()).toEqual(['README.md', 'cluster09.yaml', 'cluster10.yaml']);
  const r = check(dir, base);
  expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: 'no changes\n', stderr: '' });
  const { plan } = planJSON(dir, base);
  expect(summary(plan)).toEqual(['cluster09/cluster09 unchanged', 'cluster10/cluster10 unchanged']);
  expect(plan.problems).toEqual([]); // the two clusters collide in nothing
});

describe('--check needs an explicit base, never HEAD^', () => {
  test('a push of two commits, the first deleting a cluster, is judged against the base and refused', () => {
    const { dir, base } = fluxRepo();
    rmSync(join(dir, 'clusters', 'cluster10'), { recursive: true });
    renderAndCommit(dir, 'cluster10'); // commit 1: allowed locally, so it reaches CI
    editSpec(dir, 'cluster09', (t) => t.replace('replicas: 2', 'replicas: 3'));
    renderAndCommit(dir); // commit 2: an ordinary edit on top
    // HEAD^ (what --check used to compare with) no longer has cluster10: the old gate passed this push.
    expect(git(dir, 'ls-tree', '--name-only', 'HEAD^', 'rendered/').stdout).toBe('rendered/README.md\nrendered/cluster09.yaml\n');
    const { status, plan } = planJSON(dir, base);
    expect(status).toBe(1);
    expect(summary(plan)).toEqual(['cluster09/cluster09 update', 'cluster10/cluster10 delete']);
    expect(plan.refused).toBe(true);
    expect(plan.problems.filter((p: any) => p.severity === 'error').map((p: any) => [p.cluster, p.rule])).toEqual([['cluster10/cluster10', 'delete']]);
    const text = check(dir, base);
    expect(text.stdout).toMatch(/^cluster cluster09\/cluster09: update\npool worker: replicas 2 → 3 \(scale, no roll\)\ncluster cluster10\/cluster10: delete\n/);
    expect(text.stderr).toMatch(/^\[error\] cluster cluster10\/cluster10: refused: deletes cluster cluster10\/cluster10: Flux prunes it and CAPI deletes its machines and VMs; if you mean it, allow it by name: --allow cluster10\/cluster10$/m);
    // The revision as Flux reports it (status.lastAppliedRevision) is accepted as it is; allowed by name, the push passes.
    expect(check(dir, `main@sha1:${base}`).status).toBe(1);
    expect(check(dir, base, [], { ALLOW_CLUSTERS: 'cluster10' }).status).toBe(0);
  });

  test('a pull request is judged against its merge base with the target branch (as docs/plan.md has CI do), not the tip', () => {
    const { dir, base } = fluxRepo();
    git(dir, 'branch', '-M', 'main');
    git(dir, 'checkout', '-qb', 'feature');
    rmSync(join(dir, 'clusters', 'cluster10'), { recursive: true });
    renderAndCommit(dir, 'cluster10'); // the pull request deletes cluster10
    git(dir, 'checkout', '-q', 'main');
    editSpec(dir, 'cluster09', (t) => t.replace('replicas: 2', 'replicas: 3'));
    renderAndCommit(dir); // meanwhile main scales cluster09
    git(dir, 'checkout', '-q', 'feature');
    expect(git(dir, 'merge-base', 'main', 'HEAD').stdout.trim()).toBe(base);
    const r = run('bash', ['-c', 'bash render.sh --check --base "$(git merge-base main HEAD)" --output json'], { cwd: dir, env: { KUSTOMIZE } });
    expect(r.status).toBe(1);
    expect(summary(JSON.parse(r.stdout))).toEqual(['cluster09/cluster09 unchanged', 'cluster10/cluster10 delete']);
    // Against main's tip the pull request would seem to scale cluster09 back down, which it does not do.
    expect(check(dir, 'main').stdout).toMatch(/^pool worker: replicas 3 → 2 \(scale, no roll\)$/m);
  });

  test('without a base: exit 2 and how to get one (merge base in CI, or the revision Flux last applied)', () => {
    const { dir } = fluxRepo();
    const r = renderSh(dir, ['--check']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^render.sh: --check needs the base: the revision whose rendered\/ Flux applied last/);
    expect(r.stderr).toContain('git merge-base origin/main HEAD');
    expect(r.stderr).toContain("jsonpath='{.status.lastAppliedRevision}'");
    expect(renderSh(dir, ['--check', '--base', 'no-such-revision']).stderr).toMatch(/^render.sh: the base 'no-such-revision' is not a git revision of this repository/);
  });
});

describe('renames and moves', () => {
  test('a namespace move is refused as a delete + create; the old Namespace is kept', () => {
    const { dir, base } = fluxRepo();
    editSpec(dir, 'cluster10', (t) => t.replace('spec:\n  cluster:\n', 'spec:\n  cluster:\n    namespace: team\n'));
    const local = renderSh(dir);
    expect(local.status).toBe(1); // the local render refuses too, and writes nothing
    expect(git(dir, 'status', '--porcelain', 'rendered').stdout).toBe('');
    renderAndCommit(dir, 'cluster10');
    const { status, plan } = planJSON(dir, base);
    expect(status).toBe(1);
    expect(summary(plan)).toEqual(['cluster09/cluster09 unchanged', 'cluster10/cluster10 delete', 'team/cluster10 create']);
    expect(plan.clusters[1].movedTo).toEqual({ namespace: 'team', name: 'cluster10' });
    expect(plan.clusters[1].objects.kept).toEqual([{ group: '', kind: 'Namespace', namespace: '', name: 'cluster10' }]);
    expect(plan.problems.find((p: any) => p.severity === 'error')).toMatchObject({ cluster: 'cluster10/cluster10', rule: 'move' });
    const text = check(dir, base).stdout;
    expect(text).toMatch(/^cluster cluster10\/cluster10: delete \(moved to team\/cluster10: deleted, not moved\)$/m);
    expect(text).toMatch(/^kept: Namespace\/cluster10 \(Flux does not prune it; delete it by hand once nothing of the cluster is left in it\)$/m);
  });

  test('a rename in the same folder is refused the same way; nothing "rolls"', () => {
    const { dir, base } = fluxRepo();
    editSpec(dir, 'cluster10', (t) => t.replace('spec:\n  cluster:\n', 'spec:\n  cluster:\n    name: cluster11\n'));
    renderAndCommit(dir, 'cluster10');
    const { status, plan } = planJSON(dir, base);
    expect(status).toBe(1);
    expect(summary(plan)).toEqual(['cluster09/cluster09 unchanged', 'cluster10/cluster10 delete', 'cluster11/cluster11 create']);
    expect(plan.clusters.flatMap((c: any) => c.rollouts)).toEqual([]);
    expect(check(dir, base).stdout).not.toMatch(/rolls/);
  });

  test("moving a cluster's folder (and so its rendered file) is not a deletion; deleting it still is", () => {
    const { dir, base } = fluxRepo();
    renameSync(join(dir, 'clusters', 'cluster10'), join(dir, 'clusters', 'lab'));
    renderAndCommit(dir); // no --allow needed: the local render sees no deletion either
    expect(readdirSync(join(dir, 'rendered')).sort()).toEqual(['README.md', 'cluster09.yaml', 'lab.yaml']);
    const r = check(dir, base);
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: 'no changes\n' });
    rmSync(join(dir, 'clusters', 'lab'), { recursive: true });
    expect(renderSh(dir).status).toBe(1);
    renderAndCommit(dir, 'cluster10');
    expect(check(dir, base).status).toBe(1);
  });
});

test('deleting every cluster keeps rendered/ in Git (its README), so Flux prunes instead of failing on a missing path', () => {
  // Catches render.sh removing files other than the rendered *.yaml, and the example losing its keep file:
  // without it Git drops the emptied rendered/ and kustomize-controller stops with "kustomization path not found".
  const { dir, base } = fluxRepo();
  for (const c of ['cluster09', 'cluster10']) rmSync(join(dir, 'clusters', c), { recursive: true });
  renderAndCommit(dir, 'cluster09', 'cluster10');
  expect(git(dir, 'ls-tree', '--name-only', 'HEAD', 'rendered/').stdout).toBe('rendered/README.md\n');
  const { status, plan } = planJSON(dir, base, ['--allow', 'cluster09', '--allow', 'cluster10']);
  expect({ status, clusters: summary(plan) }).toEqual({ status: 0, clusters: ['cluster09/cluster09 delete', 'cluster10/cluster10 delete'] });
});

describe('what the gate refuses in place', () => {
  test('moving controlPlane.endpointIP: flagged and refused', () => {
    const { dir, base } = fluxRepo();
    editSpec(dir, 'cluster09', (t) => t.replace('endpointIP: 192.168.4.100', 'endpointIP: 192.168.4.99'));
    renderAndCommit(dir, 'cluster09');
    const { status, plan } = planJSON(dir, base);
    expect(status).toBe(1);
    expect(plan.clusters[0].flags.map((f: any) => [f.path, f.before, f.after])).toEqual([['spec.controlPlane.endpointIP', '192.168.4.100:6443', '192.168.4.99:6443']]);
    expect(check(dir, base).stdout).toMatch(/^flag spec.controlPlane.endpointIP: the API endpoint 192.168.4.100:6443 → 192.168.4.99:6443: CAPI copied the API endpoint into the Cluster/m);
  });

  test('a Kubernetes minor skip on the Flux path: render.sh writes nothing, --check refuses', () => {
    const { dir, base } = fluxRepoOn('v1.35.2');
    const before = renderedFiles(dir);
    editSpec(dir, 'cluster10', (t) => t.replace('kubernetesVersion: v1.35.2', 'kubernetesVersion: v1.37.0'));
    const local = renderSh(dir, ['--allow', 'cluster10']); // no name allows a skip
    expect(local.status).toBe(1);
    expect(local.stderr).toMatch(/^\[error\] cluster cluster10\/cluster10 spec.cluster.kubernetesVersion: Kubernetes v1.35.2 → v1.37.0 skips a minor version; upgrade one minor at a time: v1.35 → v1.36 → v1.37/m);
    expect(renderedFiles(dir)).toEqual(before);
    // Pushed anyway (the render written by hand, e.g. with kustomize): the gate refuses it.
    writeFileSync(join(dir, 'rendered', 'cluster10.yaml'), run(BIN, ['render', join(dir, 'clusters', 'cluster10')]).stdout);
    commitAll(dir);
    const { status, plan } = planJSON(dir, base);
    expect(status).toBe(1);
    expect(plan.clusters[1].rollouts.map((r: any) => [r.owner.kind, r.reasons[0]])).toEqual([
      ['TalosControlPlane', 'Kubernetes v1.35.2 → v1.37.0'],
      ['MachineDeployment', 'Kubernetes v1.35.2 → v1.37.0'],
    ]);
    expect(plan.problems.filter((p: any) => p.severity === 'error').map((p: any) => p.field.path)).toEqual(['spec.cluster.kubernetesVersion']);
  });

  test('two clusters in one cluster file: the second one is judged too (its roll, its minor skip)', () => {
    const { dir } = fluxRepoOn('v1.35.2');
    const pair = join(dir, 'clusters', 'pair');
    mkdirSync(pair);
    cpSync(join(dir, 'clusters', 'cluster09', 'kustomization.yaml'), join(pair, 'kustomization.yaml'));
    const one = (name: string, octet: number, ids: number) =>
      readFileSync(specPath(dir, 'cluster09'), 'utf8')
        .replace(/cluster09/g, name)
        .replace('endpointIP: 192.168.4.100', `endpointIP: 192.168.4.${octet}`)
        .replace('192.168.4.101-192.168.4.120', `192.168.4.${octet + 1}-192.168.4.${octet + 20}`)
        .replace('{start: 4100, end: 4149}', `{start: ${ids}, end: ${ids + 49}}`);
    writeFileSync(join(pair, 'cluster.yaml'), `${one('east', 160, 4200)}---\n${one('west', 190, 4250)}`);
    renderAndCommit(dir);
    const base = head(dir);
    expect(readFileSync(join(dir, 'rendered', 'pair.yaml'), 'utf8').match(/^kind: Cluster$/gm)).toHaveLength(2);
    writeFileSync(join(pair, 'cluster.yaml'), readFileSync(join(pair, 'cluster.yaml'), 'utf8').replace(/(name: west\n[\s\S]*?)kubernetesVersion: v1\.35\.2/, '$1kubernetesVersion: v1.37.0'));
    writeFileSync(join(dir, 'rendered', 'pair.yaml'), run(BIN, ['render', pair]).stdout);
    commitAll(dir);
    const { status, plan } = planJSON(dir, base);
    expect(status).toBe(1);
    expect(summary(plan)).toEqual(['cluster09/cluster09 unchanged', 'cluster10/cluster10 unchanged', 'east/east unchanged', 'west/west update']);
    expect(plan.clusters[3].rollouts.map((r: any) => r.owner.name)).toEqual(['west-control-plane', 'west-worker']);
    expect(plan.problems.filter((p: any) => p.severity === 'error').map((p: any) => p.cluster)).toEqual(['west/west']);
  });
});

describe('adopted clusters and what kustomize may drop', () => {
  /** A chart-made cluster imported with adoptedFrom, on its own addresses and VM IDs. */
  function addAdopted(dir: string) {
    const { clusterSpec } = importHelmValues({ cluster: { name: 'prod' }, controlplane: { machine_count: 3 } }, { chartVersion: '0.1.6' });
    Object.assign(clusterSpec.spec.network, { ipRanges: ['10.20.0.101-10.20.0.140'], prefix: 24, gateway: '10.20.0.1', dnsServers: ['10.20.0.1'] });
    clusterSpec.spec.controlPlane.endpointIP = '10.20.0.100';
    clusterSpec.spec.proxmox.vmIDRange = { start: 5000, end: 5099 };
    mkdirSync(join(dir, 'clusters', 'prod'));
    cpSync(join(dir, 'clusters', 'cluster09', 'kustomization.yaml'), join(dir, 'clusters', 'prod', 'kustomization.yaml'));
    writeFileSync(specPath(dir, 'prod'), toYAML(clusterSpec));
    renderAndCommit(dir);
    return head(dir);
  }

  test('dropping adoptedFrom (the TalosControlPlane and ProxmoxCluster renamed) is refused', () => {
    const { dir } = fluxRepo();
    const base = addAdopted(dir);
    editSpec(dir, 'prod', (t) => t.replace(/^ {4}adoptedFrom: cluster-chart\n/m, ''));
    renderAndCommit(dir, 'prod');
    const { status, plan } = planJSON(dir, base);
    expect(status).toBe(1);
    const prod = plan.clusters.find((c: any) => c.name === 'prod');
    expect(prod.change).toBe('update');
    expect(prod.destroys.map((d: any) => `${d.object.kind}/${d.object.name} ${d.machines}`)).toEqual(['TalosControlPlane/talos-controlplane 3', 'ProxmoxCluster/proxmox-cluster 0']);
    expect(plan.problems.filter((p: any) => p.severity === 'error').map((p: any) => p.rule)).toEqual(['destroy', 'destroy', 'flag', 'flag']);
    const text = check(dir, base).stdout;
    expect(text).toMatch(/^deleted: TalosControlPlane\/talos-controlplane: deleting the TalosControlPlane deletes every control-plane machine of prod\/prod and its VM/m);
  });

  test('a kustomize patch that deletes the TalosControlPlane: rendered with the real kustomize, refused', () => {
    const { dir, base } = fluxRepo();
    const folder = join(dir, 'clusters', 'cluster10');
    writeFileSync(
      join(folder, 'kustomization.yaml'),
      `${readFileSync(join(folder, 'kustomization.yaml'), 'utf8')}patches:\n  - patch: |\n      $patch: delete\n      apiVersion: controlplane.cluster.x-k8s.io/v1alpha3\n      kind: TalosControlPlane\n      metadata: {name: cluster10-control-plane, namespace: cluster10}\n`,
    );
    const local = renderSh(dir);
    expect(local.status).toBe(1);
    expect(local.stderr).toMatch(/refused: prunes TalosControlPlane\/cluster10-control-plane of cluster cluster10\/cluster10, which stays/);
    renderAndCommit(dir, 'cluster10');
    expect(readFileSync(join(dir, 'rendered', 'cluster10.yaml'), 'utf8')).not.toMatch(/^kind: TalosControlPlane$/m); // kustomize's render really lacks it
    const { status, plan } = planJSON(dir, base);
    expect(status).toBe(1);
    expect(plan.clusters[1].destroys.map((d: any) => [d.object.kind, d.machines])).toEqual([['TalosControlPlane', 3]]);
  });
});

describe('a first render', () => {
  /** A new repository holding only the example's cluster folders and render.sh: no rendered/ yet. */
  function newRepo(): string {
    const { dir } = fluxRepo();
    rmSync(join(dir, 'rendered'), { recursive: true });
    rmSync(join(dir, '.git'), { recursive: true, force: true });
    git(dir, 'init', '-q');
    commitAll(dir);
    return dir;
  }

  test('render.sh writes every cluster; --check against the commit before (no rendered/ there) passes', () => {
    const dir = newRepo();
    const base = head(dir);
    const r = renderSh(dir);
    expect(r.status).toBe(0); // the old script exited 1 here with no message
    expect(r.stdout).toMatch(/^cluster cluster09\/cluster09: create\n/);
    expect(readdirSync(join(dir, 'rendered')).sort()).toEqual(['cluster09.yaml', 'cluster10.yaml']);
    commitAll(dir);
    const { status, plan } = planJSON(dir, base);
    expect(status).toBe(0);
    expect(summary(plan)).toEqual(['cluster09/cluster09 create', 'cluster10/cluster10 create']);
    expect(check(dir, EMPTY_TREE).status).toBe(0); // a repository whose first commit holds the render
  });
});

describe('render.sh without kustomize (issue 23), and never a partial file', () => {
  test('ClusterSpec-only folders render with the function alone: no kustomize, no Node on PATH', () => {
    const { dir, base } = fluxRepo();
    const r = renderSh(dir, ['--check', '--base', base], { PATH: noNodePath(), KUSTOMIZE: '' });
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: 'no changes\n', stderr: '' });
  });

  test('without the function: one line that says how to get it', () => {
    const { dir } = fluxRepo();
    const r = renderSh(dir, [], { CAPI_PROXMOX_TALOS: 'no-such-function' });
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
      status: 1,
      stdout: '',
      stderr: 'render.sh: no-such-function not found: put capi-proxmox-talos on PATH (docs/running.md, "Install") or set CAPI_PROXMOX_TALOS=/path/to/it\n',
    });
  });

  test("a folder that needs kustomize, without it: one line that says so and how to get it; nothing written", () => {
    const { dir } = fluxRepo();
    const before = renderedFiles(dir);
    writeFileSync(join(dir, 'clusters', 'cluster10', 'kustomization.yaml'), `${readFileSync(join(dir, 'clusters', 'cluster10', 'kustomization.yaml'), 'utf8')}resources:\n  - extra.yaml\n`);
    writeFileSync(join(dir, 'clusters', 'cluster10', 'extra.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra, namespace: cluster10}\n');
    const r = renderSh(dir, [], { KUSTOMIZE: 'no-kustomize-here' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      'render.sh: compared with rendered/ as it is on disk (the CI gate compares with the revision Flux applied: --base)\nrender.sh: clusters/cluster10 needs kustomize (its kustomization has resources:) and no-kustomize-here is not on PATH: download a kustomize v5 release binary (https://github.com/kubernetes-sigs/kustomize/releases, no Go needed) onto PATH, or set KUSTOMIZE=/path/to/kustomize\n',
    );
    expect(renderedFiles(dir)).toEqual(before);
  });

  test('a spec that fails, or an emptied one, writes nothing, even when the deletion is allowed; no temporary file is left', () => {
    const { dir } = fluxRepo();
    const before = renderedFiles(dir);
    editSpec(dir, 'cluster10', (t) => t.replace('    replicas: 3\n', '    replicas: 3\n    memoryMiB: 1020\n'));
    const bad = renderSh(dir);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/\[error\] ClusterSpec\/cluster10 spec.controlPlane.memoryMiB: .*\nrender.sh: clusters\/cluster10 did not render \(exit 1\); nothing was written\n$/);
    writeFileSync(specPath(dir, 'cluster10'), '');
    const emptied = renderSh(dir, ['--allow', 'cluster10']);
    expect(emptied.status).toBe(1);
    expect(emptied.stderr).toMatch(/clusters\/cluster10\/cluster.yaml holds no ClusterSpec \(an empty or emptied file\): to delete a cluster, remove its folder/);
    expect(renderedFiles(dir)).toEqual(before);
    expect(existsSync(join(dir, 'rendered', '.cluster10.yaml.tmp'))).toBe(false);
  });
});
