/**
 * A YAML stream (one or more `---` documents) as plain data, read the way kubectl reads manifests
 * for the commands that take files (render, diff, validate), exactly as the KRM path reads standard input:
 * YAML 1.2 core, numbers kept as written (src/yaml/read.ts).
 */
import { isScalar, parseAllDocuments, type Document, type YAMLError } from 'yaml';
import { checkShape, formatYamlPath, isTooDeep, ShapeError, TOO_DEEP } from './shape';
import { READ_OPTIONS, withNumberText } from '../yaml/read';

/** A document with nothing in it (`---` alone, or only comments), as kubectl and kpt skip it. */
export const isEmptyDocument = (d: Document) => d.contents === null || (isScalar(d.contents) && d.contents.value === null && !d.contents.tag && !d.contents.anchor && d.contents.source === '');

/**
 * One line: yaml's message and where in `source` it is, e.g. "… at line 4, column 4". yaml places some
 * errors at the start of the line (bad indentation): the column given is then that of the line's first
 * character that is not a space. Errors found only at the end (an unclosed bracket or quote) say so.
 */
export function yamlErrorLine(e: YAMLError, source: string): string {
  let offset = Math.min(e.pos?.[0] ?? 0, source.length);
  const what = `not valid YAML: ${e.message.split('\n')[0]}`;
  if (source.slice(offset).trim() === '') return `${what} at the end of the input (line ${source.trimEnd().split('\n').length}): is a bracket or quote left open?`;
  while (source[offset] === ' ') offset++;
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - (before.lastIndexOf('\n') + 1) + 1;
  return `${what} at line ${line}, column ${col}`;
}

export type Documents = { values: unknown[]; error?: undefined } | { error: string; values?: undefined };

/**
 * The non-empty documents of `text`, or the first problem in the user's words: a parse error, or what
 * shape.ts refuses (a repeated key anywhere, an alias without an anchor, too deep, an alias bomb).
 */
export function readDocuments(text: string): Documents {
  let docs;
  try {
    docs = parseAllDocuments(text, READ_OPTIONS);
  } catch (e) {
    if (isTooDeep(e)) return { error: TOO_DEEP };
    throw e;
  }
  const list = (Array.isArray(docs) ? docs : []).filter((d) => !isEmptyDocument(d));
  const bad = list.find((d) => d.errors.length);
  if (bad) return { error: isTooDeep(bad.errors[0].message) ? TOO_DEEP : yamlErrorLine(bad.errors[0], text) };
  for (const [i, d] of list.entries()) {
    try {
      checkShape(d.contents, { uniqueKeysAt: () => true });
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
      if (isTooDeep(e)) return { error: TOO_DEEP };
      const where = formatYamlPath(e.path);
      return { error: `${list.length > 1 ? `document ${i + 1}` : ''}${list.length > 1 && where ? ', ' : ''}${where}${where || list.length > 1 ? ': ' : ''}${e.message}` };
    }
  }
  return { values: list.map((d) => withNumberText(d.contents, () => d.toJS({ maxAliasCount: -1 }))) };
}
