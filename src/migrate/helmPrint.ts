/**
 * How Helm turns a values file into what a chart's templates print, for the importer to know what a live
 * chart cluster got:
 *
 * - Helm merges the user's values over the chart's values.yaml: maps key by key, anything else replaced,
 *   and a user's null deletes the chart's key (helm.sh/helm/v3 pkg/chartutil/coalesce.go).
 * - Values files are read as JSON numbers (float64), so `{{ .Values.x }}` prints a number with Go's %v:
 *   shortest form, in exponent form from 1e+06 up (1000000 prints as 1e+06; strconv 'g' with shortest
 *   precision switches to %e at exponent 6 or below -4).
 * - A list prints with %v as `[a b]`, which YAML then reads as ONE string "a b" in a list of one; a string
 *   prints as itself and is read back by YAML ("8192" becomes the number 8192, "[a, b]" a list of two).
 *
 * Checked against helm v3.21.4 `helm template` (docs/migrating-from-cluster-chart.md, "How the models were
 * checked").
 */
import { parse } from 'yaml';

export type Values = Record<string, unknown>;
export const isMap = (v: unknown): v is Values => !!v && typeof v === 'object' && !Array.isArray(v);

/** The user's values merged over the chart's (Helm's coalescing of a values file). */
export function coalesce(chart: unknown, user: unknown): unknown {
  if (!isMap(user) || !isMap(chart)) return user === undefined ? chart : user;
  const out: Values = { ...chart };
  for (const [k, v] of Object.entries(user)) {
    if (v === null) delete out[k];
    else out[k] = coalesce(chart[k], v);
  }
  return out;
}

/** Go's %v of a float64, as text/template prints a number from a values file. */
export function goNumber(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  if (n === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 6) {
    const [mantissa, e] = n.toExponential().split('e');
    const sign = e.startsWith('-') ? '-' : '+';
    const digits = e.replace(/^[-+]/, '');
    return `${mantissa}e${sign}${digits.padStart(2, '0')}`;
  }
  return String(n);
}

/** Go's %v of a value: what `{{ .Values.x }}` writes into the template. */
export function goPrint(v: unknown): string {
  if (v === undefined || v === null) return '<no value>';
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goPrint).join(' ')}]`;
  return `map[${Object.keys(v as Values)
    .sort()
    .map((k) => `${k}:${goPrint((v as Values)[k])}`)
    .join(' ')}]`;
}

/**
 * What a template line `key: {{ .Values.x }}` leaves in the object: the printed text read back by YAML.
 * Text YAML cannot read (a value with `: ` in it, say) stays the printed string: the real render would be
 * rejected or misread, and the spec check says what it expects instead.
 */
export function printed(v: unknown): unknown {
  const text = goPrint(v);
  try {
    const back = parse(text, { maxAliasCount: 0 });
    return back === null ? undefined : back;
  } catch {
    return text;
  }
}
