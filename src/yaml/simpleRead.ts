/**
 * The value of a YAML file written the simple way a ClusterSpec usually is (and kustomize's and kpt's
 * ResourceLists often are), read without the yaml library's lexer, parser and composer: one document, a
 * mapping at the top, block mappings and lists indented with spaces, plain or quoted keys, one-line scalars
 * (plain, single-quoted, double-quoted without escapes), literal blocks (`|`, `|-`), one-line flow lists
 * and mappings of such scalars, comments. Plain scalars resolve with the library's own
 * tags (YAML 1.2 core, as READ_OPTIONS reads), numbers kept as written as read.ts keeps them.
 *
 * Anything else — anchors, aliases, tags, folded or keep-chomped blocks, multi-line flow scalars, escapes, merge keys, repeated
 * keys, odd indentation, tabs, a second document, anything the library would warn about or refuse — is not
 * guessed at: readSimpleDocument answers undefined and the caller reads the text with the library, which
 * also words every error. Why: in a one-shot run the library's generator-based lexer and parser, mostly
 * interpreted, took ~8 ms of a 3 KB spec (docs/performance.md). test/yaml-simple-read.test.ts holds the two
 * to each other.
 */
import { Document, isScalar } from 'yaml';
import { READ_OPTIONS, keptNumber } from './read';

class NotSimple extends Error {}
const notSimple = (): never => {
  throw new NotSimple();
};

type Tag = { default?: boolean | 'key'; test?: RegExp; resolve: (s: string, onError: (m: string) => void, o: unknown) => unknown };
let schema: { tags: Tag[]; options: unknown } | undefined;
/** The tags the library resolves plain scalars with under READ_OPTIONS (made once, when first needed). */
function tags() {
  if (!schema) {
    const doc = new Document(null, READ_OPTIONS);
    schema = { tags: (doc.schema.tags as unknown as Tag[]).filter((t) => t.default && t.test), options: doc.options };
  }
  return schema;
}

/** A plain scalar as the library resolves it: null, a boolean, a number (kept as written), or the string. */
function plain(s: string, key = false): unknown {
  const { tags: all, options } = tags();
  const tag = all.find((t) => t.test!.test(s));
  if (!tag) return s;
  if (key || tag.default !== true) notSimple(); // keys must be strings; `<<` is a merge key
  const r = tag.resolve(s, notSimple, options);
  const v = isScalar(r) ? r.value : r;
  return typeof v === 'number' ? keptNumber(s, v) : v;
}

