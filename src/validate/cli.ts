/**
 * `npm run validate -- FILE...`: checks manifests (multi-document YAML or a ResourceList) with the same
 * validator the tests use: the pinned CRDs with CEL rules, the providers' webhook rules, and references.
 * The installation is chosen from the objects' API versions (CAPMOX v1alpha1 → the legacy set), or
 * with --profile current|legacy.
 */
import { readFileSync } from 'node:fs';
import { readDocuments } from '../krm/documents';
import { validateObjects } from './index';
import { PROFILE_TARGETS } from './pinned';

type Obj = Record<string, any>;

function objectsIn(file: string): Obj[] {
  const docs = readDocuments(readFileSync(file === '-' ? 0 : file, 'utf8'));
  if (docs.error !== undefined) throw new Error(`${file}: ${docs.error}`);
  return (docs.values as Obj[]).flatMap((v) => (v?.kind === 'ResourceList' ? (v.items ?? []) : [v])).filter((o) => o && typeof o === 'object' && o.kind && o.apiVersion);
}

export function main(argv: string[]): number {
  let profile: 'current' | 'legacy' | undefined;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--profile') profile = argv[++i] as 'current' | 'legacy';
    else files.push(argv[i]);
  }
  if (!files.length || (profile && !(profile in PROFILE_TARGETS))) {
    process.stderr.write('usage: npm run validate -- [--profile current|legacy] FILE... (- for stdin)\n');
    return 2;
  }
  let objects: Obj[];
  try {
    objects = files.flatMap(objectsIn).filter((o) => !String(o.apiVersion).startsWith('capi-proxmox-talos.dev/') && !String(o.apiVersion).startsWith('kpt.dev/'));
  } catch (e) {
    process.stderr.write(`[error] ${(e as Error).message}\n`);
    return 1;
  }
  const chosen = profile ?? (objects.some((o) => o.apiVersion === 'infrastructure.cluster.x-k8s.io/v1alpha1') ? 'legacy' : 'current');
  let failed = false;
  for (const target of PROFILE_TARGETS[chosen]) {
    const problems = validateObjects(objects, target.sources);
    process.stdout.write(`${target.name}: ${objects.length} objects, ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`);
    for (const p of problems) process.stdout.write(`  [error] ${p}\n`);
    failed ||= problems.length > 0;
  }
  return failed ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
