/**
 * `import-helm-values VALUES`: a cluster-chart values file in, a ClusterSpec out (stdout); what was left
 * out, corrected or is wrong on stderr. The ClusterSpec says in comments which settings came from the
 * chart's templates rather than from the values file.
 */
import { isMap, isScalar, type Document } from 'yaml';
import { readDocuments } from '../krm/documents';
import { importHelmValues, FROM_CHART_TEMPLATES } from '../migrate/helmValues';
import { CHART_VERSION } from '../migrate/chart';
import { STRINGIFY_OPTIONS, toDocument } from '../yaml/write';
import { generate } from '../generate';
import { formatResult } from '../results';


/** Puts `comment` on the line before the key at `path` (a dotted spec path). */
function commentKey(doc: Document, path: string, comment: string) {
  const parts = path.split('.');
  const parent = doc.getIn(parts.slice(0, -1));
  if (!isMap(parent)) return;
  const pair = parent.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === parts.at(-1));
  if (pair && isScalar(pair.key)) pair.key.commentBefore = ` ${comment}`;
}

export function importHelmValuesCommand(text: string) {
  const docs = readDocuments(text);
  if (docs.error !== undefined) return { stdout: '', stderr: `[error] the values file is ${docs.error}\n`, exitCode: 1 };
  if (docs.values.length > 1) return { stdout: '', stderr: `[error] the values file must be one YAML document, found ${docs.values.length}\n`, exitCode: 1 };
  const values = docs.values[0] ?? null;
  if (values !== null && (typeof values !== 'object' || Array.isArray(values))) {
    return { stdout: '', stderr: '[error] the values file must be a mapping of chart values\n', exitCode: 1 };
  }
  const { clusterSpec, warnings, corrections, errors } = importHelmValues(values);
  if (errors.length) return { stdout: '', stderr: errors.map((e) => `[error] ${e}\n`).join(''), exitCode: 1 };

  const doc = toDocument(clusterSpec);
  for (const [path, comment] of Object.entries(FROM_CHART_TEMPLATES)) commentKey(doc, path, comment);
  const header = [
    '# yaml-language-server: $schema=clusterspec.schema.json',
    '# (for editors: write that file beside this one with `capi-proxmox-talos schema > clusterspec.schema.json`)',
    `# Imported from cluster-chart values (chart ${CHART_VERSION}): every value is written out; keys the values file`,
    `# left out have chart ${CHART_VERSION}'s defaults (for another chart version, import \`helm get values RELEASE --all\`).`,
    ...(corrections.length ? ['# Corrected where the chart renders something wrong:', ...corrections.map((c) => `#   - ${c}`)] : []),
    '# Before applying to a live cluster: `capi-proxmox-talos diff CHART_RENDER.yaml THIS_FILE` (docs/migrating-from-cluster-chart.md).',
  ].join('\n');
  const problems = generate(clusterSpec).results.filter((r) => r.severity !== 'info');
  const stderr = [
    ...warnings.map((w) => `[warning] ${w}\n`),
    ...corrections.map((c) => `[info] corrected: ${c}\n`),
    ...problems.map((p) => `${formatResult(p)}\n`),
  ].join('');
  return { stdout: `${header}\n${doc.toString(STRINGIFY_OPTIONS)}`, stderr, exitCode: problems.some((p) => p.severity === 'error') ? 1 : 0 };
}
