/**
 * Which Kubernetes minors each Talos minor supports.
 * Source: the Talos support matrix pages (talos.dev/v1.7 … v1.12 "introduction/support-matrix"; v1.13:
 * docs.siderolabs.com/talos/v1.13/getting-started/support-matrix, Kubernetes 1.36 down to 1.31),
 * read 2026-11. A Talos minor missing here gets a warning, not an error: update this table.
 */
export const TALOS_KUBERNETES_SUPPORT: Record<string, { min: string; max: string }> = {
  'v1.7': { min: '1.25', max: '1.30' },
  'v1.8': { min: '1.26', max: '1.31' },
  'v1.9': { min: '1.27', max: '1.32' },
  'v1.10': { min: '1.28', max: '1.33' },
  'v1.11': { min: '1.29', max: '1.34' },
  'v1.12': { min: '1.30', max: '1.35' },
  'v1.13': { min: '1.31', max: '1.36' },
};

/** Oldest Talos minor we generate config for (nodeTaints, deviceSelector and hostname.source need ≥ 1.7). */
export const MIN_TALOS_MINOR = 7;

export interface MinorVersion {
  major: number;
  minor: number;
}

export function parseMinor(v: string): MinorVersion | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(v);
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

const cmp = (a: MinorVersion, b: MinorVersion) => a.major - b.major || a.minor - b.minor;

export type Support = { ok: true } | { ok: false; allowed: string } | { ok: 'unknown' };

/** Does Talos `talosVersion` (vX.Y) run Kubernetes `kubernetesVersion` (vX.Y.Z)? */
export function kubernetesSupported(talosVersion: string, kubernetesVersion: string): Support {
  const range = TALOS_KUBERNETES_SUPPORT[talosVersion];
  const k = parseMinor(kubernetesVersion);
  if (!range || !k) return { ok: 'unknown' };
  const lo = parseMinor(range.min)!;
  const hi = parseMinor(range.max)!;
  if (cmp(k, lo) >= 0 && cmp(k, hi) <= 0) return { ok: true };
  return { ok: false, allowed: `v${range.min} to v${range.max}` };
}

/** The Talos version a `…:vX.Y.Z` installer image tag names, as vX.Y. */
export function talosVersionOfImage(image: string): string | undefined {
  const m = /:v(\d+)\.(\d+)\.\d+[^:/]*$/.exec(image);
  return m ? `v${m[1]}.${m[2]}` : undefined;
}

/**
 * Talos upgrades go one minor at a time (Talos docs, "Upgrading Talos Linux": upgrade through every
 * intermediate minor). Returns the problem, or undefined when the step is allowed.
 */
export function talosUpgradeProblem(from: string, to: string): string | undefined {
  const a = parseMinor(from);
  const b = parseMinor(to);
  if (!a || !b || a.major !== b.major) return undefined;
  if (b.minor < a.minor) return `Talos ${from} → ${to} is a downgrade; Talos does not support downgrading a running cluster`;
  if (b.minor > a.minor + 1) {
    const path = Array.from({ length: b.minor - a.minor + 1 }, (_, i) => `v${a.major}.${a.minor + i}`).join(' → ');
    return `Talos ${from} → ${to} skips a minor version; upgrade one minor at a time: ${path} (commit and roll out each step)`;
  }
  return undefined;
}
