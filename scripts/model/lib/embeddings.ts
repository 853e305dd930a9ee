/**
 * Trains the vi-static embedding model from an encoded corpus:
 * PPMI over weighted co-occurrences → randomized SVD → unit rows; character n-gram vectors fitted
 * to the syllable vectors by ridge regression (conjugate gradient); SIF weights; common component.
 */
import { quantizeRows, writeContainer } from "../../../src/classify/container.ts";
import { syllableNgrams } from "../../../src/classify/ngrams.ts";
import type { Token } from "../../../src/classify/normalize.ts";
import {
  STATIC_MODEL_TYPE,
  StaticEmbedder,
  type StaticEmbedderMeta,
} from "../../../src/classify/static-embedder.ts";
import { buildVocab, type PpmiOptions, ppmiMatrix, type VocabOptions } from "./cooc.ts";
import { type EncodedCorpus, FLAG_BREAK, FLAG_DOC } from "./corpus.ts";
import { randomizedSvd } from "./linalg.ts";
import { Prng } from "./prng.ts";

export interface EmbeddingOptions extends VocabOptions, PpmiOptions {
  version: string;
  dim: number;
  powerIterations: number;
  /** Singular value weighting exponent p in U·Σ^p. */
  eigenPower: number;
  /** SIF smoothing constant a in a / (a + p(unit)). */
  sifA: number;
  ngramMin: number;
  ngramMax: number;
  ngramRidge: number;
  ngramIterations: number;
  oovWeight: number;
  /** Windows of corpus text used to estimate the common component. */
  pcSamples: number;
  seed: number;
}

export const DEFAULT_EMBEDDING_OPTIONS: EmbeddingOptions = {
  version: "1.0.0",
  dim: 128,
  maxAcc: 12000,
  maxPlain: 8000,
  maxBigrams: 40000,
  maxContexts: 3000,
  minCount: 5,
  minBigramCount: 10,
  minBigramPmi: 1,
  window: 12,
  weighting: "uniform",
  alpha: 0.75,
  shift: 1,
  powerIterations: 3,
  eigenPower: 0.5,
  sifA: 1e-3,
  ngramMin: 2,
  ngramMax: 4,
  ngramRidge: 0.1,
  ngramIterations: 60,
  oovWeight: 0.5,
  pcSamples: 4000,
  seed: 20240601,
};

function normalizeRows(x: Float32Array, rows: number, dim: number): void {
  for (let r = 0; r < rows; r++) {
    let n = 0;
    for (let j = 0; j < dim; j++) n += x[r * dim + j]! ** 2;
    n = Math.sqrt(n);
    if (n > 0) for (let j = 0; j < dim; j++) x[r * dim + j]! /= n;
  }
}

/**
 * Ridge regression of n-gram vectors G so that the mean of a syllable's n-gram vectors matches
 * its vector: min Σ_s ||A_s G - v_s||² + λ||G||², solved by conjugate gradient per dimension.
 */
