/**
 * `npm run validate -- FILE...`: checks manifests (multi-document YAML or a ResourceList) with the same
 * validator the tests use: the pinned CRDs with CEL rules, the providers' webhook rules, and references.
 * The installation is chosen from the objects' API versions (CAPMOX v1alpha1 → the legacy set), or
 * with --profile current|legacy.
 */
import { readFileSync } from 'node:fs';
import { readDocuments } from '../krm/documents';
import { validateObjects } from './index';
import { relative } from 'node:path';
import { MissingCrds, missingCrds, PINNED, PROFILE_TARGETS, sourceDir, type CrdSource } from './pinned';

type Obj = Record<string, any>;

export const USAGE = `Usage: npm run validate -- [--profile current|legacy] FILE...   (- for stdin)

Checks manifests (multi-document YAML, or a ResourceList) the way the API server and the providers'
webhooks would: against the pinned provider CRDs (src/validate/pinned.ts) with their CEL rules, the
providers' webhook rules, and every reference between the objects. The installation is chosen from the
objects' API versions (CAPMOX v1alpha1 → the legacy profile) unless --profile says. Exit 0 when every
object is valid, 1 when not, 2 on a usage error.

The CRDs come from the providers' Go modules: \`bash scripts/setup-tools.sh --crds\` fetches them into
.tools/crds (it needs Go, nothing else). CAPMOX v0.7.7 and CABPT v0.7.0-alpha.2 are not on the Go module
proxy: they are read from ../shared/crds when there; without v0.7.7 the legacy profile is checked against
CAPMOX v0.9.0's v1alpha1 schema (with a warning). CRD_DIR=DIR reads all of them from DIR/<repo>/<tag>/.
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

/**
 * A target whose CAPMOX release the Go module proxy does not serve (v0.7.7, the legacy profile's) and that
 * is not beside the repository: checked against the pinned current CAPMOX instead, which still serves its
 * v1alpha1 API, with a warning that says so. Any other target as it is.
 */
function withServedStandIn(target: { name: string; sources: CrdSource[] }): { name: string; sources: CrdSource[] } {
  const legacy = target.sources.indexOf(PINNED.capmoxLegacy);
  if (legacy < 0 || !missingCrds([PINNED.capmoxLegacy]).length || missingCrds([PINNED.capmoxCurrent]).length) return target;
  process.stderr.write(
    `[warning] CAPMOX ${PINNED.capmoxLegacy.tag}'s CRDs are not here (the Go module proxy does not serve that release; put them in ${relative(process.cwd(), sourceDir(PINNED.capmoxLegacy)) || '.'} or set CRD_DIR): ` +
      `the CAPMOX v1alpha1 objects are checked against CAPMOX ${PINNED.capmoxCurrent.tag}'s v1alpha1 schema, which it still serves; a v0.7 management cluster may differ in details\n`,
  );
  const sources = target.sources.map((s, i) => (i === legacy ? PINNED.capmoxCurrent : s));
  return { name: target.name.replace(`CAPMOX ${PINNED.capmoxLegacy.tag}`, `CAPMOX ${PINNED.capmoxCurrent.tag} (v1alpha1)`), sources };
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
  for (const [i, wanted] of PROFILE_TARGETS[chosen].entries()) {
    const target = withServedStandIn(wanted);
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
