/**
 * Renames and namespace moves. A CAPI cluster is its Cluster's namespace and name: a cluster whose name
 * or namespace changes is a new cluster (new etcd, new VMs) and the old one is deleted with its VMs. The
 * plan says so by pairing each cluster that leaves with the one that replaces it: same ClusterSpec
 * (our generated-from annotation on the Cluster), else the same API endpoint.
 */
import { GENERATED_FROM_ANNOTATION } from '../resources/meta';
import { isCluster, isProxmoxCluster } from './objects';
import type { ClusterId, Item } from './types';

export interface ClusterSide {
  id: ClusterId;
  key: string;
  items: Item[];
}

function identityOf(c: ClusterSide): { annotation?: string; endpoint?: string } {
  const cluster = c.items.find((i) => isCluster(i.object))?.object;
  const annotation = cluster?.metadata?.annotations?.[GENERATED_FROM_ANNOTATION];
  const host = c.items.find((i) => isProxmoxCluster(i.object))?.object?.spec?.controlPlaneEndpoint?.host;
  return { annotation: typeof annotation === 'string' ? annotation : undefined, endpoint: typeof host === 'string' ? host : undefined };
}

/** Pairs (old key → new key) of clusters that left and clusters that came, one to one, in key order. */
export function pairMoves(gone: ClusterSide[], came: ClusterSide[]): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  const ids = new Map(came.map((c) => [c.key, identityOf(c)]));
  for (const by of ['annotation', 'endpoint'] as const) {
    for (const g of gone) {
      if (out.has(g.key)) continue;
      const mine = identityOf(g)[by];
      if (mine === undefined) continue;
      const match = came.find((c) => !taken.has(c.key) && ids.get(c.key)![by] === mine);
      if (match) {
        out.set(g.key, match.key);
        taken.add(match.key);
      }
    }
  }
  return out;
}
