/**
 * `diff OLD NEW`: what changing OLD into NEW does to the live cluster, in words, before it is pushed.
 * Each file is a ClusterSpec, a ResourceList holding one, or rendered manifests.
 */
import { readDocuments } from '../krm/documents';
import { generate } from '../generate';
import { describeChanges } from '../diff/changes';
import { boundResults, formatResult, hasErrors, type Result } from '../results';
import { kubernetesUpgradeProblem, talosUpgradeProblem } from '../clusterspec/versions';
import { KIND } from '../clusterspec/schema';

type Obj = Record<string, any>;

function load(text: string, label: string): { objects: Obj[]; results: Result[] } {
  const docs = readDocuments(text);
  if (docs.error !== undefined) return failed(`${label}: ${docs.error}`);
  let values = docs.values as unknown[];
  let where = 'document';
  if (values.length === 1 && isObj(values[0]) && values[0].kind === 'ResourceList') {
    const rl = values[0];
    if (isObj(rl.functionConfig) && rl.functionConfig.kind === KIND) return boundedSide(generate(rl.functionConfig));
    if (rl.items !== undefined && rl.items !== null && !Array.isArray(rl.items)) return failed(`${label}: ResourceList.items must be a list`);
    values = (rl.items as unknown[] | null) ?? [];
    where = 'ResourceList item';
  }
  if (values.length === 1 && isObj(values[0]) && values[0].kind === KIND) return boundedSide(generate(values[0]));
  const bad = values.findIndex((v) => !isManifest(v));
  if (bad >= 0) return failed(`${label}: ${where} ${bad + 1} is not a Kubernetes object (a mapping with kind, metadata.name and, if present, a spec mapping); diff compares two ClusterSpecs or two rendered outputs`);
  return { objects: values as Obj[], results: [] };
}

/** A side's results, bounded like every answer (results.ts). */
const boundedSide = (g: { objects: Obj[]; results: Result[] }) => ({ objects: g.objects, results: boundResults(g.results) });
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isManifest = (v: unknown) => isObj(v) && typeof v.kind === 'string' && isObj(v.metadata) && typeof v.metadata.name === 'string' && (v.spec === undefined || isObj(v.spec));
const failed = (message: string) => ({ objects: [], results: [{ severity: 'error' as const, message }] });

/** The changes in words; manifests that are not this function's output (edited by hand, or others') are a clean error. */
function changesBetween(old: Obj[], next: Obj[]): { changes: ReturnType<typeof describeChanges>; error?: undefined } | { error: Result; changes?: undefined } {
  try {
    return { changes: describeChanges(old, next) };
  } catch (e) {
    return { error: { severity: 'error', message: `cannot compare OLD and NEW: they hold objects shaped unlike this function's output (${(e as Error).message}); diff compares two ClusterSpecs or two rendered outputs` } };
  }
}

const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
const controlPlaneOf = (objs: Obj[]) => objs.find((o) => o?.kind === 'TalosControlPlane');
const talosVersionOf = (objs: Obj[]) => text(controlPlaneOf(objs)?.spec?.controlPlaneConfig?.controlplane?.talosVersion);
const kubernetesVersionOf = (objs: Obj[]) => text(controlPlaneOf(objs)?.spec?.version);
/** The Proxmox VM templates (node/ID) the machine templates clone from. */
const vmTemplatesOf = (objs: Obj[]) =>
  new Set(
    objs
      .filter((o) => o?.kind === 'ProxmoxMachineTemplate' && o.spec?.template?.spec?.templateID !== undefined)
      .map((o) => `${text(o.spec.template.spec.sourceNode) ?? '?'}/${String(o.spec.template.spec.templateID)}`),
  );

