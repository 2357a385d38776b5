/** `render FILE`: a ClusterSpec (or a ResourceList holding one) in, a multi-document YAML stream out. */
import { parseAllDocuments } from 'yaml';
import { generate } from '../generate';
import { formatResult, hasErrors } from '../krm/result';
import { toYAML } from '../krm/yaml';

export function render(text: string, file: string) {
  const docs = parseAllDocuments(text, { version: '1.1', uniqueKeys: false });
  const list = Array.isArray(docs) ? docs.filter((d) => d.contents !== null) : [];
  const bad = list.find((d) => d.errors.length);
  if (list.length !== 1 || bad) {
    const why = bad ? `not valid YAML: ${bad.errors[0].message}` : `expected one YAML document, found ${list.length}`;
    return { stdout: '', stderr: `[error] ${file}: ${why}\n`, exitCode: 1 };
  }
  let config = list[0].toJS({ maxAliasCount: 100 }) as Record<string, unknown> | null;
  if (config && config.kind === 'ResourceList') config = config.functionConfig as Record<string, unknown>;
  const { objects, results } = generate(config, { configFile: file });
  const stderr = results.map((r) => `${formatResult(r)}\n`).join('');
  if (hasErrors(results)) return { stdout: '', stderr, exitCode: 1 };
  return { stdout: objects.map((o) => `---\n${toYAML(o)}`).join(''), stderr, exitCode: 0 };
}
