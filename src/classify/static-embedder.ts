/**
 * The project's own Vietnamese embedding model ("vi-static"): static vectors for accented
 * syllables, diacritic-free syllables, diacritic-free syllable bigrams and sub-syllable character
 * n-grams (for unseen syllables), stored as int8 rows with a per-row scale. A text's vector is the
 * SIF-weighted mean of its units, minus the corpus' common component, L2-normalised.
 *
 * Loads from bytes (ArrayBuffer/Uint8Array) and uses no Node APIs, so it runs on Workers too.
 */
import { readContainer } from "./container.ts";
import type { Embedder } from "./embedder.ts";
import { syllableNgrams } from "./ngrams.ts";
import { isMarkedText, type Token, tokenize } from "./normalize.ts";

export const STATIC_MODEL_TYPE = "vi-static-embedder";

export interface StaticEmbedderMeta {
  /** Model version, e.g. "1.0.0"; the embedder id is `vi-static@<version>`. */
  version: string;
  dim: number;
  ngramMin: number;
  ngramMax: number;
  /** Weight of an unseen syllable (its vector is the mean of its known n-grams). */
  oovWeight: number;
}

export interface TextVector {
  /** SIF-weighted mean of the text's units, common component removed, unit length (or zeros). */
  vector: Float32Array;
  /** Number of syllable tokens in the text. */
  tokens: number;
  /** Tokens found in the syllable vocabulary (the rest fall back to n-grams or nothing). */
  known: number;
}

export interface PooledVectors extends TextVector {
  /** Element-wise maximum and minimum over the unit vectors of the text's informative units. */
  max: Float32Array;
  min: Float32Array;
}

export class StaticEmbedder implements Embedder {
  readonly id: string;
  readonly dim: number;
  readonly meta: StaticEmbedderMeta;
  private readonly q: Int8Array;
  private readonly scale: Float32Array;
  private readonly weight: Float32Array;
  private readonly pc: Float32Array;
  private readonly accRow: Map<string, number>;
  private readonly plainRow: Map<string, number>;
  private readonly bigramRow: Map<string, number>;
  private readonly ngramRow: Map<string, number>;

  private constructor(bytes: ArrayBuffer | Uint8Array) {
    const c = readContainer<StaticEmbedderMeta>(bytes, STATIC_MODEL_TYPE);
    this.meta = c.meta;
    this.dim = c.meta.dim;
    this.id = `vi-static@${c.meta.version}`;
    this.q = c.i8("vectors");
    this.scale = c.f32("scales");
    this.weight = c.f32("weights");
    this.pc = c.f32("pc");
    let offset = 0;
    const index = (name: string): Map<string, number> => {
      const list = c.lines(name);
      const map = new Map<string, number>();
      list.forEach((key, i) => {
        map.set(key, offset + i);
      });
      offset += list.length;
      return map;
    };
    this.accRow = index("acc");
    this.plainRow = index("plain");
    this.bigramRow = index("bigram");
    this.ngramRow = index("ngram");
    if (offset * this.dim !== this.q.length || offset !== this.scale.length) {
      throw new Error("vi-static model file is inconsistent (row counts differ)");
    }
  }

  static fromBytes(bytes: ArrayBuffer | Uint8Array): StaticEmbedder {
    return new StaticEmbedder(bytes);
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.embedText(t).vector);
  }

  embedText(text: string): TextVector {
    return this.embedTokens(tokenize(text));
  }

  /** Row index of a unit: "acc:đât1", "plain:dat", "bigram:thu hoi", "ngram:<da" (tests, tools). */
  rowOf(key: string): number | undefined {
    const [kind, ...rest] = key.split(":");
    const name = rest.join(":");
    const map = { acc: this.accRow, plain: this.plainRow, bigram: this.bigramRow, ngram: this.ngramRow }[
      kind ?? ""
    ];
    return map?.get(name);
  }

  /** Dequantised (unit-length) vector of a row. */
  rowVector(row: number): Float32Array {
    const out = new Float32Array(this.dim);
    const s = this.scale[row]!;
    for (let j = 0; j < this.dim; j++) out[j] = this.q[row * this.dim + j]! * s;
    return out;
  }

  embedTokens(tokens: readonly Token[]): TextVector {
    return this.pool(tokens, null);
  }

  /**
   * Like embedTokens, plus element-wise max/min pooling over the vectors of the units whose SIF
   * weight is at least `minWeight` (informative words; frequent function words are left out).
   */
  poolTokens(tokens: readonly Token[], minWeight: number): PooledVectors {
    return this.pool(tokens, minWeight) as PooledVectors;
  }

  private pool(tokens: readonly Token[], minWeight: number | null): TextVector | PooledVectors {
    const dim = this.dim;
    const sum = new Float32Array(dim);
    const max = minWeight === null ? null : new Float32Array(dim);
    const min = minWeight === null ? null : new Float32Array(dim);
    const add = (row: number, w: number, poolable = true) => {
      const f = w * this.scale[row]!;
      const o = row * dim;
      for (let j = 0; j < dim; j++) sum[j]! += f * this.q[o + j]!;
      if (poolable && max && min && this.weight[row]! >= minWeight!) {
        const s = this.scale[row]!;
        for (let j = 0; j < dim; j++) {
          const v = this.q[o + j]! * s;
          if (v > max[j]!) max[j] = v;
          if (v < min[j]!) min[j] = v;
        }
      }
    };
    const marked = isMarkedText(tokens);
    let known = 0;
    let any = false;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      const row = (marked ? this.accRow.get(t.acc) : undefined) ?? this.plainRow.get(t.plain);
      if (row !== undefined) {
        add(row, this.weight[row]!);
        known++;
        any = true;
      } else {
        const rows: number[] = [];
        for (const g of syllableNgrams(t.plain, this.meta.ngramMin, this.meta.ngramMax)) {
          const r = this.ngramRow.get(g);
          if (r !== undefined) rows.push(r);
        }
        for (const r of rows) add(r, this.meta.oovWeight / rows.length, false);
        if (rows.length) any = true;
      }
      if (i > 0 && !t.breakBefore) {
        const b = this.bigramRow.get(`${tokens[i - 1]!.plain} ${t.plain}`);
        if (b !== undefined) add(b, this.weight[b]!);
      }
    }
    if (any) {
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += sum[j]! * this.pc[j]!;
      let norm = 0;
      for (let j = 0; j < dim; j++) {
        sum[j]! -= dot * this.pc[j]!;
        norm += sum[j]! * sum[j]!;
      }
      norm = Math.sqrt(norm);
      if (norm > 0) for (let j = 0; j < dim; j++) sum[j]! /= norm;
      else sum.fill(0);
    }
    const out: TextVector = { vector: sum, tokens: tokens.length, known };
    return max && min ? { ...out, max, min } : out;
  }
}
