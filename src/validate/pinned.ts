/**
 * The provider releases whose CRDs we validate against: the one list of pinned versions.
 *
 * Where the CRDs come from:
 *  - `go`: the provider's own Go module, pinned in providers/go.mod; `bash scripts/setup-tools.sh` fetches
 *    it from the Go module proxy and links its CRD folder as `.tools/crds/<repo>/<tag>`. A clone needs
 *    nothing beside it.
 *  - `shared`: releases the Go module proxy does not serve (CAPMOX v0.7.x for the legacy profile, CABPT
 *    v0.7.0-alpha.2) are read from `../shared/crds/<repo>/<tag>/*.yaml` beside the repository.
 * `CRD_DIR=<dir>` reads every source from `<dir>/<repo>/<tag>/*.yaml` instead (to test other copies).
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export interface CrdSource {
  repo: string;
  tag: string;
  /** `go`: fetched from the Go module proxy by scripts/setup-tools.sh; `shared`: from ../shared/crds. */
  from?: 'go' | 'shared';
}

export const PINNED = {
  capi: { repo: 'cluster-api', tag: 'v1.14.2', from: 'go' },
  capmoxCurrent: { repo: 'cluster-api-provider-proxmox', tag: 'v0.9.0', from: 'go' },
  capmoxLegacy: { repo: 'cluster-api-provider-proxmox', tag: 'v0.7.7', from: 'shared' },
  cabpt: { repo: 'cluster-api-bootstrap-provider-talos', tag: 'v0.6.12', from: 'go' },
  cabptNext: { repo: 'cluster-api-bootstrap-provider-talos', tag: 'v0.7.0-alpha.2', from: 'shared' },
  cacppt: { repo: 'cluster-api-control-plane-provider-talos', tag: 'v0.5.13', from: 'go' },
} as const satisfies Record<string, CrdSource>;

const label = (...s: CrdSource[]) => s.map((x) => `${SHORT[x.repo] ?? x.repo} ${x.tag}`).join(' + ');
const SHORT: Record<string, string> = {
  'cluster-api': 'CAPI',
  'cluster-api-provider-proxmox': 'CAPMOX',
  'cluster-api-bootstrap-provider-talos': 'CABPT',
  'cluster-api-control-plane-provider-talos': 'CACPPT',
};
const target = (...sources: CrdSource[]) => ({ name: label(...sources), sources });

/** The management-cluster installations each profile targets (one CRD set each). */
export const PROFILE_TARGETS: Record<'current' | 'legacy', { name: string; sources: CrdSource[] }[]> = {
  current: [target(PINNED.capi, PINNED.capmoxCurrent, PINNED.cabpt, PINNED.cacppt), target(PINNED.capi, PINNED.capmoxCurrent, PINNED.cabptNext, PINNED.cacppt)],
  legacy: [target(PINNED.capi, PINNED.capmoxLegacy, PINNED.cabpt, PINNED.cacppt)],
};

/** The repository root: the nearest folder above this file (source or bundle) with a package.json. */
export function repoRoot(): string {
  let d = __dirname;
  while (!existsSync(join(d, 'package.json')) && dirname(d) !== d) d = dirname(d);
  return d;
}

/** The folder holding `<repo>/<tag>/` for a source: CRD_DIR when set, else by where the source comes from. */
export function crdRoot(s: CrdSource): string {
  if (process.env.CRD_DIR) return resolve(process.env.CRD_DIR);
  return s.from === 'go' ? join(repoRoot(), '.tools', 'crds') : resolve(repoRoot(), '..', 'shared', 'crds');
}

export const sourceDir = (s: CrdSource, root = crdRoot(s)) => join(root, s.repo, s.tag);

/** A source's CRDs are not where they should be: what to do about it, in one line. */
export class MissingCrds extends Error {}

export function missingCrdsMessage(s: CrdSource, dir = sourceDir(s)): string {
  const rel = relative(process.cwd(), dir);
  const where = rel && !rel.startsWith('..') ? rel : dir;
  if (process.env.CRD_DIR) return `no CRDs of ${s.repo} ${s.tag} in ${where} (CRD_DIR is set: it must hold <repo>/<tag>/*.yaml)`;
  if (s.from === 'go') return `no CRDs of ${s.repo} ${s.tag} in ${where}: run \`bash scripts/setup-tools.sh --crds\` (fetches them from the Go module proxy, pinned in providers/go.mod; needs Go)`;
  return `no CRDs of ${s.repo} ${s.tag} in ${where}: the Go module proxy does not serve this release; put its CRD YAML files there, or set CRD_DIR`;
}

/** Every pinned source whose CRD folder is missing or empty, as one line each. */
export function missingCrds(sources: readonly CrdSource[] = Object.values(PINNED)): string[] {
  return sources.filter((s) => !existsSync(sourceDir(s))).map((s) => missingCrdsMessage(s));
}
