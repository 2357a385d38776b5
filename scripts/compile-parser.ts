/**
 * Build time: the ClusterSpec zod schema (src/clusterspec/schema.ts) compiled into plain TypeScript, the
 * parser src/clusterspec/parser.generated.ts that the function runs instead of zod for a valid spec
 * (scripts/build.mjs writes it; never edit it by hand). A run then needs neither zod nor the ~10 ms it
 * takes to construct the schema.
 *
 * The parser answers exactly one question the way zod does: is the input valid, and if so, what does zod
 * make of it (defaults filled in, transforms applied, keys in zod's order). Anything else is INVALID, and
 * the caller asks zod itself, so every message still comes from the schema. It therefore compiles only
 * what zod does on the way to a successful parse, for the constructs the schema uses; a construct it does
 * not know stops the build (it never guesses). Functions the schema runs (refinements, its custom type,
 * its transform) must come from src/clusterspec/rules.ts, which the parser imports: a function cannot be
 * copied out of a closure, but it can be named.
 *
 * zod's semantics are read from zod 4's v4/core (schemas.ts, checks.ts); test/generated-parser.test.ts
 * holds the generated parser to zod over random valid and broken specs.
 */
import * as z from 'zod';

type Zod = { _zod: { def: Def; traits: Set<string>; optin?: string; optout?: string; values?: Set<unknown> } };
type Def = Record<string, any> & { type: string; checks?: { _zod: { def: Record<string, any> } }[] };

export interface CompileOptions {
  /** The module the rules come from, as the generated file imports it, and its exports. */
  rules: { from: string; exports: Record<string, unknown> };
  /** The module of parserRuntime.ts, as the generated file imports it. */
  runtime: string;
  /** The exported name of the parser. */
  name: string;
  /** Lines of the header comment. */
  header: string[];
}

class Unsupported extends Error {}

/** The condition zod itself gives every length check (checks.ts `_whenHasLength`): one function, shared. */
const LENGTH_CONDITION = (z.string().max(1)._zod.def.checks![0] as unknown as { _zod: { def: { when?: unknown } } })._zod.def.when;

