/**
 * Size limits of the ClusterSpec and the field types that carry Kubernetes', Talos' and the providers'
 * syntax rules (qualified names, DNS names, host names, URLs). Every string and list of the schema has
 * a maximum far above any real cluster, so no input makes the function do unbounded work or write
 * unbounded messages; the limits are in the zod schema, hence in the published JSON Schema too.
 * docs/reference.md's "Limits" table lists them (test/limits.test.ts keeps it in step).
 */
import * as z from 'zod';
import type { SourceNumber } from '../yaml/read';
import { LIMITS, DNS_SUBDOMAIN, QUALIFIED_NAME, LABEL_VALUE, HOST_OR_IPV4 } from './limits';
import { atMostKeys, hasNoCredentials, isNumberText } from './rules';

export { LIMITS, DNS_SUBDOMAIN, QUALIFIED_NAME, LABEL_VALUE, HOST_OR_IPV4, REGISTRY_HOST } from './limits';

/** A string of at most `max` characters; longer input stops here, before any pattern runs on it. */
export const boundedString = (what: string, max: number) => z.string().max(max, { error: `${what} must be at most ${max} characters`, abort: true });

export const nonEmpty = (what: string, max: number = LIMITS.text) => boundedString(what, max).min(1, { error: `${what} must not be empty` });

/** A list of at most `max` entries. */
export const boundedList = <T extends z.ZodType>(item: T, what: string, max: number) => z.array(item).max(max, { error: `${what} may have at most ${max} entries` });

/** A mapping of at most `max` keys (zod has no key-count check; the JSON Schema gets maxProperties). */
export const boundedRecord = <K extends z.core.$ZodRecordKey, V extends z.ZodType>(key: K, value: V, what: string, max: number) =>
  z
    .record(key, value)
    .refine(atMostKeys(max), { error: `${what} may have at most ${max} entries` })
    .meta({ maxProperties: max });

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
  .refine(hasNoCredentials, {
    error: "registry mirror endpoints must not carry a user or password: put credentials in Talos' registry auth config (machine.registries.config.<host>.auth, through spec.talos.patches)",
  });

/** A manifest Talos fetches at bootstrap: an http(s) URL without credentials (they would sit in plain CRs). */
export const manifestURL = (what: string) =>
  nonEmpty(what, LIMITS.url)
    .regex(/^https?:\/\/[^\s/?#]+(?:[/?#]\S*)?$/i, { error: `${what} must be http:// or https:// URLs with a host` })
    .refine(hasNoCredentials, { error: `${what} must not carry a user or password: they would be stored in plain objects` });

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
export const numberText = z.custom<number | SourceNumber>(isNumberText, { error: 'expected a string or a number' });
