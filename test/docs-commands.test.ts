/**
 * Every command in the ```sh blocks of README.md and docs/*.md works as written, from a fresh clone.
 *
 * The clone is a `git clone` of a snapshot of this checkout's tracked files (test/support/snapshot.ts), and
 * every block then runs in it as one bash script, unchanged, in document order. What cannot happen inside
 * a test is stood in for, each in one place below and nowhere else:
 *  - `npm ci` links this checkout's node_modules (installed by `npm ci` from the same package-lock.json,
 *    which is checked to be identical) instead of downloading again (that takes over a minute);
 *  - CPT_NO_CONTAINER=1, so that scripts/setup-tools.sh never apt-installs podman from a test;
 *  - kustomize on PATH is the one scripts/setup-tools.sh builds in the clone (a user downloads a release binary).
 * Commands that need a management cluster or Proxmox, and those another test runs in full (getting-started's:
 * test/first-hour.test.ts), are listed with the reason. A documented command with no entry in PLAN, or an
 * entry no document has, fails the first test: the documents and this test cannot drift apart.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderChart } from './support/chartModel';
import { toYAML } from '../src/yaml/write';
import { REPO, run, git } from './support/exec';
import { snapshotOfCheckout } from './support/snapshot';

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
  'curl -fsSL <release-url>/capi-proxmox-talos-linux-amd64.tar.gz | tar -xz': { covered: 'test/first-hour.test.ts runs docs/getting-started.md steps 1-3 as written, with no Go, kpt or podman, the release made by scripts/release.sh' },
  'bash capi-proxmox-talos/scripts/install.sh': { covered: 'test/first-hour.test.ts runs docs/getting-started.md steps 1-3 as written, with no Go, kpt or podman' },
  // docs/running.md
  'npm ci && npm run release -- --fetch-bun': { outside: 'downloads the other architecture\'s Bun from the npm registry; test/first-hour.test.ts runs scripts/release.sh for this architecture, test/install.test.ts its refusal without --fetch-bun' },
  'PATH="$PWD/dist:$PATH" kustomize build --enable-alpha-plugins --enable-exec examples/kustomize': { run: 'in the clone, with the kustomize setup-tools built there on PATH' },
  'PATH="$PWD/dist:$PATH" kpt fn render --allow-exec examples/kpt': { run: 'in the clone; the clone must stay clean' },
  'kpt fn eval examples/kpt-eval --exec dist/capi-proxmox-talos --fn-config examples/kpt-eval/cluster.yaml': { run: 'in the clone' },
  'docker build -t capi-proxmox-talos:0.1.0 .': { covered: 'test/e2e-container.test.ts builds this Dockerfile with podman (no Docker engine here)' },
  'kpt fn eval examples/kpt-eval --image capi-proxmox-talos:0.1.0 --fn-config examples/kpt-eval/cluster.yaml': { covered: 'test/e2e-container.test.ts runs kpt fn eval --image with podman' },
  'dist/capi-proxmox-talos render functionconfig.yaml': { run: 'in the clone' },
  'dist/capi-proxmox-talos diff old.yaml new.yaml': { run: 'in the clone, on the old.yaml/new.yaml of the Day 2 transcript' },
  'dist/capi-proxmox-talos import-helm-values --chart-version 0.1.6 values.yaml': { run: 'in the clone, on testdata/helm/customised.values.yaml' },
  'dist/capi-proxmox-talos --help': { run: 'in the clone' },
  'dist/capi-proxmox-talos render --help': { run: 'in the clone' },
  'npm run validate -- rendered.yaml': { run: 'in the clone, on examples/flux/rendered/cluster09.yaml' },
  'npm run validate -- --help': { run: 'in the clone' },
  // docs/day-2.md
  'capi-proxmox-talos diff old.yaml new.yaml': { run: 'in the clone: the Day 2 transcript, output compared line by line' },
  // docs/getting-started.md
  'git clone <repository-url> capi-proxmox-talos && cd capi-proxmox-talos': { covered: 'test/first-hour.test.ts runs docs/getting-started.md steps 1-3 as written, with no Go, kpt or podman, the install from a clone' },
  'npm ci && npm run build && bash scripts/install.sh': { covered: 'test/first-hour.test.ts runs docs/getting-started.md steps 1-3 as written, with no Go, kpt or podman, the install from a clone' },
  'cd ..': { covered: 'test/first-hour.test.ts runs docs/getting-started.md steps 1-3 as written, with no Go, kpt or podman' },
  'capi-proxmox-talos --version': { covered: 'test/first-hour.test.ts runs docs/getting-started.md steps 1-3 as written, with no Go, kpt or podman' },
  'mkdir clusters && cd clusters && git init -q': { covered: 'test/first-hour.test.ts runs docs/getting-started.md steps 1-3 as written, with no Go, kpt or podman' },
  'mkdir -p clusters/lab': { covered: 'test/first-hour.test.ts runs docs/getting-started.md steps 1-3 as written, with no Go, kpt or podman' },
  'cp ../capi-proxmox-talos/examples/flux/render.sh .': { covered: 'test/first-hour.test.ts runs docs/getting-started.md steps 1-3 as written, with no Go, kpt or podman' },
  'capi-proxmox-talos schema > clusterspec.schema.json': { covered: 'test/first-hour.test.ts runs docs/getting-started.md steps 1-3 as written, with no Go, kpt or podman' },
  'bash render.sh': { covered: 'test/first-hour.test.ts runs docs/getting-started.md steps 1-3 as written, with no Go, kpt or podman' },
  'git add -A && git commit -qm "Cluster lab"': { covered: 'test/first-hour.test.ts runs docs/getting-started.md steps 1-3 as written, with no Go, kpt or podman' },
  'bash render.sh --check --base "$(git hash-object -t tree /dev/null)"': { covered: 'test/first-hour.test.ts runs docs/getting-started.md steps 1-3 as written, with no Go, kpt or podman' },
  'clusterctl init --ipam in-cluster --core cluster-api -c talos -b talos -i proxmox': { outside: 'needs a management cluster' },
  'kubectl -n lab get cluster,taloscontrolplane,machinedeployment,machines': { outside: 'needs a management cluster' },
  'clusterctl describe cluster lab -n lab': { outside: 'needs a management cluster' },
  'clusterctl get kubeconfig lab -n lab > lab.kubeconfig': { outside: 'needs a management cluster' },
  "kubectl -n lab get secret lab-talosconfig -o jsonpath='{.data.talosconfig}' | base64 -d > lab.talosconfig": { outside: 'needs a management cluster' },
  'talosctl --talosconfig lab.talosconfig -e 10.10.0.40 -n 10.10.0.40 health': { outside: 'needs a running Talos cluster' },
  // docs/migrating-from-cluster-chart.md, "What import-helm-values writes"
  'capi-proxmox-talos import-helm-values --chart-version 0.1.6 values.yaml > cluster.yaml': { run: 'in the clone; the result renders' },
  'capi-proxmox-talos diff chart-render.yaml cluster.yaml': { run: "in the clone, against the chart model's render of the same values file (test/support/chartModel.ts)" },
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
  "helm list -A": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "kubectl -n $CLUSTER get cluster $CLUSTER -o jsonpath='{.metadata.labels.helm\\.sh/chart}{\" \"}{.metadata.labels.kustomize\\.toolkit\\.fluxcd\\.io/name}{\" \"}{.metadata.labels.kustomize\\.toolkit\\.fluxcd\\.io/namespace}{\"\\n\"}'": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "flux diff kustomization <name> -n <namespace> --path <the directory the Kustomization applies>": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "kubectl -n $CLUSTER get machines -w": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "clusterctl describe cluster $CLUSTER -n $CLUSTER --show-conditions all": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "kubectl -n $CLUSTER get taloscontrolplane,machinedeployment,machinesets": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "talosctl --talosconfig ./$CLUSTER.talosconfig -e <endpoint_ip> -n <a control-plane IP> etcd members": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "kubectl -n $CLUSTER patch cluster $CLUSTER --type merge --field-manager=flux-client-side-apply -p '{\"spec\":{\"paused\":true}}'": { outside: 'a live management cluster with Flux, Helm and the providers (the migration guide)' },
  "capi-proxmox-talos import-helm-values --chart-version <the version from step 1> values.yaml > clusters/$CLUSTER/cluster.yaml": { covered: 'test/migration-guide.test.ts imports a chart values file, renders it and diffs it against the chart model\'s render' },
  "capi-proxmox-talos render --out rendered/$CLUSTER.yaml clusters/$CLUSTER/cluster.yaml": { covered: 'test/migration-guide.test.ts imports a chart values file and renders it; test/cli.test.ts "render --out" that a failed render leaves the file as it was' },
  "capi-proxmox-talos diff chart-render.yaml clusters/$CLUSTER/cluster.yaml": { covered: 'test/migration-guide.test.ts imports a chart values file, renders it and diffs it against the chart model\'s render' },
  // docs/plan.md
  'bash render.sh --check --base "$(git merge-base origin/main HEAD)"': { covered: 'test/flux-gate.test.ts runs render.sh --check --base "$(git merge-base main HEAD)" on a pull-request branch of a real repository' },
  // docs/migrating-from-cluster-chart.md, "How the models were checked"
  'GOBIN=/tmp/helm go install helm.sh/helm/v3/cmd/helm@v3.21.4': { outside: 'builds helm from the Go module proxy (minutes); how the chart model was checked, never needed by the tests' },
  'helm pull cluster-chart --repo https://motttt.github.io/cluster09/ --version 0.1.19': { outside: 'downloads the chart from its Helm repository (no network in tests)' },
  'HELM=/tmp/helm/helm node scripts/chart-parity.mjs cluster-chart-0.1.19.tgz': { outside: 'needs helm and a chart package; its result (model == helm for every release) is recorded in the guide' },
  // docs/performance.md
  'npm ci && npm run build && bash scripts/setup-tools.sh': { run: 'in the clone, first: it gives the clone its dist/ and the kustomize the other commands use' },
  'npm run bench': { outside: 'a timing script (20 rounds of every case, minutes); its output is what docs/performance.md shows' },
  'CHART_DIR=~/src/cluster-chart npm run bench': { outside: 'the same with the helm peer: needs a checkout of the cluster-chart and builds helm from the Go module proxy' },
  'npm run profile': { outside: 'a profiling script (20 profiled runs under Node and Bun, about a minute); its output is what docs/performance.md shows' },
};

test('every documented command has a plan here, and every plan a documented command', () => {
  const documented = [...new Set(BLOCKS.flatMap((b) => b.commands))];
  expect(documented.filter((c) => !PLAN[c])).toEqual([]);
  expect(Object.keys(PLAN).filter((c) => !documented.includes(c))).toEqual([]);
});

describe('the documented commands, run from a fresh clone', () => {
  const work = mkdtempSync(join(tmpdir(), 'cpt-docs-'));
  const clone = join(work, 'capi-proxmox-talos');
  const env = { CPT_NO_CONTAINER: '1', PATH: `${join(clone, '.tools', 'bin')}:${process.env.PATH}` };
  /** Stand-ins for what a test cannot do (see the header), then the block's own text, unchanged. */
  const PRELUDE = [
    'set -euo pipefail',
    `npm() { if [ "$1" = ci ]; then cmp package-lock.json ${REPO}/package-lock.json && rm -rf node_modules && cp -al ${REPO}/node_modules node_modules; else command npm "$@"; fi; }`,
    '',
  ].join('\n');
  const runBlock = (b: Block, cwd: string) => run('bash', ['-c', PRELUDE + b.text], { cwd, env });
  const block = (first: string) => {
    const b = BLOCKS.find((x) => x.commands[0] === first);
    if (!b) throw new Error(`no documented block starts with: ${first}`);
    return b;
  };
  const expectOk = (r: { status: number; stdout: string; stderr: string }) => {
    if (r.status !== 0) throw new Error(`exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  };

  beforeAll(() => {
    snapshotOfCheckout(join(work, 'snapshot'));
    expectOk(run('git', ['clone', '-q', join(work, 'snapshot'), clone], { cwd: work }));
    // docs/performance.md's setup line: the clone's dist/, and the kustomize (built with Go) the kustomize command uses.
    const setup = block('npm ci && npm run build && bash scripts/setup-tools.sh').commands[0]; // the block goes on with the bench
    expectOk(run('bash', ['-c', PRELUDE + setup], { cwd: clone, env }));
  }, 300_000);
  afterAll(() => rmSync(work, { recursive: true, force: true })); // a clone with its own .tools and dist

  test('performance.md\'s setup gives the clone its pinned kustomize', () => {
    expect(run(join(clone, '.tools', 'bin', 'kustomize'), ['version'], { env }).stdout).toContain('v5.8.1');
  });

  test('README: render the example', () => {
    const r = runBlock(block('npm ci && npm run build && npm run render'), clone);
    expectOk(r);
    expect(r.stdout).toContain('kind: TalosControlPlane');
  });

  test('running.md: kustomize build of examples/kustomize finds the function on PATH by its bare name', () => {
    const r = runBlock(block('PATH="$PWD/dist:$PATH" kustomize build --enable-alpha-plugins --enable-exec examples/kustomize'), clone);
    expectOk(r);
    expect(r.stdout).toMatch(/kind: Cluster\n/);
  });

  test('running.md: kpt fn render and kpt fn eval inside the repository, which stays clean', () => {
    const r = runBlock(block('PATH="$PWD/dist:$PATH" kpt fn render --allow-exec examples/kpt'), clone);
    expectOk(r);
    expect(readFileSync(join(clone, 'examples', 'kpt', 'generated', 'cluster09.yaml'), 'utf8')).toContain('kind: TalosControlPlane');
    expect(readFileSync(join(clone, 'examples', 'kpt-eval', 'generated', 'cluster09.yaml'), 'utf8')).toContain('kind: TalosControlPlane');
    expect(git(clone, 'status', '--porcelain', '--', 'examples').stdout).toBe(''); // generated/ is git-ignored, .expected/ untouched
  });

  const transcript = BLOCKS.find((b) => b.transcript !== undefined)!;
  /** The Day 2 example: an old and a new spec that give exactly the transcript in docs/day-2.md. */
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

  test('running.md: the CLI commands', () => {
    writeDiffInputs();
    const b = block('dist/capi-proxmox-talos render functionconfig.yaml');
    for (const command of b.commands) {
      const r = run('bash', ['-c', PRELUDE + command], { cwd: clone, env });
      expect([command, r.status]).toEqual([command, 0]);
    }
  });

  test('day-2.md: the diff transcript is what diff prints', () => {
    expect(transcript.file).toBe('docs/day-2.md');
    writeDiffInputs();
    const r = run('bash', ['-c', `${PRELUDE}PATH="$PWD/dist:$PATH" ${transcript.commands[0]}`], { cwd: clone, env });
    expect(r.status).toBe(0);
    expect(`${r.stdout}${r.stderr}`.trim()).toBe(transcript.transcript!.trim());
  });

  test('migrating-from-cluster-chart.md: import-helm-values writes a ClusterSpec that renders', () => {
    writeDiffInputs();
    const r = run('bash', ['-c', `${PRELUDE}PATH="$PWD/dist:$PATH"; ${block('capi-proxmox-talos import-helm-values --chart-version 0.1.6 values.yaml > cluster.yaml').text}`], { cwd: clone, env });
    expectOk(r);
    expect(r.stdout).toMatch(/^cluster prod\/prod: update\nadopted in place: Cluster\/prod, .*\n[\s\S]*\ndeleted: nothing\n$/);
    expect(run(join(clone, 'dist', 'capi-proxmox-talos'), ['render', 'cluster.yaml'], { cwd: clone, env }).status).toBe(0);
  });
});
