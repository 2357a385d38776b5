import type { Model } from '../spec/parse';
import { meta, type K8sObject } from './meta';

/** The namespace every object of the cluster lives in. */
export function namespace(m: Model): K8sObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: meta(m, m.namespace, { namespaced: false }) };
}
