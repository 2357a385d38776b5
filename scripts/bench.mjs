// npm run bench: wall time (min / median over many runs) of the function's two executables and their
// peers on this machine, each as a ratio to a bare `node -e 0` start, with and without NODE_EXTRA_CA_CERTS
// (kpt and kustomize pass it through, and Node reads the bundle at every start), plus each executable's
// peak memory, and the plan of a 100-cluster fleet (bench-plan.mjs). The cases run interleaved, round
// after round, so a machine that gets busier mid-run slows all of them alike. Prints figures; asserts nothing (targets and results: docs/performance.md).
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, cpSync, existsSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { benchPlan } from './bench-plan.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const root = resolve(new URL('..', import.meta.url).pathname);
const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch] ?? process.arch;
const bins = { node: join(root, 'dist', 'capi-proxmox-talos'), standalone: join(root, 'dist', `capi-proxmox-talos-standalone-linux-${arch}`) };
for (const b of Object.values(bins)) if (!existsSync(b)) throw new Error(`bench: ${b} is missing: npm run build`);
const kustomize = join(root, '.tools', 'bin', 'kustomize');
const work = mkdtempSync(join(tmpdir(), 'cpt-bench-'));
const caFile = process.env.NODE_EXTRA_CA_CERTS || ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt'].find(existsSync);

const resourceList = (spec) =>
  JSON.stringify({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: [], functionConfig: { apiVersion: 'capi-proxmox-talos.dev/v1alpha1', kind: 'ClusterSpec', metadata: { name: 'bench' }, spec } });
// The large spec: 3 control planes and 20 pools, 500 machines in all, in a /16.
const large = {
  network: { prefix: 16, gateway: '10.30.0.1', ipRanges: ['10.30.1.0-10.30.3.255'], dnsServers: ['10.30.0.53'] },
  controlPlane: { endpointIP: '10.30.0.10', replicas: 3 },
  workers: Array.from({ length: 20 }, (_, i) => ({ name: `pool${i}`, replicas: i < 17 ? 25 : 24, labels: { 'example.com/pool': `p${i}` }, healthCheck: {} })),
};
const machines = 3 + large.workers.reduce((s, w) => s + w.replicas, 0);
const specs = { default: resourceList({}), large: resourceList(large) };

const baseEnv = { ...process.env };
delete baseEnv.NODE_EXTRA_CA_CERTS;
const envs = { set: caFile ? { ...baseEnv, NODE_EXTRA_CA_CERTS: caFile } : baseEnv, unset: baseEnv };

// Each case: [label, command, args, stdin, env]
const cases = [];
for (const [ca, env] of Object.entries(envs)) {
  if (ca === 'set' && !caFile) continue;
  cases.push([`${ca}|floor`, process.execPath, ['-e', '0'], undefined, env]);
  for (const [spec, input] of Object.entries(specs)) for (const [name, bin] of Object.entries(bins)) cases.push([`${ca}|${name}|${spec}`, bin, [], input, env]);
}
let plainDir;
let withFn = {};
if (existsSync(kustomize)) {
  // kustomize build of examples/kustomize with each executable as the generator, and of the same manifests
  // as plain resources (same patch: it costs kustomize an OpenAPI load either way).
  for (const [name, bin] of Object.entries(bins)) {
    const dir = join(work, `k-${name}`);
    cpSync(join(root, 'examples', 'kustomize'), dir, { recursive: true });
    execFileSync('sed', ['-i', `s#path: ../../dist/capi-proxmox-talos#path: ${bin}#`, join(dir, 'cluster.yaml')]);
    withFn[name] = dir;
  }
  plainDir = join(work, 'kplain');
  cpSync(withFn.node, plainDir, { recursive: true });
  writeFileSync(join(plainDir, 'all.yaml'), execFileSync(kustomize, ['build', '--enable-alpha-plugins', '--enable-exec', withFn.node], { encoding: 'utf8' }));
  const k = readFileSync(join(plainDir, 'kustomization.yaml'), 'utf8').replace(/generators:\n  - cluster.yaml\nresources:\n  - proxmox-credentials-note.yaml/, 'resources:\n  - all.yaml');
  if (!k.includes('all.yaml')) throw new Error('bench: examples/kustomize/kustomization.yaml changed shape; update the plain variant');
  writeFileSync(join(plainDir, 'kustomization.yaml'), k);
  for (const [name, dir] of Object.entries(withFn)) cases.push([`set|kustomize|${name}`, kustomize, ['build', '--enable-alpha-plugins', '--enable-exec', dir], undefined, envs.set]);
  cases.push(['set|kustomize|plain', kustomize, ['build', plainDir], undefined, envs.set]);
}

