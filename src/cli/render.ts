/** `render FILE`: a ClusterSpec (or a ResourceList holding one) in, a multi-document YAML stream out. */
import { readDocuments } from '../krm/documents';
import { generate } from '../generate';
import { boundResults, formatResult, hasErrors } from '../results';
import { toYAML } from '../yaml/write';

export function render(text: string, file: string) {
  const docs = readDocuments(text);
  if (docs.error !== undefined || docs.values.length !== 1) {
    const why = docs.error ?? `expected one YAML document, found ${docs.values!.length}`;
    return { stdout: '', stderr: `[error] ${file}: ${why}\n`, exitCode: 1 };
  }
  let config = docs.values[0] as Record<string, unknown> | null;
  if (config && config.kind === 'ResourceList') config = config.functionConfig as Record<string, unknown>;
  const generated = generate(config, { configFile: file });
  const { objects } = generated;
  const results = boundResults(generated.results);
  const stderr = results.map((r) => `${formatResult(r)}\n`).join('');
  if (hasErrors(results)) return { stdout: '', stderr, exitCode: 1 };
  return { stdout: objects.map((o) => `---\n${toYAML(o)}`).join(''), stderr, exitCode: 0 };
}
