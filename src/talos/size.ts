/**
 * How much Talos configuration each rendered object carries. Cluster-wide Talos settings (spec.talos:
 * patches, registry mirrors, kernel args, …) are copied into the control plane's config and into every
 * pool's config template, so a large value times many pools would make the output, and the time to write
 * it, explode. Bounded per object (far below etcd's 1.5 MiB per object) and for all objects together.
 */
import type { Model } from '../clusterspec/parse';
import { LIMITS } from '../clusterspec/limits';
import { error, type Problem } from '../results';
import { controlPlanePatches, workerPatches } from './patches';

const kib = (n: number) => `${Math.ceil(n / 1024)} KiB`;

export function configSizeProblems(m: Model): Problem[] {
  const out: Problem[] = [];
  let total = 0;
  const measure = (path: string, what: string, patches: unknown[]) => {
    const bytes = JSON.stringify(patches).length;
    total += bytes;
    if (bytes > LIMITS.patchBytesPerObject) {
      out.push(error(path, `the Talos config of ${what} would be ${kib(bytes)} (its patches, labels and taints, plus spec.talos); at most ${kib(LIMITS.patchBytesPerObject)}`));
    }
  };
  measure('spec.controlPlane', 'the control plane', controlPlanePatches(m));
  for (const [i, w] of m.workers.entries()) {
    if (out.length) return out; // one oversized object says enough; don't measure the rest
    measure(`spec.workers[${i}]`, `pool ${w.name}`, workerPatches(m, w));
  }
  if (total > LIMITS.patchBytesTotal) {
    out.push(
      error(
        'spec.talos',
        `the Talos configs of the control plane and ${m.workers.length} pools would be ${kib(total)} together; at most ${kib(LIMITS.patchBytesTotal)}: spec.talos is copied into each of them, so put cluster-wide content such as inline manifests into spec.controlPlane.patches only`,
      ),
    );
  }
  return out;
}
