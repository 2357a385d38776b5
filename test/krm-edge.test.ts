/** KRM edge rules that need no external tool (the e2e tests check the same through kpt and kustomize). */
import { parse } from 'yaml';
import { runKRM } from '../src/krm/run';
import { toYAML } from '../src/yaml/write';
import { clusterSpec } from './support/render';
import { SITE_FLOW } from './support/render';

const list = (items: unknown[], fc: unknown) => toYAML({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items, functionConfig: fc });
const kinds = (out: string) => parse(out).items.map((i: any) => `${i.kind}/${i.metadata.name}`);

describe('the functionConfig echoed back as an item', () => {
  const fc = { ...clusterSpec({ workers: [] }), metadata: { name: 'cluster09', annotations: { 'config.kubernetes.io/local-config': 'true', 'config.kubernetes.io/function': 'exec:\n  path: x\n' } } };

  test('kustomize-style (no file path): left out, kustomize would drop it anyway', () => {
    const echoed = { ...fc, metadata: { ...fc.metadata, annotations: { ...fc.metadata.annotations, 'internal.config.kubernetes.io/id': '1', 'config.k8s.io/id': '1' } } };
    const out = runKRM(list([echoed], fc));
    expect(out.exitCode).toBe(0);
    expect(kinds(out.stdout)).not.toContain('ClusterSpec/cluster09');
  });

  test('kpt-style (read from a file): always passed through, or kpt would delete the file', () => {
    const fromFile = { ...fc, metadata: { ...fc.metadata, annotations: { ...fc.metadata.annotations, 'internal.config.kubernetes.io/path': 'cluster.yaml' } } };
    expect(kinds(runKRM(list([fromFile], fc)).stdout)).toContain('ClusterSpec/cluster09');
  });

  test('another ClusterSpec, or one that is not local-config, is always passed through', () => {
    const other = { ...fc, metadata: { ...fc.metadata, name: 'other' } };
    const notLocal = { ...fc, metadata: { name: 'cluster09' } };
    expect(kinds(runKRM(list([other], fc)).stdout)).toContain('ClusterSpec/other');
    expect(kinds(runKRM(list([notLocal], fc)).stdout)).toContain('ClusterSpec/cluster09');
  });
});

test('generated objects never carry local-config or function annotations, even when the functionConfig does', () => {
  const fc = { ...clusterSpec({}), metadata: { name: 'cluster09', annotations: { 'config.kubernetes.io/local-config': 'true', 'config.kubernetes.io/function': 'exec:\n  path: x\n' } } };
  const out = parse(runKRM(list([], fc)).stdout);
  for (const o of out.items) {
    expect(o.metadata.annotations['config.kubernetes.io/local-config']).toBeUndefined();
    expect(o.metadata.annotations['config.kubernetes.io/function']).toBeUndefined();
  }
});

test('answers in the ResourceList version it was given', () => {
  const v1beta1 = runKRM(toYAML({ apiVersion: 'config.kubernetes.io/v1beta1', kind: 'ResourceList', items: [], functionConfig: clusterSpec({}) }));
  expect(v1beta1.stdout.startsWith('apiVersion: config.kubernetes.io/v1beta1\n')).toBe(true);
});

test('objects generated from another ClusterSpec are left alone; ours are replaced, not duplicated', () => {
  const first = parse(runKRM(list([], clusterSpec({}))).stdout).items;
  const other = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', annotations: { 'capi-proxmox-talos.dev/generated-from': 'ClusterSpec/other' } } };
  const again = parse(runKRM(list([...first, other], clusterSpec({}))).stdout).items;
  expect(again.length).toBe(first.length + 1);
  expect(again.filter((o: any) => o.kind === 'Cluster').length).toBe(1);
  expect(again[0]).toEqual(other);
});

test('an item with its own anchor keeps it, so aliases to it in later items still resolve', () => {
  const input = 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- &base\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n  data: {mode: 0755}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\n  data: {copy: *base}\nfunctionConfig:\n  apiVersion: capi-proxmox-talos.dev/v1alpha1\n  kind: ClusterSpec\n  metadata: {name: c}\n  spec: {workers: [], ' + SITE_FLOW + '}\n';
  const out = runKRM(input);
  expect(out.exitCode).toBe(0);
  const items = parse(out.stdout, { version: '1.1' }).items;
  expect(items[1].data.copy.metadata.name).toBe('a');
  expect(out.stdout).toContain('mode: 0755');
});
