/**
 * Clusters never collide (issue 21): across everything one run sees — the other ClusterSpecs of a kpt
 * package and the earlier renders in it — a shared endpoint, overlapping machine or VM ID ranges, or an
 * object two clusters both render is an error, and nothing is rendered.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runKRM } from '../src/krm/run';
import { toYAML } from '../src/yaml/write';
import { clusterSpec } from './support/render';
import { KPT, run, packageCopy, changes, commitAll } from './support/exec';
import { NODE_EXECUTABLE } from './support/binaries';

type Obj = Record<string, any>;

/** Cluster `name` on the test site, moved to its own addresses unless `site` says otherwise. */
const spec = (name: string, over: Obj = {}) => {
  const doc = clusterSpec(
    {
      network: { ipRanges: ['192.168.4.150-192.168.4.160'] },
      controlPlane: { endpointIP: '192.168.4.149' },
      proxmox: { vmIDRange: { start: 5000, end: 5099 } },
      ...over,
    },
    name,
  );
  return doc;
};
const A = () => clusterSpec({ proxmox: { vmIDRange: { start: 4000, end: 4099 } } }, 'alpha');

/** A kpt-style run: `fc` as the functionConfig, every spec (and `extra` items) in the items. */
function runWith(fc: Obj, items: Obj[]) {
  const out = runKRM(toYAML({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items, functionConfig: fc }));
  const results = (out.stdout.match(/results:[\s\S]*$/)?.[0] ?? '');
  return { out, errors: out.stderr.split('\n').filter((l) => l.startsWith('[error]')), results };
}

test('two clusters on their own addresses, IDs and names render side by side', () => {
  const b = spec('beta');
  const { out } = runWith(A(), [A(), b]);
  expect(out.exitCode).toBe(0);
});

test.each([
  ['the same endpoint VIP', { controlPlane: { endpointIP: '192.168.4.100' } }, /spec\.controlPlane\.endpointIP: endpointIP 192\.168\.4\.100 is also the API endpoint of the cluster of ClusterSpec\/beta: two clusters would fight over one VIP/],
  ['an endpoint inside the other cluster\'s machine range', { controlPlane: { endpointIP: '192.168.4.105' } }, /spec\.network\.ipRanges: ipRanges hold 192\.168\.4\.105, the API endpoint of the cluster of ClusterSpec\/beta/],
  ['overlapping machine ranges', { network: { ipRanges: ['192.168.4.105-192.168.4.110'] } }, /spec\.network\.ipRanges: range 192\.168\.4\.101-192\.168\.4\.107 overlaps 192\.168\.4\.105-192\.168\.4\.110 of the cluster of ClusterSpec\/beta: .*same addresses \(from 192\.168\.4\.105\)/],
  ['overlapping VM ID ranges', { proxmox: { vmIDRange: { start: 4050, end: 4150 } } }, /spec\.proxmox\.vmIDRange: vmIDRange 4000-4099 overlaps 4050-4150 of the cluster of ClusterSpec\/beta: CAPMOX could clone into, and delete, the other cluster's VMs/],
])('%s is refused, and nothing is rendered', (_, over, message) => {
  const { out, errors } = runWith(A(), [A(), spec('beta', over)]);
  expect(out.exitCode).toBe(1);
  expect(errors).toEqual([expect.stringMatching(message)]);
  expect(out.stdout).not.toMatch(/kind: Cluster\n/);
});

test('two adopted clusters in one namespace render the same ProxmoxCluster and TalosControlPlane: refused', () => {
  const adopted = (name: string, over: Obj = {}) => spec(name, { cluster: { adoptedFrom: 'cluster-chart', namespace: 'lab' }, ...over });
  const a = clusterSpec({ cluster: { adoptedFrom: 'cluster-chart', namespace: 'lab' }, proxmox: { vmIDRange: { start: 4000, end: 4099 } } }, 'alpha');
  const { out, errors } = runWith(a, [a, adopted('beta')]);
  expect(out.exitCode).toBe(1);
  expect(errors).toEqual([expect.stringMatching(/spec\.cluster\.name: the cluster of ClusterSpec\/beta renders the same objects \(ProxmoxCluster lab\/proxmox-cluster, TalosControlPlane lab\/talos-controlplane\)/)]);
});

test('two clusters in one namespace (not adopted) share only the Namespace, which is no clash', () => {
  const a = clusterSpec({ cluster: { namespace: 'lab' }, proxmox: { vmIDRange: { start: 4000, end: 4099 } } }, 'alpha');
  const { out } = runWith(a, [a, spec('beta', { cluster: { namespace: 'lab' } })]);
  expect(out.exitCode).toBe(0);
});

test('an earlier render of a cluster whose ClusterSpec is not in the input counts too', () => {
  const beta = runKRM(toYAML({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: [], functionConfig: spec('beta', { controlPlane: { endpointIP: '192.168.4.100' } }) }));
  expect(beta.exitCode).toBe(0);
  const rendered = beta.stdout.slice(beta.stdout.indexOf('items:\n') + 'items:\n'.length, beta.stdout.indexOf('results:'));
  const input = `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n${rendered}functionConfig:\n${toYAML(A()).replace(/^/gm, '  ')}`;
  const out = runKRM(input);
  expect(out.exitCode).toBe(1);
  expect(out.stderr).toMatch(/endpointIP 192\.168\.4\.100 is also the API endpoint of the cluster of ClusterSpec\/beta/);
});

test("this ClusterSpec's own file, echo and earlier render are not another cluster", () => {
  const first = runKRM(toYAML({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: [A()], functionConfig: A() }));
  expect(first.exitCode).toBe(0);
  const again = runKRM(`${first.stdout.slice(0, first.stdout.indexOf('results:'))}functionConfig:\n${toYAML(A()).replace(/^/gm, '  ')}`);
  expect(again.exitCode).toBe(0);
});

test('through kpt: a package with two ClusterSpecs on one VIP fails the render and writes nothing', () => {
  const pkg = packageCopy('kpt');
  const second = toYAML({ ...spec('beta', { controlPlane: { endpointIP: '192.168.4.100' } }), metadata: { name: 'beta', annotations: { 'config.kubernetes.io/local-config': 'true' } } });
  writeFileSync(join(pkg, 'beta.yaml'), second);
  const kptfile = join(pkg, 'Kptfile');
  const text = require('node:fs').readFileSync(kptfile, 'utf8');
  writeFileSync(kptfile, `${text}    - exec: capi-proxmox-talos\n      configPath: beta.yaml\n`);
  commitAll(pkg);
  const r = run(KPT, ['fn', 'render', '--allow-exec', pkg], { env: { PATH: NODE_EXECUTABLE.PATH() } });
  expect(r.status).not.toBe(0);
  expect(r.stdout + r.stderr).toMatch(/endpointIP 192\.168\.4\.100 is also the API endpoint of the cluster of ClusterSpec\/(cluster09|beta)/);
  expect(changes(pkg)).toBe('');
});
