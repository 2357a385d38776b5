/**
 * The Flux gate's rules over a Plan. With prune: true Flux deletes whatever leaves the render, and CAPI
 * deletes VMs for it; so the gate refuses a plan that
 *   - deletes a cluster ("delete"),
 *   - renames it or moves it to another namespace, which is a delete and a create ("move"),
 *   - destroys anything of a cluster that stays: prunes its control plane, a pool, its ProxmoxCluster or a
 *     Namespace ("destroy"),
 *   - changes a field CAPI copies once or clients hold (the endpoint, the cluster network, the Cluster's
 *     references) of a cluster that stays ("flag"),
 * unless the cluster is allowed by name ("namespace/name", or "name" for every cluster of that name).
 * Error problems (collisions, objects rendered twice, version rules) refuse it too, and no name allows them,
 * but for a Talos downgrade ("downgrade"): the revert of a Talos move that never rolled out (an older CABPT
 * refused its documents) compares as one, and only the user knows that no machine runs the newer Talos.
 * A cluster that moves between files or folders is none of these: the plan keys objects, not files.
 */
import type { ClusterPlan, GateRule, Plan, PlanProblem } from './types';

const id = (c: { namespace: string; name: string }) => `${c.namespace}/${c.name}`;
const isAllowed = (allow: string[], c: { namespace: string; name: string }) => allow.some((a) => a === id(c) || (!a.includes('/') && a === c.name));

function violations(c: ClusterPlan): { rule: GateRule; message: string }[] {
  const out: { rule: GateRule; message: string }[] = [];
  if (c.change === 'delete' && c.movedTo) {
    out.push({ rule: 'move', message: `moves cluster ${id(c)} to ${id(c.movedTo)}: that is a new cluster (new etcd, new VMs) and ${id(c)} is deleted with its VMs` });
  } else if (c.change === 'delete') {
    out.push({ rule: 'delete', message: `deletes cluster ${id(c)}: Flux prunes it and CAPI deletes its machines and VMs` });
  } else {
    for (const d of c.destroys) out.push({ rule: 'destroy', message: `prunes ${d.object.kind}/${d.object.name} of cluster ${id(c)}, which stays: ${d.reason}` });
    for (const f of c.flags) out.push({ rule: 'flag', message: `changes ${f.path} of cluster ${id(c)}: ${f.message}` });
  }
  return out;
}

/** A Talos downgrade: refused, unless its cluster is allowed by name (then a warning that says what it takes for granted). */
function judgeDowngrade(x: PlanProblem, allow: string[]): PlanProblem {
  const [namespace, name] = (x.cluster ?? '').split('/');
  if (x.cluster && isAllowed(allow, { namespace, name })) {
    return { ...x, severity: 'warning', message: `allowed: ${x.message}; taken as the revert of a Talos move no machine runs yet` };
  }
  const by = x.cluster ? `--allow ${x.cluster}` : '--allow NAMESPACE/NAME';
  return { ...x, message: `refused: ${x.message}; only if no machine runs the newer Talos yet (a move that never rolled out, e.g. one an older CABPT refused), allow it by name: ${by}` };
}

const how = (c: ClusterPlan) => `if you mean it, allow it by name: --allow ${id(c)}`;

/** The plan as the gate judges it: `refused`, and one problem per rule it breaks (or that an --allow let through). */
export function gate(p: Plan, allow: string[]): Plan {
  const problems: PlanProblem[] = p.problems.map((x) => (x.rule === 'downgrade' && x.severity === 'error' ? judgeDowngrade(x, allow) : x));
  for (const c of p.clusters) {
    // A move is allowed by either name; the created half of a move is judged with its deleted half.
    const allowed = isAllowed(allow, c) || (c.movedTo !== undefined && isAllowed(allow, c.movedTo));
    for (const v of violations(c)) {
      problems.push(
        allowed
          ? { severity: 'warning', cluster: id(c), rule: v.rule, message: `allowed: ${v.message}` }
          : { severity: 'error', cluster: id(c), rule: v.rule, message: `refused: ${v.message}; ${how(c)}` },
      );
    }
  }
  return { ...p, problems, refused: problems.some((x) => x.severity === 'error') };
}
