/**
 * Writing YAML that every reader takes the same way. Generated strings that YAML 1.1 (kubectl, kyaml's
 * go-yaml v2 paths) or YAML 1.2 (yaml v2's default) would read as something other than a string — `on`,
 * `yes`, `1_000`, `2024-01-01`, `0o17` — are double-quoted (../shared/reference/krm-edge.md).
 */
import { Document, isScalar, Schema, visit, Scalar } from 'yaml';

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

/** A YAML document for `value` with ambiguous strings double-quoted. */
export function toDocument(value: unknown): Document {
  const doc = new Document(value, { aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && !safePlain(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc;
}

export const STRINGIFY_OPTIONS = { lineWidth: 0, indent: 2, indentSeq: false } as const;

/** One YAML document (no `---`), ending in a newline. */
export function toYAML(value: unknown): string {
  return toDocument(value).toString(STRINGIFY_OPTIONS);
}

export { isScalar };
