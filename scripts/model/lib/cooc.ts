/**
 * Vocabulary selection and the weighted co-occurrence → PPMI matrix.
 *
 * Rows ("units") are accented syllables, diacritic-free syllables and diacritic-free syllable
 * bigrams (most Vietnamese words have two syllables); columns are diacritic-free context syllables.
 * An accented syllable and its stripped form are counted at the same positions against the same
 * contexts, so "đất" and "dat" get neighbouring vectors.
 */
import { type EncodedCorpus, FLAG_BREAK, FLAG_DOC } from "./corpus.ts";
import type { Csr } from "./linalg.ts";

export interface VocabOptions {
  maxAcc: number;
  maxPlain: number;
  maxBigrams: number;
  maxContexts: number;
  minCount: number;
  minBigramCount: number;
  /** Minimum pointwise mutual information (natural log) of a kept bigram's accented spelling. */
  minBigramPmi: number;
}

export interface Vocab {
  acc: string[];
  plain: string[];
  bigram: string[];
  accCount: number[];
  plainCount: number[];
  bigramCount: number[];
  /** type id → acc row or -1 */
  typeAccRow: Int32Array;
  /** plain id → plain row (offset by acc.length) or -1 */
  plainRow: Int32Array;
  /** plain id → context column or -1 */
  plainCtx: Int32Array;
  /** key (plainRowLocal_a * nPlain + plainRowLocal_b) → bigram row (absolute) */
  bigramRow: Map<number, number>;
  contexts: number;
  rows: number;
  totalTokens: number;
}

function topIndices(counts: ArrayLike<number>, max: number, min: number, names: readonly string[]): number[] {
  const idx: number[] = [];
  for (let i = 0; i < counts.length; i++) if (counts[i]! >= min) idx.push(i);
  idx.sort((a, b) => counts[b]! - counts[a]! || (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0));
  return idx.slice(0, max);
}

