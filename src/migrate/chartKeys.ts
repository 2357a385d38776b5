/**
 * Which keys of a values file a cluster-chart release knows: the leaves of its values.yaml, the maps the
 * templates copy whole (`registries`), and the keys every release's helpers read (nameOverride). A key no
 * release knows is an error: Helm would have ignored it, so it cannot have changed the live cluster, and a
 * misspelt key means the cluster runs the default, not what the file says.
 */
import { closest } from '../suggest';
import type { ChartRelease } from './chartReleases';
import { isMap, type Values } from './helmPrint';

/** A key as the path of map keys leading to it (a key may itself contain dots: `docker.io`). */
export type KeyPath = string[];
export const keyText = (path: KeyPath) => path.join('.');

/** Keys every release reads besides its values.yaml: the name overrides of templates/_helpers.tpl (labels only). */
export const HELPER_KEYS = ['nameOverride', 'fullnameOverride'];
/** The chart README's spelling of cluster.kubernetes_version, which no template reads (see helmValues.ts). */
export const README_ALIASES: Record<string, string> = { 'cluster.version': 'cluster.kubernetes_version' };
/**
 * Keys `helm get values` prints above the values without `-o yaml` (a title line that YAML reads as a key
 * with no value): accepted and ignored.
 */
export const HELM_TITLES = ['COMPUTED VALUES', 'USER-SUPPLIED VALUES'];

/** Maps whose content the templates copy into the Talos config as it is: any key under them is the user's. */
export function freeFormMaps(release: ChartRelease): string[] {
  const r = release.renders.registries;
  return r === 'value' ? ['registries'] : r === 'mirrors-if-enabled' ? ['registries.mirrors'] : [];
}

/** Leaf keys of a values tree (lists and empty maps are leaves); below a free-form map, the map is the leaf. */
export function leafKeys(values: unknown, freeForm: string[] = [], at: KeyPath = []): { path: KeyPath; value: unknown }[] {
  if (!isMap(values) || freeForm.includes(keyText(at))) return at.length ? [{ path: at, value: values }] : [];
  const entries = Object.entries(values);
  if (!entries.length) return at.length ? [{ path: at, value: values }] : [];
  return entries.flatMap(([k, v]) => leafKeys(v, freeForm, [...at, k]));
}

/** The keys a release knows, as dotted text (a key with a dot in its own name never matches one of these). */
export function knownKeys(release: ChartRelease): Set<string> {
  const own = leafKeys(release.values, freeFormMaps(release)).map((l) => keyText(l.path));
  return new Set([...own, ...HELPER_KEYS, ...Object.keys(README_ALIASES)]);
}

/** Is this given key one the release knows? An empty map is known where the release has a map there. */
export function isKnown(release: ChartRelease, known: Set<string>, path: KeyPath, value: unknown): boolean {
  if (path.some((k) => k.includes('.')) && !freeFormMaps(release).some((f) => keyText(path).startsWith(`${f}.`))) return false;
  const text = keyText(path);
  if (known.has(text)) return true;
  if (freeFormMaps(release).some((f) => text === f || text.startsWith(`${f}.`))) return true;
  // `worker: {}` (an empty section): Helm merges nothing from it.
  return isMap(value) && Object.keys(value).length === 0 && [...known].some((k) => k.startsWith(`${text}.`));
}

/** Does the values file give every key of the release (as `helm get values --all` does)? */
export function givesEveryKey(release: ChartRelease, given: Set<string>): boolean {
  return leafKeys(release.values, freeFormMaps(release)).every((l) => {
    const t = keyText(l.path);
    // An empty map or list in values.yaml (hostname: [], mirrors: {}) may come back as any content.
    return given.has(t) || [...given].some((g) => g.startsWith(`${t}.`));
  });
}

/** The message for a key the release does not know, with the key it most likely meant. */
export function unknownKeyMessage(release: ChartRelease, known: Set<string>, path: KeyPath, others: readonly ChartRelease[]): string {
  const text = keyText(path);
  const dotted = path.find((k) => k.includes('.'));
  if (dotted !== undefined) {
    const nested = [...path.slice(0, path.indexOf(dotted)), ...dotted.split('.'), ...path.slice(path.indexOf(dotted) + 1)];
    const meant = known.has(keyText(nested)) ? keyText(nested) : undefined;
    return (
      `"${dotted}" is one key with dots in its name${path.length > 1 ? ` (under ${keyText(path.slice(0, path.indexOf(dotted)))})` : ''}: ` +
      `Helm reads nested keys only, so the chart never saw it${meant ? `; nest it (${nested.map((k, i) => `${'  '.repeat(i)}${k}:`).join(' ')} …) if your cluster has that value` : ''}`
    );
  }
  const elsewhere = others.filter((r) => r !== release && knownKeys(r).has(text)).map((r) => r.version);
  if (elsewhere.length) return `${text}: not a value of chart ${release.version} (chart ${versionList(elsewhere)} ${elsewhere.length === 1 ? 'has' : 'have'} it)`;
  const meant = closest(text, known);
  return `${text}: no cluster-chart release has this key${meant ? `; did you mean ${meant}?` : ''}`;
}

/** 0.1.6, 0.1.7, 0.1.8, 0.1.12 → "0.1.6–0.1.8, 0.1.12" (runs of releases in the order given, duplicates once). */
export function versionList(versions: string[]): string {
  const uniq = versions.filter((v, i) => versions.indexOf(v) === i);
  const patch = (v: string) => Number(v.split('.')[2]);
  const runs: string[][] = [];
  for (const v of uniq) {
    const run = runs[runs.length - 1];
    if (run && patch(v) === patch(run[run.length - 1]) + 1) run.push(v);
    else runs.push([v]);
  }
  return runs.map((r) => (r.length > 2 ? `${r[0]}–${r[r.length - 1]}` : r.join(', '))).join(', ');
}

export type { Values };
