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
  /** Compiled on first use: most served versions of most CRDs in a release are never asked for. */
  validate?: ValidateFunction;
  key: string;
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

/**
 * One ajv for every validator, and every compiled schema and parsed CRD file cached by file and version:
 * installations that share a release (both `current` targets share CAPI, CAPMOX and CACPPT) compile its
 * schemas once, and only those of the versions actually validated. Compiling is most of the validator's
 * cost (ajv generates code for each schema), so this is what keeps the tests fast.
 */
let sharedAjv: Ajv | undefined;
function ajv(): Ajv {
  if (sharedAjv) return sharedAjv;
  sharedAjv = new Ajv({ allErrors: true, strict: false, useDefaults: true, code: { regExp: goRegExp as never } });
  addFormats(sharedAjv);
  sharedAjv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  sharedAjv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  sharedAjv.addFormat('byte', true);
  return sharedAjv;
}
const compiled = new Map<string, ValidateFunction>();
const parsedFiles = new Map<string, any>();

/** Every CRD of the given releases, by `group/Kind` then version name. */
export class CrdValidator {
  private byKind = new Map<string, Map<string, VersionEntry>>();
  /** CRD files indexed but not parsed yet, by `group/Kind`. */
  private pending = new Map<string, string[]>();
  private celEnv = celEnv();
  private celPlans = new Map<string, (ctx: Record<string, CelInput>) => unknown>();
  readonly files: string[] = [];

  constructor(sources: CrdSource[], root?: string) {
    for (const src of sources) {
      const dir = sourceDir(src, root);
      const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yaml')) : [];
      if (!files.length) throw new MissingCrds(missingCrdsMessage(src, dir));
      for (const f of files) this.load(join(dir, f));
    }
  }

  /**
   * Indexes a CRD file by `group/Kind`, read from the text where controller-gen writes them (`spec.group`,
   * `spec.names.kind`), and parses it only when an object of that kind is validated: parsing every CRD
   * of CAPI (ClusterClass alone is 350 kB) costs more than the validation itself. A file laid out
   * otherwise is parsed at once.
   */
  private load(file: string) {
    this.files.push(file);
    const text = readFileSync(file, 'utf8');
    const group = /^ {2}group: (\S+)$/m.exec(text)?.[1];
    const kind = /^ {2}names:\n(?: {4}.*\n)*? {4}kind: (\S+)$/m.exec(text)?.[1];
    if (group && kind) this.pending.set(`${group}/${kind}`, [...(this.pending.get(`${group}/${kind}`) ?? []), file]);
    else this.parse(file);
  }

  private parse(file: string) {
    let crd = parsedFiles.get(file);
    if (!crd) parsedFiles.set(file, (crd = parseYAML(readFileSync(file, 'utf8'))));
    const key = `${crd.spec.group}/${crd.spec.names.kind}`;
    const versions = this.byKind.get(key) ?? new Map();
    for (const v of crd.spec.versions) {
      if (!v.served) continue;
      versions.set(v.name, { schema: v.schema.openAPIV3Schema, key: `${file}#${v.name}` });
    }
    this.byKind.set(key, versions);
  }

  private versionsOf(groupKind: string): Map<string, VersionEntry> | undefined {
    const files = this.pending.get(groupKind);
    if (files) {
      this.pending.delete(groupKind);
      files.forEach((f) => this.parse(f));
    }
    return this.byKind.get(groupKind);
  }

  knows(apiVersion: string, kind: string): boolean {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    return this.versionsOf(`${group}/${kind}`)?.has(version) ?? false;
  }

  /** Problems with `obj` as the API server would report them; [] when it would accept it. */
  validate(obj: any, old?: any): string[] {
    const where = `${obj?.kind}/${obj?.metadata?.name}`;
    const apiVersion: string = obj?.apiVersion ?? '';
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const versions = this.versionsOf(`${group}/${obj?.kind}`);
    if (!versions) return [`${where}: no CRD for kind ${obj?.kind} in group ${group}`];
    const entry = versions.get(version);
    if (!entry) return [`${where}: ${apiVersion} is not a served version of ${obj.kind} (served: ${[...versions.keys()].join(', ')})`];
    const data = structuredClone(obj);
    const errors: string[] = [];
    if (!entry.validate) {
      entry.validate = compiled.get(entry.key);
      if (!entry.validate) compiled.set(entry.key, (entry.validate = ajv().compile(toJSONSchema(entry.schema))));
    }
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

/** Loads and caches one validator per set of releases. */
const cache = new Map<string, CrdValidator>();
export function validatorFor(sources: CrdSource[], root?: string): CrdValidator {
  const key = JSON.stringify([sources, root]);
  let v = cache.get(key);
  if (!v) cache.set(key, (v = new CrdValidator(sources, root)));
  return v;
}
