/**
 * A YAML stream (one or more `---` documents) as plain data, read the way kubectl reads manifests
 * (YAML 1.1), for the commands that take files: render, diff, validate.
 */
import { parseAllDocuments, type YAMLError } from 'yaml';

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

/** The non-empty documents of `text`, or the first parse error in the user's words. */
export function readDocuments(text: string): Documents {
  const docs = parseAllDocuments(text, { version: '1.1', uniqueKeys: false, prettyErrors: false });
  const list = (Array.isArray(docs) ? docs : []).filter((d) => d.contents !== null);
  const bad = list.find((d) => d.errors.length);
  if (bad) return { error: yamlErrorLine(bad.errors[0], text) };
  return { values: list.map((d) => d.toJS({ maxAliasCount: 100 })) };
}
