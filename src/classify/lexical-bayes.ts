/**
 * Lexical evidence by naive Bayes: a multinomial naive Bayes over the head's own binary lexical
 * features (diacritic-free syllables and bigrams, features.ts), added to the linear topic head's
 * logits with a weight chosen by cross-validation (`bayesWeight` in the manifest).
 *
 * Why a second reader of the same words: the linear head is fitted discriminatively on the
 * project's own examples and leans on whatever separates them best, frames and phrasing included;
 * a generative count model spreads its weight over every word a topic uses. On petitions as
 * portals and newspapers publish them the two err differently, and their sum errs less
 * (model/README.md has the figures).
 *
 * Pure: the log-probabilities come from the head file (section `topic.bayes`).
 */

/** Per-feature log-probabilities, row-major features × classes. */
export interface LexicalBayes {
  classes: number;
  logProb: Float32Array;
  /** The sum over a text's features is divided by (number of features) ** power. */
  power: number;
}

/**
 * Naive Bayes logits of one text given its known feature indices, shifted so that the best class
 * scores 0 (the scale no longer grows with the text's length: see `power`).
 */
export function bayesLogits(nb: LexicalBayes, idx: ArrayLike<number>): Float64Array {
  const K = nb.classes;
  const z = new Float64Array(K);
  if (idx.length === 0) return z;
  for (let p = 0; p < idx.length; p++) {
    const o = idx[p]! * K;
    for (let k = 0; k < K; k++) z[k]! += nb.logProb[o + k]!;
  }
  const n = idx.length ** nb.power;
  let max = -Infinity;
  for (let k = 0; k < K; k++) {
    z[k]! /= n;
    if (z[k]! > max) max = z[k]!;
  }
  for (let k = 0; k < K; k++) z[k]! -= max;
  return z;
}

/**
 * Fits the log-probabilities from labelled rows (each row's known feature indices, each feature
 * counted once per row), with additive smoothing `alpha`.
 */
export function fitBayes(
  rows: readonly { idx: ArrayLike<number>; label: number }[],
  features: number,
  classes: number,
  alpha: number,
): Float32Array {
  const K = classes;
  const counts = new Float64Array(features * K);
  const totals = new Float64Array(K);
  for (const r of rows) {
    for (let p = 0; p < r.idx.length; p++) counts[r.idx[p]! * K + r.label]!++;
    totals[r.label]! += r.idx.length;
  }
  const logProb = new Float32Array(features * K);
  for (let k = 0; k < K; k++) {
    const denominator = Math.log(totals[k]! + alpha * features);
    for (let f = 0; f < features; f++)
      logProb[f * K + k] = Math.log(counts[f * K + k]! + alpha) - denominator;
  }
  return logProb;
}