function fitNgrams(
  syllables: readonly string[],
  vectors: Float32Array,
  firstRow: number,
  dim: number,
  o: EmbeddingOptions,
): { names: string[]; values: Float32Array } {
  const index = new Map<string, number>();
  const names: string[] = [];
  const lists: number[][] = syllables.map((s) =>
    syllableNgrams(s, o.ngramMin, o.ngramMax).map((g) => {
      let i = index.get(g);
      if (i === undefined) {
        i = names.length;
        index.set(g, i);
        names.push(g);
      }
      return i;
    }),
  );
  const G = names.length;
  const S = syllables.length;
  // Operator: x ↦ Aᵀ A x + λ x, with A_s = (1/|s|) Σ_{g∈s} e_g.
  const apply = (x: Float64Array, out: Float64Array) => {
    out.fill(0);
    const tmp = new Float64Array(dim);
    for (let s = 0; s < S; s++) {
      const l = lists[s]!;
      if (!l.length) continue;
      tmp.fill(0);
      const f = 1 / l.length;
      for (const g of l) for (let j = 0; j < dim; j++) tmp[j]! += f * x[g * dim + j]!;
      for (const g of l) for (let j = 0; j < dim; j++) out[g * dim + j]! += f * tmp[j]!;
    }
    for (let i = 0; i < x.length; i++) out[i]! += o.ngramRidge * x[i]!;
  };
  const b = new Float64Array(G * dim);
  for (let s = 0; s < S; s++) {
    const l = lists[s]!;
    const f = 1 / Math.max(l.length, 1);
    const vo = (firstRow + s) * dim;
    for (const g of l) for (let j = 0; j < dim; j++) b[g * dim + j]! += f * vectors[vo + j]!;
  }
  // Conjugate gradient, independently per column (dimension), vectorised.
  const x = new Float64Array(G * dim);
  const r = Float64Array.from(b);
  const p = Float64Array.from(b);
  const ap = new Float64Array(G * dim);
  const rr = new Float64Array(dim);
  for (let i = 0; i < G; i++) for (let j = 0; j < dim; j++) rr[j]! += r[i * dim + j]! ** 2;
  for (let it = 0; it < o.ngramIterations; it++) {
    apply(p, ap);
    const pap = new Float64Array(dim);
    for (let i = 0; i < G; i++) for (let j = 0; j < dim; j++) pap[j]! += p[i * dim + j]! * ap[i * dim + j]!;
    const alpha = new Float64Array(dim);
    for (let j = 0; j < dim; j++) alpha[j] = pap[j]! > 0 ? rr[j]! / pap[j]! : 0;
    const rrNew = new Float64Array(dim);
    for (let i = 0; i < G; i++) {
      for (let j = 0; j < dim; j++) {
        x[i * dim + j]! += alpha[j]! * p[i * dim + j]!;
        r[i * dim + j]! -= alpha[j]! * ap[i * dim + j]!;
        rrNew[j]! += r[i * dim + j]! ** 2;
      }
    }
    for (let i = 0; i < G; i++) {
      for (let j = 0; j < dim; j++) {
        const beta = rr[j]! > 0 ? rrNew[j]! / rr[j]! : 0;
        p[i * dim + j] = r[i * dim + j]! + beta * p[i * dim + j]!;
      }
    }
    rr.set(rrNew);
  }
  return { names, values: Float32Array.from(x) };
}

export interface TrainedEmbedding {
  bytes: Uint8Array;
  stats: Record<string, number>;
}

function encode(
  meta: StaticEmbedderMeta,
  lists: { acc: string[]; plain: string[]; bigram: string[]; ngram: string[] },
  vectors: Float32Array,
  weights: Float32Array,
  pc: Float32Array,
): Uint8Array {
  const rows = weights.length;
  const { q, scale } = quantizeRows(vectors, rows, meta.dim);
  return writeContainer(STATIC_MODEL_TYPE, meta, {
    acc: lists.acc,
    plain: lists.plain,
    bigram: lists.bigram,
    ngram: lists.ngram,
    vectors: q,
    scales: scale,
    weights,
    pc,
  });
}

