/**
 * Runs once before any test file (jest globalSetup), so that no suite has to: builds dist/ when a source
 * is newer than the bundle (the tests run the built function), and checks that the tools and CRDs the
 * tests need are in place. Something missing is one line saying what to run, and no test starts: the
 * alternative is the same failure repeated in every suite that needs it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { missingCrds } from '../../src/validate/pinned';

const REPO = join(__dirname, '..', '..');

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export default function globalSetup(): void {
  const bin = join(REPO, 'dist', 'capi-proxmox-talos');
  const inputs = Math.max(newestSource(join(REPO, 'src')), statSync(join(REPO, 'scripts', 'build.mjs')).mtimeMs, statSync(join(REPO, 'package-lock.json')).mtimeMs);
  if (!existsSync(bin) || statSync(bin).mtimeMs < inputs || !existsSync(join(REPO, 'dist', 'validate.cjs'))) {
    const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, encoding: 'utf8' });
    if (b.status !== 0) fail([`building dist/ failed (node scripts/build.mjs):\n${b.stdout}${b.stderr}`]);
  }
  const problems = missingCrds();
  if (!existsSync(join(REPO, '.tools', 'bin', 'kustomize'))) problems.unshift('no kustomize in .tools/bin: run `bash scripts/setup-tools.sh`');
  if (problems.length) fail(problems);
}

function fail(lines: string[]): never {
  process.stderr.write(`\n${lines.map((l) => `[setup] ${l}`).join('\n')}\n(npm test runs the setup; this was \`npx jest\` without it.)\n`);
  process.exit(1);
}
