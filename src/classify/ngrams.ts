/**
 * Sub-syllable character n-grams (fastText style) of a diacritic-free syllable, with "<" and ">"
 * marking its ends: "dat" → <d da at t> <da dat at> <dat dat>. They give a vector to syllables
 * the model never saw (typos, rare spellings). Pure.
 */
export const NGRAM_MIN = 2;
export const NGRAM_MAX = 4;

export function syllableNgrams(plain: string, minN = NGRAM_MIN, maxN = NGRAM_MAX): string[] {
  const chars = Array.from(`<${plain}>`);
  const out: string[] = [];
  for (let n = minN; n <= maxN; n++) {
    for (let i = 0; i + n <= chars.length; i++) {
      // The whole marked syllable is the syllable itself, not a sub-syllable feature.
      if (i === 0 && n === chars.length) continue;
      out.push(chars.slice(i, i + n).join(""));
    }
  }
  return out;
}
