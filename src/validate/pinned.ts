/**
 * The provider releases whose CRDs we validate against: the one list of pinned versions.
 * CRDs are read from `$CRD_DIR/<repo>/<tag>/*.yaml` (default: ../shared/crds beside the repository),
 * the layout of each provider's release assets; point CRD_DIR elsewhere to test other copies.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface CrdSource {
  repo: string;
  tag: string;
}

export const PINNED = {
  capi: { repo: 'cluster-api', tag: 'v1.14.0' },
  capmoxCurrent: { repo: 'cluster-api-provider-proxmox', tag: 'v0.9.0' },
  capmoxLegacy: { repo: 'cluster-api-provider-proxmox', tag: 'v0.7.7' },
  cabpt: { repo: 'cluster-api-bootstrap-provider-talos', tag: 'v0.6.12' },
  cabptNext: { repo: 'cluster-api-bootstrap-provider-talos', tag: 'v0.7.0-alpha.2' },
  cacppt: { repo: 'cluster-api-control-plane-provider-talos', tag: 'v0.5.12' },
} as const satisfies Record<string, CrdSource>;

/** The management-cluster installations each profile targets (one CRD set each). */
export const PROFILE_TARGETS: Record<'current' | 'legacy', { name: string; sources: CrdSource[] }[]> = {
  current: [
    { name: 'CAPI v1.14.0 + CAPMOX v0.9.0 + CABPT v0.6.12 + CACPPT v0.5.12', sources: [PINNED.capi, PINNED.capmoxCurrent, PINNED.cabpt, PINNED.cacppt] },
    { name: 'CAPI v1.14.0 + CAPMOX v0.9.0 + CABPT v0.7.0-alpha.2 + CACPPT v0.5.12', sources: [PINNED.capi, PINNED.capmoxCurrent, PINNED.cabptNext, PINNED.cacppt] },
  ],
  legacy: [{ name: 'CAPI v1.14.0 + CAPMOX v0.7.7 + CABPT v0.6.12 + CACPPT v0.5.12', sources: [PINNED.capi, PINNED.capmoxLegacy, PINNED.cabpt, PINNED.cacppt] }],
};

/** The repository root: the nearest folder above this file (source or bundle) with a package.json. */
function repoRoot(): string {
  let d = __dirname;
  while (!existsSync(join(d, 'package.json')) && dirname(d) !== d) d = dirname(d);
  return d;
}

export function crdDir(): string {
  return resolve(process.env.CRD_DIR ?? join(repoRoot(), '..', 'shared', 'crds'));
}

export const sourceDir = (s: CrdSource, root = crdDir()) => join(root, s.repo, s.tag);
