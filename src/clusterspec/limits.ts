/**
 * The ClusterSpec's size limits and the syntax of the names and hosts it holds, as plain values with no zod:
 * the render path reads them (talos/size.ts, generate.ts) without loading the schema (fields.ts builds the
 * schema's field types from them and re-exports them). The README's "Limits" table lists them
 * (test/limits.test.ts keeps it in step).
 */
export const LIMITS = {
  /** A host name or DNS subdomain (RFC 1123), and Kubernetes object names. */
  dnsName: 253,
  /** An IP address, a range a-b, or a CIDR. */
  address: 64,
  /** An image reference (Docker's reference grammar allows 255 for the name, 128 for the tag). */
  image: 512,
  /** A URL (registry mirror endpoint). */
  url: 2048,
  /** One kernel argument (Linux limits the whole command line to 2048 bytes on x86). */
  kernelArg: 1024,
  /** Any other short string: Proxmox node and bridge names, device selector values. */
  text: 256,
  /** ipRanges entries. */
  ipRanges: 1024,
  /** podCIDRs, serviceCIDRs. */
  cidrs: 8,
  /** dnsServers, ntpServers. */
  servers: 16,
  /** allowedNodes (a Proxmox cluster has at most a few dozen nodes). */
  nodes: 256,
  /** Node labels and taints per pool. */
  labels: 128,
  taints: 64,
  /** Registries with mirrors, and endpoints per registry. */
  registries: 64,
  endpoints: 16,
  kernelArgs: 64,
  /** Kernel modules; sysctls and kubelet flags (each a mapping). */
  kernelModules: 64,
  settings: 256,
  /** Manifest URLs (extra manifests, cloud provider manifests). */
  manifests: 64,
  /** Talos patches per list. */
  patches: 64,
  /** Talos patch text in one rendered object (control plane config or a pool's config template), in bytes. */
  patchBytesPerObject: 512 * 1024,
  /** Talos patch text in all rendered objects together (spec.talos.patches is copied into each of them). */
  patchBytesTotal: 4 * 1024 * 1024,
  /** Numbers in a version: v999.999.999 at most. */
  versionPart: 999,
} as const;

const LABEL = '[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?';
/** RFC 1123 subdomain: dot-separated labels of ≤ 63 characters, ≤ 253 in all (Kubernetes object names). */
export const DNS_SUBDOMAIN = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`);
/** Kubernetes qualified name (label keys, taint keys): [prefix/]name, prefix a DNS subdomain, name ≤ 63. */
export const QUALIFIED_NAME = new RegExp(`^(?:(?=[^/]{1,253}/)${LABEL}(?:\\.${LABEL})*/)?(?=[^/]{1,63}$)[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$`);
/** Kubernetes label value: empty, or ≤ 63 letters, digits, '-', '_', '.', starting and ending alphanumeric. */
export const LABEL_VALUE = /^(?:(?=.{1,63}$)[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const HOST_LABEL = '[A-Za-z0-9](?:[-A-Za-z0-9]{0,61}[A-Za-z0-9])?';
const IPV4 = '(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
/** A host name (RFC 1123, any case) or an IPv4 address: what may go into a certificate SAN or name a server. */
export const HOST_OR_IPV4 = new RegExp(`^(?:${IPV4}|(?=.{1,253}$)${HOST_LABEL}(?:\\.${HOST_LABEL})*)$`);
/** A registry host as Talos keys its mirrors: host[:port], or "*" for every registry. */
export const REGISTRY_HOST = new RegExp(`^(?:\\*|(?=[^:]{1,253}(?::|$))${HOST_LABEL}(?:\\.${HOST_LABEL})*(?::[0-9]{1,5})?)$`);

