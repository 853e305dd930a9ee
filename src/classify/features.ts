/**
 * Sparse lexical features of a tokenised text: diacritic-free syllable unigrams ("u:dat") and
 * bigrams ("b:thu hoi", never across punctuation). Using the diacritic-free forms makes them
 * identical for text typed with or without diacritics. Values are binary × IDF, scaled to a
 * fixed L2 norm.
 */
import type { Token } from "./normalize.ts";

export function lexicalFeatures(tokens: readonly Token[]): string[] {
  const out = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    out.add(`u:${t.plain}`);
    if (i > 0 && !t.breakBefore) out.add(`b:${tokens[i - 1]!.plain} ${t.plain}`);
  }
  return [...out];
}

/**
 * Indices (into a feature dictionary) and values of a feature list; unknown features are dropped.
 * Each known feature gets its IDF, and the vector is scaled to L2 norm `norm`.
 */
export function sparseVector(
  features: readonly string[],
  index: ReadonlyMap<string, number>,
  idf: ArrayLike<number>,
  norm: number,
): { idx: Int32Array; val: Float32Array } {
  const idx: number[] = [];
  for (const f of new Set(features)) {
    const i = index.get(f);
    if (i !== undefined) idx.push(i);
  }
  idx.sort((a, b) => a - b);
  const val = new Float32Array(idx.length);
  let ss = 0;
  idx.forEach((i, p) => {
    val[p] = idf[i]!;
    ss += idf[i]! * idf[i]!;
  });
  const f = ss > 0 ? norm / Math.sqrt(ss) : 0;
  for (let p = 0; p < val.length; p++) val[p]! *= f;
  return { idx: Int32Array.from(idx), val };
}
