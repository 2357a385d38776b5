/** The plan engine over objects rendered in the test, the way `diff` calls it. */
import { plan } from '../../src/plan/plan';
import { planLines } from '../../src/plan/text';
import type { Plan } from '../../src/plan/types';

export const items = (objs: any[], origin?: string) => objs.map((object) => ({ object, origin }));
export const planOf = (before: any[], after: any[]): Plan => plan(items(before), items(after));

/** The lines of the plan for one cluster, without its header line ([] when nothing changes). */
export function clusterLines(before: any[], after: any[]): string[] {
  const lines = planLines(planOf(before, after));
  if (lines[0] === 'no changes') return [];
  expect(lines[0]).toMatch(/^cluster \S+\/\S+: (update|create|delete)/);
  expect(lines.filter((l) => l.startsWith('cluster ') && / (update|create|delete|unchanged)\b/.test(l) && /^cluster [^ :]+\/[^ :]+: /.test(l))).toHaveLength(1);
  return lines.slice(1);
}
