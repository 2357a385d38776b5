/**
 * What a user writes reaches Talos as written (issue 21, "values as written"): the ClusterSpec is read as
 * YAML 1.2 core, as kpt, kustomize and Talos (go-yaml v3) read it, and a number whose text says more than a
 * double holds keeps its text. Both executables, on standard input and with `render FILE`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { REPO } from './support/exec';
import { EACH_BINARY, runFunction } from './support/binaries';
import { SITE } from './support/render';
import { toYAML } from '../src/yaml/write';

type Obj = Record<string, any>;

/** A ClusterSpec as the user's own text: the fields under test written by hand, the site values below them. */
const specText = (talos: string) => `apiVersion: capi-proxmox-talos.dev/v1alpha1
kind: ClusterSpec
metadata:
  name: asis
spec:
${toYAML(SITE).replace(/^/gm, '  ').trimEnd()}
  talos:
${talos.replace(/^/gm, '    ')}
`;

const TALOS = `sysctls:
  net.core.big: 18446744073709551615
  net.core.lead: 0110
  net.core.hex: 0x55
  net.core.one: 1.0
kubeletExtraArgs:
  mode: 0o644
  flag: yes
patches:
- machine:
    network:
      interfaces:
      - deviceSelector:
          hardwareAddr: 52:54:00:12:34:56
    env:
      FLAG: yes
      DAY: 2024-01-01
      MODE: 0o644
      LEAD: 0110
      BIG: 18446744073709551615
      HEX: 0x1F`;

/** The worker config template's strategic patches, each parsed as Talos reads it (YAML 1.2). */
function workerPatches(objects: Obj[]): Obj[] {
  const tct = objects.find((o) => o.kind === 'TalosConfigTemplate')!;
  return tct.spec.template.spec.strategicPatches.map((p: string) => parse(p, { version: '1.2', intAsBigInt: true }));
}

/** The raw text of the patch that holds `needle`, as CABPT gets it. */
const patchHolding = (objects: Obj[], needle: string): string =>
  objects.find((o) => o.kind === 'TalosConfigTemplate')!.spec.template.spec.strategicPatches.find((p: string) => p.includes(needle));

describe.each(EACH_BINARY)('%s', (_name, bin) => {
  const dir = mkdtempSync(join(tmpdir(), 'cpt-asis-'));
  const file = join(dir, 'cluster.yaml');
  writeFileSync(file, specText(TALOS));
  const fromFile = () => {
    const r = runFunction(bin, ['render', file]);
    expect(r.status).toBe(0);
    return parseAllDocuments(r.stdout).map((d) => d.toJS()) as Obj[];
  };
  const fromStdin = () => {
    const input = `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n${readFileSync(file, 'utf8').replace(/^/gm, '  ')}`;
    const r = runFunction(bin, [], { input });
    expect(r.status).toBe(0);
    return (parse(r.stdout) as Obj).items as Obj[];
  };

  test.each([['render FILE', fromFile], ['standard input', fromStdin]])('%s: sysctls and kubelet flags are the text the user wrote', (_how, read) => {
    const merged = Object.assign({}, ...workerPatches(read()).map((p) => p.machine ?? {}));
    // A double would make these 18446744073709552000, 110 (or 72 as YAML 1.1 octal), 85, 1 and 420.
    expect(merged.sysctls).toEqual({ 'net.core.big': '18446744073709551615', 'net.core.lead': '0110', 'net.core.hex': '0x55', 'net.core.one': '1.0' });
    // YAML 1.1 would make `yes` the string "true".
    expect(merged.kubelet.extraArgs).toEqual({ mode: '0o644', flag: 'yes' });
  });

  test.each([['render FILE', fromFile], ['standard input', fromStdin]])('%s: a Talos patch reaches Talos meaning what it meant to Talos', (_how, read) => {
    const objects = read();
    const text = patchHolding(objects, 'env:');
    const asTalosReadsIt = parse(text, { version: '1.2', intAsBigInt: true }) as Obj;
    const asTheUserWroteIt = parse(TALOS, { version: '1.2', intAsBigInt: true }).patches[0] as Obj;
    // YAML 1.1 read the MAC as a sexagesimal number (41135085296), the date as a Date ({} once written), yes as true.
    expect(asTalosReadsIt).toEqual(asTheUserWroteIt);
    // Numbers go back in the user's notation, so a string-typed Talos field would get the same text too.
    for (const written of ['MODE: 0o644', 'LEAD: 0110', 'BIG: 18446744073709551615', 'HEX: 0x1F']) expect(text).toContain(written);
  });
});

test('render FILE reads YAML as standard input does: the passthrough golden renders from a file too', () => {
  // `yes: yes` and `on: on` are two string keys in YAML 1.2; YAML 1.1 made both the key true (a duplicate).
  for (const [, bin] of EACH_BINARY) {
    const r = runFunction(bin, ['render', join(REPO, 'testdata', 'golden', 'passthrough', 'input.yaml')]);
    expect(r.stderr).not.toMatch(/duplicate key/);
    expect(r.status).toBe(0);
  }
});

test('a number in a numeric field that YAML readers disagree on is refused, naming the field and never the value', () => {
  const spec = specText('cni: flannel').replace('  controlPlane:\n', '  controlPlane:\n    replicas: 0x3\n');
  const dir = mkdtempSync(join(tmpdir(), 'cpt-asis-'));
  writeFileSync(join(dir, 'c.yaml'), spec);
  for (const [, bin] of EACH_BINARY) {
    const r = runFunction(bin, ['render', join(dir, 'c.yaml')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/spec\.controlPlane\.replicas: .*must be a whole number, got a number written .*hex.*plain decimal digits/);
    expect(r.stderr).not.toContain('0x3');
  }
});

test('a mapping key that is itself a mapping is an unknown field, and no library warning reaches stderr', () => {
  const spec = specText('cni: flannel').replace('  talos:\n', '  ? [a, b]\n  : 1\n  talos:\n');
  const dir = mkdtempSync(join(tmpdir(), 'cpt-asis-'));
  writeFileSync(join(dir, 'c.yaml'), spec);
  for (const [, bin] of EACH_BINARY) {
    const r = runFunction(bin, ['render', join(dir, 'c.yaml')]);
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(/Warning|\(node:\d+\)|Keys with collection values/);
    expect(r.stderr.split('\n').filter(Boolean).every((l) => l.startsWith('[error]') || l.startsWith('[warning]'))).toBe(true);
  }
});

test('input nested far too deeply gets the same bytes from both executables, wherever their stacks end', () => {
  const deep = (n: number) => `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n  apiVersion: capi-proxmox-talos.dev/v1alpha1\n  kind: ClusterSpec\n  metadata: {name: a}\n  spec: {talos: {patches: [${'['.repeat(n)}${']'.repeat(n)}]}}\n`;
  for (const n of [300, 3000, 20000]) {
    const answers = EACH_BINARY.map(([, bin]) => runFunction(bin, [], { input: deep(n) }));
    for (const a of answers) {
      expect(a.status).toBe(1);
      expect(a.stderr).toBe('[error] the input nests more than 256 levels deep; no Kubernetes object or ClusterSpec nests that deep\n');
    }
    expect(answers[1].stdout).toBe(answers[0].stdout);
  }
});
