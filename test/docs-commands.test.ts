/**
 * Every command in the ```sh blocks of README.md and docs/*.md works as written, from a fresh clone.
 *
 * The clone is made the way docs/getting-started.md says (`git clone <repository-url> capi-proxmox-talos`,
 * the URL being a snapshot of this checkout's tracked files), and every block then runs in it as one bash
 * script, unchanged, in document order. What cannot happen inside a test is stood in for, each in one
 * place below and nowhere else:
 *  - `npm ci` links this checkout's node_modules (installed by `npm ci` from the same package-lock.json,
 *    which is checked to be identical) instead of downloading again (that takes over a minute);
 *  - `sudo install … /usr/local/bin/` installs into a bin folder of the test that is first on PATH;
 *  - CPT_NO_CONTAINER=1, so that scripts/setup-tools.sh never apt-installs podman from a test.
 * Commands that need a management cluster or Proxmox, and those another test runs in full, are listed
 * with the reason. A documented command with no entry in PLAN, or an entry no document has, fails the
 * first test: the documents and this test cannot drift apart.
 */
import { cpSync, existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { renderChart } from './support/chartModel';
import { toYAML } from '../src/yaml/write';
import { REPO, run, git } from './support/exec';

type Plan = { run: string } | { covered: string } | { outside: string };
interface Block {
  file: string;
  line: number;
  text: string;
  commands: string[];
  transcript?: string;
}

const DOCS = ['README.md', ...readdirSync(join(REPO, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** The ```sh blocks of a Markdown file, each with its commands (comments and `$ ` transcript output removed). */
function shBlocks(file: string): Block[] {
  const lines = readFileSync(join(REPO, file), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)$/.exec(lines[i]);
    if (!open) continue;
    const end = lines.indexOf('```', i + 1);
    if (open[1] === 'sh') {
      const body = lines.slice(i + 1, end);
      const transcript = body[0]?.startsWith('$ ');
      const commands = transcript ? body.filter((l) => l.startsWith('$ ')).map((l) => l.slice(2)) : body.map((l) => l.replace(/\s+#\s.*$/, '').trim()).filter((l) => l && !l.startsWith('#'));
      blocks.push({ file, line: i + 1, text: body.join('\n'), commands, ...(transcript && { transcript: body.slice(1).join('\n') }) });
    }
    i = end;
  }
  return blocks;
}

const BLOCKS = DOCS.flatMap(shBlocks);

const PLAN: Record<string, Plan> = {
  // README.md
  'npm ci && npm run build && npm run render': { run: 'in the clone' },
  'npm ci && npm test': { covered: 'this run is `npm test` (and .ci/run runs exactly this on a fresh clone)' },
  'kustomize build --enable-alpha-plugins --enable-exec examples/kustomize': { run: 'in the clone, with the kustomize installed by getting-started on PATH' },
  'PATH="$PWD/dist:$PATH" kpt fn render --allow-exec examples/kpt': { run: 'in the clone; the clone must stay clean' },
  'kpt fn eval examples/kpt-eval --exec dist/capi-proxmox-talos --fn-config examples/kpt-eval/cluster.yaml': { run: 'in the clone' },
  'docker build -t capi-proxmox-talos:0.1.0 .': { covered: 'test/e2e-container.test.ts builds this Dockerfile with podman (no Docker engine here)' },
  'kpt fn eval examples/kpt-eval --image capi-proxmox-talos:0.1.0 --fn-config examples/kpt-eval/cluster.yaml': { covered: 'test/e2e-container.test.ts runs kpt fn eval --image with podman' },
  'dist/capi-proxmox-talos render functionconfig.yaml': { run: 'in the clone' },
  'dist/capi-proxmox-talos diff old.yaml new.yaml': { run: 'in the clone, on the old.yaml/new.yaml of the Day 2 transcript' },
  'dist/capi-proxmox-talos import-helm-values values.yaml': { run: 'in the clone, on testdata/helm/customised.values.yaml' },
  'dist/capi-proxmox-talos --help': { run: 'in the clone' },
  'dist/capi-proxmox-talos render --help': { run: 'in the clone' },
  'npm run validate -- rendered.yaml': { run: 'in the clone, on examples/flux/rendered/cluster09.yaml' },
  'npm run validate -- --help': { run: 'in the clone' },
  'capi-proxmox-talos diff old.yaml new.yaml': { run: 'in the clone: the Day 2 transcript, output compared line by line' },
  'capi-proxmox-talos import-helm-values values.yaml > cluster.yaml': { run: 'in the clone; the result renders' },
  'capi-proxmox-talos diff chart-render.yaml cluster.yaml': { run: "in the clone, against the chart model's render of the same values file (test/support/chartModel.ts)" },
  // docs/getting-started.md
  'clusterctl init --ipam in-cluster --core cluster-api -c talos -b talos -i proxmox': { outside: 'needs a management cluster' },
  'git clone <repository-url> capi-proxmox-talos && cd capi-proxmox-talos': { run: 'makes the clone every other command runs in' },
  'npm ci && npm run build && bash scripts/setup-tools.sh': { run: 'in the clone (getting-started; performance.md has the same line)' },
  'sudo install -m 0755 dist/capi-proxmox-talos .tools/bin/kustomize /usr/local/bin/': { run: 'into the test bin folder instead of /usr/local/bin' },
  'capi-proxmox-talos schema > clusterspec.schema.json': { run: 'in the clone' },
  'cd ..': { run: 'in the clone' },
  'mkdir clusters && cd clusters && git init': { run: 'beside the clone' },
  'mkdir -p clusters/lab rendered flux-system': { run: 'beside the clone' },
  'cp ../capi-proxmox-talos/clusterspec.schema.json .': { run: 'beside the clone' },
  'cp ../capi-proxmox-talos/examples/flux/render.sh . && bash render.sh': { run: 'on the files the guide shows, with no kustomize on PATH' },
  'capi-proxmox-talos render clusters/lab/cluster.yaml': { run: 'on the files the guide shows' },
  'kubectl -n lab get cluster,taloscontrolplane,machinedeployment,machines': { outside: 'needs a management cluster' },
  'clusterctl describe cluster lab -n lab': { outside: 'needs a management cluster' },
  'clusterctl get kubeconfig lab -n lab > lab.kubeconfig': { outside: 'needs a management cluster' },
  "kubectl -n lab get secret lab-talosconfig -o jsonpath='{.data.talosconfig}' | base64 -d > lab.talosconfig": { outside: 'needs a management cluster' },
  'talosctl --talosconfig lab.talosconfig -e 10.10.0.40 -n 10.10.0.40 health': { outside: 'needs a running Talos cluster' },
  // docs/migrating-from-cluster-chart.md
  "CLUSTER=cluster09": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "clusterctl move --to-directory ./backup-$CLUSTER -n $CLUSTER": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "kubectl -n $CLUSTER get secret $CLUSTER-talosconfig -o jsonpath='{.data.talosconfig}' | base64 -d > $CLUSTER.talosconfig": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "talosctl --talosconfig ./$CLUSTER.talosconfig -e <endpoint_ip> -n <a control-plane IP> etcd snapshot ./$CLUSTER-etcd.snapshot": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "HR=cluster09; HRNS=flux-system": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "flux reconcile kustomization <the Kustomization that applies the HelmRelease> -n flux-system --with-source": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "kubectl -n $HRNS get helmrelease $HR -o jsonpath='{.spec.suspend}{\"\\n\"}'": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "kubectl -n $HRNS get helmrelease $HR \\": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "-o jsonpath='{.status.storageNamespace}{\" \"}{.status.history[0].name}{\" \"}{.status.helmChart}{\"\\n\"}'": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "STORE=<storageNamespace>; RELEASE=<release name>": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "helm get values   $RELEASE -n $STORE --all -o yaml > values.yaml": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "helm get manifest $RELEASE -n $STORE > chart-render.yaml": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "mkdir -p clusters/$CLUSTER rendered": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "flux diff kustomization clusters -n flux-system --path ./rendered": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "kubectl -n $CLUSTER get cluster $CLUSTER -o jsonpath='{.metadata.labels.kustomize\\.toolkit\\.fluxcd\\.io/name}{\" \"}{.metadata.labels.kustomize\\.toolkit\\.fluxcd\\.io/namespace}{\"\\n\"}'": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "flux diff kustomization <name> -n <namespace> --path <the directory the Kustomization applies>": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "kubectl -n $CLUSTER get machines -w": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "clusterctl describe cluster $CLUSTER -n $CLUSTER --show-conditions all": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "kubectl -n $CLUSTER get taloscontrolplane,machinedeployment,machinesets": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "talosctl --talosconfig ./$CLUSTER.talosconfig -e <endpoint_ip> -n <a control-plane IP> etcd members": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "kubectl -n $CLUSTER patch cluster $CLUSTER --type merge --field-manager=flux-client-side-apply -p '{\"spec\":{\"paused\":true}}'": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "capi-proxmox-talos import-helm-values values.yaml > clusters/$CLUSTER/cluster.yaml": { covered: 'test/migration-guide.test.ts imports a chart values file, renders it and diffs it against the chart model\'s render' },
  "capi-proxmox-talos render clusters/$CLUSTER/cluster.yaml > rendered/$CLUSTER.yaml": { covered: 'test/migration-guide.test.ts imports a chart values file, renders it and diffs it against the chart model\'s render' },
  "capi-proxmox-talos diff chart-render.yaml clusters/$CLUSTER/cluster.yaml": { covered: 'test/migration-guide.test.ts imports a chart values file, renders it and diffs it against the chart model\'s render' },
  // docs/plan.md
  'bash render.sh --check --base "$(git merge-base origin/main HEAD)"': { covered: 'test/flux-gate.test.ts runs render.sh --check --base "$(git merge-base main HEAD)" on a pull-request branch of a real repository' },
  // docs/performance.md
  'npm run bench': { outside: 'a timing script (40 runs of each case, minutes); its output is what docs/performance.md shows' },
};

test('every documented command has a plan here, and every plan a documented command', () => {
  const documented = [...new Set(BLOCKS.flatMap((b) => b.commands))];
  expect(documented.filter((c) => !PLAN[c])).toEqual([]);
  expect(Object.keys(PLAN).filter((c) => !documented.includes(c))).toEqual([]);
});

describe('the documented commands, run from a fresh clone', () => {
  const work = mkdtempSync(join(tmpdir(), 'cpt-docs-'));
  const clone = join(work, 'capi-proxmox-talos');
  const bin = join(work, 'bin');
  const env = { CPT_NO_CONTAINER: '1', PATH: `${bin}:${process.env.PATH}` };
  /** Stand-ins for what a test cannot do (see the header), then the block's own text, unchanged. */
  const PRELUDE = [
    'set -euo pipefail',
    `npm() { if [ "$1" = ci ]; then cmp package-lock.json ${REPO}/package-lock.json && rm -rf node_modules && cp -al ${REPO}/node_modules node_modules; else command npm "$@"; fi; }`,
    `sudo() { "$@"; }`,
    `install() { local a=("$@"); [ "\${a[-1]}" = /usr/local/bin/ ] && a[-1]=${bin}/; command install "\${a[@]}"; }`,
    '',
  ].join('\n');
  const runBlock = (b: Block, cwd: string) => run('bash', ['-c', PRELUDE + b.text.replace('<repository-url>', join(work, 'snapshot'))], { cwd, env });
  const block = (first: string) => BLOCKS.find((b) => b.commands[0] === first)!;
  const expectOk = (r: { status: number; stdout: string; stderr: string }) => {
    if (r.status !== 0) throw new Error(`exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  };

  beforeAll(() => {
    // The repository as a clone would get it: tracked files only (what `git clone` of this commit gives).
    const snapshot = join(work, 'snapshot');
    mkdirSync(snapshot);
    const tracked = git(REPO, 'ls-files', '-z').stdout.split('\0').filter((f) => f && existsSync(join(REPO, f)));
    for (const f of tracked) cpSync(join(REPO, f), join(snapshot, f), { recursive: true });
    git(snapshot, 'init', '-q');
    git(snapshot, 'add', '-A');
    git(snapshot, 'commit', '-qm', 'snapshot');
    mkdirSync(bin);
    expectOk(runBlock(block('git clone <repository-url> capi-proxmox-talos && cd capi-proxmox-talos'), work));
  }, 300_000);
  afterAll(() => rmSync(work, { recursive: true, force: true })); // a clone with its own .tools and dist

  test('getting-started: the clone builds, installs the function and kustomize, and writes the schema', () => {
    expect(run(join(bin, 'capi-proxmox-talos'), ['--version'], { env }).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(run(join(bin, 'kustomize'), ['version'], { env }).stdout).toContain('v5.8.1');
    expect(JSON.parse(readFileSync(join(clone, 'clusterspec.schema.json'), 'utf8'))).toEqual(JSON.parse(readFileSync(join(REPO, 'schema', 'clusterspec.schema.json'), 'utf8')));
  });

  test('README: render the example', () => {
    const r = runBlock(block('npm ci && npm run build && npm run render'), clone);
    expectOk(r);
    expect(r.stdout).toContain('kind: TalosControlPlane');
  });

  test('README: kustomize build of examples/kustomize', () => {
    const r = runBlock(block('kustomize build --enable-alpha-plugins --enable-exec examples/kustomize'), clone);
    expectOk(r);
    expect(r.stdout).toMatch(/kind: Cluster\n/);
  });

  test('README: kpt fn render and kpt fn eval inside the repository, which stays clean', () => {
    const r = runBlock(block('PATH="$PWD/dist:$PATH" kpt fn render --allow-exec examples/kpt'), clone);
    expectOk(r);
    expect(readFileSync(join(clone, 'examples', 'kpt', 'generated', 'cluster09.yaml'), 'utf8')).toContain('kind: TalosControlPlane');
    expect(readFileSync(join(clone, 'examples', 'kpt-eval', 'generated', 'cluster09.yaml'), 'utf8')).toContain('kind: TalosControlPlane');
    expect(git(clone, 'status', '--porcelain', '--', 'examples').stdout).toBe(''); // generated/ is git-ignored, .expected/ untouched
  });

  const transcript = BLOCKS.find((b) => b.transcript !== undefined)!;
  /** The Day 2 example: an old and a new spec that give exactly the transcript in the README. */
  const writeDiffInputs = () => {
    const spec = (k8s: string, general: number, gpuCores: number) =>
      `apiVersion: capi-proxmox-talos.dev/v1alpha1\nkind: ClusterSpec\nmetadata:\n  name: cluster09\nspec:\n  cluster:\n    kubernetesVersion: ${k8s}\n  network:\n    ipRanges: [192.168.4.101-192.168.4.140]\n    prefix: 24\n    gateway: 192.168.4.1\n    dnsServers: [192.168.1.201]\n  controlPlane:\n    endpointIP: 192.168.4.100\n  proxmox:\n    allowedNodes: [venus]\n    template: {sourceNode: venus, templateID: 100}\n  workers:\n    - name: general\n      replicas: ${general}\n    - name: gpu\n      replicas: 3\n      cores: ${gpuCores}\n`;
    writeFileSync(join(clone, 'old.yaml'), spec('v1.32.0', 4, 4));
    writeFileSync(join(clone, 'new.yaml'), spec('v1.33.4', 6, 8));
    cpSync(join(clone, 'testdata', 'helm', 'customised.values.yaml'), join(clone, 'values.yaml'));
    // What `helm get manifest` gives for that values file: the model of the chart's templates.
    const chart = renderChart(parse(readFileSync(join(clone, 'values.yaml'), 'utf8')));
    writeFileSync(join(clone, 'chart-render.yaml'), chart.map((o) => `---\n${toYAML(o)}`).join(''));
    cpSync(join(clone, 'examples', 'flux', 'rendered', 'cluster09.yaml'), join(clone, 'rendered.yaml'));
  };

  test('README: the CLI commands', () => {
    writeDiffInputs();
    const b = block('dist/capi-proxmox-talos render functionconfig.yaml');
    for (const command of b.commands) {
      const r = run('bash', ['-c', PRELUDE + command], { cwd: clone, env });
      expect([command, r.status]).toEqual([command, 0]);
    }
  });

  test('README: the Day 2 diff transcript is what diff prints', () => {
    writeDiffInputs();
    const r = run('bash', ['-c', `${PRELUDE}PATH="$PWD/dist:$PATH" ${transcript.commands[0]}`], { cwd: clone, env });
    expect(r.status).toBe(0);
    expect(`${r.stdout}${r.stderr}`.trim()).toBe(transcript.transcript!.trim());
  });

  test('README: import-helm-values writes a ClusterSpec that renders', () => {
    writeDiffInputs();
    const r = run('bash', ['-c', `${PRELUDE}PATH="$PWD/dist:$PATH"; ${block('capi-proxmox-talos import-helm-values values.yaml > cluster.yaml').text}`], { cwd: clone, env });
    expectOk(r);
    expect(r.stdout).toMatch(/^cluster prod\/prod: update\nadopted in place: Cluster\/prod, .*\n[\s\S]*\ndeleted: nothing\n$/);
    expect(run(join(clone, 'dist', 'capi-proxmox-talos'), ['render', 'cluster.yaml'], { cwd: clone, env }).status).toBe(0);
  });

  test('getting-started: a new repository with the guide\'s files renders with render.sh (no kustomize) and render', () => {
    expectOk(runBlock(block('mkdir clusters && cd clusters && git init'), work));
    const guide = readFileSync(join(REPO, 'docs', 'getting-started.md'), 'utf8');
    const fileAfter = (name: string) => /```yaml\n([\s\S]*?)```/.exec(guide.slice(guide.indexOf(`\`${name}\`:`)))![1];
    const repo = join(work, 'clusters');
    writeFileSync(join(repo, 'clusters', 'lab', 'cluster.yaml'), fileAfter('clusters/lab/cluster.yaml').replace('/usr/local/bin/', `${bin}/`));
    writeFileSync(join(repo, 'clusters', 'lab', 'kustomization.yaml'), fileAfter('clusters/lab/kustomization.yaml'));
    // render.sh finds the function on PATH and needs no kustomize for a folder of ClusterSpecs: KUSTOMIZE names no
    // program here, so a kustomize build would fail.
    const r = run('bash', ['-c', PRELUDE + block('cp ../capi-proxmox-talos/examples/flux/render.sh . && bash render.sh').text], { cwd: repo, env: { ...env, PATH: `${bin}:${process.env.PATH}`, KUSTOMIZE: 'no-kustomize-here' } });
    expectOk(r);
    const kinds = parseAllDocuments(readFileSync(join(repo, 'rendered', 'lab.yaml'), 'utf8')).map((d: any) => d.toJS().kind);
    expect(kinds).toContain('TalosControlPlane');
    expect(r.stdout).toMatch(/^cluster lab\/lab: create\n/); // the plan, as the guide says
    expect(r.stdout).toContain('kind: TalosControlPlane'); // the render line prints the objects
    // the $schema line resolves, from the file, to the schema the guide copied
    const schemaLine = /\$schema=(\S+)/.exec(fileAfter('clusters/lab/cluster.yaml'))![1];
    expect(existsSync(join(repo, 'clusters', 'lab', schemaLine))).toBe(true);
  });
});
