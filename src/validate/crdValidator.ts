/**
 * Validates objects the way the API server would against upstream CRDs:
 *  - picks the CRD version from apiVersion (and refuses versions that are not served);
 *  - applies schema defaults first (the API server defaults before it validates);
 *  - structural-schema semantics: unknown fields are errors (the server would prune them silently),
 *    types, required, enums, patterns, formats, bounds, x-kubernetes-int-or-string,
 *    x-kubernetes-preserve-unknown-fields — all checked by ajv on a translated schema;
 *  - CEL rules (x-kubernetes-validations) evaluated with @bufbuild/cel; transition rules (oldSelf) only
 *    when the caller passes the previous object, as on an update.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYAML } from 'yaml';
import { celEnv, parse as parseCel, plan, type CelInput } from '@bufbuild/cel';
import { sourceDir, MissingCrds, missingCrdsMessage, type CrdSource } from './pinned';

type Schema = Record<string, any>;

interface VersionEntry {
  schema: Schema;
  validate: ValidateFunction;
}

const OBJECT_META: Schema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$' },
    namespace: { type: 'string', maxLength: 63, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' },
    labels: { type: 'object', additionalProperties: { type: 'string', maxLength: 63 } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
  },
  additionalProperties: false,
};

/** Go's RE2 inline flags are not JavaScript syntax: `^(?i)…` becomes `^…` with the i flag. */
function goRegExp(pattern: string, flags: string): RegExp {
  const m = /^(\^?)\(\?i\)(.*)$/s.exec(pattern);
  return m ? new RegExp(m[1] + m[2], `${flags}i`) : new RegExp(pattern, flags);
}
(goRegExp as unknown as { code: string }).code = 'goRegExp';

/** OpenAPI v3 (structural, with Kubernetes extensions) → JSON Schema for ajv. */
export function toJSONSchema(s: Schema, atRoot = true): Schema {
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith('x-kubernetes-') || k === 'description' || k === 'example' || k === 'externalDocs') continue;
    if (k === 'properties') out.properties = Object.fromEntries(Object.entries(v as Schema).map(([p, ps]) => [p, toJSONSchema(ps as Schema, false)]));
    else if (k === 'items') out.items = toJSONSchema(v as Schema, false);
    else if (k === 'additionalProperties') out.additionalProperties = typeof v === 'object' ? toJSONSchema(v as Schema, false) : v;
    else if (k === 'allOf' || k === 'anyOf' || k === 'oneOf') out[k] = (v as Schema[]).map((x) => toJSONSchema(x, false));
    else if (k === 'not') out.not = toJSONSchema(v as Schema, false);
    else out[k] = v;
  }
  if (s['x-kubernetes-int-or-string']) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (s.nullable && out.type) out.type = [out.type, 'null'];
  delete out.nullable;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  if ((s.type === 'object' || s.properties) && !preserve && out.additionalProperties === undefined) out.additionalProperties = false;
  if (atRoot) {
    out.properties = { ...out.properties, metadata: OBJECT_META, apiVersion: { type: 'string' }, kind: { type: 'string' } };
    out.required = [...new Set([...(out.required ?? []), 'apiVersion', 'kind', 'metadata'])];
  }
  return out;
}

/** Every CRD of the given releases, by `group/Kind` then version name. */
export class CrdValidator {
  private byKind = new Map<string, Map<string, VersionEntry>>();
  private ajv: Ajv;
  private celEnv = celEnv();
  private celPlans = new Map<string, (ctx: Record<string, CelInput>) => unknown>();
  readonly files: string[] = [];

