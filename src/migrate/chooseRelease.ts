/**
 * `import-helm-values`: which cluster-chart release a values file is for — the one given with
 * --chart-version, or the one its keys tell when every release they fit renders them alike — and the
 * errors that stop an import before any spec is written: a key no release knows (with the key it likely
 * meant, at most 20 listed), null, a release that is not imported (and why), keys that fit releases which
 * render them differently, and a Kubernetes object given instead of values.
 */
import { KIND } from '../clusterspec/schema';
import { CHART_RELEASES, unsupportedRelease, type ChartRelease } from './chartReleases';
import { HELM_TITLES, givesEveryKey, isKnown, keyText, knownKeys, leafKeys, freeFormMaps, unknownKeyMessage, versionList } from './chartKeys';
import { isMap, type Values } from './helmPrint';
import { importForRelease, type Imported } from './helmValues';

/** At most this many unknown keys are listed (a values file may hold anything). */
const MAX_LISTED = 20;

export interface ImportOptions {
  /** The chart version `helm list` shows (CHART column); without it the keys of the values file tell it. */
  chartVersion?: string;
}

/** Not a values file at all: a Kubernetes object (often the ClusterSpec itself) given by mistake. */
function notValues(values: Values): string | undefined {
  if (typeof values.apiVersion !== 'string' || typeof values.kind !== 'string') return undefined;
  if (values.kind === KIND) return `this is a ClusterSpec, not cluster-chart values: it needs no import; render it (capi-proxmox-talos render FILE)`;
  if (values.kind === 'HelmRelease') {
    return 'this is a Flux HelmRelease, not the values it installs: give the release\'s computed values (helm get values RELEASE -n NAMESPACE --all -o yaml)';
  }
  return `this is a Kubernetes object (kind ${String(values.kind).slice(0, 60)}), not cluster-chart values: give the release's values (helm get values RELEASE -n NAMESPACE --all -o yaml)`;
}

/** Which releases a chart version names (two packages carry 0.1.6), or why none. */
function releasesOf(version: string): { releases: ChartRelease[]; error?: string } {
  const v = version.trim().replace(/^v/, '').replace(/^cluster-chart-/, '');
  const releases = CHART_RELEASES.filter((r) => r.version === v);
  if (releases.length) return { releases };
  const why = unsupportedRelease(v);
  return {
    releases: [],
    error: why ?? `no cluster-chart release ${version} is known (known: ${versionList(CHART_RELEASES.map((r) => r.version))}); give the version the CHART column of \`helm list\` shows, without "cluster-chart-"`,
  };
}

/** The user's leaf keys, each checked against every candidate release. */
function keyCheck(given: Values, candidates: readonly ChartRelease[]) {
  return candidates.map((release) => {
    const known = knownKeys(release);
    const leaves = leafKeys(given, freeFormMaps(release));
    return { release, known, unknown: leaves.filter((l) => !isKnown(release, known, l.path, l.value)), leaves };
  });
}

export function importHelmValues(input: unknown, options: ImportOptions = {}): Imported {
  const empty = (errors: string[]): Imported => ({ clusterSpec: {}, warnings: [], corrections: [], notes: [], errors });
  const values: Values = isMap(input) ? { ...input } : {};
  const mistaken = notValues(values);
  if (mistaken) return empty([mistaken]);
  for (const title of HELM_TITLES) if (title in values && values[title] === null) delete values[title];

  // Helm deletes a key given as null; the templates then print "<no value>" where the chart's default was.
  const nulls = leafKeys(values).filter((l) => l.value === null);
  if (nulls.length) {
    return empty(nulls.slice(0, MAX_LISTED).map((l) => `${keyText(l.path)}: null deletes the chart's default, and the templates then print no value; give the value your cluster has`));
  }

  let candidates: readonly ChartRelease[] = CHART_RELEASES;
  if (options.chartVersion !== undefined) {
    const named = releasesOf(options.chartVersion);
    if (named.error) return empty([named.error]);
    candidates = named.releases;
  }
  const checked = keyCheck(values, candidates);
  let fitting = checked.filter((c) => !c.unknown.length);
  if (!fitting.length) {
    // Report against the release the file fits best (the newest of those with fewest unknown keys).
    const best = [...checked].sort((a, b) => a.unknown.length - b.unknown.length || CHART_RELEASES.indexOf(b.release) - CHART_RELEASES.indexOf(a.release))[0];
    const lines = best.unknown.slice(0, MAX_LISTED).map((l) => unknownKeyMessage(best.release, best.known, l.path, CHART_RELEASES));
    if (best.unknown.length > MAX_LISTED) lines.push(`… and ${best.unknown.length - MAX_LISTED} more keys chart ${best.release.version} does not have`);
    const which = options.chartVersion !== undefined ? `chart ${best.release.version}` : `any cluster-chart release (closest: ${best.release.version})`;
    return empty([`keys that ${which} does not have: Helm ignored them, so they did not shape your cluster, and a misspelt key means the cluster runs the default. Fix or remove:`, ...lines]);
  }
  // A complete file (helm get values --all) names its release's keys exactly: prefer the releases it completes.
  const given = new Set(leafKeys(values).map((l) => keyText(l.path)));
  const complete = fitting.filter((c) => givesEveryKey(c.release, given));
  if (complete.length) fitting = complete;

  const results = fitting.map((c) => importForRelease(values, c.release));
  const outcome = (x: Omit<Imported, 'chosen'>) => JSON.stringify([x.clusterSpec, x.corrections, x.errors]);
  const differing = results.filter((x) => outcome(x) !== outcome(results[0]));
  const versions = fitting.map((c) => c.release.version);
  if (differing.length && versions.every((x) => x === versions[0])) {
    // One version number, two packages (0.1.6): the chart's own repository's package, said so.
    const first = results[0];
    const note =
      `chart ${versions[0]} was published twice with different templates (${fitting.map((c) => c.release.repository).join(' and ')}); these values fit both, and the spec follows the ${fitting[0].release.repository} package. ` +
      'If the cluster came from the other one, import its complete values (helm get values RELEASE --all -o yaml), whose keys tell them apart';
    return { ...first, warnings: [...first.warnings, note], chosen: 'given with --chart-version' };
  }
  if (differing.length) {
    return empty([
      `the keys of this values file fit cluster-chart ${versionList(versions)}, which render it differently; say which one the cluster runs: ` +
        '--chart-version VERSION (the CHART column of `helm list -A`, without "cluster-chart-")',
    ]);
  }
  // Every fitting release gives the same spec: report the newest.
  const chosen = results[results.length - 1];
  const how =
    options.chartVersion !== undefined
      ? 'given with --chart-version'
      : `told by the keys of the values file${versions.length > 1 ? ` (${versionList(versions)} render them the same)` : ''}`;
  return { ...chosen, chosen: how };
}
