/**
 * Reading YAML the way kpt, kustomize (kyaml: go-yaml v3) and Talos (go-yaml v3) read it: YAML 1.2 core,
 * with `<<` merge keys. One reading for standard input and for files, so `render FILE`, `diff` and the KRM
 * path never disagree about what a value is (YAML 1.1 would turn `yes` into true, `52:54:00:12:34:56`
 * into a sexagesimal number and `2024-01-01` into a date).
 *
 * Numbers are kept as the user wrote them where their text says more than a JavaScript number can hold:
 * `0110`, `0x55`, `0o644`, `1.0`, `1e3` or 18446744073709551615 become a SourceNumber, which carries the
 * text. go-yaml v3 gives a string field the scalar's text (`0110` stays "0110"), so a Talos setting typed
 * as a string (sysctls, kubelet flags) or a Talos patch must reach Talos with that text, not with what a
 * double makes of it. Numeric ClusterSpec fields refuse a SourceNumber (the schema asks for a plain
 * decimal), string fields take its text, and the YAML writer writes it back unchanged.
 */
import { isScalar, Scalar, visit, type Node, type ScalarTag } from 'yaml';

/** Options for every YAML document this function reads (yaml's own warnings never reach stderr). */
export const READ_OPTIONS = { version: '1.2', merge: true, uniqueKeys: false, prettyErrors: false, logLevel: 'error' } as const;

/** A number whose source text is not its canonical decimal form (see the module comment). */
export class SourceNumber {
  constructor(
    /** The scalar as written, e.g. `0x55`. */
    readonly source: string,
    /** What YAML 1.2 reads it as (a JavaScript number, possibly rounded). */
    readonly value: number,
  ) {}
  toString(): string {
    return this.source;
  }
  toJSON(): string {
    return this.source;
  }
}

/** Does this plain scalar's text say exactly what its number is? */
const canonical = (n: number, source: string) => Number.isFinite(n) && String(n) === source;

/** A plain numeric scalar whose text is not its canonical number, as a SourceNumber; else undefined. */
export function sourceNumberOf(s: Scalar): SourceNumber | undefined {
  if (typeof s.value !== 'number' || s.type !== Scalar.PLAIN || typeof s.source !== 'string' || canonical(s.value, s.source)) return undefined;
  return new SourceNumber(s.source, s.value);
}

/** A yaml tag that writes a SourceNumber back as the text it was read from (a plain scalar, no tag shown). */
export const SOURCE_NUMBER: ScalarTag = {
  identify: (v) => v instanceof SourceNumber,
  tag: 'tag:yaml.org,2002:int',
  default: true,
  resolve: (s) => s,
  stringify: (item) => ((item as Scalar).value as SourceNumber).source,
};

/**
 * `convert()` (a toJS of `node`, or of a document holding it) with every plain numeric scalar under `node`
 * whose text is not canonical read as a SourceNumber. The nodes are put back as they were afterwards:
 * pass-through items are compared and written from the same nodes, as plain numbers.
 */
export function withNumberText<T>(node: Node | null | undefined, convert: () => T): T {
  const marked: [Scalar, number][] = [];
  if (node) {
    visit(node, {
      Scalar(_key, s) {
        const kept = sourceNumberOf(s);
        if (kept) {
          marked.push([s, kept.value]);
          s.value = kept;
        }
      },
    });
  }
  try {
    return convert();
  } finally {
    for (const [s, v] of marked) s.value = v;
  }
}

/** The text of a value for a string-typed setting: a SourceNumber as written, anything else with String(). */
export const asText = (v: unknown): string => (v instanceof SourceNumber ? v.source : String(v));

export { isScalar };
