/**
 * The function's two executables, for the suites that run the built function (golden, property, CLI,
 * kpt, kustomize): each of them iterates FUNCTION_BINARIES, so the Node executable and the standalone one
 * pass the same tests and cannot drift apart.
 *
 * The standalone executable runs with a PATH on which there is no `node` (noNodePath): a directory holding
 * the function under its bare name and links to the few tools the tests' scripts use.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, PATH_WITH_BIN, REPO, run } from './exec';

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };
/** dist/capi-proxmox-talos-standalone-linux-<arch> for this machine (scripts/standalone.mjs names it). */
export const STANDALONE = join(REPO, 'dist', `capi-proxmox-talos-standalone-linux-${ARCH[process.arch] ?? process.arch}`);

/** Tools the tests' scripts and git need on PATH (examples/flux/render.sh, packageCopy). Not node. */
const TOOLS = ['bash', 'sh', 'env', 'git', 'diff', 'dirname', 'basename', 'cat', 'printf', 'mktemp', 'rm', 'mv', 'cp', 'cmp', 'grep', 'sed', 'awk', 'sort', 'tr', 'ls', 'mkdir'];

let noNode: string | undefined;
/** A PATH with the standalone executable as `capi-proxmox-talos` and no node on it. */
export function noNodePath(): string {
  if (noNode) return noNode;
  const dir = mkdtempSync(join(tmpdir(), 'cpt-no-node-'));
  symlinkSync(STANDALONE, join(dir, 'capi-proxmox-talos'));
  for (const tool of TOOLS) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    if (found.startsWith('/')) symlinkSync(found, join(dir, tool));
  }
  return (noNode = dir);
}

export interface FunctionBinary {
  /** How test names show it. */
  name: string;
  /** Absolute path of the executable. */
  path: string;
  /** The PATH to run it and the tools around it (kpt, kustomize) with: the function is `capi-proxmox-talos` on it. */
  PATH: () => string;
}

export const NODE_EXECUTABLE: FunctionBinary = { name: 'node executable', path: BIN, PATH: () => PATH_WITH_BIN };
export const STANDALONE_EXECUTABLE: FunctionBinary = {
  name: 'standalone executable',
  get path() {
    if (!existsSync(STANDALONE)) throw new Error(`${STANDALONE} is missing: npm run build makes it (it needs the @oven/bun-linux-* package npm installs on linux x64/arm64)`);
    return STANDALONE;
  },
  PATH: noNodePath,
};
export const FUNCTION_BINARIES: FunctionBinary[] = [NODE_EXECUTABLE, STANDALONE_EXECUTABLE];

/** Runs one of the executables the way kpt and kustomize would find it: with its PATH. */
export function runFunction(bin: FunctionBinary, args: string[], opts: { cwd?: string; input?: string; env?: Record<string, string> } = {}) {
  return run(bin.path, args, { ...opts, env: { PATH: bin.PATH(), ...opts.env } });
}

/** describe.each rows: [name, binary]. */
export const EACH_BINARY = FUNCTION_BINARIES.map((b) => [b.name, b] as [string, FunctionBinary]);

const examplesCopies = new Map<FunctionBinary, string>();
/**
 * examples/ as committed for the Node executable (their exec paths point at dist/capi-proxmox-talos);
 * for any other executable, one copy of examples/ whose exec paths point at it instead.
 */
export function examplesFor(bin: FunctionBinary): string {
  if (bin === NODE_EXECUTABLE) return join(REPO, 'examples');
  let root = examplesCopies.get(bin);
  if (root) return root;
  root = join(mkdtempSync(join(tmpdir(), 'cpt-examples-')), 'examples');
  cpSync(join(REPO, 'examples'), root, { recursive: true });
  pointExecAt(root, bin);
  if (!readFileSync(join(root, 'kustomize', 'cluster.yaml'), 'utf8').includes(`path: ${bin.path}\n`)) throw new Error('examplesFor: examples/kustomize/cluster.yaml no longer names dist/capi-proxmox-talos as its exec path');
  examplesCopies.set(bin, root);
  return root;
}

/** Rewrites every kustomize `exec: path: .../dist/capi-proxmox-talos` under dir to the binary's absolute path. */
export function pointExecAt(dir: string, bin: FunctionBinary): void {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) pointExecAt(p, bin);
    else if (f.endsWith('.yaml')) {
      const text = readFileSync(p, 'utf8');
      const next = text.replace(/^(\s+path: )\S*dist\/capi-proxmox-talos$/gm, `$1${bin.path}`);
      if (next !== text) writeFileSync(p, next);
    }
  }
}
