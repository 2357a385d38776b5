/** Migration from the cluster-chart: values.yaml → ClusterSpec, proven by comparing rendered objects. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { importHelmValues, HELM_KEY_MAP } from '../src/migrate/helmValues';
import { generate } from '../src/generate';
import { renderObjects } from './support/render';
import { BIN, run } from './support/exec';

const values = (f: string) => parse(readFileSync(join(__dirname, '..', 'testdata', 'helm', f), 'utf8'));
const rendered = (doc: any) => JSON.parse(JSON.stringify(generate(doc).objects));

test("the chart's default values import as an empty spec (plus the chart's legacy API profile)", () => {
  const { clusterSpec, warnings } = importHelmValues(values('chart-defaults.values.yaml'));
  expect(warnings).toEqual([]);
  expect(clusterSpec.spec).toEqual({ cluster: { profile: 'legacy' } });
  expect(rendered(clusterSpec)).toEqual(renderObjects({ cluster: { profile: 'legacy' } }));
});

test('a customised values file renders the same cluster as the hand-written equivalent spec', () => {
  const { clusterSpec, warnings } = importHelmValues(values('customised.values.yaml'));
  expect(warnings).toEqual(['ingress.enabled: not a cluster-chart value this importer knows; left out']);
  const handWritten = {
    cluster: { profile: 'legacy', kubernetesVersion: 'v1.33.4' },
    network: { ipRanges: ['10.10.0.50-10.10.0.80'], gateway: '10.10.0.1', dnsServers: ['10.10.0.2', '10.10.0.3'], bastion: { host: 'freyr', endpointIP: '10.10.0.5' } },
    controlPlane: { endpointIP: '10.10.0.40', replicas: 3, memoryMiB: 8192 },
    workers: [{ name: 'worker', replicas: 5, cores: 8 }],
    proxmox: { allowedNodes: ['pve1', 'pve2'], template: { sourceNode: 'venus', templateID: 9000 }, vm: { bootVolumeDevice: 'scsi0' } },
  };
  expect(clusterSpec.metadata.name).toBe('prod');
  expect(clusterSpec.spec).toEqual(handWritten);
  expect(rendered(clusterSpec)).toEqual(renderObjects(handWritten, 'prod'));
});

test('every chart key in the mapping leads to a ClusterSpec field the schema accepts', () => {
  for (const m of HELM_KEY_MAP) {
    const v: any = {};
    const parts = m.key.split('.');
    parts.slice(0, -1).reduce((at, p) => (at[p] = {}), v)[parts.at(-1)!] = m.chartDefault;
    expect(generate(importHelmValues(v).clusterSpec).results.filter((r) => r.severity === 'error')).toEqual([]);
  }
});

test('one command through the binary, with unknown keys warned about', () => {
  const r = run(BIN, ['import-helm-values', 'testdata/helm/customised.values.yaml']);
  expect(r.status).toBe(0);
  expect(r.stderr).toMatch(/\[warning\] ingress.enabled: not a cluster-chart value/);
  expect(parse(r.stdout).spec.controlPlane.replicas).toBe(3);
  const rendered2 = run(BIN, ['render', '-'], { input: r.stdout });
  expect(rendered2.status).toBe(0);
  expect(rendered2.stdout).toContain('name: prod-control-plane');
});

test('a values file that is not YAML, or not a mapping, is one clear line', () => {
  const bad = run(BIN, ['import-helm-values', '-'], { input: 'cluster:\n  name: [x\n' });
  expect(bad.status).toBe(1);
  expect(bad.stderr).toMatch(/^\[error\] the values file is not valid YAML: .* at the end of the input \(line 2\): is a bracket or quote left open\?\n$/);
  const list = run(BIN, ['import-helm-values', '-'], { input: '- a\n- b\n' });
  expect(list.status).toBe(1);
  expect(list.stderr).toBe('[error] the values file must be a mapping of chart values\n');
});