export function buildVocab(c: EncodedCorpus, o: VocabOptions): Vocab {
  const accIds = topIndices(c.typeCount, o.maxAcc, o.minCount, c.typeAcc);
  const plainIds = topIndices(c.plainCount, o.maxPlain, o.minCount, c.plains);
  const ctxIds = topIndices(c.plainCount, o.maxContexts, o.minCount, c.plains);
  if (ctxIds.length > 65535) throw new Error("too many contexts");
  const typeAccRow = new Int32Array(c.typeAcc.length).fill(-1);
  accIds.forEach((t, i) => {
    typeAccRow[t] = i;
  });
  const nAcc = accIds.length;
  const nPlain = plainIds.length;
  const plainLocal = new Int32Array(c.plains.length).fill(-1);
  plainIds.forEach((p, i) => {
    plainLocal[p] = i;
  });
  const plainRow = plainLocal.map((v) => (v < 0 ? -1 : nAcc + v));
  const plainCtx = new Int32Array(c.plains.length).fill(-1);
  ctxIds.forEach((p, i) => {
    plainCtx[p] = i;
  });

  // Bigram counts over adjacent tokens not separated by punctuation, on the accented forms:
  // "đèn đường" is a strong collocation even though "den duong" (đến đường…) is not.
  const nTypes = c.typeAcc.length;
  const accCounts = new Map<number, number>();
  for (let i = 1; i < c.length; i++) {
    if (c.flags[i]! & FLAG_BREAK) continue;
    const ta = c.ids[i - 1]!;
    const tb = c.ids[i]!;
    if (typeAccRow[ta]! < 0 || typeAccRow[tb]! < 0) continue;
    if (plainLocal[c.typePlain[ta]!]! < 0 || plainLocal[c.typePlain[tb]!]! < 0) continue;
    const key = ta * nTypes + tb;
    accCounts.set(key, (accCounts.get(key) ?? 0) + 1);
  }
  const total = c.length;
  // Plain bigram: total count over its accented spellings, and its best collocation score n·PMI.
  const plainBigrams = new Map<number, { n: number; score: number }>();
  for (const [key, n] of accCounts) {
    const ta = Math.floor(key / nTypes);
    const tb = key % nTypes;
    const pkey = plainLocal[c.typePlain[ta]!]! * nPlain + plainLocal[c.typePlain[tb]!]!;
    const e = plainBigrams.get(pkey) ?? { n: 0, score: 0 };
    e.n += n;
    if (n >= o.minBigramCount) {
      const pmi = Math.log((n * total) / (c.typeCount[ta]! * c.typeCount[tb]!));
      if (pmi >= o.minBigramPmi) e.score = Math.max(e.score, n * pmi);
    }
    plainBigrams.set(pkey, e);
  }
  const cand: { key: number; n: number; score: number; name: string }[] = [];
  for (const [key, e] of plainBigrams) {
    if (e.score <= 0) continue;
    const a = Math.floor(key / nPlain);
    const b = key % nPlain;
    cand.push({ key, n: e.n, score: e.score, name: `${c.plains[plainIds[a]!]} ${c.plains[plainIds[b]!]}` });
  }
  cand.sort((x, y) => y.score - x.score || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const kept = cand.slice(0, o.maxBigrams);
  const bigramRow = new Map<number, number>();
  kept.forEach((b, i) => {
    bigramRow.set(b.key, nAcc + nPlain + i);
  });
  return {
    acc: accIds.map((t) => c.typeAcc[t]!),
    plain: plainIds.map((p) => c.plains[p]!),
    bigram: kept.map((b) => b.name),
    accCount: accIds.map((t) => c.typeCount[t]!),
    plainCount: plainIds.map((p) => c.plainCount[p]!),
    bigramCount: kept.map((b) => b.n),
    typeAccRow,
    plainRow,
    plainCtx,
    bigramRow,
    contexts: ctxIds.length,
    rows: nAcc + nPlain + kept.length,
    totalTokens: total,
  };
}

export interface PpmiOptions {
  window: number;
  /** Weight of a context at distance d: 1/d ("harmonic", more syntactic) or 1 ("uniform", more topical). */
  weighting: "harmonic" | "uniform";
  /** Context distribution smoothing exponent (0.75 in word2vec). */
  alpha: number;
  /** PPMI shift: keep max(PMI - log(shift), 0). */
  shift: number;
}

/** Counts harmonic-weighted co-occurrences into a dense rows×contexts matrix, then converts to PPMI CSR. */
export function ppmiMatrix(c: EncodedCorpus, v: Vocab, o: PpmiOptions, log?: (m: string) => void): Csr {
  const C = v.contexts;
  const R = v.rows;
  const nAcc = v.acc.length;
  const nPlain = v.plain.length;
  const m = new Float32Array(R * C);
  const ctx = new Int32Array(c.length);
  const accR = new Int32Array(c.length);
  const plainR = new Int32Array(c.length);
  for (let i = 0; i < c.length; i++) {
    const t = c.ids[i]!;
    const p = c.typePlain[t]!;
    ctx[i] = v.plainCtx[p]!;
    accR[i] = v.typeAccRow[t]!;
    plainR[i] = v.plainRow[p]!;
  }
  const W = o.window;
  const wt = new Float64Array(W + 2);
  for (let d = 1; d <= W + 1; d++) wt[d] = o.weighting === "uniform" ? 1 : 1 / d;
  let docStart = 0;
  for (let i = 0; i < c.length; i++) {
    if (c.flags[i]! & FLAG_DOC) docStart = i;
    const ci = ctx[i]!;
    const ai = accR[i]!;
    const pi = plainR[i]!;
    // Symmetric pairs (j < i): both directions at once.
    for (let j = Math.max(docStart, i - W); j < i; j++) {
      const w = wt[i - j]!;
      const cj = ctx[j]!;
      if (cj >= 0) {
        if (ai >= 0) m[ai * C + cj]! += w;
        if (pi >= 0) m[pi * C + cj]! += w;
      }
      if (ci >= 0) {
        const aj = accR[j]!;
        const pj = plainR[j]!;
        if (aj >= 0) m[aj * C + ci]! += w;
        if (pj >= 0) m[pj * C + ci]! += w;
      }
    }
    // Bigram (i-1, i): contexts around the pair.
    if (i > docStart && !(c.flags[i]! & FLAG_BREAK) && pi >= 0) {
      const pa = plainR[i - 1]!;
      if (pa >= 0) {
        const b = v.bigramRow.get((pa - nAcc) * nPlain + (pi - nAcc));
        if (b !== undefined) {
          const base = b * C;
          for (let j = Math.max(docStart, i - 1 - W); j < i - 1; j++) {
            const cj = ctx[j]!;
            if (cj >= 0) m[base + cj]! += wt[i - 1 - j]!;
          }
          for (let j = i + 1; j <= i + W && j < c.length && !(c.flags[j]! & FLAG_DOC); j++) {
            const cj = ctx[j]!;
            if (cj >= 0) m[base + cj]! += wt[j - i]!;
          }
        }
      }
    }
  }
  log?.("ppmi: co-occurrences counted");
  // Context marginals from the diacritic-free rows (one per token position).
  const colSum = new Float64Array(C);
  for (let r = nAcc; r < nAcc + nPlain; r++) for (let j = 0; j < C; j++) colSum[j]! += m[r * C + j]!;
  let z = 0;
  const pc = new Float64Array(C);
  for (let j = 0; j < C; j++) {
    pc[j] = colSum[j]! ** o.alpha;
    z += pc[j]!;
  }
  for (let j = 0; j < C; j++) pc[j]! /= z;
  const logShift = Math.log(o.shift);
  const rowPtr = new Float64Array(R + 1);
  const rowSum = new Float64Array(R);
  let nnz = 0;
  for (let r = 0; r < R; r++) {
    let s = 0;
    for (let j = 0; j < C; j++) s += m[r * C + j]!;
    rowSum[r] = s;
    if (s > 0) {
      for (let j = 0; j < C; j++) {
        const x = m[r * C + j]!;
        if (x > 0 && Math.log(x / (s * pc[j]!)) - logShift > 0) nnz++;
      }
    }
    rowPtr[r + 1] = nnz;
  }
  const col = new Uint16Array(nnz);
  const val = new Float32Array(nnz);
  let p = 0;
  for (let r = 0; r < R; r++) {
    const s = rowSum[r]!;
    if (s <= 0) continue;
    for (let j = 0; j < C; j++) {
      const x = m[r * C + j]!;
      if (x <= 0) continue;
      const pmi = Math.log(x / (s * pc[j]!)) - logShift;
      if (pmi > 0) {
        col[p] = j;
        val[p] = pmi;
        p++;
      }
    }
  }
  log?.(`ppmi: ${R} rows × ${C} contexts, ${nnz} positive cells`);
  return { rows: R, cols: C, rowPtr, col, val };
}
