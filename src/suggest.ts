/** "Did you mean …?": the known word a mistyped one most likely meant (Levenshtein distance, fastest-levenshtein). */
import { distance } from 'fastest-levenshtein';

/** Is `a` the word `b` with two neighbouring letters swapped (spce → spec)? A typo Levenshtein counts twice. */
function swapped(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const diff = [...a].flatMap((ch, i) => (ch === b[i] ? [] : [i]));
  return diff.length === 2 && diff[1] === diff[0] + 1 && a[diff[0]] === b[diff[1]] && a[diff[1]] === b[diff[0]];
}

/**
 * The candidate closest to `word`, or undefined when none is close enough to be a typo of it. A case-only
 * difference always counts (memoryMib → memoryMiB); otherwise the distance may be 1 for words of up to 4
 * characters, and about a third of the word's length beyond (replicsa → replicas, rendr → render); two
 * neighbouring letters swapped count as one (spce → spec).
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = word.length <= 4 ? 1 : Math.min(3, Math.ceil(word.length / 3));
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    // A length difference is a lower bound of the distance: skip what cannot be close (cheap for long junk keys).
    if (c === word || Math.abs(c.length - word.length) > limit) continue;
    const [w, k] = [word.toLowerCase(), c.toLowerCase()];
    const score = k === w ? 0 : swapped(w, k) ? 1 : distance(w, k);
    if (score < bestScore) [best, bestScore] = [c, score];
  }
  return best !== undefined && bestScore <= limit ? best : undefined;
}
