// Builds dist/capi-proxmox-talos: one self-contained executable file (no node_modules at run time),
// and writes the JSON Schema derived from the zod schema to schema/clusterspec.schema.json.
import { build } from 'esbuild';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const out = 'dist/capi-proxmox-talos';
await build({
  entryPoints: ['src/main.ts'],
  outfile: out,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
chmodSync(out, 0o755);

// The validator (ajv, CEL, CRDs) is a developer and CI tool, kept out of the function's bundle.
await build({ entryPoints: ['src/validate/cli.ts'], outfile: 'dist/validate.cjs', bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });

// The schema comes from the bundle itself, so what we publish is what the function enforces.
const require = createRequire(import.meta.url);
const { execFileSync } = require('node:child_process');
const schema = execFileSync(process.execPath, [out, 'schema'], { encoding: 'utf8' });
mkdirSync('schema', { recursive: true });
writeFileSync('schema/clusterspec.schema.json', schema);
console.log(`built ${out} and schema/clusterspec.schema.json`);
