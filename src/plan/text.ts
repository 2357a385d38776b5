/**
 * The Plan in words, for a person reading `diff` or the gate's output: per cluster a header line, then one
 * line per change: the control plane, then each pool, then the other objects, flags, what is pruned and
 * what it destroys, what Flux keeps. The JSON (`--output json`) holds the same.
 */
import { showRef, compareRefs } from './objects';
import { poolName, rolloutText, scaleText } from './rollouts';
import type { ClusterPlan, ObjectChanges, ObjectRef, Plan, PlanProblem } from './types';

const TEMPLATE_KINDS = new Set(['ProxmoxMachineTemplate', 'TalosConfigTemplate']);

/** Kind/name inside the cluster's own namespace, Kind/namespace/name elsewhere. */
const named = (r: ObjectRef, namespace: string) => (r.namespace === '' || r.namespace === namespace ? `${r.kind}/${r.name}` : showRef(r));

const listed = (names: string[]) => (names.length > 12 ? `${names.slice(0, 12).join(', ')} and ${names.length - 12} more` : names.join(', '));

/** "pool general" for a MachineDeployment of cluster `cluster`, "control plane" for a TalosControlPlane. */
function subjectOf(r: ObjectRef, cluster: string): string {
  if (r.kind === 'TalosControlPlane') return 'control plane';
  return `pool ${poolName({ metadata: { name: r.name }, spec: { clusterName: cluster } })}`;
}

function clusterLines(c: ClusterPlan): string[] {
  const out: string[] = [];
  const moved = c.movedTo ? ` (moved to ${c.movedTo.namespace}/${c.movedTo.name}: deleted, not moved)` : c.movedFrom ? ` (moved from ${c.movedFrom.namespace}/${c.movedFrom.name}: a new cluster)` : '';
  out.push(`cluster ${c.namespace}/${c.name}: ${c.change}${moved}`);
  const owners = (r?: ObjectRef) => r && (r.kind === 'TalosControlPlane' || r.kind === 'MachineDeployment');
  for (const n of c.notes) if (n.subject === 'adopted in place' || n.subject === 'cluster') out.push(`${n.subject}: ${n.text}`);
  // Each owner (the control plane first, then the pools by name): its roll, its scale, what is new.
  const ownerRefs = [...c.rollouts.map((r) => r.owner), ...c.scales.map((s) => s.owner), ...c.notes.filter((n) => owners(n.object)).map((n) => n.object!)];
  const seen = new Set<string>();
  const ordered = ownerRefs
    .filter((r) => !seen.has(`${r.kind}/${r.name}`) && seen.add(`${r.kind}/${r.name}`))
    .sort((a, b) => (a.kind === b.kind ? compareRefs(a, b) : a.kind === 'TalosControlPlane' ? -1 : 1));
  const same = (a: ObjectRef, b: ObjectRef) => a.kind === b.kind && a.name === b.name && a.namespace === b.namespace;
  for (const o of ordered) {
    const subject = subjectOf(o, c.name);
    for (const r of c.rollouts.filter((x) => same(x.owner, o))) out.push(rolloutText(r, subject));
    for (const s of c.scales.filter((x) => same(x.owner, o))) out.push(scaleText(s, subject));
    for (const n of c.notes.filter((x) => x.object && same(x.object, o))) out.push(`${n.subject}: ${n.text}`);
  }
  for (const n of c.notes) if (n.subject !== 'adopted in place' && n.subject !== 'cluster' && !owners(n.object)) out.push(`${n.subject}: ${n.text}`);
  for (const f of c.flags) out.push(`flag ${f.path}: ${f.message}`);
  const destroyed = new Set(c.destroys.map((d) => `${d.object.kind}/${d.object.namespace}/${d.object.name}`));
  for (const d of c.destroys) {
    if (d.object.kind === 'MachineDeployment') out.push(`${subjectOf(d.object, c.name)}: removed: ${d.machines === 'all' ? 'all' : d.machines} machine${d.machines === 1 ? '' : 's'} drained and deleted`);
    else out.push(`deleted: ${named(d.object, c.namespace)}: ${d.reason}`);
  }
  const pruned = c.objects.pruned.filter((r) => !destroyed.has(`${r.kind}/${r.namespace}/${r.name}`));
  for (const r of pruned.filter((x) => !TEMPLATE_KINDS.has(x.kind))) out.push(`deleted: ${named(r, c.namespace)}`);
  for (const r of c.objects.kept) out.push(`kept: ${named(r, c.namespace)} (Flux does not prune it${r.kind === 'Namespace' ? '; delete it by hand once nothing of the cluster is left in it' : ''})`);
  const templates = pruned.filter((x) => TEMPLATE_KINDS.has(x.kind));
  if (templates.length) out.push(`${c.change === 'delete' ? 'templates' : 'superseded templates'}: ${listed(templates.map((r) => named(r, c.namespace)))} leave the render (pruned; no machine is deleted with them)`);
  if (c.notes.some((n) => n.subject === 'adopted in place') && !c.destroys.length && !pruned.some((x) => !TEMPLATE_KINDS.has(x.kind))) out.push('deleted: nothing');
  return out;
}

function othersLines(o: ObjectChanges): string[] {
  const out: string[] = [];
  const say = (what: string, refs: ObjectRef[]) => refs.length && out.push(`${what}: ${listed(refs.map(showRef))}`);
  say('created', o.created);
  say('updated', o.updated);
  say('deleted', o.pruned);
  say('kept (Flux does not prune them)', o.kept);
  return out.length ? ['objects of no cluster:', ...out] : [];
}

/** The plan's lines (stdout of `diff`). */
export function planLines(p: Plan): string[] {
  const changed = p.clusters.filter((c) => c.change !== 'unchanged');
  const unchanged = p.clusters.filter((c) => c.change === 'unchanged');
  const others = othersLines(p.others);
  if (!changed.length && !others.length) return ['no changes'];
  const out = changed.flatMap(clusterLines);
  out.push(...others);
  if (unchanged.length) out.push(`unchanged: ${listed(unchanged.map((c) => `${c.namespace}/${c.name}`))}`);
  return out;
}

/** A problem as one line: `[error] cluster ns/name spec.field: message` (either part may be missing). */
export function problemLine(p: PlanProblem): string {
  const where = [p.cluster && `cluster ${p.cluster}`, p.field?.path].filter(Boolean).join(' ');
  return `[${p.severity}] ${where ? `${where}: ` : ''}${p.message}`;
}
