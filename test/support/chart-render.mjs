#!/usr/bin/env node
// Prints what a cluster-chart release renders for a values file, as a YAML stream: the test model
// test/support/chartModel.ts (our own reading of each release's templates, checked against helm),
// bundled on the fly with esbuild. For the Go end-to-end harness (test/e2e/adoption_test.go), which
// applies a chart-made cluster and then hands it over to the function.
//   node test/support/chart-render.mjs values.yaml [release] [chart version, default 0.1.6]
import { buildSync } from 'esbuild';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const [valuesFile, release = 'cluster', version = '0.1.6'] = process.argv.slice(2);
if (!valuesFile) {
  console.error('usage: chart-render.mjs VALUES.yaml [RELEASE] [CHART_VERSION]');
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const bundle = buildSync({ entryPoints: [join(here, 'chartModel.ts')], bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'error' });
const mod = { exports: {} };
new Function('module', 'exports', 'require', bundle.outputFiles[0].text)(mod, mod.exports, createRequire(import.meta.url));
const chart = mod.exports.MODEL_RELEASES.find((r) => r.version === version);
if (!chart) {
  console.error(`chart-render.mjs: the model has no release ${version}`);
  process.exit(2);
}
const objects = mod.exports.renderChart(parse(readFileSync(valuesFile, 'utf8')), chart, release);
process.stdout.write(objects.map((o) => stringify(o)).join('---\n'));
