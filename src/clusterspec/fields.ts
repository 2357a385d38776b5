/**
 * Size limits of the ClusterSpec and the field types that carry Kubernetes', Talos' and the providers'
 * syntax rules (qualified names, DNS names, host names, URLs). Every string and list of the schema has
 * a maximum far above any real cluster, so no input makes the function do unbounded work or write
 * unbounded messages; the limits are in the zod schema, hence in the published JSON Schema too.
 * The README's "Limits" table lists them (test/limits.test.ts keeps it in step).
 */
import * as z from 'zod';
import { SourceNumber } from '../yaml/read';

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

/** A string of at most `max` characters; longer input stops here, before any pattern runs on it. */
export const boundedString = (what: string, max: number) => z.string().max(max, { error: `${what} must be at most ${max} characters`, abort: true });

export const nonEmpty = (what: string, max: number = LIMITS.text) => boundedString(what, max).min(1, { error: `${what} must not be empty` });

/** A list of at most `max` entries. */
export const boundedList = <T extends z.ZodType>(item: T, what: string, max: number) => z.array(item).max(max, { error: `${what} may have at most ${max} entries` });

/** A mapping of at most `max` keys (zod has no key-count check; the JSON Schema gets maxProperties). */
export const boundedRecord = <K extends z.core.$ZodRecordKey, V extends z.ZodType>(key: K, value: V, what: string, max: number) =>
  z
    .record(key, value)
    .refine((o) => Object.keys(o).length <= max, { error: `${what} may have at most ${max} entries` })
    .meta({ maxProperties: max });

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

export const dnsSubdomain = (what: string) =>
  nonEmpty(what, LIMITS.dnsName).regex(DNS_SUBDOMAIN, {
    error: `${what} must be a DNS subdomain: lower-case letters, digits, '-' and '.', at most ${LIMITS.dnsName} characters`,
  });

export const qualifiedName = (what: string) =>
  boundedString(what, 253 + 1 + 63).regex(QUALIFIED_NAME, {
    error: `${what} must be a qualified name: an optional DNS-subdomain prefix and "/", then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (e.g. example.com/gpu)`,
  });

export const labelValue = (what: string) =>
  boundedString(what, 63).regex(LABEL_VALUE, { error: `${what} must be empty or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit` });

export const hostOrIPv4 = (what: string) =>
  nonEmpty(what, LIMITS.dnsName).regex(HOST_OR_IPV4, { error: `${what} must be a host name (letters, digits, '-' and '.') or an IPv4 address` });

/** A registry mirror endpoint: an http(s) URL without credentials (those belong in Talos' registry auth config). */
export const mirrorURL = nonEmpty('registry mirror endpoint', LIMITS.url)
  .regex(/^https?:\/\/[^\s/?#]+(?:[/?#]\S*)?$/i, { error: 'registry mirror endpoints must be http:// or https:// URLs with a host' })
  .refine((u) => !/^https?:\/\/[^/?#]*@/i.test(u), {
    error: "registry mirror endpoints must not carry a user or password: put credentials in Talos' registry auth config (machine.registries.config.<host>.auth, through spec.talos.patches)",
  });

/** A manifest Talos fetches at bootstrap: an http(s) URL without credentials (they would sit in plain CRs). */
export const manifestURL = (what: string) =>
  nonEmpty(what, LIMITS.url)
    .regex(/^https?:\/\/[^\s/?#]+(?:[/?#]\S*)?$/i, { error: `${what} must be http:// or https:// URLs with a host` })
    .refine((u) => !/^https?:\/\/[^/?#]*@/i.test(u), { error: `${what} must not carry a user or password: they would be stored in plain objects` });

/** A kernel argument: no control characters (a newline would end the kernel command line early). */
export const kernelArg = nonEmpty('kernelArgs entry', LIMITS.kernelArg).regex(/^[^\u0000-\u001f\u007f]+$/, {
  error: 'kernelArgs entries must not contain control characters such as newlines or tabs',
});

/** An IPv4 address, range or CIDR as text (parsed in check.ts): no spaces, which would be emitted as they are. */
export const addressText = (what: string) => nonEmpty(what, LIMITS.address).regex(/^\S+$/, { error: `${what} must not contain spaces` });

/**
 * A number for a setting Talos takes as a string (a sysctl value, a kubelet flag): a plain number, or one
 * whose text is kept as written (`0x55`, `0110`, 18446744073709551615: src/yaml/read.ts), which go-yaml
 * would hand Talos as that text. Published as a JSON Schema number (jsonSchema.ts).
 */
export const numberText = z.custom<number | SourceNumber>((v) => typeof v === 'number' || v instanceof SourceNumber, { error: 'expected a string or a number' });
