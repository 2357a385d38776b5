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
