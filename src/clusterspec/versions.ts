/**
 * Which Kubernetes minors each Talos minor supports.
 * Source: Talos machinery v1.14.1's compatibility package (siderolabs/talos pkg/machinery/compatibility,
 * talos17 … talos114: MinimumKubernetesVersion / MaximumKubernetesVersion, e.g. talos114: 1.32.0 to
 * 1.37.99), which Talos itself checks a config's Kubernetes images against; every row below was checked
 * against it (2026-12). The same rows are on the Talos support matrix pages. A Talos minor missing here
 * gets a warning, not an error: update this table.
 */
export const TALOS_KUBERNETES_SUPPORT: Record<string, { min: string; max: string }> = {
  'v1.7': { min: '1.25', max: '1.30' },
  'v1.8': { min: '1.26', max: '1.31' },
  'v1.9': { min: '1.27', max: '1.32' },
  'v1.10': { min: '1.28', max: '1.33' },
  'v1.11': { min: '1.29', max: '1.34' },
  'v1.12': { min: '1.30', max: '1.35' },
  'v1.13': { min: '1.31', max: '1.36' },
  'v1.14': { min: '1.32', max: '1.37' },
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

/** A version as it may be echoed in a message: versions from earlier renders are unchecked text. */
const shown = (v: string) => (v.length > 24 ? `${v.slice(0, 24)}…` : v);

/** "v1.10 → v1.11 → v1.12", or for a long way only its ends and the count (messages stay short for any input). */
function minorSteps(a: MinorVersion, b: MinorVersion): string {
  const steps = b.minor - a.minor;
  if (steps <= 6) return Array.from({ length: steps + 1 }, (_, i) => `v${a.major}.${a.minor + i}`).join(' → ');
  return `v${a.major}.${a.minor} → v${a.major}.${a.minor + 1} → … → v${b.major}.${b.minor} (${steps} steps)`;
}

/** Whether `to` is an older minor than `from` (same major): the downgrade talosUpgradeProblem names, which the gate lets a name allow. */
export function isMinorDowngrade(from: string, to: string): boolean {
  const [a, b] = [parseMinor(from), parseMinor(to)];
  return !!a && !!b && a.major === b.major && b.minor < a.minor;
}

/**
 * Talos upgrades go one minor at a time (Talos docs, "Upgrading Talos Linux": upgrade through every
 * intermediate minor). Returns the problem, or undefined when the step is allowed.
 */
export function talosUpgradeProblem(from: string, to: string): string | undefined {
  const a = parseMinor(from);
  const b = parseMinor(to);
  if (!a || !b || a.major !== b.major) return undefined;
  if (isMinorDowngrade(from, to)) return `Talos ${shown(from)} → ${shown(to)} is a downgrade; Talos does not support downgrading a running cluster`;
  if (b.minor > a.minor + 1) {
    return `Talos ${shown(from)} → ${shown(to)} skips a minor version; upgrade one minor at a time: ${minorSteps(a, b)} (commit and roll out each step)`;
  }
  return undefined;
}

export type UpgradeProblem = { severity: 'error' | 'warning'; message: string };

/**
 * Kubernetes upgrades go one minor at a time and never back (Kubernetes version skew policy: the API
 * server may be at most one minor ahead of the others during an upgrade; downgrades are unsupported).
 * A patch downgrade within a minor is possible and only warned about.
 */
export function kubernetesUpgradeProblem(from: string, to: string): UpgradeProblem | undefined {
  const a = parseMinor(from);
  const b = parseMinor(to);
  if (!a || !b || a.major !== b.major) return undefined;
  if (b.minor < a.minor) {
    return {
      severity: 'error',
      message: `Kubernetes ${shown(from)} → ${shown(to)} is a downgrade, which Kubernetes does not support; keep v${a.major}.${a.minor} (going back means restoring an etcd snapshot)`,
    };
  }
  if (b.minor > a.minor + 1) {
    return {
      severity: 'error',
      message: `Kubernetes ${shown(from)} → ${shown(to)} skips a minor version; upgrade one minor at a time: ${minorSteps(a, b)} (commit and roll out each step)`,
    };
  }
  const pa = patchOf(from);
  const pb = patchOf(to);
  if (b.minor === a.minor && pa !== undefined && pb !== undefined && pb < pa) {
    return { severity: 'warning', message: `Kubernetes ${shown(from)} → ${shown(to)} is a patch downgrade: every machine is replaced with the older patch release` };
  }
  return undefined;
}

const patchOf = (v: string) => {
  const m = /^v?\d+\.\d+\.(\d+)/.exec(v);
  return m ? Number(m[1]) : undefined;
};
