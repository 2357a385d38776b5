/**
 * The ClusterSpec's identity and the naming rules the render path needs, without zod: schema.ts builds
 * the schema from them and re-exports them.
 */
export const API_VERSION = 'capi-proxmox-talos.dev/v1alpha1';
export const KIND = 'ClusterSpec';

/** RFC 1123 label: what Kubernetes requires of namespace names and what we require of every name part. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Longest cluster name: `<cluster>-control-plane-<8 hex>` must stay a 63-character DNS label. */
export const MAX_CLUSTER_NAME = 40;
