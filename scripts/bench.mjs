// npm run bench: how fast the function's executables run, against `node -e 0` (the floor a Node-based
// function cannot go below) and against the tool the function replaces, `helm template` of the
// cluster-chart. Prints figures and ratios; asserts nothing (targets and results: docs/performance.md).
//
// Every case runs interleaved with the others, round after round (BENCH_RUNS rounds, default 20), under
// scripts/benchrun.go, which reports per run the wall time, the CPU time (user + system, the child's own
// children included) and the peak RSS; medians are printed. On a shared machine wall time measures the
// neighbours too; CPU time much less so. The load average is printed before and after.
//
// The helm peer: set CHART_DIR to a checkout of the cluster-chart (the directory with Chart.yaml). The bench
// builds helm from the Go module proxy into .tools/bin (HELM_VERSION, default v3.21.4) if it is not there,
// and fetches nothing else. Both sides render the same cluster: helm with the values file VALUES (default
// testdata/helm/chart-defaults.values.yaml, the chart 0.1.6 defaults), the function with the ClusterSpec
// `import-helm-values VALUES` makes of it. Without CHART_DIR the helm rows are left out.
//
// BENCH_BASELINE: another standalone executable (e.g. one built from an earlier commit) run beside this one
// in the same rounds, for "nothing slower" comparisons under kustomize and kpt.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYAML, stringify as stringifyYAML } from 'yaml';
import { benchPlan } from './bench-plan.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const root = resolve(new URL('..', import.meta.url).pathname);
const tools = join(root, '.tools', 'bin');
const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch] ?? process.arch;
const bins = { standalone: join(root, 'dist', `capi-proxmox-talos-standalone-linux-${arch}`), node: join(root, 'dist', 'capi-proxmox-talos') };
for (const b of Object.values(bins)) if (!existsSync(b)) throw new Error(`bench: ${b} is missing: npm run build`);
const baseline = process.env.BENCH_BASELINE ? resolve(process.env.BENCH_BASELINE) : undefined;
const chartDir = process.env.CHART_DIR ? resolve(process.env.CHART_DIR) : undefined;
const valuesFile = resolve(process.env.VALUES ?? join(root, 'testdata', 'helm', 'chart-defaults.values.yaml'));
const kustomize = join(tools, 'kustomize');
const kpt = process.env.KPT ?? '/usr/bin/kpt';
const work = mkdtempSync(join(tmpdir(), 'cpt-bench-'));
const caFile = process.env.NODE_EXTRA_CA_CERTS || ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt'].find(existsSync);

// --- setup: the runner, and helm when there is a chart to render ---
const runner = join(tools, 'cpt-benchrun');
const runnerSource = join(root, 'scripts', 'benchrun.go');
if (!existsSync(runner) || statSync(runner).mtimeMs < statSync(runnerSource).mtimeMs) {
  execFileSync('go', ['build', '-o', runner, runnerSource], { stdio: 'inherit' });
}
const helm = join(tools, 'helm');
if (chartDir && !existsSync(helm)) {
  const version = process.env.HELM_VERSION ?? 'v3.21.4';
  console.error(`bench: building helm ${version} into .tools/bin (go install, from the Go module proxy; once)`);
  execFileSync('go', ['install', `helm.sh/helm/v3/cmd/helm@${version}`], { env: { ...process.env, GOBIN: tools, GOFLAGS: '-mod=mod' }, stdio: 'inherit' });
}

// --- inputs ---
const file = (name, text) => {
  const p = join(work, name);
  writeFileSync(p, text);
  return p;
};
const imported = spawnSync(bins.node, ['import-helm-values', valuesFile], { encoding: 'utf8' });
if (imported.status !== 0 && !imported.stdout) throw new Error(`bench: import-helm-values ${valuesFile} failed:\n${imported.stderr}`);
const defaultSpec = file('spec.yaml', imported.stdout);
const specObject = parseYAML(imported.stdout);
// As YAML, as kustomize and kpt send it.
const resourceList = (fc) => stringifyYAML({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: [], functionConfig: fc });
// The large spec: 3 control planes and 20 pools, 500 machines in all, in a /16.
const large = {
  network: { prefix: 16, gateway: '10.30.0.1', ipRanges: ['10.30.1.0-10.30.3.255'], dnsServers: ['10.30.0.53'], bastion: {} },
  controlPlane: { endpointIP: '10.30.0.10', replicas: 3 },
  proxmox: { allowedNodes: ['pve1'], template: { sourceNode: 'pve1', templateID: 9000 } },
  workers: Array.from({ length: 20 }, (_, i) => ({ name: `pool${i}`, replicas: i < 17 ? 25 : 24, labels: { 'example.com/pool': `p${i}` }, healthCheck: {} })),
};
const machines = 3 + large.workers.reduce((s, w) => s + w.replicas, 0);
const krm = {
  default: file('default.rl.yaml', resourceList(specObject)),
  large: file('large.rl.yaml', resourceList({ apiVersion: 'capi-proxmox-talos.dev/v1alpha1', kind: 'ClusterSpec', metadata: { name: 'bench' }, spec: large })),
};

