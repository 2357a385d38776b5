/**
 * Writing YAML that every reader takes the same way. Generated strings that YAML 1.1 (kubectl, kyaml's
 * go-yaml v2 paths) or YAML 1.2 (yaml v2's default) would read as something other than a string — `on`,
 * `yes`, `1_000`, `2024-01-01`, `0o17` — are double-quoted (../shared/reference/krm-edge.md).
 */
import { Document, isScalar, parse, visit, Scalar } from 'yaml';

const readsAsString = (s: string, version: '1.1' | '1.2') => {
  try {
    return typeof parse(s, { version }) === 'string';
  } catch {
    return false;
  }
};

/** Would a plain (unquoted) `s` be read back as exactly the string `s` by both YAML versions? */
export function safePlain(s: string): boolean {
  if (s === '' || s.includes('\n')) return true; // yaml quotes or block-formats these itself
  if (!/^[0-9+\-.~nNyYoOtTfF]/.test(s) && !/^[a-z]+$/i.test(s)) return true; // cannot be a number, bool, null or date
  return readsAsString(s, '1.1') && readsAsString(s, '1.2') && parse(s, { version: '1.1' }) === s && parse(s) === s;
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
