// The standalone executables: the esbuild bundle (dist/capi-proxmox-talos.plain.cjs) compiled by Bun into
// one native file per Linux architecture, dist/capi-proxmox-talos-standalone-linux-<amd64|arm64>, that runs
// with no Node installed. Bun comes from the npm packages pinned in package.json (optionalDependencies;
// npm installs the one for this machine); the build never downloads anything. A target whose Bun package is
// not in node_modules is skipped (with a note when CPT_VERBOSE is set). Cross-building: `bash scripts/release.sh
// --fetch-bun` puts the other one there (npm pack of the pinned version, checked against package-lock.json;
// `npm install` of it is a no-op, as the lock file already lists it, skipped for this CPU);
// --compile-executable-path then uses it instead of letting Bun download it.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
export const TARGETS = [
  { arch: 'amd64', nodeArch: 'x64', pkg: '@oven/bun-linux-x64', target: 'bun-linux-x64' },
  { arch: 'arm64', nodeArch: 'arm64', pkg: '@oven/bun-linux-aarch64', target: 'bun-linux-arm64' },
];
export const standaloneFile = (arch) => `dist/capi-proxmox-talos-standalone-linux-${arch}`;

/** The bun executable of an installed package, or undefined when npm did not install it here. */
function bunOf(pkg) {
  try {
    const bin = join(dirname(require.resolve(`${pkg}/package.json`)), 'bin', 'bun');
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

export function buildStandalone(bundle) {
  const pinned = JSON.parse(readFileSync('package.json', 'utf8')).optionalDependencies ?? {};
  const host = process.platform === 'linux' ? TARGETS.find((t) => t.nodeArch === process.arch) : undefined;
  const compiler = host && bunOf(host.pkg);
  if (!compiler) {
    console.warn(`standalone: no Bun for ${process.platform}/${process.arch} in node_modules (npm installs it on linux x64 and arm64); built the Node executable only`);
    return [];
  }
  const built = [];
  for (const t of TARGETS) {
    const runtime = bunOf(t.pkg);
    const file = standaloneFile(t.arch);
    rmSync(file, { force: true });
    if (!runtime) {
      // The other architecture's Bun is only there when asked for (cross-building): nothing to say otherwise.
      if (process.env.CPT_VERBOSE) console.warn(`standalone: skipped linux/${t.arch}: ${t.pkg} is not installed (bash scripts/release.sh --fetch-bun fetches ${t.pkg}@${pinned[t.pkg]} to cross-build)`);
      continue;
    }
    const version = JSON.parse(readFileSync(join(dirname(runtime), '..', 'package.json'), 'utf8')).version;
    if (version !== pinned[t.pkg]) throw new Error(`standalone: ${t.pkg} ${version} is installed but package.json pins ${pinned[t.pkg]}; run npm ci`);
    execFileSync(
      compiler,
      [
        'build', bundle, '--compile', '--minify', '--bytecode', `--target=${t.target}`, `--outfile=${file}`,
        `--compile-executable-path=${runtime}`,
        // JSC tiers hot functions up to its optimising JITs sooner than a one-shot run of ~20-40 ms ever
        // pays back; 64 × the thresholds measured less CPU than 4 and 16 on every spec (docs/performance.md).
        '--compile-jit-policy=64',
        // A standalone Bun executable would otherwise read .env and bunfig.toml from the directory it runs
        // in: a user's .env could change what the function does. The Node executable reads neither.
        '--no-compile-autoload-dotenv', '--no-compile-autoload-bunfig',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    built.push({ file, arch: t.arch, native: t === host });
  }
  return built;
}
