#!/usr/bin/env node
// Mutation check of the meaning oracle (issue 21 item 6): each deliberate bug below, applied to a copy of
// the sources, must make the oracle's properties (test/support/meaningRun.ts) fail; the unmutated copy
// must pass. Each bug is one exact text replacement that must match exactly once, so a refactoring that
// moves the target text fails this check loudly instead of letting it test nothing.
//
//   node scripts/mutation-check.mjs            every mutation (and the unmutated copy)
//   node scripts/mutation-check.mjs --list     the mutations
//   node scripts/mutation-check.mjs ID ...     only these (and the unmutated copy)
//   FC_RUNS=N (default 100): runs per property; FC_SEED: the seed (fixed, so a verdict is reproducible)
//
// Exit 0 when every mutation was caught and the unmutated copy passed; 1 otherwise. Run by
// test/mutation.test.ts in `npm test`.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The bugs. `issue: true` marks issue 21's (they passed every test but the byte-exact goldens; the last
 * passed those too). `before` says what the suite before the oracle (every jest suite but the container
 * one, run with the bug applied on 2026-12-06) made of the others.
 */
export const MUTATIONS = [
  {
    id: 'pool-uses-control-plane-template',
    issue: true,
    what: "a pool's MachineDeployment points at the control-plane machine template",
    file: 'src/resources/index.ts',
    find: '{ machineTemplate: machineTemplate.metadata.name,',
    replace: '{ machineTemplate: cpTemplate.metadata.name,',
  },
  {
    id: 'workers-lose-ntp-and-mirrors',
    issue: true,
    what: 'workers lose the NTP servers and registry mirrors',
    file: 'src/talos/patches.ts',
    find: 'present<Patch | Documents>([install(m), machineExtras(m), machineKernel(m), nodeIdentity(m, pool),',
    replace: 'present<Patch | Documents>([install(m), machineKernel(m), nodeIdentity(m, pool),',
  },
  {
    id: 'control-plane-max-surge-zero',
    issue: true,
    what: 'the control plane maxSurge is fixed at 0',
    file: 'src/resources/talosControlPlane.ts',
    find: 'rollingUpdate: { maxSurge: m.controlPlane.maxSurge }',
    replace: 'rollingUpdate: { maxSurge: 0 }',
  },
  {
    id: 'scsi-installs-to-vd',
    issue: true,
    what: 'a SCSI boot device installs to /dev/vdX',
    file: 'src/talos/patches.ts',
    find: "return m[1] === 'virtio' ? `/dev/vd${letter}` : `/dev/sd${letter}`;",
    replace: 'return `/dev/vd${letter}`;',
  },
  {
    id: 'network-and-broadcast-usable',
    issue: true,
    what: 'the capacity check counts the network and broadcast addresses as usable',
    file: 'src/clusterspec/network.ts',
    find: 'if (prefix < 31) {',
    replace: 'if (false) {',
  },
  {
    id: 'pool-patches-before-cluster-patches',
    before: 'missed',
    what: "a pool's own Talos patches go before spec.talos.patches, so the cluster-wide ones win",
    file: 'src/talos/patches.ts',
    find: '...(m.talos.patches ?? []), ...(pool.patches ?? [])',
    replace: '...(pool.patches ?? []), ...(m.talos.patches ?? [])',
  },
  {
    id: 'workers-lose-kernel-settings',
    before: "caught by test/import-helm.test.ts (the chart's render compared field by field)",
    what: 'workers lose the sysctls, kubelet flags and kernel modules',
    file: 'src/talos/patches.ts',
    find: 'machineKernel(m), nodeIdentity(m, pool)',
    replace: 'nodeIdentity(m, pool)',
  },
  {
    id: 'extra-nic-mtu-lost',
    before: 'missed',
    what: "an extra NIC loses its MTU (current profile)",
    file: 'src/resources/profile.ts',
    find: '...extra.map((x, i) => ({ name: `net${i + 1}`, ...device(x), ipPoolRef',
    replace: '...extra.map((x, i) => ({ name: `net${i + 1}`, ...device({ ...x, mtu: undefined }), ipPoolRef',
  },
  {
    id: 'extra-nic-pool-kind-lost',
    before: 'missed',
    what: 'an extra NIC is addressed from an InClusterIPPool even when its ipPool is a GlobalInClusterIPPool (current profile)',
    file: 'src/resources/profile.ts',
    find: 'ipPoolRef: [{ apiGroup: GROUPS.ipam, ...x.ipPool }]',
    replace: "ipPoolRef: [{ apiGroup: GROUPS.ipam, kind: 'InClusterIPPool', name: x.ipPool.name }]",
  },
  {
    id: 'vm-id-range-control-plane-only',
    before: 'caught by test/spec.test.ts (vmIDRange), test/diff.test.ts, test/change-impact.test.ts',
    what: "only the control plane's machine template gets spec.proxmox.vmIDRange",
    file: 'src/resources/proxmoxMachineTemplate.ts',
    find: '...(m.proxmox.vmIDRange && {',
    replace: "...(role === 'control-plane' && m.proxmox.vmIDRange && {",
  },
  {
    id: 'percent-surge-rounded-down',
    before: 'missed',
    what: 'a percentage maxSurge is rounded down when counting the addresses a rollout needs (CAPI rounds up)',
    file: 'src/clusterspec/check.ts',
    find: 'return Math.ceil((Number(v.slice(0, -1)) * replicas) / 100);',
    replace: 'return Math.floor((Number(v.slice(0, -1)) * replicas) / 100);',
  },
  {
    id: 'credentials-namespace-default',
    before: 'caught only by the byte-exact committed examples/flux/rendered output (test/e2e-kustomize.test.ts)',
    what: "credentialsRef without a namespace points into 'default' instead of the cluster's namespace",
    file: 'src/resources/proxmoxCluster.ts',
    find: 'credentialsRef.namespace ?? m.namespace',
    replace: "credentialsRef.namespace ?? 'default'",
  },
];