const env = (ca) => Object.entries({ ...process.env, NODE_EXTRA_CA_CERTS: ca ? caFile : undefined }).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
const envs = { set: env(true), unset: env(false) };

// --- cases ---
const cases = [];
const add = (label, argv, opts = {}) => cases.push({ label, argv, stdin: opts.stdin ?? '', env: opts.env ?? envs.set });
const executables = { ...bins, ...(baseline && { baseline }) };
for (const ca of caFile ? ['set', 'unset'] : ['unset']) {
  add(`${ca}|floor`, [process.execPath, '-e', '0'], { env: envs[ca] });
  for (const [name, bin] of Object.entries(executables)) for (const [spec, input] of Object.entries(krm)) add(`${ca}|${name}|krm ${spec}`, [bin], { stdin: input, env: envs[ca] });
}
for (const [name, bin] of Object.entries(executables)) {
  add(`${name}|--version`, [bin, '--version']);
  add(`${name}|render`, [bin, 'render', defaultSpec]);
}
if (chartDir) add('helm|template', [helm, 'template', 'bench', chartDir, '-f', valuesFile]);

const withExec = {};
if (existsSync(kustomize)) {
  // kustomize build of examples/kustomize with each executable as the generator, and of the same
  // manifests as plain resources (same patch: it costs kustomize an OpenAPI load either way).
  for (const [name, bin] of Object.entries(executables)) {
    const dir = join(work, `k-${name}`);
    cpSync(join(root, 'examples', 'kustomize'), dir, { recursive: true });
    const y = join(dir, 'cluster.yaml');
    writeFileSync(y, readFileSync(y, 'utf8').replace(/path: \S*dist\/capi-proxmox-talos$/m, `path: ${bin}`));
    withExec[name] = dir;
    add(`kustomize|${name}`, [kustomize, 'build', '--enable-alpha-plugins', '--enable-exec', dir]);
  }
  const plainDir = join(work, 'kplain');
  cpSync(withExec.standalone, plainDir, { recursive: true });
  writeFileSync(join(plainDir, 'all.yaml'), execFileSync(kustomize, ['build', '--enable-alpha-plugins', '--enable-exec', withExec.standalone], { encoding: 'utf8' }));
  const k = readFileSync(join(plainDir, 'kustomization.yaml'), 'utf8').replace(/generators:\n  - cluster.yaml\nresources:\n  - proxmox-credentials-note.yaml/, 'resources:\n  - all.yaml');
  if (!k.includes('all.yaml')) throw new Error('bench: examples/kustomize/kustomization.yaml changed shape; update the plain variant');
  writeFileSync(join(plainDir, 'kustomization.yaml'), k);
  add('kustomize|plain', [kustomize, 'build', plainDir]);
}
if (existsSync(kpt)) {
  // kpt fn eval of the example package with each executable (--exec, output to stdout: nothing written).
  const pkg = join(work, 'kpt-eval');
  cpSync(join(root, 'examples', 'kpt-eval'), pkg, { recursive: true });
  for (const [name, bin] of Object.entries(executables)) add(`kpt|${name}`, [kpt, 'fn', 'eval', pkg, '--exec', bin, '--fn-config', join(pkg, 'cluster.yaml'), '-o', 'stdout']);
}

// --- run ---
const load0 = loadavg();
const r = spawnSync(runner, [], { input: JSON.stringify({ runs: RUNS, cases }), encoding: 'utf8', maxBuffer: 64 << 20 });
if (r.status !== 0) throw new Error(`bench: ${r.stderr}`);
const samples = JSON.parse(r.stdout);
const load1 = loadavg();
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const stat = (label) => {
  const s = samples[label];
  return s && { wall: median(s.map((x) => x.wallMs)), cpu: median(s.map((x) => x.cpuMs)), rss: Math.max(...s.map((x) => x.maxRssKiB)) / 1024, min: Math.min(...s.map((x) => x.wallMs)) };
};

