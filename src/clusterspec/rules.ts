/**
 * The functions the ClusterSpec schema runs beyond types, ranges and patterns: its refinements, its one
 * custom type, its one transform. They live here, apart from schema.ts and free of zod, because the parser
 * generated from the schema at build time (scripts/compile-parser.ts → parser.generated.ts) calls these
 * same functions: it names them, it cannot copy them. A refinement made for a given limit (atMostKeys)
 * records how it was made, so the generated parser can make it again.
 */
import { SourceNumber } from '../yaml/read';

export { asText } from '../yaml/read';

/** How a predicate made by a factory here was made: the factory's export name and its arguments. */
export interface Made {
  rule: { name: string; args: unknown[] };
}

/** Proxmox takes memory sizes in multiples of 8 MiB. */
export const multipleOf8 = (m: number) => m % 8 === 0;

/** 1 (inherit the bridge's MTU) or an Ethernet MTU Proxmox accepts. */
export const proxmoxMTU = (m: number) => m === 1 || (m >= 1280 && m <= 65520);

/** 0 (no check) or from 30 seconds to a day. */
export const startupTimeout = (n: number) => n === 0 || (n >= 30 && n <= 86400);

/** A device selector must name at least one property. */
export const selectsSomething = (s: object) => Object.keys(s).length > 0;

/** A VM ID range's end is not below its start. */
export const inOrder = (r: { start: number; end: number }) => r.end >= r.start;

/** An http(s) URL without a user or password before its host. */
export const hasNoCredentials = (u: string) => !/^https?:\/\/[^/?#]*@/i.test(u);

/** A plain number, or one whose text is kept as written (src/yaml/read.ts). */
export const isNumberText = (v: unknown) => typeof v === 'number' || v instanceof SourceNumber;

/**
 * zod's `when` for a refinement that should not run once the value already has a problem (it would only
 * add a confusing second message).
 */
export const noEarlierIssues = (payload: { value?: unknown; issues: readonly unknown[] }) => payload.issues.length === 0;

/** A mapping of at most `max` keys. */
export const atMostKeys = (max: number): ((o: object) => boolean) & Made =>
  Object.assign((o: object) => Object.keys(o).length <= max, { rule: { name: 'atMostKeys', args: [max] } });
