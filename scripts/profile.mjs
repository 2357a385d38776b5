// npm run profile [-- SPEC]: where a render's CPU time goes, under Node and under Bun (the standalone
// executable's runtime), as self time by package (yaml, zod, ipaddr.js, our src/ directories, the runtime
// itself) and by function, summed over PROFILE_RUNS runs (default 20) of `render SPEC` (default: the
// import of the chart's defaults, as npm run bench renders it) and printed per run.
//
// It profiles an unminified build of the same bundle, so functions keep their names: under Node with
// --cpu-prof, under Bun as a standalone executable compiled with the build's flags and BUN_OPTIONS=--cpu-prof.
// A sampling profile at 100 µs: a figure below ~0.3 ms per run is noise. Prints figures; asserts nothing.
import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const RUNS = Number(process.env.PROFILE_RUNS ?? 20);
const root = resolve(new URL('..', import.meta.url).pathname);
const work = mkdtempSync(join(tmpdir(), 'cpt-profile-'));
const bundle = join(work, 'capi-proxmox-talos.cjs');
await build({ entryPoints: [join(root, 'src', 'main.ts')], outfile: bundle, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });
let spec = process.argv[2] && resolve(process.argv[2]);
if (!spec) {
  spec = join(work, 'spec.yaml');
  writeFileSync(spec, spawnSync(process.execPath, [bundle, 'import-helm-values', join(root, 'testdata', 'helm', 'chart-defaults.values.yaml')], { encoding: 'utf8' }).stdout);
}

// Which package each line of the bundle belongs to (esbuild marks each module with a `// path` comment).
const lines = readFileSync(bundle, 'utf8').split('\n');
const moduleAt = [];
let current = '(bundle)';
const packageOf = (path) => (path.startsWith('node_modules/') ? path.split('/').slice(1, path.split('/')[1].startsWith('@') ? 3 : 2).join('/') : path.replace(/\/[^/]+$/, '/').replace(/^src\/$/, 'src/ (top level)'));
lines.forEach((l, i) => {
  const m = /^\/\/ (?:\S*?\/)?((?:node_modules|src)\/\S+)$/.exec(l);
  if (m) current = packageOf(m[1]);
  moduleAt[i] = current;
});
// For Bun, whose profile lines are those of its own reprint of the bundle: a function name's package.
const namePackages = new Map();
lines.forEach((l, i) => {
  for (const m of l.matchAll(/(?:function\*?\s+([A-Za-z_$][\w$]*)|^\s+(?:static\s+)?(?:get\s+|set\s+|\*)?([A-Za-z_$][\w$]*)\s*\([^)]*\)\s*\{|\b([A-Za-z_$][\w$]*)\s*=\s*(?:\([^)]*\)|[A-Za-z_$][\w$]*)\s*=>)/g)) {
    const name = m[1] ?? m[2] ?? m[3];
    if (!namePackages.has(name)) namePackages.set(name, new Set());
    namePackages.get(name).add(moduleAt[i]);
  }
});

/** Self time (ms) by package and by function over the profiles in `dir`. */
function aggregate(dir, where) {
  const byPackage = new Map();
  const byFunction = new Map();
  let total = 0;
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const p = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    const node = new Map(p.nodes.map((n) => [n.id, n]));
    p.samples.forEach((id, i) => {
      const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
      const { functionName, url, lineNumber } = node.get(id).callFrame;
      const pkg = where(functionName, url, lineNumber);
      const fn = `${functionName || '(anonymous)'}  [${pkg}]`;
      byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + dt);
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt);
      total += dt;
    });
  }
  return { byPackage, byFunction, total };
}
const runtimeOf = (name, url) => (['(garbage collector)', '(program)', '(idle)', '(root)'].includes(name) ? name : url.startsWith('node:') || url.startsWith('internal') || !url ? 'runtime (built-in modules, native code)' : undefined);

function report(title, { byPackage, byFunction, total }) {
  console.log(`\n${title}: ${(total / RUNS).toFixed(1)} ms of samples per run`);
  const top = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  console.log('  self time by package (ms per run):');
  for (const [k, v] of top(byPackage, 12)) console.log(`    ${(v / RUNS).toFixed(1).padStart(6)}  ${k}`);
  console.log('  top functions by self time (ms per run):');
  for (const [k, v] of top(byFunction, 15)) console.log(`    ${(v / RUNS).toFixed(2).padStart(6)}  ${k}`);
}

// Node
const nodeDir = join(work, 'node');
for (let i = 0; i < RUNS; i++) execFileSync(process.execPath, ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', nodeDir, bundle, 'render', spec], { stdio: 'ignore' });
report(`Node ${process.version}, render ${spec}`, aggregate(nodeDir, (name, url, line) => runtimeOf(name, url) ?? (url.endsWith('capi-proxmox-talos.cjs') ? moduleAt[line] : url)));

// Bun, compiled as scripts/standalone.mjs compiles the executable (same JIT policy and bytecode), unminified
const require = createRequire(import.meta.url);
const bunPkg = { x64: '@oven/bun-linux-x64', arm64: '@oven/bun-linux-aarch64' }[process.arch];
let bun;
try {
  bun = join(dirname(require.resolve(`${bunPkg}/package.json`)), 'bin', 'bun');
} catch {
  console.log('\nBun: not installed here (npm installs it on linux x64 and arm64); left out');
}
if (bun) {
  const policy = /--compile-jit-policy=(\d+)/.exec(readFileSync(join(root, 'scripts', 'standalone.mjs'), 'utf8'))?.[1] ?? '1';
  const exe = join(work, 'standalone');
  execFileSync(bun, ['build', bundle, '--compile', '--bytecode', `--compile-jit-policy=${policy}`, `--outfile=${exe}`, `--compile-executable-path=${bun}`, '--no-compile-autoload-dotenv', '--no-compile-autoload-bunfig'], { stdio: 'ignore' });
  const bunDir = join(work, 'bun');
  for (let i = 0; i < RUNS; i++) execFileSync(exe, ['render', spec], { stdio: 'ignore', env: { ...process.env, BUN_OPTIONS: `--cpu-prof --cpu-prof-interval=100 --cpu-prof-dir=${bunDir}` } });
  const version = execFileSync(bun, ['--version'], { encoding: 'utf8' }).trim();
  report(`Bun ${version} (standalone, --compile-jit-policy=${policy}), render ${spec}`, aggregate(bunDir, (name, url) => {
    const rt = runtimeOf(name, url.includes('$bunfs') ? 'bundle' : url);
    if (rt) return rt;
    const pkgs = namePackages.get(name);
    return pkgs?.size === 1 ? [...pkgs][0] : pkgs ? `one of ${[...pkgs].slice(0, 3).join(', ')}${pkgs.size > 3 ? ', …' : ''}` : '(bundle, unnamed)';
  }));
}
