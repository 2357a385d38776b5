/**
 * Validating a whole rendered set: every object against the CRDs (with CEL) and the webhook rules, and
 * every reference between objects resolved to an emitted object of the right kind and version.
 */
import { validatorFor, type CrdValidator } from './crdValidator';
import { webhookProblems } from './webhookRules';
import type { CrdSource } from './pinned';

type Obj = Record<string, any>;

export function referenceProblems(objects: Obj[]): string[] {
  const index = new Set(objects.map((o) => `${o.apiVersion}|${o.kind}|${o.metadata?.namespace ?? ''}|${o.metadata?.name}`));
  const byGroup = new Set(objects.map((o) => `${o.apiVersion.split('/')[0]}|${o.kind}|${o.metadata?.namespace ?? ''}|${o.metadata?.name}`));
  const out: string[] = [];
  const check = (from: Obj, field: string, ref: Obj | undefined) => {
    if (!ref) return;
    const ns = ref.namespace ?? from.metadata?.namespace ?? '';
    const ok = ref.apiVersion ? index.has(`${ref.apiVersion}|${ref.kind}|${ns}|${ref.name}`) : byGroup.has(`${ref.apiGroup}|${ref.kind}|${ns}|${ref.name}`);
    if (!ok) out.push(`${from.kind}/${from.metadata?.name}: ${field} points at ${ref.apiVersion ?? ref.apiGroup} ${ref.kind} ${ref.name}, which is not emitted`);
  };
  for (const o of objects) {
    const s = o.spec ?? {};
    check(o, 'spec.infrastructureRef', s.infrastructureRef);
    check(o, 'spec.controlPlaneRef', s.controlPlaneRef);
    check(o, 'spec.infrastructureTemplate', s.infrastructureTemplate);
    check(o, 'spec.template.spec.infrastructureRef', s.template?.spec?.infrastructureRef);
    check(o, 'spec.template.spec.bootstrap.configRef', s.template?.spec?.bootstrap?.configRef);
  }
  return out;
}

/** Every problem with a set of objects, against one installation's CRDs. Kinds with no CRD (Namespace) are skipped. */
export function validateObjects(objects: Obj[], sources: CrdSource[], validator: CrdValidator = validatorFor(sources)): string[] {
  const out: string[] = [];
  for (const o of objects) {
    if (o.apiVersion === 'v1') continue; // core kinds are the API server's own
    out.push(...validator.validate(o), ...webhookProblems(o));
  }
  return [...out, ...referenceProblems(objects)];
}