export function trainEmbedding(
  c: EncodedCorpus,
  o: EmbeddingOptions,
  log?: (m: string) => void,
): TrainedEmbedding {
  const prng = new Prng(o.seed);
  const vocab = buildVocab(c, o);
  log?.(
    `vocab: ${vocab.acc.length} accented, ${vocab.plain.length} plain, ${vocab.bigram.length} bigrams, ${vocab.contexts} contexts`,
  );
  const a = ppmiMatrix(c, vocab, o, log);
  const dim = Math.min(o.dim, a.cols, a.rows);
  const { u, s } = randomizedSvd(a, dim, prng, { powerIterations: o.powerIterations, log });
  const R = vocab.rows;
  const units = new Float32Array(R * dim);
  for (let r = 0; r < R; r++) {
    for (let j = 0; j < dim; j++) units[r * dim + j] = u[r * dim + j]! * s[j]! ** o.eigenPower;
  }
  normalizeRows(units, R, dim);
  const nAcc = vocab.acc.length;
  const nPlain = vocab.plain.length;
  const ng = fitNgrams(vocab.plain, units, nAcc, dim, o);
  log?.(`ngrams: ${ng.names.length} fitted`);
  const total = R + ng.names.length;
  const vectors = new Float32Array(total * dim);
  vectors.set(units, 0);
  vectors.set(ng.values, R * dim);
  const weights = new Float32Array(total);
  const counts = [...vocab.accCount, ...vocab.plainCount, ...vocab.bigramCount];
  counts.forEach((n, i) => {
    weights[i] = o.sifA / (o.sifA + n / vocab.totalTokens);
  });
  for (let i = R; i < total; i++) weights[i] = o.oovWeight;
  const meta: StaticEmbedderMeta = {
    version: o.version,
    dim,
    ngramMin: o.ngramMin,
    ngramMax: o.ngramMax,
    oovWeight: o.oovWeight,
  };
  const lists = { acc: vocab.acc, plain: vocab.plain, bigram: vocab.bigram, ngram: ng.names };
  // Common component: first principal direction of sentence vectors (SIF), from the model as shipped.
  const draft = StaticEmbedder.fromBytes(encode(meta, lists, vectors, weights, new Float32Array(dim)));
  const pc = commonComponent(draft, c, o.pcSamples, dim, prng);
  const bytes = encode(meta, lists, vectors, weights, pc);
  return {
    bytes,
    stats: {
      rows: total,
      accented: nAcc,
      plain: nPlain,
      bigrams: vocab.bigram.length,
      ngrams: ng.names.length,
      contexts: vocab.contexts,
      ppmiNonZero: a.col.length,
      dim,
    },
  };
}

/** Token windows from the corpus, both as written and stripped, embedded; top eigenvector of XᵀX. */
function commonComponent(
  e: StaticEmbedder,
  c: EncodedCorpus,
  samples: number,
  dim: number,
  prng: Prng,
): Float32Array {
  const xs: Float32Array[] = [];
  const span = 24;
  for (let s = 0; s < samples && c.length > span; s++) {
    let start = prng.int(c.length - span);
    while (start > 0 && !(c.flags[start]! & FLAG_BREAK)) start--;
    const toks: Token[] = [];
    for (let i = start; i < Math.min(c.length, start + span); i++) {
      if (i > start && c.flags[i]! & FLAG_DOC) break;
      const t = c.ids[i]!;
      const plain = c.plains[c.typePlain[t]!]!;
      const stripped = s % 2 === 1;
      toks.push({
        acc: c.typeAcc[t]!,
        plain,
        marked: !stripped,
        breakBefore: i === start || (c.flags[i]! & FLAG_BREAK) !== 0,
      });
    }
    const v = e.embedTokens(toks).vector;
    if (v.some((x) => x !== 0)) xs.push(v);
  }
  const pc = new Float32Array(dim);
  if (!xs.length) return pc;
  // Power iteration on XᵀX.
  let v = new Float64Array(dim).fill(1 / Math.sqrt(dim));
  for (let it = 0; it < 100; it++) {
    const next = new Float64Array(dim);
    for (const x of xs) {
      let d = 0;
      for (let j = 0; j < dim; j++) d += x[j]! * v[j]!;
      for (let j = 0; j < dim; j++) next[j]! += d * x[j]!;
    }
    let n = 0;
    for (let j = 0; j < dim; j++) n += next[j]! ** 2;
    n = Math.sqrt(n);
    if (n === 0) break;
    for (let j = 0; j < dim; j++) next[j]! /= n;
    v = next;
  }
  for (let j = 0; j < dim; j++) pc[j] = v[j]!;
  return pc;
}
