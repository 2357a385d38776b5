/** Metadata every generated object carries: the CAPI cluster label and this generator's ownership marks. */
import type { Model } from '../clusterspec/parse';

export const GENERATOR = 'capi-proxmox-talos';
/** Label naming the generator (app.kubernetes.io convention). */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
/** Annotation naming the ClusterSpec an object came from; a re-run replaces exactly the objects that carry it. */
export const GENERATED_FROM_ANNOTATION = 'capi-proxmox-talos.dev/generated-from';
export const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';
export const DEPLOYMENT_NAME_LABEL = 'cluster.x-k8s.io/deployment-name';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
}

/** The value of GENERATED_FROM_ANNOTATION for a ClusterSpec: `ClusterSpec/<name>` or `ClusterSpec/<namespace>/<name>`. */
export function generatedFrom(ref: { name: string; namespace?: string }): string {
  return `ClusterSpec/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

export function meta(m: Model, name: string, opts: { namespaced?: boolean; annotations?: Record<string, string> } = {}): K8sObject['metadata'] {
  return {
    name,
    ...(opts.namespaced !== false && { namespace: m.namespace }),
    labels: { [CLUSTER_NAME_LABEL]: m.name, [MANAGED_BY_LABEL]: GENERATOR },
    annotations: { [GENERATED_FROM_ANNOTATION]: generatedFrom(m.ref), ...opts.annotations },
  };
}
