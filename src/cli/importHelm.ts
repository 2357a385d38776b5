/** `import-helm-values VALUES`: a cluster-chart values.yaml in, a ClusterSpec out (stdout), warnings on stderr. */
import { readDocuments } from '../krm/documents';
import { importHelmValues } from '../migrate/helmValues';
import { toYAML } from '../yaml/write';
import { generate } from '../generate';
import { formatResult } from '../results';

export function importHelmValuesCommand(text: string) {
  const docs = readDocuments(text);
  if (docs.error !== undefined) return { stdout: '', stderr: `[error] the values file is ${docs.error}\n`, exitCode: 1 };
  if (docs.values.length > 1) return { stdout: '', stderr: `[error] the values file must be one YAML document, found ${docs.values.length}\n`, exitCode: 1 };
  const values = docs.values[0] ?? null;
  if (values !== null && (typeof values !== 'object' || Array.isArray(values))) {
    return { stdout: '', stderr: '[error] the values file must be a mapping of chart values\n', exitCode: 1 };
  }
  const { clusterSpec, warnings } = importHelmValues(values);
  const header = [
    '# yaml-language-server: $schema=clusterspec.schema.json',
    '# (for editors: write that file beside this one with `capi-proxmox-talos schema > clusterspec.schema.json`)',
    '# Imported from cluster-chart values: only values that differ from the chart defaults are listed, except',
    '# that bastion and proxmox.template are written whole when one of their fields differs (each is defaulted',
    '# as a whole).',
    '',
  ].join('\n');
  const problems = generate(clusterSpec).results.filter((r) => r.severity !== 'info');
  const stderr = [...warnings.map((w) => `[warning] ${w}\n`), ...problems.map((p) => `${formatResult(p)}\n`)].join('');
  return { stdout: header + toYAML(clusterSpec), stderr, exitCode: problems.some((p) => p.severity === 'error') ? 1 : 0 };
}