  constructor(sources: CrdSource[], root?: string) {
    this.ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true, code: { regExp: goRegExp as never } });
    addFormats(this.ajv);
    this.ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
    this.ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
    this.ajv.addFormat('byte', true);
    for (const src of sources) {
      const dir = sourceDir(src, root);
      const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yaml')) : [];
      if (!files.length) throw new MissingCrds(missingCrdsMessage(src, dir));
      for (const f of files) this.load(join(dir, f));
    }
  }

  private load(file: string) {
    const crd = parseYAML(readFileSync(file, 'utf8'));
    this.files.push(file);
    const key = `${crd.spec.group}/${crd.spec.names.kind}`;
    const versions = this.byKind.get(key) ?? new Map();
    for (const v of crd.spec.versions) {
      if (!v.served) continue;
      const schema = v.schema.openAPIV3Schema;
      versions.set(v.name, { schema, validate: this.ajv.compile(toJSONSchema(schema)) });
    }
    this.byKind.set(key, versions);
  }

  knows(apiVersion: string, kind: string): boolean {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    return this.byKind.get(`${group}/${kind}`)?.has(version) ?? false;
  }

  /** Problems with `obj` as the API server would report them; [] when it would accept it. */
  validate(obj: any, old?: any): string[] {
    const where = `${obj?.kind}/${obj?.metadata?.name}`;
    const apiVersion: string = obj?.apiVersion ?? '';
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const versions = this.byKind.get(`${group}/${obj?.kind}`);
    if (!versions) return [`${where}: no CRD for kind ${obj?.kind} in group ${group}`];
    const entry = versions.get(version);
    if (!entry) return [`${where}: ${apiVersion} is not a served version of ${obj.kind} (served: ${[...versions.keys()].join(', ')})`];
    const data = structuredClone(obj);
    const errors: string[] = [];
    if (!entry.validate(data)) {
      for (const e of entry.validate.errors ?? []) {
        const extra = e.keyword === 'additionalProperties' ? ` "${(e.params as { additionalProperty: string }).additionalProperty}" (unknown field)` : '';
        errors.push(`${where}: ${e.instancePath || '/'} ${e.message}${extra}`);
      }
    }
    this.cel(entry.schema, data, old === undefined ? undefined : structuredClone(old), '', where, errors);
    return errors;
  }

  private cel(schema: Schema, value: unknown, old: unknown, path: string, where: string, errors: string[]) {
    if (value === undefined || value === null || !schema) return;
    for (const rule of (schema['x-kubernetes-validations'] ?? []) as { rule: string; message?: string }[]) {
      const transition = /\boldSelf\b/.test(rule.rule);
      if (transition && old === undefined) continue; // the API server skips transition rules on create
      let ok: unknown;
      try {
        let p = this.celPlans.get(rule.rule);
        if (!p) this.celPlans.set(rule.rule, (p = plan(this.celEnv, parseCel(rule.rule)) as (ctx: Record<string, CelInput>) => unknown));
        ok = p({ self: toCel(value, schema), ...(transition && { oldSelf: toCel(old, schema) }) });
      } catch (e) {
        ok = e;
      }
      if (ok !== true) {
        const why = ok instanceof Error ? ` (evaluation error: ${ok.message})` : '';
        errors.push(`${where}: ${path || '/'}: ${rule.message ?? `failed rule: ${rule.rule}`}${why}`);
      }
    }
    if (Array.isArray(value) && schema.items) {
      value.forEach((v, i) => this.cel(schema.items, v, Array.isArray(old) ? old[i] : undefined, `${path}/${i}`, where, errors));
    } else if (typeof value === 'object') {
      const o = value as Record<string, unknown>;
      const oo = old && typeof old === 'object' ? (old as Record<string, unknown>) : undefined;
      for (const [k, v] of Object.entries(o)) {
        const sub = schema.properties?.[k] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
        if (sub) this.cel(sub, v, oo?.[k], `${path}/${k}`, where, errors);
      }
    }
  }
}

/** A JSON value as CEL sees it under a schema: integers are CEL ints, objects are maps. */
function toCel(v: unknown, schema: Schema | undefined): CelInput {
  if (Array.isArray(v)) return v.map((x) => toCel(x, schema?.items)) as CelInput;
  if (v && typeof v === 'object') {
    const m = new Map<string, CelInput>();
    for (const [k, x] of Object.entries(v)) {
      const sub = schema?.properties?.[k] ?? (typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      m.set(k, toCel(x, sub));
    }
    return m as CelInput;
  }
  if (typeof v === 'number' && Number.isInteger(v) && (schema?.type === 'integer' || schema?.['x-kubernetes-int-or-string'])) return BigInt(v);
  return v as CelInput;
}

/** Loads and caches one validator per set of releases (loading compiles every schema: do it once). */
const cache = new Map<string, CrdValidator>();
export function validatorFor(sources: CrdSource[], root?: string): CrdValidator {
  const key = JSON.stringify([sources, root]);
  let v = cache.get(key);
  if (!v) cache.set(key, (v = new CrdValidator(sources, root)));
  return v;
}
