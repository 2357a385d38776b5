/**
 * The claims of docs/migrating-from-cluster-chart.md that can be checked offline, checked against the real
 * import + render: the object table (names kept under adoption, templates superseded), what Flux's
 * kustomize-controller would prune (its inventory diff, keyed by namespace/name/group/kind as in
 * kustomize-controller@v1.9.4 internal/inventory/inventory.go), the cost of the later profile switch, and
 * that every command and link the guide names exists, and that its release table says of every chart release what
 * the importer does with it.
 */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { REPO, BIN, run } from './support/exec';
import { importHelmValues } from '../src/migrate/chooseRelease';

const GUIDE_PATH = join(REPO, 'docs', 'migrating-from-cluster-chart.md');
const guide = readFileSync(GUIDE_PATH, 'utf8');
const CLUSTER = 'cluster07';

/** API group of each kind the chart renders (facts about the kinds; the render's own apiVersions are used for its side). */
const GROUP: Record<string, string> = {
  Namespace: '',
  Cluster: 'cluster.x-k8s.io',
  MachineDeployment: 'cluster.x-k8s.io',
  ProxmoxCluster: 'infrastructure.cluster.x-k8s.io',
  ProxmoxMachineTemplate: 'infrastructure.cluster.x-k8s.io',
  TalosControlPlane: 'controlplane.cluster.x-k8s.io',
  TalosConfigTemplate: 'bootstrap.cluster.x-k8s.io',
};
const TEMPLATE_KINDS = ['ProxmoxMachineTemplate', 'TalosConfigTemplate'];

interface Row { kind: string; chartName: string; after: RegExp; adopted: boolean }

