import { generate } from '../../src/generate';
import { API_VERSION, KIND } from '../../src/clusterspec/schema';

/** A ClusterSpec document around a spec body. */
export const clusterSpec = (spec: unknown, name = 'cluster09') => ({ apiVersion: API_VERSION, kind: KIND, metadata: { name }, spec });

/** Renders a spec body; fails the test if the spec has errors. */
export function renderObjects(spec: unknown, name?: string): any[] {
  const g = generate(clusterSpec(spec, name));
  const errors = g.results.filter((r) => r.severity === 'error');
  if (errors.length) throw new Error(`spec has errors: ${errors.map((e) => `${e.field?.path}: ${e.message}`).join('; ')}`);
  return JSON.parse(JSON.stringify(g.objects));
}

export function errorsOf(spec: unknown, name?: string) {
  return generate(clusterSpec(spec, name)).results.filter((r) => r.severity === 'error');
}
