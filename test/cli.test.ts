/**
 * The built executables, as kpt, kustomize and users run them: every command-line test runs against the
 * Node executable (dist/capi-proxmox-talos) and the standalone one (dist/capi-proxmox-talos-standalone-linux-<arch>,
 * run with no node on PATH).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { BIN, REPO, run } from './support/exec';
import { EACH_BINARY, STANDALONE, noNodePath, runFunction } from './support/binaries';
import { toYAML } from '../src/yaml/write';
import { clusterSpec } from './support/render';

const golden = (c: string, f: string) => readFileSync(join(REPO, 'testdata', 'golden', c, f), 'utf8');

test('is one executable file with a shebang that needs no node_modules', () => {
  expect(statSync(BIN).mode & 0o111).toBeTruthy();
  expect(readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
  const r = run(BIN, [], { input: golden('default', 'input.yaml'), cwd: '/', env: { NODE_PATH: '' } });
  expect(r.stdout).toBe(golden('default', 'expected.yaml'));
  expect(r.stderr).toBe(golden('default', 'expected.stderr'));
  expect(r.status).toBe(0);
});

describe('the standalone executable', () => {
  const elf = (file: string) => readFileSync(file).subarray(0, 20);
  test('is one native executable for this machine\'s architecture', () => {
    expect(statSync(STANDALONE).mode & 0o111).toBeTruthy();
    const head = elf(STANDALONE);
    expect(head.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(head.readUInt16LE(18)).toBe(process.arch === 'arm64' ? 183 : 62); // e_machine: EM_AARCH64 or EM_X86_64
  });

  test('the PATH the suites give it has no node on it', () => {
    const r = run('sh', ['-c', 'command -v node || echo none'], { env: { PATH: noNodePath() } });
    expect(r.stdout.trim()).toBe('none');
  });

  test('runs where no node binary can be executed at all, with an empty environment', () => {
    // A private mount namespace in which this machine's node is an empty, non-executable file.
    const node = run('sh', ['-c', 'readlink -f "$(command -v node)"']).stdout.trim();
    const script = `mount --bind /dev/null "${node}" && mount --bind /dev/null "${process.execPath}" && ! "${node}" -e 0 2>/dev/null && exec env -i "${STANDALONE}"`;
    const r = run('unshare', ['--mount', 'sh', '-c', script], { input: golden('default', 'input.yaml'), cwd: '/' });
    expect(r.stderr).toBe(golden('default', 'expected.stderr'));
    expect(r.stdout).toBe(golden('default', 'expected.yaml'));
    expect(r.status).toBe(0);
  });
});

describe.each([
  ['render', /^Usage: capi-proxmox-talos render FILE\|DIR\n/],
  ['diff', /^Usage: capi-proxmox-talos diff \[--output text\|json\] \[--gate \[--allow CLUSTER\]\.\.\.\] OLD NEW\n/],
  ['import-helm-values', /^Usage: capi-proxmox-talos import-helm-values VALUES\n/],
  ['schema', /^Usage: capi-proxmox-talos schema\n/],
])('%s has its own help', (cmd, usage) => {
  test.each([[[cmd, '--help']], [[cmd, '-h']], [['help', cmd]], [[cmd, 'some-file.yaml', '--help']]])('%p prints it, reads nothing, exit 0', (args) => {
    const r = run(BIN, args);
    expect(r.stdout).toMatch(usage);
    expect(r.stdout).toMatch(/\nExample:\n/);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

test('help without a command is the overview, which lists every command', () => {
  const r = run(BIN, ['help']);
  expect(r.status).toBe(0);
  for (const c of ['render FILE', 'diff OLD NEW', 'import-helm-values VALUES', 'schema', 'help [COMMAND]']) expect(r.stdout).toContain(`capi-proxmox-talos ${c}`);
});

test('the bare command at a terminal explains itself instead of waiting for input', () => {
  // `script` gives the process a terminal on stdin, as a user typing the bare command has.
  const r = run('script', ['-qec', BIN, '/dev/null'], { input: '' });
  expect(r.stdout).toMatch(/reads a KRM ResourceList on standard input .* standard input is a terminal/);
  expect(r.stdout).toMatch(/render FILE/);
  expect(r.status).toBe(2);
});

test('a ResourceList without a functionConfig says what is missing and where it comes from', () => {
  const r = run(BIN, [], { input: 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n' });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/no ClusterSpec to render: .*got none: with kpt .*configPath:.*--fn-config.*generators:/);
  expect(r.stderr).not.toMatch(/undefined/);
});


test.each([
  [['render', 'functionconfig.yaml']],
  [['render', '-']],
  [['diff', 'testdata/golden/default/input.yaml', 'testdata/golden/three-pools/input.yaml']],
  [['import-helm-values', 'testdata/helm/customised.values.yaml']],
  [['schema']],
  [['--help']],
  [['--version']],
  [['render', '/nonexistent.yaml']],
  [['render', '/tmp']],
  [['render', '-'], 'a: [x\n'],
  [['frobnicate']],
])('the standalone executable answers %p with the Node executable\'s bytes and exit code', (args, input = golden('three-pools', 'input.yaml')) => {
  const node = run(BIN, args as string[], { input });
  const standalone = run(STANDALONE, args as string[], { input, env: { PATH: noNodePath() } });
  expect(node.stdout.length + node.stderr.length).toBeGreaterThan(0);
  expect({ stdout: standalone.stdout, stderr: standalone.stderr, status: standalone.status }).toEqual({ stdout: node.stdout, stderr: node.stderr, status: node.status });
});

describe.each(EACH_BINARY)('%s', (_name, bin) => {
  test('render prints the example cluster as a multi-document stream without KRM annotations', () => {
    const r = runFunction(bin, ['render', 'functionconfig.yaml']);
    expect(r.status).toBe(0);
    const docs = parseAllDocuments(r.stdout).map((d: any) => d.toJS());
    expect(docs.map((d) => d.kind)).toEqual(['Namespace', 'Cluster', 'ProxmoxCluster', 'ProxmoxMachineTemplate', 'TalosControlPlane', 'ProxmoxMachineTemplate', 'TalosConfigTemplate', 'MachineDeployment']);
    expect(r.stdout).not.toContain('internal.config.kubernetes.io');
    expect(r.stderr).toMatch(/\[info\] ClusterSpec\/cluster09 cluster cluster09/);
  });

  test('render accepts a ResourceList file too, and - for stdin', () => {
    const r = runFunction(bin, ['render', '-'], { input: golden('three-pools', 'input.yaml') });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('name: lab-gpu');
  });

  test('--help documents the commands and the functionConfig', () => {
    const r = runFunction(bin, ['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/render FILE/);
    expect(r.stdout).toMatch(/kind: ClusterSpec/);
  });

  test('a file that is not YAML is one line with its position, for render and diff alike', () => {
    const r = runFunction(bin, ['render', '-'], { input: 'a: 1\nb: [x\n' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^\[error\] -: not valid YAML: .* at the end of the input \(line 2\): is a bracket or quote left open\?\n$/);
    const indent = runFunction(bin, ['render', '-'], { input: 'spec:\n  network:\n    gateway: 192.168.4.1\n   prefix: 24\n' });
    expect(indent.stderr).toMatch(/^\[error\] -: not valid YAML: All mapping items must start at the same column at line 4, column 4\n$/);
    const d = runFunction(bin, ['diff', '-', 'functionconfig.yaml'], { input: 'a: [x\n' });
    expect(d.status).toBe(1);
    expect(d.stdout).toBe(''); // no "everything was added" listing against an unreadable side
    expect(d.stderr).toMatch(/^\[error\] OLD: not valid YAML/);
  });

  test.each([
    [['render'], /render takes one FILE/, 2],
    [['frobnicate'], /unknown command "frobnicate"/, 2],
    [['render', '/nonexistent.yaml'], /^\[error\] cannot read \/nonexistent.yaml: no such file or directory \(ENOENT\)\n$/, 1],
    // A folder is rendered when its kustomization lists only ClusterSpecs (render DIR); /tmp has none.
    [['render', '/tmp'], /^\[error\] \/tmp: no kustomization.yaml here; render takes a ClusterSpec file, or a folder whose kustomization lists ClusterSpecs under generators:\n$/, 1],
    [['rendr', 'x.yaml'], /^\[error\] unknown command "rendr"; did you mean "render"\?\n/, 2],
    [['help', 'dif'], /unknown command "dif"; did you mean "diff"\?/, 2],
    [['render', '--frobnicate', 'x.yaml'], /render: unknown option --frobnicate\nRun capi-proxmox-talos render --help/, 2],
    [['schema', 'extra'], /schema takes no arguments/, 2],
  ])('usage and file errors are one clear line: %p', (args, message, code) => {
    const r = runFunction(bin, args as string[]);
    expect(r.status).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test.each([
    ['not YAML', 'apiVersion: v1\nitems: [unclosed\n', /^\[error\] the input is not valid YAML: .* at the end of the input \(line 2\)/],
    ['not a ResourceList', 'apiVersion: v1\nkind: ConfigMap\n', /must be a ResourceList/],
    ['two documents', 'a: 1\n---\nb: 2\n', /one ResourceList document/],
  ])('malformed stdin (%s) is an error result, not a crash', (_n, input, message) => {
    const r = runFunction(bin, [], { input });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toMatch(/severity: error/);
  });

  const broken: [string, unknown, RegExp][] = [
    ['typo', { contolPlane: {} }, /unknown field "contolPlane" in spec; did you mean "controlPlane"\?/],
    ['endpoint in range', { controlPlane: { endpointIP: '192.168.4.101' } }, /lies inside/],
    ['gateway outside', { network: { gateway: '10.0.0.1' } }, /not inside the machine network/],
    ['too few IPs', { workers: [{ name: 'w', replicas: 10 }] }, /usable addresses/],
    ['bad version', { cluster: { kubernetesVersion: 'latest' } }, /must look like v1.32.0/],
    ['unsupported Kubernetes', { cluster: { kubernetesVersion: 'v1.27.3' } }, /not supported by Talos v1.11/],
    ['duplicate pools', { workers: [{ name: 'a' }, { name: 'a' }], network: { ipRanges: ['192.168.4.101-192.168.4.120'] } }, /must be unique/],
    ['odd memory', { controlPlane: { memoryMiB: 1234 } }, /multiple of 8/],
    ['bad range', { network: { ipRanges: ['192.168.4.300'] } }, /not an IPv4 address/],
    ['bad device', { proxmox: { vm: { bootVolumeDevice: 'sata0' } } }, /virtioN or scsiN/],
  ];
  test.each(broken)('broken spec through the binary (%s): error result, stderr, exit 1, no items', (_n, spec, message) => {
    const input = toYAML({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: [], functionConfig: clusterSpec(spec) });
    const r = runFunction(bin, [], { input });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toMatch(/items: \[\]/);
    expect(r.stdout).toMatch(/severity: error/);
    expect(r.stdout).toMatch(/field:\n\s+path: spec\./);
  });
});

describe('npm run validate (dist/validate.cjs)', () => {
  const VALIDATE = join(REPO, 'dist', 'validate.cjs');
  test('accepts rendered output and reports a broken object with a non-zero exit', () => {
    const good = run('node', [VALIDATE, 'examples/flux/rendered/cluster09.yaml']);
    expect(good.status).toBe(0);
    expect(good.stdout).toMatch(/CAPMOX v0.9.0.*: 8 objects, 0 problems/);
    const bad = readFileSync(join(REPO, 'examples', 'flux', 'rendered', 'cluster09.yaml'), 'utf8').replace('sizeGb: 40', 'sizeGb: 4');
    const r = run('node', [VALIDATE, '-'], { input: bad });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/\[error\] ProxmoxMachineTemplate\/cluster09-control-plane-\w+: \/spec\/template\/spec\/disks\/bootVolume\/sizeGb must be >= 5/);
  });
  test('--help explains it; a missing file or CRD folder is one line, not a stack trace', () => {
    const h = run('node', [VALIDATE, '--help']);
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/^Usage: npm run validate -- \[--profile current\|legacy\] FILE/);
    const missing = run('node', [VALIDATE, 'nothere.yaml']);
    expect(missing.stderr).toBe('[error] cannot read nothere.yaml: no such file\n');
    expect(missing.status).toBe(1);
    const noCrds = run('node', [VALIDATE, 'examples/flux/rendered/cluster09.yaml'], { env: { CRD_DIR: '/nonexistent' } });
    expect(noCrds.stderr).toMatch(/^\[error\] no CRDs of cluster-api v1.14.2 in \/nonexistent\/cluster-api\/v1.14.2 \(CRD_DIR is set[^\n]*\n$/);
    expect(noCrds.status).toBe(1);
  });
  test('picks the legacy installation for CAPMOX v1alpha1 objects', () => {
    const legacy = run(BIN, ['render', '-'], { input: golden('legacy', 'input.yaml') });
    const r = run('node', [VALIDATE, '-'], { input: legacy.stdout });
    expect(r.stdout).toMatch(/CAPMOX v0.7.7.*0 problems/);
    expect(r.status).toBe(0);
  });
});

test('examples/flux/render.sh --help explains itself and renders nothing; an unknown argument is refused', () => {
  const script = join(REPO, 'examples', 'flux', 'render.sh');
  const env = { KUSTOMIZE: '/bin/false', CAPI_PROXMOX_TALOS: '/bin/false' }; // a render attempt would fail
  const h = run('bash', [script, '--help'], { env });
  expect(h.status).toBe(0);
  expect(h.stdout).toMatch(/^Usage: render.sh \[--check\] \[--base REV\] \[--allow CLUSTER\]\.\.\. \[--output json\] \[--help\]\n/);
  const bad = run('bash', [script, '--chek'], { env });
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/^render.sh: unknown argument '--chek' \(see render.sh --help\)\n/);
});
