/**
 * The PATH of a machine that lacks some tools: every program of the system's bin folders, linked into one
 * folder, except the ones named. Used to run the install and the getting-started guide as on a machine
 * with no Go, kpt, podman (or Node): a program the guide needs and does not name would be missing here too.
 */
import { accessSync, chmodSync, constants, existsSync, mkdtempSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The system's own bin folders (not a developer's ~/go/bin or /usr/local/go/bin), in PATH order. */
const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** What a platform engineer's machine in the first hour has no need for (issue 23). */
export const BUILD_AND_TEST_TOOLS = ['go', 'gofmt', 'kpt', 'kustomize', 'podman', 'docker', 'buildah', 'runc', 'crun', 'sudo', 'capi-proxmox-talos'];
export const NODE = ['node', 'npm', 'npx', 'corepack'];

export function systemPathWithout(hidden: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'cpt-path-'));
  chmodSync(dir, 0o755); // usable by the unprivileged user the guide runs as
  const seen = new Set(hidden);
  for (const d of SYSTEM_DIRS) {
    if (!existsSync(d)) continue;
    for (const name of readdirSync(d)) {
      if (seen.has(name)) continue;
      const p = join(d, name);
      try {
        if (!statSync(p).isFile()) continue;
        accessSync(p, constants.X_OK);
      } catch {
        continue;
      }
      seen.add(name);
      symlinkSync(p, join(dir, name));
    }
  }
  return dir;
}
