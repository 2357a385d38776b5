/**
 * The YAML text of plain data, byte for byte what write.ts's toYAML makes of it with the yaml library,
 * for the shapes the function's own objects have: mappings with plain keys, lists, whole numbers, booleans,
 * null, numbers kept as written, and strings that are plain, double-quoted, or multi-line (a literal block).
 * Anything else (an odd key, a string that needs escapes, folding or an indentation indicator, a float) is
 * not guessed at: emitYAML answers undefined and toYAML asks the library.
 *
 * Why: the library builds a Document of nodes, resolves a tag for every scalar and then stringifies it,
 * which for one run of a one-shot process (cold code, mostly interpreted) cost more than everything else
 * a render does (docs/performance.md). The rules restated here are the library's (yaml 2,
 * dist/stringify/stringifyString.js, stringifyPair.js, stringifyCollection.js) for the options toYAML uses
 * (lineWidth 0, indent 2, indentSeq false); test/yaml-emit.test.ts holds the two to each other.
 */
import { SourceNumber } from './read';
import { safePlain } from './plain';

class Unsupported extends Error {}
const unsupported = (): never => {
  throw new Unsupported();
};

/** C0 and C1 controls, DEL, surrogates and tabs: the library escapes or special-cases them. */
const AWKWARD = /[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]/;
/** What makes the library quote a plain string (stringifyString.js, plainString). */
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
/** A line a YAML reader would take for a document marker or directive. */
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;
/** Keys written plain: nothing any YAML reader resolves to another type or reads as syntax. */
const PLAIN_KEY = /^[A-Za-z][A-Za-z0-9_./-]*$/;

const isMapping = (v: object): v is Record<string, unknown> => {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** A one-line string as the library writes it (no control characters, no line breaks). */
function inlineString(s: string): string {
  if (!safePlain(s)) return JSON.stringify(s); // toYAML double-quotes every string a reader could take for another type
  if (DOCUMENT_MARKER.test(s)) unsupported(); // the library's choice then depends on where the string stands
  if (!NOT_PLAIN.test(s)) return s;
  // The library's quotedString: single quotes when the text has double quotes and no single ones.
  return s.includes('"') && !s.includes("'") ? `'${s}'` : JSON.stringify(s);
}

/**
 * A multi-line string as a literal block: its header (`|` or `|-`) and its lines, each after `indent`
 * (empty lines stay empty). Only the shapes the library writes without an indentation indicator or a
 * keep chomp: first line not indented, no whitespace before the end, at most one final line break.
 */
function block(s: string, indent: string): string {
  if (/^[\n\t ]/.test(s) || /[\t ]\n?$/.test(s) || s.endsWith('\n\n') || /\n[\t ]+$/.test(s)) unsupported();
  const clip = s.endsWith('\n');
  const body = (clip ? s.slice(0, -1) : s).replace(/\n+/g, `$&${indent}`);
  return `|${clip ? '' : '-'}\n${indent}${body}`;
}

/** A scalar after `key: ` or `- `; `indent` is where a block's lines go. */
function scalar(v: unknown, indent: string): string {
  switch (typeof v) {
    case 'string':
      if (AWKWARD.test(v)) unsupported();
      return v.includes('\n') ? (safePlain(v) ? block(v, indent) : unsupported()) : inlineString(v);
    case 'number':
      return Number.isInteger(v) && !Object.is(v, -0) ? String(v) : unsupported();
    case 'boolean':
      return String(v);
    default:
      if (v === null) return 'null';
      if (v instanceof SourceNumber) return v.source;
      return unsupported();
  }
}

const isCollection = (v: unknown): v is object => typeof v === 'object' && v !== null && !(v instanceof SourceNumber);
const isEmpty = (v: object) => (Array.isArray(v) ? v.length === 0 : Object.values(v).every((x) => x === undefined));

/** A non-empty mapping's pairs, each line after `indent`. */
function mapping(o: Record<string, unknown>, indent: string): string {
  let out = '';
  for (const key of Object.keys(o)) {
    const v = o[key];
    if (v === undefined) continue;
    if (!PLAIN_KEY.test(key) || !safePlain(key)) unsupported();
    out += `${indent}${key}:${after(v, `${indent}  `, `${indent}  `, indent)}`;
  }
  return out;
}

/** A non-empty list's entries, each `- ` at `indent`. */
function list(a: unknown[], indent: string): string {
  let out = '';
  for (const v of a) {
    if (v === undefined) unsupported();
    out += `${indent}-${after(v, `${indent}  `, `${indent}  `, `${indent}  `, true)}`;
  }
  return out;
}

/**
 * What follows `key:` or `-`: ` scalar`, or a collection on the next lines (a mapping at `mapIndent`, a
 * list at `listIndent`), or for a list entry, the collection starting on the dash's own line.
 */
function after(v: unknown, mapIndent: string, blockIndent: string, listIndent: string, entry = false): string {
  if (!isCollection(v)) return ` ${scalar(v, blockIndent)}\n`;
  if (isEmpty(v)) return Array.isArray(v) ? ' []\n' : ' {}\n';
  const text = Array.isArray(v) ? list(v, listIndent) : isMapping(v) ? mapping(v, mapIndent) : unsupported();
  return entry ? ` ${text.slice(mapIndent.length)}` : `\n${text}`;
}

/** The YAML text of `value` (a non-empty mapping or list), or undefined where only the library knows. */
export function emitYAML(value: unknown): string | undefined {
  try {
    if (!isCollection(value) || isEmpty(value)) return undefined;
    if (Array.isArray(value)) return list(value, '');
    return isMapping(value) ? mapping(value, '') : undefined;
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}
