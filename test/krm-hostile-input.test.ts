/**
 * Hostile and odd-but-valid input at the KRM edge (issue 11): every case ends in exit 0 with every
 * pass-through item kept and valid YAML out that means the same, or in exit 1 with an error result in a
 * parseable ResourceList, within bounded time and output. Never an internal error.
 */
import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';
import { runKRM } from '../src/krm/run';
import { render } from '../src/cli/render';
import { diffCommand } from '../src/cli/diff';
import { expectSoundAnswer, parseAnswer } from './support/krmOracle';
import { BIN } from './support/exec';
import { SITE_BLOCK, SITE_FLOW } from './support/render';

const FC = `functionConfig:
  apiVersion: capi-proxmox-talos.dev/v1alpha1
  kind: ClusterSpec
  metadata: {name: c}
  spec: {workers: [], ${SITE_FLOW}}
`;
const HEAD = 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n';
/** A ResourceList with these items (YAML text of the `items:` block) and the small ClusterSpec above. */
const list = (items: string, fc = FC) => `${HEAD}items:\n${items}${fc}`;
const OURS = 'capi-proxmox-talos.dev/generated-from: ClusterSpec/c';

/** CPU milliseconds `f` takes (wall time on a shared CI machine would measure the neighbours too). */
export function cpuMillis<T>(f: () => T): [T, number] {
  const before = process.cpuUsage();
  const value = f();
  const used = process.cpuUsage(before);
  return [value, (used.user + used.system) / 1000];
}

function run(input: string) {
  const [out, ms] = cpuMillis(() => runKRM(input));
  expect(ms).toBeLessThan(5000);
  return { out, rl: expectSoundAnswer(input, out) };
}
const errorsOf = (rl: any) => (rl.results ?? []).filter((r: any) => r.severity === 'error');

describe('pass-through items with anchors, tags and aliases', () => {
  test.each([
    ['an anchor on the first key', '- &k apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n  data: {mode: 0755}\n', '- &k apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n  data: {mode: 0755}\n'],
    ['a tag on the item', '- !!map\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n', '- !!map\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n'],
    ['a tag and an anchor before the first key', '- !!map &m\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- *m\n', '- !!map &m\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- *m\n'],
    ['an indented list and an anchored first key', '  - &k apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: a}\n  - *k\n', '- &k apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- *k\n'],
    ['aliases inside flow items', '- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}, data: &d {x: y}}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}, data: *d}\n', '- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}, data: &d {x: y}}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}, data: *d}\n'],
    ['an item that is an alias of another', '- &whole\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- *whole\n', '- &whole\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- *whole\n'],
    ['a comment between the dash and the anchor', '- # note\n  &k\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n', '- # note\n  &k\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n'],
  ])('%s: kept byte for byte', (_, items, expectedText) => {
    const { out } = run(list(items));
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toContain(`items:\n${expectedText}- apiVersion: v1\n  kind: Namespace`);
  });

  test('an alias whose anchor was in an item the function replaces: the item comes back written out', () => {
    const items = `- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: old\n    annotations: {${OURS}}\n  data: &d {x: "0755"}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}, data: *d}\n`;
    const { out, rl } = run(list(items));
    expect(out.exitCode).toBe(0);
    expect(rl.items[0]).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' }, data: { x: '0755' } });
    expect(out.stdout).not.toContain('*d');
  });

  test('an alias whose anchor is in the functionConfig (which is not written back): written out', () => {
    const fc = FC.replace('metadata: {name: c}', 'metadata: {name: c, labels: &l {team: a}}');
    const { out, rl } = run(`${HEAD}${fc}items:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b, labels: *l}}\n`);
    expect(out.exitCode).toBe(0);
    expect(rl.items[0].metadata.labels).toEqual({ team: 'a' });
  });

  test('the same anchor name in a replaced item and a kept one: each alias keeps what it meant', () => {
    const items = `- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}, data: &d {v: kept}}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: old, annotations: {${OURS}}}\n  data: &d {v: replaced}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}, data: *d}\n`;
    const { out, rl } = run(list(items));
    expect(out.exitCode).toBe(0);
    expect(rl.items.slice(0, 2).map((i: any) => i.data.v)).toEqual(['kept', 'replaced']);
  });

  test('the whole ResourceList tagged (--- !!map) and anchors in the ResourceList itself', () => {
    const { out } = run(`--- !!map\n${HEAD}items:\n- &x {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n${FC}`);
    expect(out.exitCode).toBe(0);
  });

  test.each([
    ['an undefined alias', '- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n  data: *nope\n', /items\[0\]\.data: alias \*nope has no anchor/],
    ['an item that is an undefined alias', '- *nope\n', /items\[0\]: alias \*nope has no anchor/],
    ['an alias bomb in an item', `- a0: &a0 [x]\n${Array.from({ length: 12 }, (_, i) => `  a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(', ')}]`).join('\n')}\n`, /items\[0\]\.a\d+.*alias bomb/],
    ['a recursive alias', '- &r [*r]\n', /./],
  ])('%s: an input error that says where', (_, items, message) => {
    const { out, rl } = run(list(items));
    expect(out.exitCode).toBe(1);
    expect(errorsOf(rl).map((r: any) => r.message).join('\n')).toMatch(message);
    expect(rl.items).toEqual([]);
  });
});

