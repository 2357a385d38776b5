/**
 * KRM function results (the `results` list of a ResourceList), as the KRM Functions spec defines them
 * (kustomize cmd/config/docs/api-conventions/functions-spec.md). Pure data: the edge writes them.
 */
export type Severity = 'error' | 'warning' | 'info';

export interface ResourceRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface Result {
  message: string;
  severity: Severity;
  resourceRef?: ResourceRef;
  field?: { path: string };
  file?: { path: string; index?: number };
  tags?: Record<string, string>;
}

/** A problem found in the user's spec, before it is tied to the ClusterSpec that holds it. */
export interface Problem {
  /** Dotted path in the user's document, e.g. spec.workers[1].name. */
  path: string;
  message: string;
  severity: Severity;
}

export const error = (path: string, message: string): Problem => ({ path, message, severity: 'error' });
export const warning = (path: string, message: string): Problem => ({ path, message, severity: 'warning' });

export const hasErrors = (rs: { severity: Severity }[]) => rs.some((r) => r.severity === 'error');

/** One line per result, the way kpt prints them: `[error] Kind/name field: message`. */
export function formatResult(r: Result): string {
  const ref = r.resourceRef ? `${r.resourceRef.kind}/${r.resourceRef.name} ` : '';
  const field = r.field ? `${r.field.path}: ` : '';
  return `[${r.severity}] ${ref}${field}${r.message}`;
}

/** At most this many results, each message and field path at most this long: a bounded answer to any input. */
export const MAX_RESULTS = 100;
export const MAX_MESSAGE = 2000;
export const MAX_PATH = 300;

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}… (${s.length - n} more characters)` : s);

/**
 * `results` bounded: long messages and paths cut, and past MAX_RESULTS one error that says how many more
 * there were (errors first, so a cut never hides that the run failed).
 */
export function boundResults(results: Result[]): Result[] {
  const sized = results.map((r) => ({ ...r, message: cut(r.message, MAX_MESSAGE), ...(r.field && { field: { path: cut(r.field.path, MAX_PATH) } }) }));
  if (sized.length <= MAX_RESULTS) return sized;
  const ordered = [...sized.filter((r) => r.severity === 'error'), ...sized.filter((r) => r.severity !== 'error')];
  const shown = ordered.slice(0, MAX_RESULTS - 1);
  return [...shown, { severity: hasErrors(results) ? 'error' : 'warning', message: `${results.length - shown.length} more problems not shown; fix these and run again` }];
}
