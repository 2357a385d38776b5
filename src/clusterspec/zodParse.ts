/**
 * The ClusterSpec read by zod itself, and every problem in the user's words: each zod issue as a message
 * with a field path and hints, the missing site values as one message, and the cross-field checks of what
 * is left. parse.ts comes here for anything the generated parser does not accept as valid, so zod and the
 * schema are loaded only for a spec with a problem (and by the tests, which hold the two to each other).
 */
import type { core } from 'zod';
import { clusterSpecSchema } from './schema';
import { SITE_VALUES } from './defaults';
import { checkSpec } from './check';
import { meantFields, withHints } from './hints';
import { capped, describe, formatPath, MAX_PROBLEMS, named, precheck, resolve, shownKey, type ParseOutcome } from './parse';
import { error, type Problem } from '../results';

function issueToProblems(issue: core.$ZodIssue, input: unknown): Problem[] {
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => error(formatPath([...issue.path, k]), `unknown field "${shownKey(k)}"${path ? ` in ${path}` : ''} (check the spelling; see the field table in docs/reference.md)`));
  }
  if (issue.code === 'invalid_key') return issue.issues.map((i) => error(path, i.message));
  if (issue.code === 'invalid_type') {
    const got = valueAt(input, issue.path);
    if (got === undefined) return [error(path, `${path || 'value'} is required`)];
    const custom = issue.message && !issue.message.startsWith('Invalid input') ? issue.message : `expected ${issue.expected}`;
    return [error(path, `${custom}, got ${describe(got)}`)];
  }
  return [error(path, issue.message)];
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p as string];
  }
  return v;
}

/**
 * The site values (SITE_VALUES) the spec leaves out, as ONE error that lists each with an example, and the
 * schema's "required" issues it replaces. A missing section (spec.proxmox) stands for the values under it.
 */
function missingSiteValues(input: object, issues: readonly core.$ZodIssue[]): { problem?: Problem; issues: Set<core.$ZodIssue> } {
  const replaced = new Set<core.$ZodIssue>();
  const paths: string[] = [];
  // A value written under a mistyped key (gatway:) is not left out: its "did you mean" says what to do.
  const mistyped = new Set(meantFields(issues));
  for (const i of issues) {
    if (i.code !== 'invalid_type' || valueAt(input, i.path) !== undefined) continue;
    if (mistyped.has(formatPath(i.path))) {
      replaced.add(i);
      continue;
    }
    const at = formatPath(i.path);
    const exact = SITE_VALUES.filter((v) => v.path === at);
    const under = SITE_VALUES.filter((v) => v.path.startsWith(`${at}.`)).filter((v, _, all) => !all.some((o) => o !== v && v.path.startsWith(`${o.path}.`)));
    const meant = exact.length ? exact : under;
    if (!meant.length) continue;
    replaced.add(i);
    paths.push(...meant.map((v) => v.path));
  }
  if (!named(input)) paths.unshift('metadata.name');
  if (!paths.length) return { issues: replaced };
  const listed = SITE_VALUES.filter((v) => paths.includes(v.path)).map((v) => `${v.path}, ${v.what} (e.g. ${v.example})`);
  const one = listed.length === 1;
  const message =
    `the spec leaves out ${one ? 'a value that describes' : `${listed.length} values that describe`} where the cluster lives and ${one ? 'has' : 'have'} no default ` +
    `(a guess would build it on someone else's network): ${listed.join('; ')}`;
  return { problem: error(paths.length === 1 ? paths[0] : paths[0].startsWith('metadata') ? 'metadata.name' : 'spec', message), issues: replaced };
}

/** Parses and checks a functionConfig with zod alone (what parse.ts answers whenever its generated parser does not). */
export function parseWithZod(functionConfig: unknown): ParseOutcome {
  const early = precheck(functionConfig);
  if (early) return early;
  const parsed = clusterSpecSchema.safeParse(functionConfig);
  const missing = missingSiteValues(functionConfig as object, parsed.success ? [] : parsed.error.issues);
  if (!parsed.success || missing.problem) {
    const issues = parsed.success ? [] : parsed.error.issues.filter((i) => !missing.issues.has(i));
    const problems = dedupe([...(missing.problem ? [missing.problem] : []), ...issues.flatMap((i) => withHints(issueToProblems(i, functionConfig), i, valueAt(functionConfig, i.path)))]);
    if (parsed.success) return { problems };
    if (problems.length >= MAX_PROBLEMS) return { problems: capped(problems) };
    // A mistyped key's intended field was defaulted, not set: no cross-field verdict on it (replicsa: 3
    // must not also warn about a single control plane).
    const untrusted = [...problems, ...meantFields(parsed.error.issues).map((path) => error(path, ''))];
    return { problems: capped([...problems, ...crossFieldProblemsDespite(functionConfig as object, parsed.error.issues, untrusted)]) };
  }
  const model = resolve(parsed.data);
  const problems = capped(checkSpec(model));
  return { model, problems };
}

/**
 * So that a user sees every problem at once: drop what zod rejected (a bad list entry goes as a whole;
 * defaults take the place of other bad fields), and if the rest parses, run the cross-field checks
 * too, keeping only what does not touch a rejected field. With list entries gone, totals such as the
 * address capacity would be understated, so that check is left for the next run.
 */
function crossFieldProblemsDespite(input: object, issues: core.$ZodIssue[], reported: Problem[]): Problem[] {
  const pruned = structuredClone(input) as Record<string, unknown>;
  const removed = new Map<unknown[], Set<number>>();
  for (const issue of issues) {
    const at = issue.path.findIndex((p, i) => typeof p === 'number' && Array.isArray(valueAt(pruned, issue.path.slice(0, i))));
    if (at >= 0) {
      const list = valueAt(pruned, issue.path.slice(0, at)) as unknown[];
      removed.set(list, (removed.get(list) ?? new Set()).add(issue.path[at] as number));
      continue;
    }
    const target = issue.code === 'unrecognized_keys' ? valueAt(pruned, issue.path) : valueAt(pruned, issue.path.slice(0, -1));
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [issue.path.at(-1)];
    if (target && typeof target === 'object') for (const k of keys) delete (target as Record<PropertyKey, unknown>)[k as PropertyKey];
  }
  for (const [list, idx] of removed) [...idx].sort((a, b) => b - a).forEach((i) => list.splice(i, 1));
  const again = clusterSpecSchema.safeParse(pruned);
  if (!again.success || (again.data.spec.cluster.name ?? again.data.metadata.name) === undefined) return [];
  const bad = reported.map((p) => p.path);
  const related = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`) || b.startsWith(`${a}.`) || b.startsWith(`${a}[`);
  const shifted = (path: string) => removed.size > 0 && (path === 'spec.network.ipRanges' || /\[\d+\]/.test(path));
  return checkSpec(resolve(again.data)).filter((p) => !shifted(p.path) && !bad.some((b) => related(p.path, b)));
}

function dedupe(ps: Problem[]): Problem[] {
  const seen = new Set<string>();
  return ps.filter((p) => {
    const k = `${p.path}\0${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