/** The guide's object table, with `<cluster>` and `<hash>` filled in. */
function objectTable(): Row[] {
  const at = guide.indexOf('<!-- object-table');
  expect(at).toBeGreaterThan(-1);
  const lines = guide.slice(at).split('\n').slice(1);
  const rows = lines.slice(2, lines.findIndex((l, i) => i >= 2 && !l.startsWith('|')));
  return rows.map((l) => {
    const [kind, chartName, after, fate] = l.split('|').slice(1, 5).map((c) => c.trim());
    const name = (c: string) => c.replace(/`/g, '').replace(/<cluster>/g, CLUSTER);
    const pattern = name(after).replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace('<hash>', '[0-9a-f]{8}');
    return { kind, chartName: name(chartName), after: new RegExp(`^${pattern}$`), adopted: fate.startsWith('adopted in place') };
  });
}

const id = (ns: string, name: string, group: string, kind: string) => `${ns}_${name}_${group}_${kind}`;
const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');

function importChartValues(values: object, chartVersion = '0.1.6'): string {
  const r = run(BIN, ['import-helm-values', '--chart-version', chartVersion, '-'], { input: stringify(values) });
  expect(r.status).toBe(0);
  return r.stdout;
}

function render(spec: string): any[] {
  const r = run(BIN, ['render', '-'], { input: spec });
  expect(r.stderr).not.toMatch(/\[error\]/);
  expect(r.status).toBe(0);
  return parseAllDocuments(r.stdout).map((d) => d.toJS()).filter(Boolean);
}

function withProfile(spec: string, profile: string): string {
  const doc = parse(spec);
  doc.spec.cluster.profile = profile;
  return stringify(doc);
}

/** A values file as a chart user has it (values absent here take the release's defaults). */
const VALUES = { cluster: { name: CLUSTER, kubernetes_version: 'v1.32.0' }, worker: { machine_count: 3 } };
const VALUES_0_1_39 = { cluster: { name: CLUSTER }, worker: { machine_count: 3 } };

describe.each([
  ['0.1.6', 'legacy', VALUES],
  ['0.1.6', 'current', VALUES],
  ['0.1.39', 'legacy', VALUES_0_1_39],
])('chart %s: import + render under adoption, profile %s', (chartVersion, profile, values) => {
  let imported: string;
  let objects: any[];
  let rows: Row[];
  beforeAll(() => {
    imported = importChartValues(values, chartVersion);
    objects = render(withProfile(imported, profile));
    rows = objectTable();
  });
  const ns = (kind: string) => (kind === 'Namespace' ? '' : CLUSTER);

  test('the import writes the settings the guide relies on', () => {
    const spec = parse(imported).spec;
    expect(spec.cluster.adoptedFrom).toBe('cluster-chart');
    expect(spec.cluster.profile).toBe('legacy');
    expect(spec.workers.map((w: any) => w.name)).toEqual(['workers']);
  });

  test('every object in the table has the name the guide gives it', () => {
    expect(rows).toHaveLength(8);
    for (const row of rows) {
      const ofKind = objects.filter((o) => o.kind === row.kind).map((o) => o.metadata.name);
      expect({ row: row.kind, names: ofKind.filter((n) => row.after.test(n)).length }).toEqual({ row: row.kind, names: 1 });
      if (row.adopted) expect(ofKind).toContain(row.chartName);
      else expect(ofKind).not.toContain(row.chartName);
    }
  });

  test("kustomize-controller's inventory diff against the chart's objects prunes exactly the superseded templates", () => {
    const chartIds = new Set(rows.map((r) => id(ns(r.kind), r.chartName, GROUP[r.kind], r.kind)));
    const renderIds = new Set(objects.map((o) => id(o.metadata.namespace ?? '', o.metadata.name, groupOf(o.apiVersion), o.kind)));
    const pruned = [...chartIds].filter((x) => !renderIds.has(x)).sort();
    const expected = rows.filter((r) => !r.adopted).map((r) => id(CLUSTER, r.chartName, GROUP[r.kind], r.kind)).sort();
    expect(pruned).toEqual(expected);
    const added = objects.filter((o) => !chartIds.has(id(o.metadata.namespace ?? '', o.metadata.name, groupOf(o.apiVersion), o.kind)));
    expect(added.every((o) => TEMPLATE_KINDS.includes(o.kind))).toBe(true);
  });

  test('the Namespace is never pruned by Flux', () => {
    const nsObj = objects.find((o) => o.kind === 'Namespace');
    expect({ ...nsObj.metadata.labels, ...nsObj.metadata.annotations }['kustomize.toolkit.fluxcd.io/prune']).toBe('disabled');
  });
});

test('switching legacy → current later rolls every machine once more and prunes nothing but templates', () => {
  const imported = importChartValues(VALUES);
  const dir = mkdtempSync(join(tmpdir(), 'cpt-guide-'));
  writeFileSync(join(dir, 'legacy.yaml'), imported);
  writeFileSync(join(dir, 'current.yaml'), withProfile(imported, 'current'));
  const d = run(BIN, ['diff', join(dir, 'legacy.yaml'), join(dir, 'current.yaml')]);
  expect(d.stdout).toMatch(/control plane:.*rolls 1 control plane/);
  expect(d.stdout).toMatch(/pool workers:.*rolls 3 machines/);

  const key = (o: any) => `${o.metadata.namespace ?? ''}_${o.metadata.name}_${groupOf(o.apiVersion)}_${o.kind}`;
  const legacy = render(imported);
  const current = render(withProfile(imported, 'current'));
  const nonTemplate = (objs: any[]) => objs.filter((o) => !TEMPLATE_KINDS.includes(o.kind)).map(key).sort();
  expect(nonTemplate(current)).toEqual(nonTemplate(legacy));
  const machineTemplates = (objs: any[]) => objs.filter((o) => o.kind === 'ProxmoxMachineTemplate').map((o) => o.metadata.name);
  for (const name of machineTemplates(current)) expect(machineTemplates(legacy)).not.toContain(name);
});

/** The guide's release table: which chart versions each row covers, and whether it says they are imported. */
function releaseTable(): { versions: string[]; supported: boolean; row: string }[] {
  const at = guide.indexOf('<!-- release-table');
  expect(at).toBeGreaterThan(-1);
  const lines = guide.slice(at).split('\n').slice(1);
  const rows = lines.slice(2, lines.findIndex((l, i) => i >= 2 && !l.startsWith('|')));
  const patch = (v: string) => Number(v.split('.')[2]);
  return rows.map((row) => {
    const [chart, , , fate] = row.split('|').slice(1, 5).map((c) => c.trim());
    const versions = chart.split(', ').flatMap((part) => {
      const [a, b] = part.split('–');
      return b ? Array.from({ length: patch(b) - patch(a) + 1 }, (_, i) => `0.1.${patch(a) + i}`) : [a];
    });
    return { versions, supported: fate.startsWith('supported'), row };
  });
}

test('the release table covers 0.1.0 to the newest release once each, and says of each what the importer does', () => {
  const rows = releaseTable();
  const all = rows.flatMap((r) => r.versions);
  // 0.1.6 has two rows (two packages); every other version one.
  expect(all.filter((v) => v !== '0.1.6')).toEqual(Array.from({ length: 40 }, (_, i) => `0.1.${i}`).filter((v) => v !== '0.1.6'));
  for (const { versions, supported, row } of rows) {
    for (const v of versions) {
      // With add-on manifests 0.1.32 renders an unreadable patch; releases without that key take the plain file.
      const withEmptyManifests = importHelmValues({ cluster: { name: CLUSTER }, controlplane: { extra_manifests: [] } }, { chartVersion: v });
      const plain = importHelmValues({ cluster: { name: CLUSTER } }, { chartVersion: v });
      const ok = !withEmptyManifests.errors.length || !plain.errors.length;
      expect({ row, v, imported: ok }).toEqual({ row, v, imported: supported });
    }
  }
});

test('every capi-proxmox-talos command in the guide exists', () => {
  const help = run(BIN, ['--help']).stdout;
  const used = new Set([...guide.matchAll(/capi-proxmox-talos ([a-z][a-z-]+)/g)].map((m) => m[1]));
  expect(used.size).toBeGreaterThanOrEqual(3);
  for (const sub of used) expect({ sub, listed: help.includes(`capi-proxmox-talos ${sub}`) }).toEqual({ sub, listed: true });
});

/** GitHub's anchors for the headings of a Markdown text. */
const headingAnchors = (md: string) =>
  new Set([...md.matchAll(/^#+ (.+)$/gm)].map((m) => m[1].toLowerCase().replace(/[`:()'.,]/g, '').replace(/[^a-z0-9 -]/g, '').trim().replace(/ /g, '-')));

test("every relative link in the guide resolves, and every anchor is a heading of its page", () => {
  const links = [...guide.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
  const anchors = headingAnchors(guide);
  for (const l of links) {
    const [file, anchor] = l.split('#');
    if (!file) {
      expect({ l, ok: anchors.has(anchor) }).toEqual({ l, ok: true });
      continue;
    }
    const path = resolve(dirname(GUIDE_PATH), file);
    expect({ l, ok: existsSync(path) }).toEqual({ l, ok: true });
    if (anchor !== undefined) expect({ l, ok: headingAnchors(readFileSync(path, 'utf8')).has(anchor) }).toEqual({ l, ok: true });
  }
});
