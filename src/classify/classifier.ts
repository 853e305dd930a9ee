/**
 * The topic classifier: vi-static embedding + lexical features → linear head → calibrated
 * probabilities over all topics, an abstention flag, and a kind hint (pakn / khieu_nai / to_cao).
 * Pure: give it the model bytes and the manifest (see node-loader.ts for reading them from disk).
 */
import { focusText } from "./focus.ts";
import { type HeadInput, type Heads, linearLogits, readHeads, softmax } from "./head.ts";
import { EXPLICIT_PRIOR, type Kind, RULE_NAMES } from "./kind-rules.ts";
import { bayesLogits } from "./lexical-bayes.ts";
import type { ModelManifest } from "./manifest.ts";
import { represent } from "./represent.ts";
import { StaticEmbedder } from "./static-embedder.ts";

/** A second topic at least this likely is reported as `alternative`. */
export const ALTERNATIVE_MIN = 0.2;

export interface ClassifierArtifact {
  manifest: ModelManifest;
  embedder: ArrayBuffer | Uint8Array;
  head: ArrayBuffer | Uint8Array;
}

export interface TopicScore {
  topic: string;
  confidence: number;
}

export interface Classification {
  /** Every topic with its calibrated probability, best first; the confidences sum to 1. */
  topics: TopicScore[];
  /** The best topic (even when abstained). */
  topic: string;
  confidence: number;
  /** True when the classifier is not confident enough: a person should pick the topic. */
  abstained: boolean;
  /**
   * The second-best topic when it is close — a calibrated probability of at least
   * ALTERNATIVE_MIN: the case may concern both fields, and an official should see the other one.
   */
  alternative: TopicScore | null;
  /** True when a long text was read by its parts (focus.ts). */
  focused: boolean;
  kind: { kind: Kind; confidence: number };
}

export interface Classifier {
  readonly id: string;
  readonly embedder: StaticEmbedder;
  readonly manifest: ModelManifest;
  classify(text: string): Promise<Classification>;
  classifySync(text: string): Classification;
}

export function createClassifier(artifact: ClassifierArtifact): Classifier {
  const { manifest } = artifact;
  const embedder = StaticEmbedder.fromBytes(artifact.embedder);
  const heads: Heads = readHeads(artifact.head);
  const s = manifest.classifier;
  if (heads.meta.embedderId !== embedder.id) {
    throw new Error(`classifier head was trained on ${heads.meta.embedderId}, not ${embedder.id}`);
  }
  if (heads.meta.topics.join() !== s.topics.join() || heads.meta.kinds.join() !== s.kinds.join()) {
    throw new Error("model manifest and classifier head disagree on the labels");
  }
  const focusWeight = s.focusWeight ?? 0;
  const bayes = heads.topicBayes;
  const bayesWeight = bayes ? (s.bayesWeight ?? 0) : 0;
  /** The topic logits: the linear head, plus the weighted naive Bayes evidence of the words. */
  const topicLogits = (x: HeadInput): Float64Array => {
    const z = linearLogits(heads.topic, x);
    if (bayes && bayesWeight > 0) {
      const zb = bayesLogits(bayes, x.idx);
      for (let k = 0; k < z.length; k++) z[k]! += bayesWeight * zb[k]!;
    }
    return z;
  };
  const priorIndex = RULE_NAMES.map((name) => {
    const kind = EXPLICIT_PRIOR[name];
    return kind ? heads.meta.kinds.indexOf(kind) : -1;
  });

  const classifySync = (text: string): Classification => {
    const x = represent(embedder, heads.space, text);
    const logits = topicLogits(x);
    const focus = focusWeight > 0 ? focusText(text) : null;
    if (focus) {
      const zf = topicLogits(represent(embedder, heads.space, focus));
      for (let k = 0; k < logits.length; k++)
        logits[k] = (1 - focusWeight) * logits[k]! + focusWeight * zf[k]!;
    }
    const p = softmax(logits, s.temperature);
    const topics = heads.meta.topics
      .map((topic, i) => ({ topic, confidence: p[i]! }))
      .sort((a, b) => b.confidence - a.confidence);
    const best = topics[0]!;
    const second = topics[1];
    const unknownWords = x.tokens === 0 || x.known < s.minKnownFraction * x.tokens;

    const kl = linearLogits(heads.kind, x);
    priorIndex.forEach((k, r) => {
      if (k >= 0 && x.rules[r]) kl[k]! += s.explicitKindPrior;
    });
    const kp = softmax(kl, s.kindTemperature);
    let kBest = 0;
    for (let k = 1; k < kp.length; k++) if (kp[k]! > kp[kBest]!) kBest = k;

    return {
      topics,
      topic: best.topic,
      confidence: best.confidence,
      abstained: unknownWords || best.confidence < s.threshold,
      alternative: second && second.confidence >= ALTERNATIVE_MIN ? second : null,
      focused: focus !== null,
      kind: { kind: heads.meta.kinds[kBest] as Kind, confidence: kp[kBest]! },
    };
  };

  return {
    id: `${embedder.id}+head@${heads.meta.version}`,
    embedder,
    manifest,
    classifySync,
    classify: async (text) => classifySync(text),
  };
}
