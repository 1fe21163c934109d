/**
 * The known word a mistyped one was probably meant to be (`stauts` → `status`).
 * @module
 */

/**
 * The edit distance of `a` and `b`: insertions, deletions, substitutions and swaps of two
 * neighbours (the commonest typo) each count one.
 *
 * @example Usage
 * ```ts
 * import { editDistance } from "./did_you_mean.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(editDistance("stauts", "status"), 1);
 * assert.equal(editDistance("sync", "pick"), 4);
 * ```
 */
export function editDistance(a: string, b: string): number {
  // d[i][j]: the distance of a's first i characters and b's first j.
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/**
 * The first of `words` closest to `typed`, when it is close: at most one edit for a word of up
 * to five letters, two for longer ones (a third of the word); otherwise undefined, as a far guess
 * would mislead.
 */
export function didYouMean(typed: string, words: readonly string[]): string | undefined {
  let best: { word: string; distance: number } | undefined;
  for (const word of words) {
    const distance = editDistance(typed.toLowerCase(), word);
    if (distance <= Math.max(1, Math.floor(word.length / 3)) && distance < (best?.distance ?? Infinity)) {
      best = { word, distance };
    }
  }
  return best?.word;
}
