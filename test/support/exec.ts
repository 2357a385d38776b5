import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

export const REPO = join(__dirname, '..', '..');
export const BIN = join(REPO, 'dist', 'capi-proxmox-talos');
export const KUSTOMIZE = join(REPO, '.tools', 'bin', 'kustomize');
export const KPT = process.env.KPT ?? '/usr/bin/kpt';
/** PATH with the built function first, so Kptfiles can name it as a bare `exec:`. */
export const PATH_WITH_BIN = `${join(REPO, 'dist')}:${process.env.PATH}`;

export function run(cmd: string, args: string[], opts: { cwd?: string; input?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? REPO, input: opts.input, encoding: 'utf8', env: { ...process.env, PATH: PATH_WITH_BIN, ...opts.env }, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? -1 };
}

/** A throw-away copy of an example package, as a git repository with everything committed. */
export function packageCopy(example: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cpt-'));
  // Copied as it is in the repository, .expected/ included: the package's .krmignore keeps kpt from reading
  // it as package content, and that must hold in the copy too. A generated/ left by a run in the repository is not copied.
  cpSync(join(REPO, 'examples', example), dir, { recursive: true, filter: (src) => !src.includes('/generated') });
  git(dir, 'init', '-q');
  commitAll(dir);
  return dir;
}

export const git = (dir: string, ...args: string[]) => run('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd: dir });
export const commitAll = (dir: string) => {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'snapshot', '--allow-empty');
};
/**
 * Since kpt v1.0.0-beta.62 an in-place render also records render status in the root Kptfile. That is
 * kpt's bookkeeping, not the function's output: a Kptfile whose only change is its `status` is restored.
 */
function restoreKptfileIfOnlyStatus(dir: string) {
  const path = join(dir, 'Kptfile');
  const committed = git(dir, 'show', 'HEAD:Kptfile');
  if (committed.status !== 0 || !existsSync(path)) return;
  const strip = (text: string) => {
    const o = parse(text) ?? {};
    delete o.status;
    return JSON.stringify(o);
  };
  const now = readFileSync(path, 'utf8');
  if (now !== committed.stdout && strip(now) === strip(committed.stdout)) writeFileSync(path, committed.stdout);
}

/** Everything that changed since the last commit, new files included, as a patch. */
export function changes(dir: string): string {
  restoreKptfileIfOnlyStatus(dir);
  git(dir, 'add', '-A');
  return git(dir, 'diff', '--cached', '--no-color', '--no-prefix').stdout;
}

export function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      if (f === '.git') continue;
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}
