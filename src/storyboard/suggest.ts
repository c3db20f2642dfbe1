import { distance } from 'fastest-levenshtein';

/**
 * The candidate a misspelt word most probably meant, or undefined when none is close enough to be
 * a helpful guess (a wild suggestion is worse than none).
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const lowered = word.toLowerCase();
  for (const candidate of candidates) {
    const d = distance(lowered, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  // Two edits (a transposition) for ordinary words; one for tiny ones like '4:3', where two would match anything.
  const length = Math.max(word.length, best.length);
  const tolerance = length <= 3 ? 1 : Math.max(2, Math.floor(length / 3));
  return bestDistance <= tolerance ? best : undefined;
}

/** "did you mean 'x'?" when a close candidate exists, else "expected one of: a, b, c" (or nothing). */
export function suggestionHint(
  word: string,
  candidates: readonly string[],
  noun = 'one of',
): string | undefined {
  const match = closestMatch(word, candidates);
  if (match !== undefined) return `did you mean '${match}'?`;
  if (candidates.length === 0) return undefined;
  return `expected ${noun}: ${candidates.map((c) => `'${c}'`).join(', ')}`;
}
