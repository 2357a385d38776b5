/**
 * What the generated ClusterSpec parser (parser.generated.ts) calls besides the schema's own rules: zod's
 * semantics for the few steps that are more than a type test, restated (zod 4, v4/core: schemas.ts
 * handlePropertyResult and $ZodRecord, checks.ts $ZodCheckMaxLength/$ZodCheckMinLength, util.ts
 * isPlainObject). The generated parser only ever answers "valid, and this is zod's output" or INVALID;
 * every INVALID goes to zod itself for the messages, so these need to be exact about validity and output,
 * never about issues. test/generated-parser.test.ts holds them to zod.
 */

/** The generated parser's answer for anything zod would not accept as it is. */
export const INVALID: unique symbol = Symbol('not a valid ClusterSpec');
export type Parsed<T> = T | typeof INVALID;

/** A string's length as zod counts it: in code points (a surrogate pair is one; a lone surrogate one too). */
function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i + 1 < s.length; i++) {
    if ((s.charCodeAt(i) & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n--;
      i++;
    }
  }
  return n;
}

/** Longer than `max`: strings in code points, lists in entries. */
export const tooLong = (v: string | unknown[], max: number) => v.length > max && (typeof v !== 'string' || codePoints(v) > max);

/** Shorter than `min`: strings in code points, lists in entries. */
export const tooShort = (v: string | unknown[], min: number) => v.length < min || (typeof v === 'string' && v.length < 2 * min && codePoints(v) < min);

const isObject = (o: unknown): o is Record<PropertyKey, unknown> => typeof o === 'object' && o !== null && !Array.isArray(o);

/** What zod's record takes: an object whose constructor, if it has a usable one, is Object-like. */
export function isPlainObject(o: unknown): o is Record<PropertyKey, unknown> {
  if (!isObject(o)) return false;
  const ctor = (o as { constructor?: unknown }).constructor;
  if (ctor === undefined || typeof ctor !== 'function') return true;
  const proto = (ctor as { prototype?: unknown }).prototype;
  return isObject(proto) && Object.prototype.hasOwnProperty.call(proto, 'isPrototypeOf');
}

/** zod's optin/optout of a property's schema: 0 none, 1 optional, 2 defaulted. */
export type Opt = 0 | 1 | 2;

/**
 * One property of an object into `out`, as zod's object does it (handlePropertyResult) with the property
 * schema's result `r` and its optin/optout. False: zod would report an issue.
 */
export function put(out: Record<string, unknown>, input: object, key: string, r: unknown, optin: Opt, optout: Opt): boolean {
  const present = key in input;
  const optionalOut = optout === 1;
  if (!present && optionalOut && optin === 1) return true;
  if (r === INVALID) return optin !== 0 && optionalOut && !present;
  if (!present && optin === 0) return false;
  if (r === undefined) {
    if (present || (optin === 2 && !optionalOut)) out[key] = undefined;
  } else out[key] = r;
  return true;
}