export function diffCommand(oldText: string, newText: string) {
  const old = load(oldText, 'OLD');
  const next = load(newText, 'NEW');
  const problems: Result[] = [...old.results.filter((r) => r.severity === 'error'), ...next.results.filter((r) => r.severity !== 'info')];
  // Nothing to compare when a side could not be read or rendered: its objects would look all added or removed.
  if (hasErrors(problems)) return { stdout: '', stderr: bounded(problems.map(formatResult)), exitCode: 1 };
  const from = talosVersionOf(old.objects);
  const to = talosVersionOf(next.objects);
  const skip = from && to ? talosUpgradeProblem(from, to) : undefined;
  if (skip) problems.push({ severity: 'error', message: skip, field: { path: 'spec.cluster.talosImage' } });
  const kept = from && to && from !== to ? [...vmTemplatesOf(next.objects)].filter((t) => vmTemplatesOf(old.objects).has(t)) : [];
  if (kept.length) {
    // A machine boots its VM template's Talos: a disk image never installs talosImage, an older installer ISO
    // refuses the newer config (src/clusterspec/templateTalos.ts).
    problems.push({
      severity: 'warning',
      message: `Talos ${from} → ${to}, but machines are still cloned from the VM template${kept.length > 1 ? 's' : ''} ${kept.join(', ')}: a clone of a Talos disk image runs the image's Talos, not talosImage's, and an installer ISO of an older Talos refuses the new config; point the templates at ones holding Talos ${to} in this commit (template.talosVersion makes render check it)`,
      field: { path: 'spec.proxmox.template' },
    });
  }
  const k8sFrom = kubernetesVersionOf(old.objects);
  const k8sTo = kubernetesVersionOf(next.objects);
  const k8s = k8sFrom && k8sTo ? kubernetesUpgradeProblem(k8sFrom, k8sTo) : undefined;
  if (k8s) problems.push({ ...k8s, field: { path: 'spec.cluster.kubernetesVersion' } });
  const compared = changesBetween(old.objects, next.objects);
  if (compared.error) return { stdout: '', stderr: `${formatResult(compared.error)}\n`, exitCode: 1 };
  const changes = compared.changes;
  const tcp = next.objects.find((o) => o.kind === 'TalosControlPlane');
  if (tcp && (tcp.spec?.replicas ?? 1) === 1 && changes.some((c) => c.subject === 'control plane' && c.rolls > 0)) {
    problems.push({ severity: 'warning', message: 'this rolls a single control plane: its etcd member is replaced with no quorum to spare; take an etcd snapshot first (talosctl etcd snapshot)' });
  }
  const unranged = next.objects.some((o) => o.kind === 'ProxmoxMachineTemplate' && !o.spec?.template?.spec?.vmIDRange);
  if (unranged && changes.some((c) => c.rolls > 0)) {
    // CAPMOX v0.9 deletes by recorded VM ID until the ID is free; Proxmox reuses a freed ID for the next
    // clone at once, and a roll deletes and clones side by side (ionos-cloud/cluster-api-provider-proxmox#856).
    problems.push({
      severity: 'warning',
      message:
        'this rolls machines and no VM ID range is set: CAPMOX v0.9 can delete a new VM whose ID Proxmox reuses during the roll (README "VM IDs"); set one for this cluster, in this commit or before the next roll (setting it rolls every machine once)',
      field: { path: 'spec.proxmox.vmIDRange' },
    });
  }
  const lines = changes.length ? changes.map((c) => `${c.subject}: ${c.text}`) : ['no changes'];
  return { stdout: bounded(lines), stderr: bounded(problems.map(formatResult)), exitCode: hasErrors(problems) ? 1 : 0 };
}

/** At most MAX_LINES lines of at most MAX_LINE characters: the files compared may hold anything. */
const MAX_LINES = 200;
const MAX_LINE = 1000;
function bounded(lines: string[]): string {
  if (!lines.length) return '';
  const shown = lines.slice(0, MAX_LINES).map((l) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE)}…` : l));
  if (lines.length > MAX_LINES) shown.push(`… ${lines.length - MAX_LINES} more lines`);
  return `${shown.join('\n')}\n`;
}
