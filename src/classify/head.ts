/**
 * Linear heads on top of the text representation: logits = Wd·embedding + Ws·lexical + Wr·rules + b,
 * then a temperature-scaled softmax. Two heads share one file and one feature dictionary:
 * the topic head and the kind head. Pure, loads from bytes.
 */
import { readContainer, type SectionData, writeContainer } from "./container.ts";
import type { LexicalBayes } from "./lexical-bayes.ts";
import type { FeatureSettings, FeatureSpace } from "./represent.ts";

export const HEAD_MODEL_TYPE = "vi-classifier-head";

export interface HeadMeta {
  version: string;
  /** Embedder id the head was trained on, e.g. "vi-static@1.0.0". */
  embedderId: string;
  dim: number;
  topics: string[];
  kinds: string[];
  rules: string[];
  features: FeatureSettings;
  /** Present when the file holds the topic's naive Bayes log-probabilities (lexical-bayes.ts). */
  bayes?: { alpha: number; power: number };
}

/** One input: the embedding, the lexical feature indices/values, the rule indicators. */
export interface HeadInput {
  dense: Float32Array;
  idx: Int32Array;
  val: Float32Array;
  rules: Float32Array;
}

/** Weights of one linear head (row-major, classes × inputs). */
export interface LinearWeights {
  classes: number;
  dense: Float32Array; // classes × dim
  sparse: Float32Array; // features × classes
  rules: Float32Array; // classes × rules
  bias: Float32Array; // classes
}

export function linearLogits(
  w: LinearWeights,
  x: HeadInput,
  out = new Float64Array(w.classes),
): Float64Array {
  const K = w.classes;
  const d = x.dense.length;
  const r = x.rules.length;
  for (let k = 0; k < K; k++) {
    let s = w.bias[k]!;
    const o = k * d;
    for (let j = 0; j < d; j++) s += w.dense[o + j]! * x.dense[j]!;
    const ro = k * r;
    for (let j = 0; j < r; j++) s += w.rules[ro + j]! * x.rules[j]!;
    out[k] = s;
  }
  for (let p = 0; p < x.idx.length; p++) {
    const o = x.idx[p]! * K;
    const v = x.val[p]!;
    for (let k = 0; k < K; k++) out[k]! += w.sparse[o + k]! * v;
  }
  return out;
}

/** Softmax of logits / temperature; sums to 1. */
export function softmax(logits: ArrayLike<number>, temperature = 1): Float64Array {
  const out = new Float64Array(logits.length);
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]! / temperature);
  let z = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp(logits[i]! / temperature - max);
    z += out[i]!;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= z;
  return out;
}

export interface Heads {
  meta: HeadMeta;
  space: FeatureSpace;
  topic: LinearWeights;
  kind: LinearWeights;
  /** Naive Bayes over the lexical features for the topic, when the file has it. */
  topicBayes: LexicalBayes | null;
}

export function readHeads(bytes: ArrayBuffer | Uint8Array): Heads {
  const c = readContainer<HeadMeta>(bytes, HEAD_MODEL_TYPE);
  const features = new Map<string, number>();
  c.lines("features").forEach((f, i) => {
    features.set(f, i);
  });
  const head = (prefix: string, classes: number): LinearWeights => ({
    classes,
    dense: c.f32(`${prefix}.dense`),
    sparse: c.f32(`${prefix}.sparse`),
    rules: c.f32(`${prefix}.rules`),
    bias: c.f32(`${prefix}.bias`),
  });
  return {
    meta: c.meta,
    space: { settings: c.meta.features, index: features, idf: c.f32("idf") },
    topic: head("topic", c.meta.topics.length),
    kind: head("kind", c.meta.kinds.length),
    topicBayes:
      c.meta.bayes && c.has("topic.bayes")
        ? { classes: c.meta.topics.length, logProb: c.f32("topic.bayes"), power: c.meta.bayes.power }
        : null,
  };
}

export function writeHeads(
  meta: HeadMeta,
  features: readonly string[],
  idf: Float32Array,
  topic: LinearWeights,
  kind: LinearWeights,
  topicBayes?: Float32Array,
): Uint8Array {
  const sections: Record<string, SectionData> = { features, idf };
  for (const [prefix, w] of [
    ["topic", topic],
    ["kind", kind],
  ] as const) {
    sections[`${prefix}.dense`] = w.dense;
    sections[`${prefix}.sparse`] = w.sparse;
    sections[`${prefix}.rules`] = w.rules;
    sections[`${prefix}.bias`] = w.bias;
  }
  if (topicBayes) sections["topic.bayes"] = topicBayes;
  return writeContainer(HEAD_MODEL_TYPE, meta, sections);
}
