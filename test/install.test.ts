/**
 * scripts/install.sh, the install path of docs/getting-started.md (issue 23): the standalone executable (or,
 * asked for, the Node build) into ~/.local/bin, with no root and on a machine with no Go, kpt, podman or
 * Node; it replaces an installed executable only with one that runs here, and says when the folder is not
 * on PATH. Runs the script of this checkout on the dist/ the build made.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, REPO, run } from './support/exec';
import { STANDALONE } from './support/binaries';
import { BUILD_AND_TEST_TOOLS, NODE, systemPathWithout } from './support/systemPath';

const SCRIPT = join(REPO, 'scripts', 'install.sh');
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
/** A PATH with no Go, kpt, podman, kustomize, sudo, and (unless asked) no Node. */
const bare = systemPathWithout([...BUILD_AND_TEST_TOOLS, ...NODE]);
const withNode = systemPathWithout(BUILD_AND_TEST_TOOLS);
const home = () => mkdtempSync(join(tmpdir(), 'cpt-home-'));
const install = (HOME: string, args: string[] = [], PATH = `${join(HOME, '.local', 'bin')}:${bare}`, env: Record<string, string> = {}) =>
  run('bash', [SCRIPT, ...args], { cwd: HOME, env: { HOME, PATH, CPT_INSTALL_DIR: '', ...env } });
const installed = (HOME: string) => join(HOME, '.local', 'bin', 'capi-proxmox-talos');
const VERSION = run(BIN, ['--version']).stdout.trim();

test('the standalone executable of this machine goes into ~/.local/bin: the same bytes, executable, and it runs with no Node', () => {
  const HOME = home();
  const r = install(HOME);
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as string];
  expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
    status: 0,
    stdout: `installed capi-proxmox-talos ${VERSION} (standalone, linux/${arch}) as ${installed(HOME)}\n`,
    stderr: '', // ~/.local/bin is on this PATH: nothing to say
  });
  expect(sha(installed(HOME))).toBe(sha(STANDALONE)); // not the Node build, which would need Node
  expect(statSync(installed(HOME)).mode & 0o777).toBe(0o755);
  expect(readdirSync(join(HOME, '.local', 'bin'))).toEqual(['capi-proxmox-talos']); // no temporary file left
  const used = run('capi-proxmox-talos', ['render', join(REPO, 'functionconfig.yaml')], { env: { PATH: `${join(HOME, '.local', 'bin')}:${bare}` } });
  expect(used.stdout).toMatch(/^kind: TalosControlPlane$/m);
});

test('a folder that is not on PATH: one line that says how to add it; CPT_INSTALL_DIR installs elsewhere', () => {
  const HOME = home();
  const r = install(HOME, [], bare);
  expect(r.status).toBe(0);
  expect(r.stderr).toBe(`install.sh: ${join(HOME, '.local', 'bin')} is not on your PATH: add  export PATH="${join(HOME, '.local', 'bin')}:$PATH"  to ~/.profile (or your shell's startup file), then open a new shell\n`);
  const elsewhere = join(HOME, 'tools');
  const e = install(HOME, [], `${elsewhere}:${bare}`, { CPT_INSTALL_DIR: elsewhere });
  expect({ status: e.status, stderr: e.stderr }).toEqual({ status: 0, stderr: '' });
  expect(sha(join(elsewhere, 'capi-proxmox-talos'))).toBe(sha(STANDALONE));
});

test('--node installs the Node build where Node is; without Node it refuses in one line and installs nothing', () => {
  const HOME = home();
  const none = install(HOME, ['--node']);
  expect({ status: none.status, stdout: none.stdout }).toEqual({ status: 1, stdout: '' });
  expect(none.stderr).toBe('install.sh: the Node build needs Node 20+ on PATH, and there is no node: install Node, or use the standalone executable (install.sh without --node)\n');
  expect(readdirSync(HOME)).toEqual([]); // not even ~/.local/bin
  const r = install(HOME, ['--node'], `${join(HOME, '.local', 'bin')}:${withNode}`);
  expect(r.stdout).toBe(`installed capi-proxmox-talos ${VERSION} (Node build) as ${installed(HOME)}\n`);
  expect(sha(installed(HOME))).toBe(sha(BIN));
});

test('an executable that does not run here (another architecture) replaces nothing: the installed one stays', () => {
  const HOME = home();
  expect(install(HOME).status).toBe(0);
  const before = sha(installed(HOME));
  const foreign = join(HOME, 'capi-proxmox-talos-standalone-linux-other');
  writeFileSync(foreign, Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01'), Buffer.alloc(64)])); // an ELF header this kernel will not run
  chmodSync(foreign, 0o755);
  const r = install(HOME, [foreign]);
  expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
    status: 1,
    stdout: '',
    stderr: `install.sh: ${foreign} does not run on this machine, so nothing was installed: ${foreign}: cannot execute binary file: Exec format error\n`,
  });
  expect(sha(installed(HOME))).toBe(before);
  expect(readdirSync(join(HOME, '.local', 'bin'))).toEqual(['capi-proxmox-talos']);
});

test('a machine with no standalone build (not Linux amd64/arm64) is told to use the Node build', () => {
  const HOME = home();
  const shim = join(HOME, 'shim');
  mkdirSync(shim);
  writeFileSync(join(shim, 'uname'), '#!/bin/sh\ncase "$1" in -s) echo Linux ;; -m) echo riscv64 ;; esac\n', { mode: 0o755 });
  const r = install(HOME, [], `${shim}:${bare}`);
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 1, stderr: 'install.sh: there is no standalone executable for Linux/riscv64 (Linux amd64 and arm64 only): with Node 20+, install.sh --node\n' });
  expect(readdirSync(HOME)).toEqual(['shim']);
});

test('usage: --help explains itself; an unknown option is refused with exit 2', () => {
  const HOME = home();
  const h = install(HOME, ['--help']);
  expect(h.status).toBe(0);
  expect(h.stdout).toMatch(/^Usage: install.sh \[--node\] \[FILE\]\n/);
  const bad = install(HOME, ['--prefix', '/usr/local']);
  expect({ status: bad.status, stderr: bad.stderr }).toEqual({ status: 2, stderr: "install.sh: unknown option '--prefix' (see install.sh --help)\n" });
  expect(readdirSync(HOME)).toEqual([]);
});

/** The other architecture's Bun, which npm installs only when asked (cross-building a release). */
const OTHER = process.arch === 'arm64' ? { arch: 'amd64', pkg: '@oven/bun-linux-x64' } : { arch: 'arm64', pkg: '@oven/bun-linux-aarch64' };
const crossBunInstalled = existsSync(join(REPO, 'node_modules', OTHER.pkg));
// Skipped where someone has installed the other Bun (then release.sh would really build that architecture).
(crossBunInstalled ? test.skip : test)("scripts/release.sh refuses an architecture whose Bun is not installed, before building or downloading anything, and says how to get it", () => {
  const r = run('bash', [join(REPO, 'scripts', 'release.sh'), OTHER.arch]);
  const pinned = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).optionalDependencies[OTHER.pkg];
  expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
    status: 1,
    stdout: '',
    stderr: `release.sh: cannot build linux/${OTHER.arch}: ${OTHER.pkg} is not installed (npm ci installs only this machine's Bun); run release.sh --fetch-bun to fetch ${OTHER.pkg}@${pinned} with npm\n`,
  });
});
