// The plan of a fleet (part of npm run bench; alone: node scripts/bench-plan.mjs): a generated repository of
// BENCH_CLUSTERS clusters (default 100; 3 control planes and 2 pools each, every cluster on its own /24 and
// VM ID range), rendered once as the base and once after a day of edits (every 10th cluster's Kubernetes
// upgraded, every 7th cluster's pool scaled, one pool resized), then `diff --gate` of the two rendered
// folders, as render.sh runs it: wall time (min / median of BENCH_PLAN_RUNS runs) and peak memory of each
// executable, in words and as JSON. Prints figures; asserts nothing.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch] ?? process.arch;
const bins = { node: join(root, 'dist', 'capi-proxmox-talos'), standalone: join(root, 'dist', `capi-proxmox-talos-standalone-linux-${arch}`) };
const N = Number(process.env.BENCH_CLUSTERS ?? 100);
const RUNS = Number(process.env.BENCH_PLAN_RUNS ?? 10);

const name = (i) => `c${String(i).padStart(3, '0')}`;
/** The ClusterSpec of cluster i, before (day 0) or after (day 1) the edits. */
function spec(i, day) {
  const net = `10.${Math.floor(i / 250)}.${i % 250}`;
  const upgraded = day === 1 && i % 10 === 0;
  const scaled = day === 1 && i % 7 === 0;
  const resized = day === 1 && i === 5;
  return [
    'apiVersion: capi-proxmox-talos.dev/v1alpha1',
    'kind: ClusterSpec',
    `metadata: {name: ${name(i)}}`,
    'spec:',
    `  cluster: {kubernetesVersion: ${upgraded ? 'v1.33.4' : 'v1.32.0'}}`,
    `  network: {ipRanges: [${net}.101-${net}.160], prefix: 24, gateway: ${net}.1, dnsServers: [${net}.1], bastion: {}}`,
    `  controlPlane: {replicas: 3, endpointIP: ${net}.100}`,
    `  proxmox: {allowedNodes: [pve1, pve2], template: {sourceNode: pve1, templateID: 9000}, vmIDRange: {start: ${1000 + i * 100}, end: ${1099 + i * 100}}}`,
    '  workers:',
    `    - {name: general, replicas: ${scaled ? 5 : 4}${resized ? ', cores: 8' : ''}}`,
    '    - {name: storage, replicas: 3, memoryMiB: 32768}',
    '',
  ].join('\n');
}

export function benchPlan() {
  for (const b of Object.values(bins)) if (!existsSync(b)) throw new Error(`bench-plan: ${b} is missing: npm run build`);
  const work = mkdtempSync(join(tmpdir(), 'cpt-bench-plan-'));
  let objects = 0;
  for (const day of [0, 1]) {
    const out = join(work, day === 0 ? 'base' : 'next');
    mkdirSync(out);
    for (let i = 0; i < N; i++) {
      const r = spawnSync(bins.node, ['render', '-'], { input: spec(i, day), encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`bench-plan: cluster ${name(i)} did not render: ${r.stderr}`);
      writeFileSync(join(out, `${name(i)}.yaml`), r.stdout);
      if (day === 1) objects += r.stdout.split('\n---\n').length;
    }
  }
  const args = (output) => ['diff', '--gate', '--output', output, join(work, 'base'), join(work, 'next')];
  const check = spawnSync(bins.node, args('json'), { encoding: 'utf8', maxBuffer: 256 << 20 });
  const plan = JSON.parse(check.stdout);
  const changed = plan.clusters.filter((c) => c.change !== 'unchanged').length;
  const rolls = plan.clusters.reduce((s, c) => s + c.rollouts.length, 0);
  const time = (bin, output) => {
    const ms = [];
    for (let i = 0; i < RUNS; i++) {
      const t = process.hrtime.bigint();
      const r = spawnSync(bin, args(output), { stdio: 'ignore' });
      ms.push(Number(process.hrtime.bigint() - t) / 1e6);
      if (r.status !== 0) throw new Error(`bench-plan: diff exited ${r.status}`);
    }
    ms.sort((a, b) => a - b);
    return { min: ms[0], median: ms[Math.floor(ms.length / 2)] };
  };
  const rss = (bin) => {
    if (!existsSync('/usr/bin/time')) return undefined;
    const r = spawnSync('/usr/bin/time', ['-f', '%M', bin, ...args('json')], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    return Number(r.stderr.trim().split('\n').pop()) / 1024;
  };
  const size = (dir) => Array.from({ length: N }, (_, i) => readFileSync(join(work, dir, `${name(i)}.yaml`)).length).reduce((a, b) => a + b, 0);
  console.log(`\nthe plan of a fleet: ${N} clusters, ${objects} objects, ${(size('next') / 1048576).toFixed(1)} MiB of rendered YAML per side; ${changed} clusters change, ${rolls} rollouts; ${RUNS} runs each`);
  console.log(`${''.padEnd(44)}${'min ms'.padStart(9)}${'median ms'.padStart(11)}${'max RSS MiB'.padStart(13)}`);
  for (const [label, bin] of Object.entries(bins)) {
    for (const output of ['text', 'json']) {
      const t = time(bin, output);
      const m = output === 'json' ? rss(bin) : undefined;
      console.log(`${`${label === 'node' ? 'Node executable' : 'standalone executable'}, diff --gate, ${output}`.padEnd(44)}${t.min.toFixed(0).padStart(9)}${t.median.toFixed(0).padStart(11)}${(m === undefined ? '' : m.toFixed(1)).padStart(13)}`);
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) benchPlan();