// --- report ---
const helmVersion = chartDir ? spawnSync(helm, ['version', '--short'], { encoding: 'utf8' }).stdout.trim() : undefined;
const chart = chartDir && existsSync(join(chartDir, 'Chart.yaml')) ? /^version:\s*(\S+)/m.exec(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8'))?.[1] : undefined;
console.log(`capi-proxmox-talos benchmark — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus().length}× ${cpus()[0]?.model.trim()}, node ${process.version}, ${RUNS} rounds`);
console.log(`load average (1, 5, 15 min) ${load0.map((x) => x.toFixed(1)).join(' ')} before, ${load1.map((x) => x.toFixed(1)).join(' ')} after`);
console.log(`default spec: import-helm-values ${valuesFile.replace(`${root}/`, '')}${chartDir ? `; helm peer: ${helmVersion ?? 'helm'} template of ${chartDir} (chart ${chart ?? '?'})` : '; no CHART_DIR: helm left out'}`);
console.log(`KRM: a ResourceList in YAML on stdin, as kustomize and kpt send it; large spec: ${machines} machines in 20 pools${baseline ? `; baseline: ${baseline}` : ''}\n`);

const W = [52, 10, 10, 9, 10];
const line = (cells) => console.log(cells.map((c, i) => (i ? String(c).padStart(W[i]) : String(c).padEnd(W[0]))).join(''));
line(['median of ' + RUNS, 'wall ms', 'CPU ms', 'min wall', 'peak MiB']);
const row = (title, label) => {
  const s = stat(label);
  if (s) line([title, s.wall.toFixed(1), s.cpu.toFixed(1), s.min.toFixed(1), s.rss.toFixed(1)]);
};
for (const ca of caFile ? ['set', 'unset'] : ['unset']) {
  console.log(`NODE_EXTRA_CA_CERTS ${ca === 'set' ? `set (${caFile})` : 'unset'}`);
  row('  node -e 0 (the floor)', `${ca}|floor`);
  for (const name of Object.keys(executables)) for (const spec of Object.keys(krm)) row(`  ${name}, KRM, ${spec} spec`, `${ca}|${name}|krm ${spec}`);
}
console.log('CLI (NODE_EXTRA_CA_CERTS set)');
for (const name of Object.keys(executables)) {
  row(`  ${name} --version (its own start)`, `${name}|--version`);
  row(`  ${name} render SPEC (default spec)`, `${name}|render`);
}
row('  helm template NAME CHART_DIR -f VALUES', 'helm|template');
if (Object.keys(withExec).length) console.log('kustomize build examples/kustomize');
for (const name of Object.keys(withExec)) row(`  with the ${name} executable as generator`, `kustomize|${name}`);
row('  the same manifests, plain (no generator)', 'kustomize|plain');
if (existsSync(kpt)) console.log('kpt fn eval examples/kpt-eval --exec');
for (const name of Object.keys(executables)) row(`  with the ${name} executable`, `kpt|${name}`);

const ratio = (a, b, k) => stat(a)[k] / stat(b)[k];
const target = (what, value, limit, unit = '×') => console.log(`  ${what.padEnd(66)} ${value.toFixed(2).padStart(6)}${unit} (target ≤ ${limit}${unit}) ${value <= limit ? 'met' : 'MISSED'}`);
console.log('\ntargets (issue 24), standalone executable, wall and CPU from the medians above');
if (chartDir) {
  target('default spec render / helm template, wall', ratio('standalone|render', 'helm|template', 'wall'), 0.8);
  target('default spec render / helm template, CPU', ratio('standalone|render', 'helm|template', 'cpu'), 0.8);
} else console.log('  default spec render / helm template: not measured (set CHART_DIR)');
const work_ = (k) => stat('standalone|render')[k] - stat('standalone|--version')[k];
target('render work over the executable’s own start (render − --version), wall', work_('wall'), 10, ' ms');
target('render work over the executable’s own start, CPU', work_('cpu'), 10, ' ms');
if (caFile) {
  target('large spec / node -e 0, CA bundle set, wall', ratio('set|standalone|krm large', 'set|floor', 'wall'), 1.3);
  target('large spec / node -e 0, CA bundle set, CPU', ratio('set|standalone|krm large', 'set|floor', 'cpu'), 1.3);
}
target('large spec / node -e 0, CA bundle unset, wall', ratio('unset|standalone|krm large', 'unset|floor', 'wall'), 1.3);
const peak = Math.max(...Object.keys(samples).filter((l) => l.includes('standalone|') && !l.startsWith('k')).map((l) => stat(l).rss));
target('peak memory of any standalone run', peak, 64, ' MiB');
if (withExec.standalone) {
  const over = stat('kustomize|standalone').wall - stat('kustomize|plain').wall;
  console.log(`  kustomize with the standalone generator − plain: ${over.toFixed(1)} ms wall (the standalone KRM default spec alone: ${stat('set|standalone|krm default').wall.toFixed(1)} ms)`);
}
if (baseline) {
  console.log('  this build / baseline (wall, CPU):');
  for (const [what, a, b] of [
    ['KRM default spec', 'set|standalone|krm default', 'set|baseline|krm default'],
    ['KRM large spec', 'set|standalone|krm large', 'set|baseline|krm large'],
    ['render SPEC', 'standalone|render', 'baseline|render'],
    ['kustomize build', 'kustomize|standalone', 'kustomize|baseline'],
    ['kpt fn eval', 'kpt|standalone', 'kpt|baseline'],
  ]) {
    if (stat(a) && stat(b)) console.log(`    ${what.padEnd(20)} ${ratio(a, b, 'wall').toFixed(2)} ${ratio(a, b, 'cpu').toFixed(2)}${ratio(a, b, 'cpu') <= 1.02 ? '' : '  (slower)'}`);
  }
}

// The plan engine over a 100-cluster fleet (scripts/bench-plan.mjs).
benchPlan();
