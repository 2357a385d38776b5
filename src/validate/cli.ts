/**
 * `npm run validate -- FILE...`: checks manifests (multi-document YAML or a ResourceList) with the same
 * validator the tests use: the pinned CRDs with CEL rules, the providers' webhook rules, and references.
 * The installation is chosen from the objects' API versions (CAPMOX v1alpha1 → the legacy set), or
 * with --profile current|legacy.
 */
import { readFileSync } from 'node:fs';
import { readDocuments } from '../krm/documents';
import { validateObjects } from './index';
import { MissingCrds, missingCrds, PROFILE_TARGETS } from './pinned';

type Obj = Record<string, any>;

export const USAGE = `Usage: npm run validate -- [--profile current|legacy] FILE...   (- for stdin)

Checks manifests (multi-document YAML, or a ResourceList) the way the API server and the providers'
webhooks would: against the pinned provider CRDs (src/validate/pinned.ts) with their CEL rules, the
providers' webhook rules, and every reference between the objects. The installation is chosen from the
objects' API versions (CAPMOX v1alpha1 → the legacy profile) unless --profile says. Exit 0 when every
object is valid, 1 when not, 2 on a usage error.

The CRDs come from the providers' Go modules (bash scripts/setup-tools.sh fetches them into .tools/crds);
CAPMOX v0.7.7 and CABPT v0.7.0-alpha.2 from ../shared/crds. CRD_DIR=DIR reads all of them from DIR/<repo>/<tag>/.
`;

function readText(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why: Record<string, string> = { ENOENT: 'no such file', EISDIR: 'it is a directory', EACCES: 'permission denied' };
    throw new Error(`cannot read ${file === '-' ? 'standard input' : file}: ${why[err.code ?? ''] ?? err.message}`);
  }
}

function objectsIn(file: string): Obj[] {
  const docs = readDocuments(readText(file));
  if (docs.error !== undefined) throw new Error(`${file}: ${docs.error}`);
  return (docs.values as Obj[]).flatMap((v) => (v?.kind === 'ResourceList' ? (v.items ?? []) : [v])).filter((o) => o && typeof o === 'object' && o.kind && o.apiVersion);
}

export function main(argv: string[]): number {
  let profile: 'current' | 'legacy' | undefined;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--help' || argv[i] === '-h') {
      process.stdout.write(USAGE);
      return 0;
    }
    if (argv[i] === '--profile') profile = argv[++i] as 'current' | 'legacy';
    else if (argv[i].startsWith('-') && argv[i] !== '-') {
      process.stderr.write(`unknown option ${argv[i]}\n${USAGE}`);
      return 2;
    } else files.push(argv[i]);
  }
  if (!files.length || (profile && !(profile in PROFILE_TARGETS))) {
    process.stderr.write(USAGE);
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
  for (const [i, target] of PROFILE_TARGETS[chosen].entries()) {
    // The first installation of a profile is what it targets; later ones are extra checks (CABPT's next
    // alpha), which a clone without ../shared/crds cannot run: say so, and go on.
    const missing = missingCrds(target.sources);
    if (missing.length && i > 0) {
      process.stderr.write(`[warning] ${target.name}: not checked: ${missing.join('; ')}\n`);
      continue;
    }
    let problems: string[];
    try {
      problems = validateObjects(objects, target.sources);
    } catch (e) {
      if (!(e instanceof MissingCrds)) throw e;
      process.stderr.write(`[error] ${e.message}\n`);
      return 1;
    }
    process.stdout.write(`${target.name}: ${objects.length} objects, ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`);
    for (const p of problems) process.stdout.write(`  [error] ${p}\n`);
    failed ||= problems.length > 0;
  }
  return failed ? 1 : 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`[error] internal error: ${(e as Error).message} (set CPT_DEBUG=1 for details)\n`);
  if (process.env.CPT_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
  process.exitCode = 1;
}
