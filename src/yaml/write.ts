/**
 * Writing YAML that every reader takes the same way. Generated strings that YAML 1.1 (kubectl, kyaml's
 * go-yaml v2 paths) or YAML 1.2 (yaml v2's default) would read as something other than a string — `on`,
 * `yes`, `1_000`, `2024-01-01`, `0o17` — are double-quoted (../shared/reference/krm-edge.md).
 */
import { Document, isScalar, Schema, Scalar } from 'yaml';
import { SOURCE_NUMBER, SourceNumber } from './read';

/**
 * The plain-scalar resolvers of both schemas, taken from the yaml library itself (its tag `test`
 * expressions), so "what would be misread" is the library's definition, not ours.
 */
const RESOLVERS: RegExp[] = [new Schema({ schema: 'yaml-1.1' }), new Schema({ schema: 'core' })].flatMap((schema) =>
  (schema.tags as { test?: RegExp }[]).flatMap((t) => (t.test ? [t.test] : [])),
);

/** Would a plain (unquoted) `s` be read back as exactly the string `s` by both YAML versions? */
export function safePlain(s: string): boolean {
  return !RESOLVERS.some((r) => r.test(s));
}

/** `value` with every ambiguous string replaced by a double-quoted Scalar node (plain data is walked, not the Document). */
function quoteAmbiguous(value: unknown): unknown {
  if (typeof value === 'string') {
    if (safePlain(value)) return value;
    const s = new Scalar(value);
    s.type = Scalar.QUOTE_DOUBLE;
    return s;
  }
  if (Array.isArray(value)) return value.map(quoteAmbiguous);
  if (value && typeof value === 'object' && !(value instanceof Scalar) && !(value instanceof SourceNumber)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = quoteAmbiguous(v);
    return out;
  }
  return value;
}

/** A YAML document for `value` with ambiguous strings double-quoted. */
export function toDocument(value: unknown): Document {
  return new Document(quoteAmbiguous(value), { aliasDuplicateObjects: false, customTags: [SOURCE_NUMBER] });
}

export const STRINGIFY_OPTIONS = { lineWidth: 0, indent: 2, indentSeq: false } as const;

/** One YAML document (no `---`), ending in a newline. */
export function toYAML(value: unknown): string {
  return toDocument(value).toString(STRINGIFY_OPTIONS);
}

export { isScalar };