/** The copy of src/ and test/support/ with one mutation applied (none for the unmutated run). */
function copyWith(dir, mutation) {
  cpSync(join(REPO, 'src'), join(dir, 'src'), { recursive: true });
  cpSync(join(REPO, 'test', 'support'), join(dir, 'test', 'support'), { recursive: true });
  if (!mutation) return;
  const file = join(dir, mutation.file);
  const text = readFileSync(file, 'utf8');
  const hits = text.split(mutation.find).length - 1;
  if (hits !== 1) throw new Error(`mutation ${mutation.id}: "${mutation.find}" occurs ${hits} times in ${mutation.file} (must be exactly once): update the mutation to the current source`);
  writeFileSync(file, text.replace(mutation.find, () => mutation.replace));
}

/** Bundles the oracle's runner against the copy and runs it: 'pass', 'fail' (a property failed) or 'error'. */
async function verdict(mutation) {
  const dir = mkdtempSync(join(tmpdir(), 'cpt-mutation-'));
  try {
    copyWith(dir, mutation);
    const out = join(dir, 'run.cjs');
    await build({
      entryPoints: [join(dir, 'test', 'support', 'meaningRun.ts')],
      outfile: out,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      nodePaths: [join(REPO, 'node_modules')],
      logLevel: 'silent',
    });
    const env = { ...process.env, FC_RUNS: process.env.FC_RUNS ?? '100', ...(mutation && { FIRST_FAILURE: '1' }) };
    const r = spawnSync(process.execPath, [out], { encoding: 'utf8', env });
    const lines = `${r.stdout}${r.stderr}`.trim();
    return { result: r.status === 0 ? 'pass' : r.status === 1 && /^FAIL /m.test(r.stdout) ? 'fail' : 'error', lines };
  } catch (e) {
    return { result: 'error', lines: String(e?.message ?? e) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
if (args.includes('--list')) {
  for (const m of MUTATIONS) console.log(`${m.id}${m.issue ? ' (issue 21)' : ''}: ${m.what}${m.before ? ` [suite before the oracle: ${m.before}]` : ''}`);
  process.exit(0);
}
const unknown = args.filter((a) => !MUTATIONS.some((m) => m.id === a));
if (unknown.length) {
  console.error(`unknown mutation(s): ${unknown.join(', ')} (see --list)`);
  process.exit(2);
}
const chosen = args.length ? MUTATIONS.filter((m) => args.includes(m.id)) : MUTATIONS;

let bad = 0;
const t0 = Date.now();
const base = await verdict(undefined);
if (base.result !== 'pass') bad++;
console.log(`${base.result === 'pass' ? 'ok  ' : 'BAD '} unmutated: the oracle's properties ${base.result === 'pass' ? 'pass' : `do not pass (${base.result})`}\n${indent(base.lines)}`);
for (const m of chosen) {
  const v = await verdict(m);
  const caught = v.result === 'fail';
  if (!caught) bad++;
  console.log(`${caught ? 'ok  ' : 'BAD '} ${m.id}: ${caught ? 'caught' : v.result === 'pass' ? 'NOT CAUGHT: the oracle passes with this bug' : 'the mutated copy did not run'} (${m.what})\n${indent(v.lines)}`);
}
console.log(`mutation check: ${chosen.length - (bad - (base.result === 'pass' ? 0 : 1))} of ${chosen.length} mutations caught${base.result === 'pass' ? ', unmutated copy passes' : ', UNMUTATED COPY FAILS'} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
process.exit(bad ? 1 : 0);

function indent(text) {
  return text
    .split('\n')
    .map((l) => `       ${l.length > 400 ? `${l.slice(0, 400)}…` : l}`)
    .join('\n');
}
