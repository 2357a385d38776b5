/**
 * Which strings YAML 1.1 (kubectl, kyaml's go-yaml v2 paths) or YAML 1.2 (yaml v2's default) would read as
 * something other than a string when written plain — `on`, `yes`, `1_000`, `2024-01-01`, `0o17`
 * (../shared/reference/krm-edge.md). write.ts double-quotes them; emit.ts follows the same rule.
 */
import { Schema } from 'yaml';

/**
 * The plain-scalar resolvers of both schemas, taken from the yaml library itself (its tag `test`
 * expressions), so "what would be misread" is the library's definition, not ours.
 */
const RESOLVERS: RegExp[] = [new Schema({ schema: 'yaml-1.1' }), new Schema({ schema: 'core' })].flatMap((schema) =>
  (schema.tags as { test?: RegExp }[]).flatMap((t) => (t.test ? [t.test] : [])),
);

/** Would a plain (unquoted) `s` be read back as exactly the string `s` by both YAML versions? */
export function safePlain(s: string): boolean {
  return !RESOLVERS.some((r) => r.test(s));
}

