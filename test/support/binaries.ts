/**
 * The function's two executables, for the suites that run the built function (golden, property, CLI,
 * kpt, kustomize): each of them iterates FUNCTION_BINARIES, so the Node executable and the standalone one
 * pass the same tests and cannot drift apart.
 *
 * The standalone executable runs with a PATH on which there is no `node` (noNodePath): a directory holding
 * the function under its bare name and links to the few tools the tests' scripts use.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, symlinkSync } from 'node:fs';
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
