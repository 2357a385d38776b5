/**
 * `import-helm-values [--chart-version X] VALUES`: a cluster-chart values file in, a ClusterSpec out
 * (stdout); which chart release it follows, what was corrected and what is wrong on stderr. The ClusterSpec
 * says in comments which settings came from the chart's templates rather than from the values file.
 * On any error nothing is written to stdout.
 */
import { isMap, isScalar, type Document } from 'yaml';
import { readDocuments } from '../krm/documents';
import { FROM_CHART_PATCHES, FROM_CHART_TEMPLATES } from '../migrate/helmValues';
import { importHelmValues, type ImportOptions } from '../migrate/chooseRelease';
import { STRINGIFY_OPTIONS, toDocument } from '../yaml/write';
import { generate } from '../generate';
import { formatResult } from '../results';

/** Puts `comment` on the line before the key at `path` (a dotted spec path). */
function commentKey(doc: Document, path: string, comment: string) {
  const parts = path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const parent = doc.getIn(parts.slice(0, -1));
  if (!isMap(parent)) return;
  const pair = parent.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === parts.at(-1));
  if (pair && isScalar(pair.key)) pair.key.commentBefore = ` ${comment}`;
}

const fail = (lines: string[]) => ({ stdout: '', stderr: lines.map((e) => `[error] ${e}\n`).join(''), exitCode: 1 });

export function importHelmValuesCommand(text: string, options: ImportOptions = {}) {
  const docs = readDocuments(text);
  if (docs.error !== undefined) return fail([`the values file is ${docs.error}`]);
  if (docs.values.length > 1) return fail([`the values file must be one YAML document, found ${docs.values.length}`]);
  const values = docs.values[0] ?? null;
  if (values !== null && (typeof values !== 'object' || Array.isArray(values))) return fail(['the values file must be a mapping of chart values']);
  const { clusterSpec, release, chosen, warnings, corrections, notes, errors } = importHelmValues(values, options);
  if (errors.length || !release) return fail(errors);

  const doc = toDocument(clusterSpec);
  for (const [path, comment] of Object.entries({ ...FROM_CHART_TEMPLATES, ...FROM_CHART_PATCHES })) commentKey(doc, path, comment);
  const header = [
    '# yaml-language-server: $schema=clusterspec.schema.json',
    '# (for editors: write that file beside this one with `capi-proxmox-talos schema > clusterspec.schema.json`)',
    `# Imported from cluster-chart ${release.version} values (${release.repository}; the release ${chosen}).`,
    `# Every value is written out: keys the values file left out have chart ${release.version}'s defaults.`,
    ...(corrections.length ? ['# Corrected where the chart renders something wrong:', ...corrections.map((c) => `#   - ${c}`)] : []),
    '# Before applying to a live cluster: `capi-proxmox-talos diff CHART_RENDER.yaml THIS_FILE` (docs/migrating-from-cluster-chart.md).',
  ].join('\n');
  const problems = generate(clusterSpec).results.filter((r) => r.severity !== 'info');
  const stderr = [
    `[info] cluster-chart ${release.version}: ${chosen}\n`,
    ...warnings.map((w) => `[warning] ${w}\n`),
    ...notes.map((n) => `[info] ${n}\n`),
    ...corrections.map((c) => `[info] corrected: ${c}\n`),
    ...problems.map((p) => `${formatResult(p)}\n`),
  ].join('');
  // A spec that does not render is not written: nothing half-made to commit.
  if (problems.some((p) => p.severity === 'error')) return { stdout: '', stderr, exitCode: 1 };
  return { stdout: `${header}\n${doc.toString(STRINGIFY_OPTIONS)}`, stderr, exitCode: 0 };
}
