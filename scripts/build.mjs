// Builds dist/capi-proxmox-talos: one self-contained executable file (no node_modules at run time),
// and writes what is derived from the zod schema: the parser the function runs for a valid spec
// (src/clusterspec/parser.generated.ts, scripts/compile-parser.ts) and the JSON Schema
// (schema/clusterspec.schema.json).
// Also builds dist/capi-proxmox-talos-standalone-linux-<arch>: the same bundle compiled with Bun into one
// native executable that needs no Node (scripts/standalone.mjs; docs/performance.md says why Bun).
//
// Start-up is the function's speed (it starts afresh for every kpt/kustomize run), so the file carries
// a V8 code cache of the bundle, made here after a warm-up render. A Node whose V8 differs rejects the
// cache and simply compiles the source: same behaviour, only slower (docs/performance.md).
import { build } from 'esbuild';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import vm from 'node:vm';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { buildStandalone } from './standalone.mjs';

// The parser generated from the zod schema, first: the bundle below includes it. Written only when it
// changes, so an unchanged schema leaves the file (and its time stamp) alone.
const generated = 'src/clusterspec/parser.generated.ts';
const compilerDir = mkdtempSync(join(tmpdir(), 'cpt-compile-parser-'));
try {
  const compiler = join(compilerDir, 'compile-parser.cjs');
  await build({ entryPoints: ['scripts/compile-parser.ts'], outfile: compiler, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });
  const text = createRequire(import.meta.url)(compiler).generatedParser();
  if (!existsSync(generated) || readFileSync(generated, 'utf8') !== text) {
    writeFileSync(generated, text);
    console.log(`wrote ${generated}`);
  }
} finally {
  rmSync(compilerDir, { recursive: true, force: true });
}

const out = 'dist/capi-proxmox-talos';
const plain = 'dist/capi-proxmox-talos.plain.cjs';
await build({
  entryPoints: ['src/main.ts'],
  outfile: plain,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
chmodSync(plain, 0o755);

// The validator (ajv, CEL, CRDs) is a developer and CI tool, kept out of the function's bundle.
await build({ entryPoints: ['src/validate/cli.ts'], outfile: 'dist/validate.cjs', bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });

// Code cache: compile the bundle, run it once on the built-in example, keep what V8 compiled.
const source = readFileSync(plain, 'utf8').replace(/^#!.*\n/, '');
const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
const script = new vm.Script(wrapped, { filename: resolve(out) });
const warm = { exports: {} };
const argv = process.argv;
const write = process.stdout.write;
const writeErr = process.stderr.write;
process.argv = [argv[0], out, 'render', 'functionconfig.yaml'];
process.stdout.write = process.stderr.write = () => true;
try {
  script.runInThisContext()(warm.exports, createRequire(resolve(out)), warm, resolve(out), resolve('dist'));
} finally {
  process.argv = argv;
  process.stdout.write = write;
  process.stderr.write = writeErr;
  process.exitCode = 0;
}
const cache = script.createCachedData().toString('base64');
writeFileSync(
  out,
  `#!/usr/bin/env node\n"use strict";` +
    `const vm=require("vm"),src=${JSON.stringify(wrapped)};` +
    `new vm.Script(src,{filename:__filename,cachedData:Buffer.from(${JSON.stringify(cache)},"base64")})` +
    `.runInThisContext()(exports,require,module,__filename,__dirname);\n`,
);
chmodSync(out, 0o755);

const schema = execFileSync(process.execPath, [out, 'schema'], { encoding: 'utf8' });
mkdirSync('schema', { recursive: true });
writeFileSync('schema/clusterspec.schema.json', schema);
console.log(`built ${out} (with code cache) and schema/clusterspec.schema.json`);

for (const built of buildStandalone(plain)) {
  // The host's own standalone executable must print the same schema bytes as the Node one.
  if (built.native && execFileSync(built.file, ['schema'], { encoding: 'utf8' }) !== schema) throw new Error(`${built.file} prints a different schema than ${out}`);
  console.log(`built ${built.file} (standalone, ${built.arch})`);
}