describe('bytes that are not UTF-8', () => {
  test('an error with the position of the first bad byte, never a U+FFFD in the output', () => {
    const bytes = Buffer.concat([Buffer.from(`${HEAD}items:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: "a`), Buffer.from([0xff, 0xfe]), Buffer.from(`"}\n${FC}`)]);
    const out = runKRM(bytes);
    expect(out.exitCode).toBe(1);
    expect(parseAnswer(out).results[0].message).toBe('the input is not UTF-8 text: byte 0xff at line 6, column 22; save the file as UTF-8');
    expect(out.stdout).not.toContain('\uFFFD');
  });

  test('a real U+FFFD, other UTF-8 and a byte order mark are text', () => {
    const text = list('- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}, data: {x: "\uFFFD é 🙂"}}\n');
    const out = runKRM(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    expect(out.exitCode).toBe(0);
    expect(parse(out.stdout).items[0].data.x).toBe('\uFFFD é 🙂');
  });

  test('the binary and the CLI commands refuse it too', () => {
    const bad = Buffer.from('apiVersion: capi-proxmox-talos.dev/v1alpha1\nkind: ClusterSpec\nmetadata: {name: "\xe9"}\n', 'latin1');
    const r = spawnSync(BIN, [], { input: Buffer.concat([Buffer.from(HEAD + 'items: []\nfunctionConfig:\n  x: "'), Buffer.from([0xc3]), Buffer.from('"\n')]) });
    expect(r.status).toBe(1);
    expect(r.stderr.toString()).toMatch(/^\[error\] the input is not UTF-8 text: byte 0xc3 at line 5, column 7/);
    const render = spawnSync(BIN, ['render', '-'], { input: bad });
    expect(render.status).toBe(1);
    expect(render.stderr.toString()).toBe('[error] standard input: not UTF-8 text: byte 0xe9 at line 3, column 19; save the file as UTF-8\n');
  });
});

describe('duplicate keys', () => {
  test('a second items: in the ResourceList is an error, not a silently dropped list', () => {
    const { out, rl } = run(`${HEAD}items:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\nitems: []\n${FC}`);
    expect(out.exitCode).toBe(1);
    expect(errorsOf(rl)[0].message).toMatch(/duplicate key "items"/);
  });

  test.each([
    ['spec.controlPlane', '  spec:\n    controlPlane: {replicas: 3}\n    controlPlane: {replicas: 1}\n'],
    ['spec.workers[0].name', '  spec:\n    workers:\n    - name: a\n      name: b\n'],
    ['metadata.name', '  metadata:\n    name: c\n    name: d\n  spec: {}\n'],
  ])('in the ClusterSpec: an error at %s', (path, body) => {
    const fc = `functionConfig:\n  apiVersion: capi-proxmox-talos.dev/v1alpha1\n  kind: ClusterSpec\n${path.startsWith('metadata') ? '' : '  metadata: {name: c}\n'}${body}`;
    const { out, rl } = run(`${HEAD}items: []\n${fc}`);
    expect(out.exitCode).toBe(1);
    const [e] = errorsOf(rl);
    expect(e.field.path).toBe(path);
    expect(e.resourceRef.kind).toBe('ClusterSpec');
    expect(e.message).toMatch(/duplicate key/);
  });

  test('in a file given to render or diff: an error with its path, not the last one silently kept', () => {
    const file = 'apiVersion: capi-proxmox-talos.dev/v1alpha1\nkind: ClusterSpec\nmetadata: {name: c}\nspec:\n  controlPlane: {replicas: 3}\n  controlPlane: {replicas: 1}\n';
    const r = render(file, 'cluster.yaml');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('[error] cluster.yaml: spec.controlPlane: duplicate key "controlPlane": YAML would keep only the last one; remove or merge the other\n');
    expect(diffCommand(file, file).stderr).toMatch(/^\[error\] OLD: spec.controlPlane: duplicate key/);
  });

  test("inside a pass-through item: kept as written (the item's meaning is kpt's and kubectl's business)", () => {
    const { out } = run(list('- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n  data:\n    k: 1\n    k: 2\n'));
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toContain('  data:\n    k: 1\n    k: 2\n');
  });
});

describe("kustomize's echo of the functionConfig", () => {
  const fcAnnotations = "      config.kubernetes.io/function: |\n        exec:\n          path: ./x\n      config.kubernetes.io/local-config: 'true'\n";
  const fc = `functionConfig:\n  apiVersion: capi-proxmox-talos.dev/v1alpha1\n  kind: ClusterSpec\n  metadata:\n    annotations:\n${fcAnnotations}    name: c\n  spec:\n    workers: []\n${SITE_BLOCK(4)}`;
  // What kustomize 5.8 passes (captured from a real build): the functionConfig plus its bookkeeping annotations.
  const echo = (edit: (s: string) => string = (s) => s) =>
    edit(`- apiVersion: capi-proxmox-talos.dev/v1alpha1\n  kind: ClusterSpec\n  metadata:\n    annotations:\n${fcAnnotations}      config.kubernetes.io/index: '0'\n      internal.config.kubernetes.io/index: '0'\n      internal.config.kubernetes.io/id: '1'\n      config.k8s.io/id: '1'\n    name: c\n  spec:\n    workers: []\n${SITE_BLOCK(4)}`);
  const names = (rl: any) => rl.items.filter((i: any) => i.kind === 'ClusterSpec').map((i: any) => `${i.apiVersion} ${i.metadata.namespace ?? '-'} ${JSON.stringify(i.spec)}`);

  test('the exact echo is left out', () => {
    const { out, rl } = run(list(echo(), fc));
    expect(out.exitCode).toBe(0);
    expect(names(rl)).toEqual([]);
  });

  test.each([
    ['another apiVersion', (s: string) => s.replace('capi-proxmox-talos.dev/v1alpha1', 'capi-proxmox-talos.dev/v1alpha2')],
    ['a namespace', (s: string) => s.replace('    name: c\n', '    name: c\n    namespace: team-a\n')],
    ['other content', (s: string) => s.replace('    workers: []\n', '    workers: []\n    talos: {cni: none}\n')],
    ['another label', (s: string) => s.replace('    name: c\n', '    name: c\n    labels: {x: y}\n')],
  ])('a same-named local-config item with %s is the user\'s and comes back', (_, edit) => {
    const { out, rl } = run(list(echo(edit), fc));
    expect(out.exitCode).toBe(0);
    expect(names(rl)).toHaveLength(1);
  });
});

describe('a missing or empty functionConfig is an error, not an empty render', () => {
  test.each([
    ['none', `${HEAD}items: []\n`],
    ['null', `${HEAD}items: []\nfunctionConfig: null\n`],
    ['an empty mapping', `${HEAD}items: []\nfunctionConfig: {}\n`],
    ['a mapping with no apiVersion or kind', `${HEAD}items: []\nfunctionConfig:\n  metadata:\n    name: x\n`],
    // What kpt 1.0.0-beta.56 passes when no --fn-config is given (captured from a real run).
    ["kpt's placeholder when no --fn-config is given", `${HEAD}items: []\nfunctionConfig:\n  metadata:\n    name: function-input\n  data: {}\n  kind: ConfigMap\n  apiVersion: v1\n`],
  ])('%s', (_, input) => {
    const { out, rl } = run(input);
    expect(out.exitCode).toBe(1);
    expect(errorsOf(rl)[0].message).toMatch(/^no ClusterSpec to render: this function takes a ClusterSpec/);
  });
});

describe('bounded work and output', () => {
  const bombFC = (levels: number) =>
    `functionConfig:\n  apiVersion: capi-proxmox-talos.dev/v1alpha1\n  kind: ClusterSpec\n  metadata: {name: c}\n  spec:\n    a0: &a0 [lol]\n${Array.from({ length: levels }, (_, i) => `    a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(',')}]`).join('\n')}\n`;

  test('an alias bomb in the functionConfig: an input error with the field path', () => {
    const { out, rl } = run(`${HEAD}items: []\n${bombFC(20)}`);
    expect(out.exitCode).toBe(1);
    const [e] = errorsOf(rl);
    expect(e.field.path).toMatch(/^spec\.a\d+(\[\d+\])?$/);
    expect(e.message).toMatch(/alias bomb/);
  });

  test('an alias bomb in a file given to render: an error with its path', () => {
    const file = bombFC(20).replace('functionConfig:\n', '').replace(/^  /gm, '');
    const [r, ms] = cpuMillis(() => render(file, 'cluster.yaml'));
    expect(ms).toBeLessThan(5000);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^\[error\] cluster\.yaml: spec\.a\d+(\[\d+\])?: its YAML aliases expand to more than 1,000,000 nodes/);
  });

  test.each([3000, 300])('%i levels of block nesting in the functionConfig: an input error', (levels) => {
    const nested = Array.from({ length: levels }, (_, i) => `${' '.repeat(4 + i)}k${i}:`).join('\n');
    const { out, rl } = run(`${HEAD}items: []\nfunctionConfig:\n  apiVersion: capi-proxmox-talos.dev/v1alpha1\n  kind: ClusterSpec\n  metadata: {name: c}\n  spec:\n${nested} x\n`);
    expect(out.exitCode).toBe(1);
    expect(errorsOf(rl)[0].message).toMatch(/nest/);
  });

  test('3,000 levels of flow nesting in an item: an input error', () => {
    const { out, rl } = run(list(`- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}, deep: ${'['.repeat(3000)}${']'.repeat(3000)}}\n`));
    expect(out.exitCode).toBe(1);
    expect(errorsOf(rl)[0].message).toMatch(/nest/);
  });

  test('1 MB of pass-through items: answered within 5 s, every item kept', () => {
    // An alias in every tenth item: yaml's own alias lookup is quadratic, which the oracle (plain yaml) pays.
    const item = (i: number) => `- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: cm-${i}, namespace: "0755"}\n  data: {a: &a${i} "x", b: ${i % 10 ? '"x"' : `*a${i}`}, c: yes, d: 2024-01-02}\n`;
    let items = '';
    for (let i = 0; items.length < 1_000_000; i++) items += item(i);
    const { out, rl } = run(list(items));
    expect(out.exitCode).toBe(0);
    expect(rl.items.length).toBeGreaterThan(7000);
  });

  test('1 MB of items with 10,000 aliases: within 5 s (yaml alone would take half a minute)', () => {
    const item = (i: number) => `- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: cm-${i}}\n  data: {a: &a${i} "x", b: *a${i}}\n`;
    let items = '';
    for (let i = 0; items.length < 1_000_000; i++) items += item(i);
    const [out, ms] = cpuMillis(() => runKRM(list(items)));
    expect(ms).toBeLessThan(5000);
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toContain('  data: {a: &a9999 "x", b: *a9999}\n');
  });

  test('1 MB of bad fields: at most 1 MB of errors, within 5 s', () => {
    const keys = Array.from({ length: 14_000 }, (_, i) => `    bad${i}${'x'.repeat(40)}: 1`).join('\n');
    const big = `${HEAD}items: []\nfunctionConfig:\n  apiVersion: capi-proxmox-talos.dev/v1alpha1\n  kind: ClusterSpec\n  metadata: {name: c}\n  spec:\n${keys}\n    workers: [{name: ${'w'.repeat(300_000)}}]\n`;
    expect(big.length).toBeLessThan(1_100_000);
    const { out, rl } = run(big);
    expect(out.exitCode).toBe(1);
    expect(out.stderr.length).toBeLessThan(1_000_000);
    expect(out.stdout.length).toBeLessThan(1_000_000);
    expect(rl.results.at(-1).message).toMatch(/more problems not shown/);
    // The CLI commands answer the same file as boundedly.
    const [cli, cliMs] = cpuMillis(() => render(big, 'big.yaml'));
    expect(cliMs).toBeLessThan(5000);
    expect(cli.exitCode).toBe(1);
    expect(cli.stderr.length).toBeLessThan(1_000_000);
    const [d, diffMs] = cpuMillis(() => diffCommand(big, big));
    expect(diffMs).toBeLessThan(5000);
    expect(d.exitCode).toBe(1);
    expect(d.stderr.length).toBeLessThan(1_000_000);
  });
});

describe('the process edge', () => {
  const bigInput = () => list(Array.from({ length: 3000 }, (_, i) => `- {apiVersion: v1, kind: ConfigMap, metadata: {name: cm-${i}}, data: {x: "${'y'.repeat(100)}"}}\n`).join(''));

  test('a reader that stops early (| head -c 100) ends the function quietly', () => {
    const r = spawnSync('bash', ['-c', `"${BIN}" | head -c 100 >/dev/null`], { input: bigInput(), encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/EPIPE|error|\n\s+at /);
    const render = spawnSync('bash', ['-c', `"${BIN}" render functionconfig.yaml 2>&1 | head -1`], { encoding: 'utf8', cwd: `${__dirname}/..` });
    expect(render.stdout).toBe('---\n');
  });

  test('a full disk (/dev/full): one [error] line and exit 1, no stack trace', () => {
    const r = spawnSync('bash', ['-c', `"${BIN}" > /dev/full`], { input: bigInput(), encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('[error]'))).toEqual(['[error] cannot write standard output: ENOSPC']);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