/** Plain scalars this reader takes: no indicator first, no `: ` or ` #` inside, nothing special at the end. */
const PLAIN = /^(?![-?:](?:[ ]|$))[^\s,[\]{}#&*!|>'"%@`](?:[^:#]|:(?=\S)|(?<=\S)#)*(?<![\s:])$/;
const PLAIN_IN_FLOW = /^(?![-?:](?:[ ]|$))[^\s,[\]{}#&*!|>'"%@`](?:[^:#,[\]{}]|:(?=[^\s,[\]{}])|(?<=\S)#)*(?<![\s:])$/;
/** Plain keys this reader takes (a `:` inside one, as in registry.example:5000, is part of the key). */
const KEY = /^[A-Za-z0-9_][A-Za-z0-9_./:-]*$/;

/** A mapping key: plain (it must read as a string) or quoted. */
function keyOf(text: string): string {
  if (/^['"]/.test(text)) return scalar(text) as string;
  if (!KEY.test(text)) notSimple();
  plain(text, true);
  return text;
}

/** A one-line scalar (the whole of `s`); `inFlow` inside [ ] or { }. */
function scalar(s: string, inFlow = false): unknown {
  if (s.startsWith("'")) {
    if (!/^'(?:[^']|'')*'$/.test(s)) notSimple();
    return s.slice(1, -1).replace(/''/g, "'");
  }
  if (s.startsWith('"')) {
    if (!/^"[^"\\]*"$/.test(s)) notSimple();
    return s.slice(1, -1);
  }
  if (!(inFlow ? PLAIN_IN_FLOW : PLAIN).test(s)) notSimple();
  return plain(s);
}

/** `[a, b]` or `{a: 1, b: c}` on one line, scalars only. */
function flow(s: string): unknown {
  const inner = s.slice(1, -1).trim();
  const parts = inner === '' ? [] : inner.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '' || /^['"]/.test(p) || /['"]/.test(p))) notSimple(); // quotes may hold commas
  if (s.startsWith('[')) return parts.map((p) => scalar(p, true));
  const out: Record<string, unknown> = {};
  for (const p of parts) {
    const m = /^([^:\s]+):(?: (.*))?$/.exec(p);
    if (!m || !KEY.test(m[1])) notSimple();
    const key = m![1];
    plain(key, true);
    if (Object.prototype.hasOwnProperty.call(out, key) || key === '__proto__') notSimple();
    out[key] = m![2] === undefined || m![2].trim() === '' ? null : scalar(m![2].trim(), true);
  }
  return out;
}

/** What follows `key:` or `- ` on its line (comment removed): a scalar or a one-line flow collection. */
function inline(text: string): unknown {
  if (/^\[.*\]$/.test(text)) return /[[\]{}]/.test(text.slice(1, -1)) ? notSimple() : flow(text);
  if (/^\{.*\}$/.test(text)) return /[[\]{}]/.test(text.slice(1, -1)) ? notSimple() : flow(text);
  return scalar(text);
}

interface Line {
  indent: number;
  text: string;
  /** Its index in the text's lines. */
  at: number;
}

/** The text without its trailing comment (a `#` first or after a space; with quotes before it, the library decides). */
function withoutComment(text: string): string {
  const at = text.search(/(^| )#/);
  if (at < 0) return text;
  const before = text.slice(0, at);
  if (/['"]/.test(before)) notSimple();
  return before.trimEnd();
}

class Reader {
  i = 0;
  constructor(
    readonly lines: Line[],
    readonly raw: string[],
  ) {}

  /**
   * A literal block (`|`, or `|-` without its final line break) after the line just read: the lines indented
   * deeper than `parentIndent`, less the first one's indentation. Blank lines must be empty; lines less
   * indented than the first, explicit indentation, keep chomping and folding are left to the library.
   */
  literal(parentIndent: number, strip: boolean): string {
    const content: string[] = [];
    let n = -1;
    let r = this.lines[this.i - 1].at + 1;
    for (; r < this.raw.length; r++) {
      const l = this.raw[r];
      if (l === '') {
        content.push('');
        continue;
      }
      const indent = l.length - l.trimStart().length;
      if (indent === l.length) notSimple(); // a line of spaces only
      if (indent <= parentIndent) break;
      if (n < 0) n = indent;
      if (indent < n) notSimple();
      content.push(l.slice(n));
    }
    if (n < 0) notSimple();
    while (content.at(-1) === '') content.pop();
    while (this.i < this.lines.length && this.lines[this.i].at < r) this.i++;
    return content.join('\n') + (strip ? '' : '\n');
  }

  /** What follows `key:` or `- ` on its line: a literal block's header, a scalar, a flow collection. */
  value(rest: string, parentIndent: number): unknown {
    return rest === '|' || rest === '|-' ? this.literal(parentIndent, rest === '|-') : inline(rest);
  }

  /** The block (mapping or list) whose first line is the current one, at its indentation. */
  block(depth: number): unknown {
    if (depth > 64) notSimple(); // the library's shape check decides about deep nesting
    const line = this.lines[this.i];
    return line.text === '-' || line.text.startsWith('- ') ? this.list(line.indent, depth) : this.mapping(line.indent, depth);
  }

  /** The value after `key:` or `-` with nothing after it on the line: a nested block, or null. */
  nested(parentIndent: number, depth: number, listMayAlign: boolean): unknown {
    const next = this.lines[this.i];
    if (next && next.indent > parentIndent) return this.block(depth + 1);
    if (next && listMayAlign && next.indent === parentIndent && (next.text === '-' || next.text.startsWith('- '))) return this.list(parentIndent, depth + 1);
    return null;
  }

  mapping(indent: number, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    while (this.i < this.lines.length) {
      const line = this.lines[this.i];
      if (line.indent < indent) break;
      if (line.indent > indent || line.text === '-' || line.text.startsWith('- ')) notSimple();
      const m = /^((?:[^\s:'"#]|:(?=\S))+|"[^"\\]*"|'(?:[^']|'')*'):(?: +(.*))?$/.exec(line.text);
      if (!m) notSimple();
      const key = keyOf(m![1]);
      if (key === '__proto__' || Object.prototype.hasOwnProperty.call(out, key)) notSimple();
      this.i++;
      const rest = m![2] === undefined ? '' : withoutComment(m![2]);
      if (rest === '') out[key] = this.nested(indent, depth, true);
      else out[key] = this.value(rest, indent); // a deeper line after a scalar (a multi-line scalar) stops the loop below
    }
    return out;
  }

  list(indent: number, depth: number): unknown[] {
    const out: unknown[] = [];
    while (this.i < this.lines.length) {
      const line = this.lines[this.i];
      if (line.indent < indent) break;
      if (line.indent > indent || !(line.text === '-' || line.text.startsWith('- '))) {
        if (line.indent === indent) break; // a key after an indentless list ends it
        notSimple();
      }
      const after = line.text.slice(1);
      const gap = after.length - after.trimStart().length;
      const rest = withoutComment(after.trimStart());
      if (rest === '') {
        this.i++;
        out.push(this.nested(indent, depth, false));
      } else if (/^(?:(?:[^\s:'"[{#]|:(?=\S))+|"[^"\\]*"|'(?:[^']|'')*'):( |$)/.test(rest)) {
        // `- key: value`: a mapping whose keys line up with this one's
        this.lines[this.i] = { indent: indent + 1 + gap, text: after.trimStart(), at: line.at };
        out.push(this.mapping(indent + 1 + gap, depth + 1));
      } else if (rest === '-' || rest.startsWith('- ')) {
        notSimple();
      } else {
        this.i++;
        out.push(this.value(rest, indent));
      }
    }
    return out;
  }
}

/** The document's value, a mapping, when `text` is simple YAML as described above; else undefined. */
export function readSimpleDocument(text: string): Record<string, unknown> | undefined {
  if (/[\t\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff]/.test(text)) return undefined;
  const lines: Line[] = [];
  const raws = text.split('\n');
  let started = false;
  for (const [at, raw] of raws.entries()) {
    const body = raw.trimStart();
    if (body === '' || body.startsWith('#')) continue;
    if (raw.trimEnd() === '---' && !started) {
      started = true;
      continue;
    }
    if (/^(---|\.\.\.|%)/.test(raw)) return undefined;
    started = true;
    lines.push({ indent: raw.length - body.length, text: body.trimEnd(), at });
  }
  if (!lines.length || lines[0].indent !== 0) return undefined;
  try {
    const reader = new Reader(lines, raws);
    const first = lines[0].text;
    if (first === '-' || first.startsWith('- ')) return undefined;
    const value = reader.mapping(0, 0);
    return reader.i === lines.length ? value : undefined;
  } catch (e) {
    if (e instanceof NotSimple) return undefined;
    throw e;
  }
}
