/**
 * The plan engine through `diff` (issue 19): each case of the "Why" list that the engine decides,
 * asserted in the JSON (the contract with CI bots and the real-Flux scenarios) and in the words. The Flux
 * path (render.sh, real git repositories) is test/flux-gate.test.ts.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffCommand, diffSides } from '../src/cli/diff';
import { importHelmValues } from '../src/migrate/chooseRelease';
import { toYAML } from '../src/yaml/write';
import { renderChart } from './support/chartModel';
import { clusterSpec, renderObjects } from './support/render';
import { withSite } from './support/site';
import { BIN, run } from './support/exec';

type Spec = Record<string, any>;
const stream = (objs: unknown[]) => objs.map((o) => `---\n${toYAML(o)}`).join('');
const specDoc = (name: string, body: Spec, site = 1) => toYAML(clusterSpec(withSite(body, site), name));
const rendered = (name: string, body: Spec, site = 1) => stream(renderObjects(withSite(body, site), name));
const json = (r: { stdout: string }) => JSON.parse(r.stdout);
const ref = (group: string, kind: string, namespace: string, name: string) => ({ group, kind, namespace, name });
const NS = (name: string) => ref('', 'Namespace', '', name);
const CLUSTER = (ns: string, name: string) => ref('cluster.x-k8s.io', 'Cluster', ns, name);
const summary = (plan: any) => plan.clusters.map((c: any) => `${c.namespace}/${c.name} ${c.change}`);
const prod = { cluster: { name: 'prod' }, controlPlane: { replicas: 3 }, workers: [{ name: 'general', replicas: 2 }] };

describe('a namespace move is a delete and a create (diff keyed objects by kind/name and said only "deleted: Namespace/prod")', () => {
  const moved = { ...prod, cluster: { ...prod.cluster, namespace: 'staging' } };

  test('the JSON: the old cluster deleted with its VMs, moved to the new one; its Namespace kept (prune: disabled)', () => {
    const plan = json(diffCommand(specDoc('prod', prod), specDoc('prod', moved), { output: 'json' }));
    expect(plan.clusters.map((c: any) => [c.namespace, c.name, c.change, c.movedTo, c.movedFrom])).toEqual([
      ['prod', 'prod', 'delete', { namespace: 'staging', name: 'prod' }, undefined],
      ['staging', 'prod', 'create', undefined, { namespace: 'prod', name: 'prod' }],
    ]);
    const [old, fresh] = plan.clusters;
    expect(old.objects.kept).toEqual([NS('prod')]);
    expect(old.objects.pruned).toContainEqual(CLUSTER('prod', 'prod'));
    expect(old.destroys[0]).toEqual({ object: CLUSTER('prod', 'prod'), machines: 'all', reason: expect.stringMatching(/^deleting the Cluster deletes cluster prod\/prod entirely/) });
    expect(old.rollouts).toEqual([]);
    expect(fresh.objects.created).toContainEqual(NS('staging'));
    expect(fresh.objects.created).toContainEqual(CLUSTER('staging', 'prod'));
    expect(fresh.rollouts).toEqual([]);
    expect(plan.refused).toBe(false); // a plain diff informs; the gate decides
  });

  test('the words, and the gate refuses it unless allowed by name', () => {
    const r = diffCommand(specDoc('prod', prod), specDoc('prod', moved));
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('cluster prod/prod: delete (moved to staging/prod: deleted, not moved)');
    expect(lines).toContain('kept: Namespace/prod (Flux does not prune it; delete it by hand once nothing of the cluster is left in it)');
    expect(lines).toContain('cluster staging/prod: create (moved from prod/prod: a new cluster)');
    expect(r.stdout).not.toMatch(/adopted in place|rolls/);
    const refused = diffCommand(specDoc('prod', prod), specDoc('prod', moved), { gate: true });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/^\[error\] cluster prod\/prod: refused: moves cluster prod\/prod to staging\/prod: that is a new cluster \(new etcd, new VMs\) and prod\/prod is deleted with its VMs; if you mean it, allow it by name: --allow prod\/prod$/m);
    for (const name of ['prod', 'prod/prod', 'staging/prod']) {
      const allowed = diffCommand(specDoc('prod', prod), specDoc('prod', moved), { gate: true, allow: [name] });
      expect([name, allowed.exitCode]).toEqual([name, 0]);
      expect(allowed.stderr).toMatch(/^\[warning\] cluster prod\/prod: allowed: moves cluster prod\/prod/m);
    }
    expect(diffCommand(specDoc('prod', prod), specDoc('prod', moved), { gate: true, allow: ['other'] }).exitCode).toBe(1);
  });

  test("against a chart's render: not \"adopted in place\" (the old words), the chart's objects are pruned", () => {
    const { clusterSpec: spec } = importHelmValues({ cluster: { name: 'prod' } }, { chartVersion: '0.1.6' });
    spec.spec = withSite({ ...spec.spec, cluster: { ...spec.spec.cluster, namespace: 'staging' } }, 1);
    const plan = json(diffCommand(stream(renderChart({ cluster: { name: 'prod' } })), toYAML(spec), { output: 'json' }));
    const old = plan.clusters.find((c: any) => c.namespace === 'prod');
    expect(old).toMatchObject({ change: 'delete', movedTo: { namespace: 'staging', name: 'prod' } });
    // The chart's Namespace has no prune: disabled: Flux deletes it, and everything in it.
    expect(old.destroys.map((d: any) => [d.object.kind, d.machines])).toEqual([['Namespace', 'all'], ['Cluster', 'all'], ['TalosControlPlane', 1], ['MachineDeployment', 1], ['ProxmoxCluster', 0]]);
    expect(diffCommand(stream(renderChart({ cluster: { name: 'prod' } })), toYAML(spec)).stdout).not.toMatch(/adopted in place/);
  });
});

describe('a rename is a delete and a create (diff said "rolls 3 control planes one at a time")', () => {
  test('in the same namespace: the Namespace is updated, not deleted; nothing rolls; the old cluster goes with its VMs', () => {
    const a = { ...prod, cluster: { name: 'blue', namespace: 'team' } };
    const b = { ...prod, cluster: { name: 'green', namespace: 'team' } };
    const plan = json(diffCommand(specDoc('team', a), specDoc('team', b), { output: 'json' }));
    expect(plan.clusters.map((c: any) => `${c.namespace}/${c.name} ${c.change}`)).toEqual(['team/blue delete', 'team/green create']);
    const [blue, green] = plan.clusters;
    expect(blue.movedTo).toEqual({ namespace: 'team', name: 'green' });
    expect(blue.objects.kept).toEqual([]);
    expect(blue.objects.pruned).not.toContainEqual(NS('team'));
    expect(green.objects.updated).toEqual([NS('team')]); // its cluster label changes; the object stays
    expect(blue.destroys.map((d: any) => [d.object.kind, d.object.name, d.machines])).toEqual([
      ['Cluster', 'blue', 'all'],
      ['TalosControlPlane', 'blue-control-plane', 3],
      ['MachineDeployment', 'blue-general', 2],
      ['ProxmoxCluster', 'blue', 0],
    ]);
    expect([...blue.rollouts, ...green.rollouts]).toEqual([]);
    const text = diffCommand(specDoc('team', a), specDoc('team', b)).stdout;
    expect(text).not.toMatch(/rolls/);
    expect(text).toMatch(/^deleted: TalosControlPlane\/blue-control-plane: deleting the TalosControlPlane deletes every control-plane machine of team\/blue/m);
  });

  test('with the namespace named after the cluster: the old Namespace is kept (it carries prune: disabled), not "deleted"', () => {
    const plan = json(diffCommand(specDoc('a', { ...prod, cluster: { name: 'blue' } }), specDoc('a', { ...prod, cluster: { name: 'green' } }), { output: 'json' }));
    const blue = plan.clusters.find((c: any) => c.name === 'blue');
    expect(blue.objects.kept).toEqual([NS('blue')]);
    expect(blue.objects.pruned).not.toContainEqual(NS('blue'));
    expect(blue.destroys.map((d: any) => d.object.kind)).not.toContain('Namespace');
  });
});

describe('two clusters in one file, or in one folder (only the first control plane was compared)', () => {
  const a = { ...prod, cluster: { name: 'a', kubernetesVersion: 'v1.32.0' } };
  const b = { ...prod, cluster: { name: 'b', kubernetesVersion: 'v1.32.0' } };
  const bNext = { ...b, cluster: { ...b.cluster, kubernetesVersion: 'v1.34.1' }, controlPlane: { replicas: 3, cores: 8 } };

  test("one file with two ClusterSpecs: the second cluster's roll is there and its v1.32 → v1.34 skip is refused", () => {
    const old = `${specDoc('a', a, 1)}---\n${specDoc('b', b, 2)}`;
    const next = `${specDoc('a', a, 1)}---\n${specDoc('b', bNext, 2)}`;
    const r = diffCommand(old, next, { output: 'json' });
    expect(r.exitCode).toBe(1);
    const plan = json(r);
    expect(plan.clusters.map((c: any) => `${c.namespace}/${c.name} ${c.change}`)).toEqual(['a/a unchanged', 'b/b update']);
    const rollouts = plan.clusters[1].rollouts;
    expect(rollouts.map((x: any) => [x.owner.kind, x.owner.name, x.machines, x.maxSurge, x.maxUnavailable, x.freeIPs])).toEqual([
      ['TalosControlPlane', 'b-control-plane', 3, 1, 0, 1],
      ['MachineDeployment', 'b-general', 2, 1, 0, 1],
    ]);
    expect(rollouts[0].reasons).toEqual(['Kubernetes v1.32.0 → v1.34.1', 'new machine template (cores 4 → 8)']);
    // The pool's upgrade waits for the control plane's (CAPI's MachineSet preflight checks): said in its strategy.
    expect(rollouts[1].strategy).toMatch(/^after the control plane's upgrade \(CAPI creates no machine while the control plane upgrades\); then up to 1 new machine/);
    expect(rollouts[0].strategy).toBe('one at a time, a new machine first, then the oldest outdated one deleted');
    expect(plan.problems).toContainEqual({
      severity: 'error',
      cluster: 'b/b',
      field: { path: 'spec.cluster.kubernetesVersion' },
      message: 'Kubernetes v1.32.0 → v1.34.1 skips a minor version; upgrade one minor at a time: v1.32 → v1.33 → v1.34 (commit and roll out each step)',
    });
    const text = diffCommand(old, next);
    expect(text.stdout.split('\n')[0]).toBe('cluster b/b: update');
    expect(text.stdout).toMatch(/^control plane: Kubernetes v1.32.0 → v1.34.1; new machine template \(cores 4 → 8\) → rolls 3 control planes one at a time, surge 1, needs 1 free IP$/m);
    expect(text.stdout).toMatch(/^unchanged: a\/a$/m);
    expect(text.stderr).toMatch(/^\[error\] cluster b\/b spec.cluster.kubernetesVersion: Kubernetes v1.32.0 → v1.34.1 skips a minor version/m);
  });

  test('folders: one file per cluster before, one file for both after; moving between files changes nothing, the upgrade in b is seen', () => {
    const bUp = { ...b, cluster: { ...b.cluster, kubernetesVersion: 'v1.33.4' } };
    const old = [
      { path: 'old/a.yaml', text: rendered('a', a, 1) },
      { path: 'old/sub/b.yaml', text: rendered('b', b, 2) },
    ];
    const next = [{ path: 'new/all.yaml', text: rendered('a', a, 1) + rendered('b', bUp, 2) }];
    const r = diffSides(old, next, { output: 'json', gate: true });
    expect(r.exitCode).toBe(0);
    const plan = json(r);
    expect(plan.clusters.map((c: any) => `${c.name} ${c.change} ${c.rollouts.length}`)).toEqual(['a unchanged 0', 'b update 2']);
    expect(plan.refused).toBe(false);
  });
});

describe('moving controlPlane.endpointIP is flagged (diff called it an IP-pool setting for new machines)', () => {
  const moved = { ...prod, controlPlane: { ...prod.controlPlane, endpointIP: '10.0.1.99' } };
  test('the flag in JSON and words; the gate refuses it unless allowed', () => {
    const plan = json(diffCommand(specDoc('prod', prod), specDoc('prod', moved), { output: 'json' }));
    const c = plan.clusters[0];
    expect(c.flags).toEqual([
      {
        path: 'spec.controlPlane.endpointIP',
        objectPath: 'spec.controlPlaneEndpoint',
        object: ref('infrastructure.cluster.x-k8s.io', 'ProxmoxCluster', 'prod', 'prod'),
        before: '10.0.1.100:6443',
        after: '10.0.1.99:6443',
        message: expect.stringMatching(/^the API endpoint 10.0.1.100:6443 → 10.0.1.99:6443: CAPI copied the API endpoint into the Cluster \(spec.controlPlaneEndpoint\) when the cluster was created and never copies it again; kubeconfigs, talosconfigs/),
      },
    ]);
    expect(c.notes.filter((n: any) => n.subject === 'ProxmoxCluster')).toEqual([]); // only the endpoint changed there
    const r = diffCommand(specDoc('prod', prod), specDoc('prod', moved));
    expect(r.stdout).not.toMatch(/applies to machines created from now on/);
    expect(r.stdout).toMatch(/^flag spec.controlPlane.endpointIP: the API endpoint 10.0.1.100:6443 → 10.0.1.99:6443: CAPI copied/m);
    expect(r.exitCode).toBe(0);
    const gated = diffCommand(specDoc('prod', prod), specDoc('prod', moved), { gate: true });
    expect(gated.exitCode).toBe(1);
    expect(gated.stderr).toMatch(/^\[error\] cluster prod\/prod: refused: changes spec.controlPlane.endpointIP of cluster prod\/prod: the API endpoint/m);
    expect(diffCommand(specDoc('prod', prod), specDoc('prod', moved), { gate: true, allow: ['prod'] }).exitCode).toBe(0);
  });
});

describe('a dropped control plane or adoptedFrom (the gate only looked for kind Cluster)', () => {
  const chartValues = { cluster: { name: 'prod' }, controlplane: { machine_count: 3 } };
  const adopted = () => {
    const { clusterSpec: spec } = importHelmValues(chartValues, { chartVersion: '0.1.6' });
    spec.spec = withSite(spec.spec, 1);
    return spec;
  };

  test('dropping adoptedFrom prunes the live TalosControlPlane and ProxmoxCluster: destroys, flags, refused', () => {
    const dropped = adopted();
    delete dropped.spec.cluster.adoptedFrom;
    const plan = json(diffCommand(toYAML(adopted()), toYAML(dropped), { output: 'json', gate: true }));
    const c = plan.clusters[0];
    expect(c.change).toBe('update');
    expect(c.destroys.map((d: any) => [d.object.name, d.machines])).toEqual([
      ['talos-controlplane', 3],
      ['proxmox-cluster', 0],
    ]);
    expect(c.flags.map((f: any) => [f.path, f.objectPath, f.before, f.after])).toEqual([
      ['spec.cluster.adoptedFrom', 'spec.controlPlaneRef', 'TalosControlPlane/talos-controlplane', 'TalosControlPlane/prod-control-plane'],
      ['spec.cluster.adoptedFrom', 'spec.infrastructureRef', 'ProxmoxCluster/proxmox-cluster', 'ProxmoxCluster/prod'],
    ]);
    expect(plan.refused).toBe(true);
    expect(plan.problems.filter((p: any) => p.rule === 'destroy').map((p: any) => p.message)).toEqual([
      expect.stringMatching(/^refused: prunes TalosControlPlane\/talos-controlplane of cluster prod\/prod, which stays: deleting the TalosControlPlane deletes every control-plane machine/),
      expect.stringMatching(/^refused: prunes ProxmoxCluster\/proxmox-cluster of cluster prod\/prod, which stays/),
    ]);
    const text = diffCommand(toYAML(adopted()), toYAML(dropped)).stdout;
    expect(text).toMatch(/^control plane: new TalosControlPlane prod-control-plane: 3 control planes created from nothing, with a new etcd/m);
  });

  test('a render that lost its TalosControlPlane (a hand edit, a kustomize patch) is refused the same way', () => {
    const objs = renderObjects(withSite(prod, 1), 'prod');
    const plan = json(diffCommand(stream(objs), stream(objs.filter((o) => o.kind !== 'TalosControlPlane')), { output: 'json', gate: true }));
    expect(plan.clusters[0].destroys).toEqual([{ object: ref('controlplane.cluster.x-k8s.io', 'TalosControlPlane', 'prod', 'prod-control-plane'), machines: 3, reason: expect.any(String) }]);
    expect(plan.refused).toBe(true);
  });
});

describe('a Talos downgrade: refused, and lifted only by name (the revert of a v1.14 move an older CABPT refused)', () => {
  const talos = (tag: string, k8s = 'v1.35.0') => ({ ...prod, cluster: { name: 'prod', kubernetesVersion: k8s, talosImage: `factory.talos.dev/nocloud-installer/x:${tag}` } });
  const judge = (from: Spec, to: Spec, allow: string[] = []) => diffCommand(rendered('prod', from), rendered('prod', to), { output: 'json', gate: true, allow });
  const problems = (r: { stdout: string }) => json(r).problems.filter((p: any) => p.cluster === 'prod/prod' && p.field?.path !== 'spec.proxmox.template');

  test('refused, with the way to lift it and when it is safe', () => {
    const r = judge(talos('v1.14.2'), talos('v1.13.4'));
    expect(r.exitCode).toBe(1);
    expect(json(r).refused).toBe(true);
    expect(problems(r)).toEqual([
      expect.objectContaining({ severity: 'error', rule: 'downgrade', message: expect.stringMatching(/^refused: Talos v1\.14 → v1\.13 is a downgrade.*only if no machine runs the newer Talos yet.*allow it by name: --allow prod\/prod$/) }),
    ]);
  });
  test('allowed by name: a warning that says what it takes for granted, and the gate passes', () => {
    const r = judge(talos('v1.14.2'), talos('v1.13.4'), ['prod']);
    expect(r.exitCode).toBe(0);
    expect(json(r).refused).toBe(false);
    expect(problems(r)).toEqual([expect.objectContaining({ severity: 'warning', rule: 'downgrade', message: expect.stringMatching(/^allowed: Talos v1\.14 → v1\.13 is a downgrade.*taken as the revert of a Talos move no machine runs yet$/) })]);
  });
  test("another cluster's name does not lift it; nor does a name lift a Talos skip or a Kubernetes downgrade", () => {
    expect(json(judge(talos('v1.14.2'), talos('v1.13.4'), ['other'])).refused).toBe(true);
    const skip = judge(talos('v1.12.5'), talos('v1.14.2'), ['prod']);
    expect(json(skip).refused).toBe(true);
    expect(problems(skip)).toEqual([expect.objectContaining({ severity: 'error', message: expect.stringMatching(/skips a minor version/) })]);
    expect(problems(skip)[0].rule).toBeUndefined();
    const k8s = judge(talos('v1.14.2', 'v1.35.0'), talos('v1.14.2', 'v1.34.0'), ['prod']);
    expect(json(k8s).refused).toBe(true);
    expect(problems(k8s).map((p: any) => [p.severity, p.rule, p.message])).toEqual([['error', undefined, expect.stringMatching(/^Kubernetes v1\.35\.0 → v1\.34\.0 is a downgrade/)]]);
  });
  test('diff without the gate still says it is an error (exit 1)', () => {
    const r = diffCommand(rendered('prod', talos('v1.14.2')), rendered('prod', talos('v1.13.4')));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/\[error\] cluster prod\/prod spec\.cluster\.talosImage: Talos v1\.14 → v1\.13 is a downgrade/);
  });
});

describe('clusters that collide in one render are errors of the plan (issue 21)', () => {
  const cluster = (name: string, site: number, edit: (s: Spec) => void = () => {}) => {
    const s = withSite({ ...prod, cluster: { name } }, site);
    edit(s);
    return rendered(name, s, site);
  };
  const errorsOf = (next: string) => {
    const r = diffCommand('', next, { output: 'json' });
    return { exit: r.exitCode, errors: json(r).problems.filter((p: any) => p.severity === 'error').map((p: any) => `${p.field?.path ?? ''} ${p.message}`) };
  };

  // b on a /16 that holds a's /24, so that b may use addresses of a's part (the function checks ranges against the subnet).
  const wide = (ranges: string[]) => (s: Spec) => Object.assign(s.network, { prefix: 16, gateway: '10.0.0.1', ipRanges: ranges });

  test('two clusters apart: no problem (the oracle for the cases below)', () => expect(errorsOf(cluster('a', 1) + cluster('b', 2))).toEqual({ exit: 0, errors: [] }));

  test('the same endpoint', () => {
    const r = errorsOf(cluster('a', 1) + cluster('b', 2, (s) => {
      wide(['10.0.2.101-10.0.2.140'])(s);
      s.controlPlane.endpointIP = '10.0.1.100';
    }));
    expect(r.exit).toBe(1);
    expect(r.errors).toContain('spec.controlPlane.endpointIP clusters a/a and b/b have the same API endpoint 10.0.1.100: both control planes would claim one VIP');
  });

  test("an endpoint inside another cluster's machine addresses", () => {
    expect(errorsOf(cluster('a', 1) + cluster('b', 2, wide(['10.0.2.101-10.0.2.140', '10.0.1.90-10.0.1.99']))).errors).toEqual([]); // next to a's endpoint, not on it
    expect(errorsOf(cluster('a', 1) + cluster('b', 2, wide(['10.0.2.101-10.0.2.140', '10.0.1.95-10.0.1.100']))).errors).toEqual([
      "spec.controlPlane.endpointIP the API endpoint of a/a, 10.0.1.100, is inside the machine addresses of b/b (10.0.1.95-10.0.1.100): a machine of b/b can be given the VIP's address",
    ]);
  });

  test('overlapping machine address ranges', () => {
    const r = errorsOf(cluster('a', 1) + cluster('b', 2, wide(['10.0.2.101-10.0.2.140', '10.0.1.140/30'])));
    expect(r.errors).toEqual(["spec.network.ipRanges the machine addresses of a/a (10.0.1.101-10.0.1.140) and b/b (10.0.1.140/30) overlap: both clusters' IP pools hand out the same addresses"]);
  });

  test('overlapping VM ID ranges', () => {
    const r = errorsOf(cluster('a', 1) + cluster('b', 2, (s) => (s.proxmox.vmIDRange = { start: 1199, end: 1250 })));
    expect(r.errors).toEqual(["spec.proxmox.vmIDRange the VM ID ranges of a/a (1100-1199) and b/b (1199-1250) overlap: CAPMOX would clone into, and delete, the other cluster's VM IDs"]);
  });

  test('the same object twice (two files rendering one cluster), with both files named', () => {
    const a = cluster('a', 1);
    const r = diffSides([], [{ path: 'rendered/a.yaml', text: a }, { path: 'rendered/copy.yaml', text: a }], { output: 'json' });
    expect(r.exitCode).toBe(1);
    expect(json(r).problems).toContainEqual({
      severity: 'error',
      object: CLUSTER('a', 'a'),
      files: ['rendered/a.yaml', 'rendered/copy.yaml'],
      message: "Cluster/a/a is rendered more than once (rendered/a.yaml, rendered/copy.yaml): Flux's build fails on a repeated object, and two renders writing one object overwrite each other",
    });
  });
});

describe('what Flux keeps, what belongs to no cluster, a first render', () => {
  test('objects of no cluster are listed apart; their pruning is not a refusal', () => {
    const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'tools' }, data: { a: name } });
    const r = diffCommand(stream([cm('old'), cm('same')]), stream([cm('same'), cm('new')]), { gate: true, output: 'json' });
    expect(r.exitCode).toBe(0);
    expect(json(r).others).toEqual({ created: [ref('', 'ConfigMap', 'tools', 'new')], updated: [], pruned: [ref('', 'ConfigMap', 'tools', 'old')], kept: [] });
    expect(diffCommand(stream([cm('old')]), stream([cm('new')])).stdout).toBe('objects of no cluster:\ncreated: ConfigMap/tools/new\ndeleted: ConfigMap/tools/old\n');
  });

  test('a first render: every cluster created, the gate passes', () => {
    const r = diffSides([], [{ path: 'rendered/a.yaml', text: rendered('a', { ...prod, cluster: { name: 'a' } }, 1) }], { gate: true, output: 'json' });
    expect(r.exitCode).toBe(0);
    const plan = json(r);
    expect(plan.clusters.map((c: any) => [c.name, c.change, c.objects.created.length, c.objects.pruned.length])).toEqual([['a', 'create', 8, 0]]);
  });

  test('a deleted cluster (an emptied render): refused, allowed by name', () => {
    const a = rendered('a', { ...prod, cluster: { name: 'a' } }, 1);
    const r = diffCommand(a, '', { gate: true });
    expect(r.exitCode).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe('cluster a/a: delete');
    expect(r.stderr).toMatch(/^\[error\] cluster a\/a: refused: deletes cluster a\/a: Flux prunes it and CAPI deletes its machines and VMs; if you mean it, allow it by name: --allow a\/a$/m);
    expect(diffCommand(a, '', { gate: true, allow: ['a/a'] }).exitCode).toBe(0);
  });
});

test('the JSON holds every field of the agreed schema (docs/plan.md), with the types it names', () => {
  const a = withSite({ ...prod, cluster: { name: 'a' } }, 1);
  const next = { ...a, controlPlane: { ...a.controlPlane, cores: 8, endpointIP: '10.0.1.99' }, workers: [{ name: 'general', replicas: 4 }] };
  const plan = json(diffCommand(toYAML(clusterSpec(a, 'a')), toYAML(clusterSpec(next, 'a')), { output: 'json', gate: true }));
  expect(Object.keys(plan)).toEqual(['apiVersion', 'kind', 'clusters', 'others', 'problems', 'refused']);
  expect([plan.apiVersion, plan.kind, plan.refused]).toEqual(['capi-proxmox-talos.dev/v1alpha1', 'Plan', true]);
  const c = plan.clusters[0];
  expect(Object.keys(c)).toEqual(['namespace', 'name', 'change', 'objects', 'rollouts', 'scales', 'destroys', 'flags', 'notes']);
  expect(Object.keys(c.objects)).toEqual(['created', 'updated', 'pruned', 'kept']);
  expect(c.rollouts[0]).toEqual({ owner: ref('controlplane.cluster.x-k8s.io', 'TalosControlPlane', 'a', 'a-control-plane'), machines: 3, maxSurge: 1, maxUnavailable: 0, freeIPs: 1, reasons: expect.any(Array), strategy: expect.any(String) });
  expect(c.scales).toEqual([{ owner: ref('cluster.x-k8s.io', 'MachineDeployment', 'a', 'a-general'), from: 2, to: 4 }]);
  // A pool roll that is no Kubernetes upgrade does not wait for the control plane.
  const resized = json(diffCommand(toYAML(clusterSpec(a, 'a')), toYAML(clusterSpec({ ...a, workers: [{ name: 'general', replicas: 2, cores: 8 }] }, 'a')), { output: 'json' }));
  expect(resized.clusters[0].rollouts.map((r: any) => r.strategy)).toEqual([
    "up to 1 new machine beyond the count and 0 machines missing at a time; old machines deleted in the MachineSet's deletion order (Random unless set)",
  ]);
  expect(c.flags[0]).toMatchObject({ path: 'spec.controlPlane.endpointIP', message: expect.any(String) });
  for (const p of plan.problems) expect(['error', 'warning']).toContain(p.severity);
});

test("a file holding two chart renders (no labels at all): each object is tied to its cluster by references, clusterName and namespace", () => {
  const chart = (name: string, workers: number) => renderChart({ cluster: { name }, worker: { machine_count: workers } });
  const plan = json(diffCommand(stream([...chart('a', 2), ...chart('b', 2)]), stream([...chart('a', 2), ...chart('b', 5)]), { output: 'json' }));
  expect(plan.others).toEqual({ created: [], updated: [], pruned: [], kept: [] }); // nothing left over
  expect(summary(plan)).toEqual(['a/a unchanged', 'b/b update']);
  expect(plan.clusters[1].scales).toEqual([{ owner: ref('cluster.x-k8s.io', 'MachineDeployment', 'b', 'b-workers'), from: 2, to: 5 }]);
  expect(plan.clusters[1].objects.updated).toEqual([ref('cluster.x-k8s.io', 'MachineDeployment', 'b', 'b-workers')]);
  expect(plan.clusters[1].notes).toEqual([]); // a chart's render on both sides: nothing adopted
});

describe('the command line', () => {
  test.each([
    [['diff', '--output', 'yaml', 'a', 'b'], /^\[error\] diff: --output takes text or json, not "yaml"\n/],
    [['diff', '--allow', 'x', 'a', 'b'], /^\[error\] diff: --allow only means something with --gate\n/],
    [['diff', 'a'], /^\[error\] diff takes two files or folders: OLD NEW\n/],
    [['diff', '-', '-'], /^\[error\] diff: only one of OLD and NEW can be standard input \(-\)\n/],
    [['diff', '--gat', 'a', 'b'], /^\[error\] diff: unknown option --gat\n/],
  ])('%p is a usage error: exit 2, one line, nothing read', (args, message) => {
    const r = run(BIN, args);
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 2, stdout: '' });
    expect(r.stderr).toMatch(message);
  });

  test('folders on both sides, JSON on stdout; a folder that is not there is one line, exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpt-plan-'));
    for (const side of ['old', 'new']) mkdirSync(join(dir, side, '.git'), { recursive: true });
    writeFileSync(join(dir, 'new', 'a.yaml'), rendered('a', { ...prod, cluster: { name: 'a' } }, 1));
    writeFileSync(join(dir, 'new', '.git', 'junk.yaml'), 'not: [yaml'); // hidden folders are not read
    writeFileSync(join(dir, 'new', 'notes.txt'), 'not: [yaml'); // nor files that are not .yaml/.yml
    const r = run(BIN, ['diff', '--gate', '--output=json', join(dir, 'old'), join(dir, 'new')]);
    expect(r.status).toBe(0);
    expect(summary(JSON.parse(r.stdout))).toEqual(['a/a create']);
    const missing = run(BIN, ['diff', join(dir, 'nowhere'), join(dir, 'new')]);
    expect({ status: missing.status, stderr: missing.stderr }).toEqual({ status: 1, stderr: `[error] cannot read ${join(dir, 'nowhere')}: no such file or directory (ENOENT)\n` });
  });
});
