// npm run bench: wall time (min / median over many runs) of the function and its peers on this machine,
// each as a ratio to a bare `node -e 0` start, plus the function's peak memory. Prints figures; asserts
// nothing (targets and results: docs/performance.md).
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, cpSync, existsSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, resolve } from 'node:path';

const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const root = resolve(new URL('..', import.meta.url).pathname);
const bin = join(root, 'dist', 'capi-proxmox-talos');
const kustomize = join(root, '.tools', 'bin', 'kustomize');
const work = mkdtempSync(join(tmpdir(), 'cpt-bench-'));

const resourceList = (spec) =>
  JSON.stringify({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: [], functionConfig: { apiVersion: 'capi-proxmox-talos.dev/v1alpha1', kind: 'ClusterSpec', metadata: { name: 'bench' }, spec } });
// The large spec: 3 control planes and 20 pools, 500 machines in all, in a /16.
const large = {
  network: { prefix: 16, gateway: '10.30.0.1', ipRanges: ['10.30.1.0-10.30.3.255'], dnsServers: ['10.30.0.53'] },
  controlPlane: { endpointIP: '10.30.0.10', replicas: 3 },
  workers: Array.from({ length: 20 }, (_, i) => ({ name: `pool${i}`, replicas: i < 17 ? 25 : 24, labels: { 'example.com/pool': `p${i}` }, healthCheck: {} })),
};
const machines = 3 + large.workers.reduce((s, w) => s + w.replicas, 0);
writeFileSync(join(work, 'default.json'), resourceList({}));
writeFileSync(join(work, 'large.json'), resourceList(large));

function time(cmd, args, input) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { input, stdio: ['pipe', 'ignore', 'ignore'] });
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  }
  samples.sort((a, b) => a - b);
  return { min: samples[0], median: samples[Math.floor(samples.length / 2)] };
}

function maxRSS(input) {
  if (!existsSync('/usr/bin/time')) return undefined;
  const r = spawnSync('/usr/bin/time', ['-f', '%M', bin], { input, stdio: ['pipe', 'ignore', 'pipe'], encoding: 'utf8' });
  return Number(r.stderr.trim().split('\n').pop()) / 1024;
}

const rows = [];
const row = (name, t, floor) => rows.push([name, t.min.toFixed(1), t.median.toFixed(1), floor ? (t.median / floor).toFixed(2) : '1.00']);
const floor = time(process.execPath, ['-e', '0']);
row('node -e 0 (floor)', floor);
const def = time(bin, [], `${resourceList({})}`);
row('function, default spec', def, floor.median);
row('function, default spec, without code cache', time(`${bin}.plain.cjs`, [], resourceList({})), floor.median);
const big = time(bin, [], resourceList(large));
row(`function, large spec (${machines} machines, 20 pools)`, big, floor.median);

let kustomizeLine = '';
if (existsSync(kustomize)) {
  const withFn = join(work, 'kfn');
  cpSync(join(root, 'examples', 'kustomize'), withFn, { recursive: true });
  execFileSync('sed', ['-i', `s#path: ../../dist/capi-proxmox-talos#path: ${bin}#`, join(withFn, 'cluster.yaml')]);
  const plain = join(work, 'kplain');
  cpSync(withFn, plain, { recursive: true });
  const manifests = execFileSync(kustomize, ['build', '--enable-alpha-plugins', '--enable-exec', withFn], { encoding: 'utf8' });
  writeFileSync(join(plain, 'all.yaml'), manifests);
  // Same kustomization, with the generator's output as a plain resource (the patch stays: it costs
  // kustomize an OpenAPI load either way, so it must be on both sides of the comparison).
  const k = readFileSync(join(withFn, 'kustomization.yaml'), 'utf8').replace(/generators:\n  - cluster.yaml\nresources:\n  - proxmox-credentials-note.yaml/, 'resources:\n  - all.yaml');
  if (!k.includes('all.yaml')) throw new Error('bench: examples/kustomize/kustomization.yaml changed shape; update the plain variant');
  writeFileSync(join(plain, 'kustomization.yaml'), k);
  const kt = time(kustomize, ['build', '--enable-alpha-plugins', '--enable-exec', withFn]);
  const p = time(kustomize, ['build', plain]);
  row('kustomize build with the generator', kt, floor.median);
  row('kustomize build of the same manifests, plain', p, floor.median);
  kustomizeLine = `kustomize with generator / (plain + one function start): ${(kt.median / (p.median + def.median)).toFixed(2)} (target ≤ 1.5)`;
}

const rss = maxRSS(resourceList(large));
const w = [52, 9, 11, 8];
console.log(`capi-proxmox-talos benchmark — ${new Date().toISOString().slice(0, 10)}, ${cpus().length}× ${cpus()[0]?.model}, node ${process.version}, ${RUNS} runs each, NODE_EXTRA_CA_CERTS ${process.env.NODE_EXTRA_CA_CERTS ? 'set' : 'unset'}`);
console.log(['', 'min ms', 'median ms', '× floor'].map((h, i) => (i ? h.padStart(w[i]) : h.padEnd(w[0]))).join(''));
for (const r of rows) console.log(r.map((c, i) => (i ? String(c).padStart(w[i]) : c.padEnd(w[0]))).join(''));
console.log(`default spec: ${(def.median / floor.median).toFixed(2)} × floor (target ≤ 1.3); large spec: ${(big.median / floor.median).toFixed(2)} × floor (target ≤ 1.6)`);
if (rss !== undefined) console.log(`max RSS, large spec: ${rss.toFixed(1)} MiB (target ≤ 80)`);
if (kustomizeLine) console.log(kustomizeLine);