/** The generated module's text for `schema`. */
export function compileParser(schema: z.ZodType, opts: CompileOptions): string {
  const fns = new Map<Def, string>();
  /** Schemas that differ only in their messages compile to the same code: one function each. */
  const byBody = new Map<string, string>();
  const bodies: string[] = [];
  const constants: string[] = [];
  const constantOf = new Map<string, string>();
  const ruleNames = new Map<unknown, string>();
  for (const [name, value] of Object.entries(opts.rules.exports)) if (typeof value === 'function') ruleNames.set(value, name);

  const constant = (expr: string) => {
    let name = constantOf.get(expr);
    if (!name) {
      name = `k${constantOf.size}`;
      constantOf.set(expr, name);
      constants.push(`const ${name} = ${expr};`);
    }
    return name;
  };
  /** A function the schema runs, as the rules module names it (or makes it, for a made one). */
  const rule = (fn: unknown, where: string): string => {
    const name = ruleNames.get(fn);
    if (name) return `rules.${name}`;
    const made = (fn as { rule?: { name: string; args: unknown[] } } | undefined)?.rule;
    if (made && ruleNames.has((opts.rules.exports as Record<string, unknown>)[made.name])) {
      return constant(`rules.${made.name}(${made.args.map((a) => json(a, where)).join(', ')})`);
    }
    throw new Unsupported(`${where}: a function that is not exported by ${opts.rules.from} (move it there so the generated parser can call it)`);
  };

  const compile = (s: Zod, where: string): string => {
    const def = s._zod.def;
    const known = fns.get(def);
    if (known) return known;
    const lines: string[] = [];
    const checks = [...(def.checks ?? [])];
    const t = s._zod.traits;
    if (t.has('$ZodCheck') && !t.has('$ZodCustom')) throw new Unsupported(`${where}: a ${def.type} with a format of its own`);
    switch (def.type) {
      case 'string':
        noCoerce(def, where);
        lines.push(`if (typeof v !== 'string') return INVALID;`, 'const out = v;');
        break;
      case 'number':
        noCoerce(def, where);
        lines.push(`if (typeof v !== 'number' || !Number.isFinite(v)) return INVALID;`, 'const out = v;');
        break;
      case 'boolean':
        noCoerce(def, where);
        lines.push(`if (typeof v !== 'boolean') return INVALID;`, 'const out = v;');
        break;
      case 'unknown':
      case 'any':
        lines.push('const out = v;');
        break;
      case 'enum':
      case 'literal': {
        const values = [...(s._zod.values ?? [])];
        if (!values.every((x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean' || x === null)) throw new Unsupported(`${where}: ${def.type} values other than strings, numbers, booleans and null`);
        lines.push(`if (!${constant(`new Set(${JSON.stringify(values)})`)}.has(v)) return INVALID;`, 'const out = v;');
        break;
      }
      case 'custom':
        // The schema is its own first check (zod: $ZodType runs [inst, ...def.checks]).
        lines.push(`if (!${rule(def.fn, where)}(v)) return INVALID;`, 'const out = v;');
        break;
      case 'array': {
        const element = compile(def.element, `${where}[]`);
        lines.push('if (!Array.isArray(v)) return INVALID;', 'const out: any[] = new Array(v.length);', 'for (let i = 0; i < v.length; i++) {', `  const r = ${element}(v[i]);`, '  if (r === INVALID) return INVALID;', '  out[i] = r;', '}');
        break;
      }
      case 'object': {
        const catchall = def.catchall?._zod.def.type;
        if (catchall !== undefined && catchall !== 'never') throw new Unsupported(`${where}: an object with a catchall`);
        const shape = def.shape as Record<string, Zod>;
        const keys = Object.keys(shape);
        if (Object.getOwnPropertySymbols(shape).length || keys.includes('__proto__')) throw new Unsupported(`${where}: an object with symbol or __proto__ keys`);
        lines.push(`if (typeof v !== 'object' || v === null || Array.isArray(v)) return INVALID;`);
        // strictObject: every key zod's for…in finds must be in the shape (an unknown key is an issue).
        if (catchall === 'never') lines.push(`for (const k in v) if (!${constant(`new Set(${JSON.stringify(keys)})`)}.has(k)) return INVALID;`);
        lines.push('const out: any = {};');
        for (const key of keys) {
          const child = shape[key];
          const fn = compile(child, `${where}.${key}`);
          lines.push(`if (!put(out, v, ${JSON.stringify(key)}, ${fn}(v[${JSON.stringify(key)}]), ${opt(child._zod.optin)}, ${opt(child._zod.optout)})) return INVALID;`);
        }
        break;
      }
      case 'record': {
        if (def.keyType._zod.values || def.mode === 'loose' || def.partial) throw new Unsupported(`${where}: a record with enumerated keys, loose or partial`);
        const key = compile(def.keyType, `${where}{key}`);
        const value = compile(def.valueType, `${where}{}`);
        const numeric = constant(`new RegExp(${JSON.stringify(z.regexes.number.source)}, ${JSON.stringify(z.regexes.number.flags)})`);
        lines.push(
          'if (!isPlainObject(v)) return INVALID;',
          'const out: any = {};',
          'for (const k of Reflect.ownKeys(v)) {',
          `  if (k === '__proto__' || !Object.prototype.propertyIsEnumerable.call(v, k)) continue;`,
          `  let kk: any = ${key}(k);`,
          // zod retries a numeric-looking key as a number when the key schema refuses it as a string.
          `  if (kk === INVALID && typeof k === 'string' && ${numeric}.test(k)) kk = ${key}(Number(k));`,
          '  if (kk === INVALID) return INVALID;',
          `  if (kk === '__proto__') continue;`,
          `  const r = ${value}(v[k as any]);`,
          '  if (r === INVALID) return INVALID;',
          '  out[kk] = r;',
          '}',
        );
        break;
      }
      case 'union': {
        if (def.discriminator !== undefined || def.inclusive === false || !t.has('$ZodUnion') || t.has('$ZodXor') || t.has('$ZodDiscriminatedUnion')) throw new Unsupported(`${where}: a union other than a plain one`);
        const options = (def.options as Zod[]).map((o, i) => compile(o, `${where}|${i}`));
        // zod tries the options in order and takes the first that has no issues.
        lines.push(`let out: any = ${options[0]}(v);`);
        for (const o of options.slice(1)) lines.push(`if (out === INVALID) out = ${o}(v);`);
        lines.push('if (out === INVALID) return INVALID;');
        break;
      }
      case 'pipe': {
        if (!t.has('$ZodPipe') || t.has('$ZodCodec')) throw new Unsupported(`${where}: a codec`);
        const a = compile(def.in, `${where}>in`);
        const b = compile(def.out, `${where}>out`);
        lines.push(`const l = ${a}(v);`, 'if (l === INVALID) return INVALID;', `const out = ${b}(l);`, 'if (out === INVALID) return INVALID;');
        break;
      }
      case 'transform': {
        const fn = rule(def.transform, where);
        if ((def.transform as (...a: unknown[]) => unknown).length > 1) throw new Unsupported(`${where}: a transform that reads zod's payload`);
        lines.push(`const out = ${fn}(v);`);
        break;
      }
      case 'optional': {
        noChecks(def, where);
        const inner = compile(def.innerType, `${where}?`);
        // Only an inner schema that substitutes for absence (a default) runs on undefined; if even that fails, zod gives undefined.
        lines.push(def.innerType._zod.optin === 'defaulted' ? `if (v === undefined) { const r = ${inner}(undefined); return r === INVALID ? undefined : r; }` : 'if (v === undefined) return undefined;', `return ${inner}(v);`);
        break;
      }
      case 'nullable': {
        noChecks(def, where);
        lines.push('if (v === null) return null;', `return ${compile(def.innerType, `${where}?`)}(v);`);
        break;
      }
      case 'default': {
        noChecks(def, where);
        const inner = compile(def.innerType, where);
        const fallback = json(def.defaultValue, where);
        // Not parsed: zod hands out the default as it is.
        lines.push(`if (v === undefined) return ${fallback};`, `const r = ${inner}(v);`, `return r === undefined ? ${fallback} : r;`);
        break;
      }
      case 'prefault': {
        noChecks(def, where);
        lines.push(`return ${compile(def.innerType, where)}(v === undefined ? ${json(def.defaultValue, where)} : v);`);
        break;
      }
      default:
        throw new Unsupported(`${where}: zod type "${def.type}"`);
    }
    // Checks run on the parsed value, in order; on the way to a valid result every one of them runs.
    for (const check of checks) lines.push(...checkLines(check._zod.def, def.type, where));
    if (!lines.some((l) => l.startsWith('return '))) lines.push('return out;');
    const body = lines.map((l) => `  ${l}`).join('\n');
    let name = byBody.get(body);
    if (!name) {
      name = `p${byBody.size}`;
      byBody.set(body, name);
      bodies.push(`function ${name}(v: any): any {\n${body}\n}`);
    }
    fns.set(def, name);
    return name;
  };

  const checkLines = (c: Record<string, any>, type: string, where: string): string[] => {
    // zod gives length checks a condition of its own (run only on a value with a length), always true here.
    const zodsOwn = c.when !== undefined && c.when === LENGTH_CONDITION && ['max_length', 'min_length'].includes(c.check);
    if (c.when && !zodsOwn && c.check !== 'custom') throw new Unsupported(`${where}: a "${c.check}" check with a condition`);
    const when = c.when && c.check === 'custom' ? `${rule(c.when, `${where} (when)`)}({ value: out, issues: [] }) && ` : '';
    switch (c.check) {
      case 'max_length':
      case 'min_length':
        if (type !== 'string' && type !== 'array') throw new Unsupported(`${where}: a length check on a ${type}`);
        return c.check === 'max_length' ? [`if (tooLong(out, ${num(c.maximum)})) return INVALID;`] : [`if (tooShort(out, ${num(c.minimum)})) return INVALID;`];
      case 'string_format': {
        if (c.format !== 'regex' || !(c.pattern instanceof RegExp)) throw new Unsupported(`${where}: the string format "${c.format}"`);
        const re = constant(`new RegExp(${JSON.stringify(c.pattern.source)}, ${JSON.stringify(c.pattern.flags)})`);
        return [`${c.pattern.global || c.pattern.sticky ? `${re}.lastIndex = 0; ` : ''}if (!${re}.test(out)) return INVALID;`];
      }
      case 'greater_than':
        return [`if (!(out ${c.inclusive ? '>=' : '>'} ${num(c.value)})) return INVALID;`];
      case 'less_than':
        return [`if (!(out ${c.inclusive ? '<=' : '<'} ${num(c.value)})) return INVALID;`];
      case 'number_format':
        if (c.format !== 'safeint') throw new Unsupported(`${where}: the number format "${c.format}"`);
        return ['if (!Number.isSafeInteger(out)) return INVALID;'];
      case 'custom':
        return [`if (${when}!${rule(c.fn, where)}(out)) return INVALID;`];
      default:
        throw new Unsupported(`${where}: a "${c.check}" check`);
    }
  };

  const root = compile(schema as unknown as Zod, '(root)');
  return [
    ...opts.header.map((l) => `// ${l}`.trimEnd()),
    `import * as rules from '${opts.rules.from}';`,
    `import { INVALID, isPlainObject, put, tooLong, tooShort, type Parsed } from '${opts.runtime}';`,
    '',
    ...constants,
    '',
    bodies.join('\n\n'),
    '',
    `export const ${opts.name} = (v: unknown): Parsed<any> => ${root}(v);`,
    '',
  ].join('\n');
}

const opt = (o: string | undefined) => (o === undefined ? 0 : o === 'optional' ? 1 : o === 'defaulted' ? 2 : bad(`optin/optout "${o}"`));
const bad = (what: string): never => {
  throw new Unsupported(what);
};
const num = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? String(n) : bad(`a check bound ${String(n)}`));
const noCoerce = (def: Def, where: string) => {
  if (def.coerce) throw new Unsupported(`${where}: coercion`);
};
const noChecks = (def: Def, where: string) => {
  if (def.checks?.length) throw new Unsupported(`${where}: checks on a ${def.type}`);
};
/** A default as a literal: plain data only (a fresh copy each time, as zod hands out a copy). */
function json(v: unknown, where: string): string {
  const text = JSON.stringify(v);
  const plain = (x: unknown): boolean =>
    x === null || ['string', 'boolean'].includes(typeof x) || (typeof x === 'number' && Number.isFinite(x)) || (Array.isArray(x) ? x.every(plain) : typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype && Object.values(x as object).every(plain));
  if (text === undefined || !plain(v)) throw new Unsupported(`${where}: a default or argument that is not plain data`);
  return text;
}

/** The text of src/clusterspec/parser.generated.ts for the schema as it is now. */
export function generatedParser(): string {
  // Required here, not imported: esbuild bundles this file for scripts/build.mjs, and jest loads it as it is.
  const { clusterSpecSchema } = require('../src/clusterspec/schema') as typeof import('../src/clusterspec/schema');
  const rules = require('../src/clusterspec/rules') as Record<string, unknown>;
  return compileParser(clusterSpecSchema, {
    rules: { from: './rules', exports: rules },
    runtime: './parserRuntime',
    name: 'parseValidSpec',
    header: [
      'Generated by scripts/build.mjs (scripts/compile-parser.ts) from the zod schema in src/clusterspec/schema.ts.',
      'Do not edit: `npm run build` writes it again. What it is and why: scripts/compile-parser.ts.',
      '',
      'parseValidSpec(input) is what clusterSpecSchema.safeParse(input).data is when that succeeds, else INVALID.',
      '',
    ],
  });
}
