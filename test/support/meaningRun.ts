/**
 * The meaning oracle's properties without jest, for scripts/mutation-check.mjs (which bundles this file
 * together with a mutated copy of src/). Prints one line per property; exits 1 when any fails, 0 when all
 * hold. FC_RUNS runs per property (default 100), FC_SEED the seed; FIRST_FAILURE=1 stops at the first
 * failing property (a mutation needs one; the cheap capacity property goes first).
 */
import fc from 'fast-check';
import { capacityProperty, meaningProperty } from './meaningProperties';
import { KNOWN_BUGS, type KnownBug } from './meaningOracle';

const runs = Number(process.env.FC_RUNS ?? 100);
const seed = Number(process.env.FC_SEED ?? 20261125);
// The known generator bugs stay out, as in the jest suite: a mutation must be caught by its own check.
const skip = new Set(Object.keys(KNOWN_BUGS) as KnownBug[]);

const properties: [string, () => fc.IProperty<any>][] = [
  ['IP capacity', () => capacityProperty()],
  ['meaning, current profile', () => meaningProperty('current', skip)],
  ['meaning, legacy profile', () => meaningProperty('legacy', skip)],
];

let failed = 0;
for (const [name, property] of properties) {
  const t0 = process.hrtime.bigint();
  // endOnFailure: a verdict is all the mutation check needs, not a shrunk counterexample
  const r = fc.check(property(), { numRuns: runs, seed, endOnFailure: true });
  const ms = Number((process.hrtime.bigint() - t0) / 1_000_000n);
  if (r.failed) {
    failed++;
    const why = r.errorInstance instanceof Error ? r.errorInstance.message : String(r.errorInstance);
    console.log(`FAIL ${name} (${ms} ms, after ${r.numRuns} runs): ${why.split('\n').slice(0, 4).join(' | ')}`);
    if (process.env.FIRST_FAILURE) break;
  } else {
    console.log(`ok   ${name} (${runs} runs, ${ms} ms)`);
  }
}
process.exit(failed ? 1 : 0);