const samples = Object.fromEntries(cases.map(([label]) => [label, []]));
const load0 = loadavg()[0];
for (let i = 0; i < RUNS; i++) {
  for (const [label, cmd, args, input, env] of cases) {
    const t = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { input, env, stdio: ['pipe', 'ignore', 'ignore'] });
    samples[label].push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  }
}
const stat = (label) => {
  const s = [...samples[label]].sort((a, b) => a - b);
  return s.length ? { min: s[0], median: s[Math.floor(s.length / 2)] } : undefined;
};

// Peak RSS (GNU time's %M, KiB): the median of a few runs of each executable on each spec, CA bundle set.
function maxRSS(bin, input) {
  if (!existsSync('/usr/bin/time')) return undefined;
  const rss = [];
  for (let i = 0; i < 5; i++) {
    const r = spawnSync('/usr/bin/time', ['-f', '%M', bin], { input, env: envs.set, stdio: ['pipe', 'ignore', 'pipe'], encoding: 'utf8' });
    rss.push(Number(r.stderr.trim().split('\n').pop()) / 1024);
  }
  return rss.sort((a, b) => a - b)[2];
}

const w = [58, 9, 11, 9];
const line = (cells) => console.log(cells.map((c, i) => (i ? String(c).padStart(w[i]) : String(c).padEnd(w[0]))).join(''));
console.log(`capi-proxmox-talos benchmark — ${new Date().toISOString().slice(0, 10)}, ${cpus().length}× ${cpus()[0]?.model}, node ${process.version}, ${RUNS} runs each (interleaved), load average ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)}`);
const ratios = {};
for (const ca of Object.keys(envs)) {
  const floor = stat(`${ca}|floor`);
  if (!floor) continue;
  console.log(`\nNODE_EXTRA_CA_CERTS ${ca === 'set' ? `set (${caFile})` : 'unset'}`);
  line(['', 'min ms', 'median ms', '× floor']);
  line(['node -e 0 (floor)', floor.min.toFixed(1), floor.median.toFixed(1), '1.00']);
  for (const spec of Object.keys(specs)) {
    for (const name of Object.keys(bins)) {
      const t = stat(`${ca}|${name}|${spec}`);
      const r = t.median / floor.median;
      ratios[`${ca}|${name}|${spec}`] = r;
      line([`${name === 'node' ? 'Node executable' : 'standalone executable'}, ${spec === 'default' ? 'default spec' : `large spec (${machines} machines, 20 pools)`}`, t.min.toFixed(1), t.median.toFixed(1), r.toFixed(2)]);
    }
  }
  if (ca === 'set' && plainDir) {
    for (const name of [...Object.keys(withFn), 'plain']) {
      const t = stat(`set|kustomize|${name}`);
      line([name === 'plain' ? 'kustomize build of the same manifests, plain' : `kustomize build, ${name} executable as the generator`, t.min.toFixed(1), t.median.toFixed(1), (t.median / floor.median).toFixed(2)]);
    }
  }
}
const rssFig = {};
console.log(`\nmax RSS (MiB, median of 5, CA bundle ${caFile ? 'set' : 'unset'})`);
for (const [name, bin] of Object.entries(bins)) for (const [spec, input] of Object.entries(specs)) {
  rssFig[`${name}|${spec}`] = maxRSS(bin, input);
  if (rssFig[`${name}|${spec}`] !== undefined) console.log(`  ${name.padEnd(10)} ${spec.padEnd(8)} ${rssFig[`${name}|${spec}`].toFixed(1)}`);
}
const t = (k, target) => (ratios[k] === undefined ? `${k}: not measured` : `${ratios[k].toFixed(2)} × floor (target ≤ ${target}) ${ratios[k] <= target ? 'met' : 'MISSED'}`);
console.log('\nstandalone executable targets');
console.log(`  default spec, CA set:   ${t('set|standalone|default', 1.0)}`);
console.log(`  default spec, CA unset: ${t('unset|standalone|default', 1.5)}`);
console.log(`  large spec, CA set:     ${t('set|standalone|large', 1.3)}`);
console.log(`  large spec, CA unset:   ${t('unset|standalone|large', 2.0)}`);
const rssMax = Math.max(...['default', 'large'].map((s) => rssFig[`standalone|${s}`] ?? 0));
console.log(`  max RSS: ${rssMax.toFixed(1)} MiB (target ≤ 80) ${rssMax <= 80 ? 'met' : 'MISSED'}`);
if (plainDir) {
  const def = stat('set|standalone|default').median;
  console.log(`  kustomize with the standalone generator / (plain + one standalone start): ${(stat('set|kustomize|standalone').median / (stat('set|kustomize|plain').median + def)).toFixed(2)} (target ≤ 1.5)`);
}

// The plan engine over a 100-cluster fleet (scripts/bench-plan.mjs).
benchPlan();
