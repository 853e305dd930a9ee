/**
 * The head's input for one text: [mean embedding, max-pooled, min-pooled unit vectors], its
 * lexical features (TF-IDF) and the kind rule indicators. Training and inference both go through
 * this function.
 */
import { lexicalFeatures, sparseVector } from "./features.ts";
import type { HeadInput } from "./head.ts";
import { kindRuleVector } from "./kind-rules.ts";
import { tokenize } from "./normalize.ts";
import type { StaticEmbedder } from "./static-embedder.ts";

export interface FeatureSettings {
  /** L2 norm of the lexical block. */
  lexScale: number;
  /** Scale of the max/min pooled blocks. */
  poolScale: number;
  /** Only units with at least this SIF weight take part in max/min pooling. */
  poolMinWeight: number;
}

export interface FeatureSpace {
  settings: FeatureSettings;
  index: ReadonlyMap<string, number>;
  idf: ArrayLike<number>;
}

export interface Representation extends HeadInput {
  tokens: number;
  known: number;
}

/** Dense input size for an embedder of dimension `dim`. */
export const denseSize = (dim: number) => 3 * dim;

export function represent(embedder: StaticEmbedder, space: FeatureSpace, text: string): Representation {
  const tokens = tokenize(text);
  const s = space.settings;
  const e = embedder.poolTokens(tokens, s.poolMinWeight);
  const d = embedder.dim;
  const dense = new Float32Array(3 * d);
  dense.set(e.vector, 0);
  for (let j = 0; j < d; j++) {
    dense[d + j] = e.max[j]! * s.poolScale;
    dense[2 * d + j] = e.min[j]! * s.poolScale;
  }
  const { idx, val } = sparseVector(lexicalFeatures(tokens), space.index, space.idf, s.lexScale);
  return { dense, idx, val, rules: kindRuleVector(text, tokens), tokens: e.tokens, known: e.known };
}
