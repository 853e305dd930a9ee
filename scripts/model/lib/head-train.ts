/**
 * Trains the topic and kind heads on the labelled training examples, choosing regularisation,
 * the softmax temperatures and the abstention threshold by stratified k-fold cross-validation on
 * the training examples only. Every example is also used stripped of its diacritics.
 */
import { lexicalFeatures } from "../../../src/classify/features.ts";
import {
  type HeadInput,
  type HeadMeta,
  type LinearWeights,
  linearLogits,
  writeHeads,
} from "../../../src/classify/head.ts";
import { EXPLICIT_PRIOR, KINDS, RULE_NAMES } from "../../../src/classify/kind-rules.ts";
import { bayesLogits, fitBayes } from "../../../src/classify/lexical-bayes.ts";
import type { ClassifierSettings } from "../../../src/classify/manifest.ts";
import { stripDiacritics, tokenize } from "../../../src/classify/normalize.ts";
import {
  denseSize,
  type FeatureSettings,
  type FeatureSpace,
  represent,
} from "../../../src/classify/represent.ts";
import type { StaticEmbedder } from "../../../src/classify/static-embedder.ts";
import { type AugmentOptions, augmentExamples, DEFAULT_AUGMENT_OPTIONS } from "./augment.ts";
import { trainLogReg } from "./logreg.ts";
import { argmax, expectedCalibrationError, fitTemperature, operatingPoint, scores } from "./metrics.ts";
import { Prng } from "./prng.ts";

export interface Example {
  text: string;
  topic: string;
  kind?: string;
}

export interface HeadOptions {
  version: string;
  folds: number;
  seed: number;
  /** L2 strengths tried for the topic head's lexical weights. */
  l2Grid: number[];
  /**
   * L2 strengths tried for the topic head's dense (embedding) weights, crossed with `l2Grid`.
   * The dense block has few, strongly correlated inputs: it wants more regularisation.
   */
  l2DenseGrid: number[];
  l2Rules: number;
  kindL2Grid: number[];
  kindPriorGrid: number[];
  /** Lower bound for the explicit-kind prior (the rules always count for something). */
  kindPriorFloor: number;
  maxIterations: number;
  /** Keep lexical features seen in at least this many training examples. */
  minFeatureCount: number;
  features: FeatureSettings;
  /**
   * Cost of asking the citizen to pick the topic, relative to the cost of routing a case to the
   * wrong agency (a transfer, days lost). With calibrated probabilities the classifier answers
   * when p(right) · 0 + (1 − p) · 1 < this cost, i.e. abstains below 1 − askCost.
   */
  askCost: number;
  minKnownFraction: number;
  /** Framed copies of training examples in the genres of published petitions (augment.ts). */
  augment: AugmentOptions;
  /**
   * Weight of the focus part (the sentences that raise the matter or make the request) of a
   * long letter against the whole text, at inference (src/classify/focus.ts).
   */
  focusWeight: number;
  /** Additive smoothing of the naive Bayes word counts (lexical-bayes.ts). */
  bayesAlpha: number;
  /** The naive Bayes sum over a text's features is divided by (features) ** bayesPower. */
  bayesPower: number;
  /** Weights of the naive Bayes evidence tried by CV (0 = the linear head alone). */
  bayesWeightGrid: number[];
}

export const DEFAULT_HEAD_OPTIONS: HeadOptions = {
  version: "1.0.0",
  folds: 5,
  seed: 7,
  // Chosen by 5-fold CV over {3e-6, 1e-5} × {1e-4, 3e-4} for model 1.0.0 (macro-F1 0.858 vs
  // ≤ 0.853); fixed since, as each grid point costs ~5 minutes on one core. Widen to re-search.
  l2Grid: [1e-5],
  l2DenseGrid: [3e-4],
  l2Rules: 1e-3,
  kindL2Grid: [1e-4],
  kindPriorGrid: [0, 1, 2, 3],
  kindPriorFloor: 1,
  maxIterations: 300,
  minFeatureCount: 2,
  features: { lexScale: 2, poolScale: 0.5, poolMinWeight: 0.2 },
  askCost: 0.25,
  minKnownFraction: 0.5,
  augment: DEFAULT_AUGMENT_OPTIONS,
  focusWeight: 0.5,
  bayesAlpha: 0.3,
  bayesPower: 0.5,
  bayesWeightGrid: [0, 0.25, 0.5, 0.75, 1, 1.5, 2],
};

interface Prepared {
  x: HeadInput;
  xs: HeadInput;
  topic: number;
  kind: number; // -1 when unknown
  fold: number; // -1: always in training (topic descriptions)
  /** A framed copy (augment.ts): trained on in its source's fold, never scored. */
  aug?: boolean;
}

function stratifiedFolds(labels: readonly number[], folds: number, prng: Prng): number[] {
  const byClass = new Map<number, number[]>();
  labels.forEach((y, i) => {
    byClass.set(y, [...(byClass.get(y) ?? []), i]);
  });
  const out = new Array<number>(labels.length).fill(0);
  let offset = 0;
  for (const y of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = prng.shuffle([...byClass.get(y)!]);
    idx.forEach((i, p) => {
      out[i] = (p + offset) % folds;
    });
    offset += idx.length;
  }
  return out;
}

interface CvResult {
  logits: Float64Array[];
  /** Out-of-fold naive Bayes logits (topic head only; empty otherwise). */
  bayes: Float64Array[];
  gold: number[];
  stripped: boolean[];
}

/** Naive Bayes is fitted on the examples as written and the topic texts, never on framed copies. */
const bayesRows = (rows: readonly Prepared[], label: (p: Prepared) => number) =>
  rows.filter((p) => !p.aug).map((p) => ({ idx: p.x.idx, label: label(p) }));

function crossValidate(
  data: readonly Prepared[],
  label: (p: Prepared) => number,
  classes: number,
  dim: number,
  features: number,
  o: HeadOptions,
  l2Dense: number,
  l2Sparse: number,
  bayes?: { alpha: number; power: number },
): CvResult {
  const res: CvResult = { logits: [], bayes: [], gold: [], stripped: [] };
  for (let f = 0; f < o.folds; f++) {
    const train = data.filter((p) => p.fold !== f && label(p) >= 0);
    const test = data.filter((p) => p.fold === f && !p.aug && label(p) >= 0);
    if (!test.length) continue;
    const xs = train.flatMap((p) => [p.x, p.xs]);
    const ys = train.flatMap((p) => [label(p), label(p)]);
    const w = trainLogReg(xs, ys, {
      classes,
      dim,
      features,
      rules: RULE_NAMES.length,
      l2Dense,
      l2Sparse,
      l2Rules: o.l2Rules,
      maxIterations: o.maxIterations,
    });
    const nb = bayes && {
      classes,
      power: bayes.power,
      logProb: fitBayes(bayesRows(train, label), features, classes, bayes.alpha),
    };
    for (const p of test) {
      for (const [x, stripped] of [
        [p.x, false],
        [p.xs, true],
      ] as const) {
        res.logits.push(linearLogits(w, x));
        if (nb) res.bayes.push(bayesLogits(nb, x.idx));
        res.gold.push(label(p));
        res.stripped.push(stripped);
      }
    }
  }
  return res;
}

function addPrior(
  logits: readonly Float64Array[],
  rules: readonly Float32Array[],
  kinds: readonly string[],
  beta: number,
) {
  return logits.map((z, i) => {
    const out = Float64Array.from(z);
    RULE_NAMES.forEach((name, r) => {
      const kind = EXPLICIT_PRIOR[name];
      if (kind && rules[i]![r]) out[kinds.indexOf(kind)]! += beta;
    });
    return out;
  });
}

export interface TrainedHeads {
  bytes: Uint8Array;
  settings: ClassifierSettings;
  crossValidation: Record<string, unknown>;
  features: number;
}

export function trainHeads(
  embedder: StaticEmbedder,
  examples: readonly Example[],
  topicList: readonly { id: string; text: string }[],
  o: HeadOptions,
  log?: (m: string) => void,
): TrainedHeads {
  const topics = topicList.map((t) => t.id);
  const kinds = [...KINDS] as string[];
  const topicIndex = new Map(topics.map((t, i) => [t, i]));
  for (const e of examples) {
    if (!topicIndex.has(e.topic))
      throw new Error(`example has an unknown topic "${e.topic}": ${e.text.slice(0, 60)}`);
  }
  // Lexical feature dictionary (diacritic-free, so identical for stripped text).
  const df = new Map<string, number>();
  const texts = [...examples.map((e) => e.text), ...topicList.map((t) => t.text)];
  for (const text of texts) {
    for (const f of lexicalFeatures(tokenize(text))) df.set(f, (df.get(f) ?? 0) + 1);
  }
  const featureNames = [...df.entries()]
    .filter(([, n]) => n >= o.minFeatureCount)
    .map(([f]) => f)
    .sort();
  const idf = Float32Array.from(featureNames, (f) => Math.log((texts.length + 1) / (df.get(f)! + 1)) + 1);
  const featureIndex: FeatureSpace = {
    settings: o.features,
    index: new Map(featureNames.map((f, i) => [f, i])),
    idf,
  };
  log?.(`heads: ${examples.length} examples, ${featureNames.length} lexical features`);

  const prng = new Prng(o.seed);
  const folds = stratifiedFolds(
    examples.map((e) => topicIndex.get(e.topic)!),
    o.folds,
    prng,
  );
  const data: Prepared[] = examples.map((e, i) => ({
    x: represent(embedder, featureIndex, e.text),
    xs: represent(embedder, featureIndex, stripDiacritics(e.text)),
    topic: topicIndex.get(e.topic)!,
    kind: e.kind ? kinds.indexOf(e.kind) : -1,
    fold: folds[i]!,
  }));
  const framed = augmentExamples(examples, o.augment);
  for (const { example: e, source } of framed) {
    data.push({
      x: represent(embedder, featureIndex, e.text),
      xs: represent(embedder, featureIndex, stripDiacritics(e.text)),
      topic: topicIndex.get(e.topic)!,
      kind: e.kind ? kinds.indexOf(e.kind) : -1,
      fold: folds[source]!,
      aug: true,
    });
  }
  log?.(`heads: ${framed.length} framed copies (augment.ts)`);
  for (const t of topicList) {
    data.push({
      x: represent(embedder, featureIndex, t.text),
      xs: represent(embedder, featureIndex, stripDiacritics(t.text)),
      topic: topicIndex.get(t.id)!,
      kind: -1,
      fold: -1,
    });
  }
  const dim = denseSize(embedder.dim);
  const F = featureNames.length;

  // Topic head: regularisation and the weight of the naive Bayes evidence by CV macro-F1 (ties go
  // to the smaller weight: the grid starts at 0, the linear head alone).
  const bayesOptions = { alpha: o.bayesAlpha, power: o.bayesPower };
  let best: { l2Dense: number; l2Sparse: number; bayesWeight: number; cv: CvResult; f1: number } | null =
    null;
  for (const l2Sparse of [...o.l2Grid].sort((a, b) => b - a)) {
    for (const l2Dense of [...o.l2DenseGrid].sort((a, b) => b - a)) {
      const raw = crossValidate(
        data,
        (p) => p.topic,
        topics.length,
        dim,
        F,
        o,
        l2Dense,
        l2Sparse,
        bayesOptions,
      );
      for (const bayesWeight of o.bayesWeightGrid) {
        const cv = {
          ...raw,
          logits: raw.logits.map((z, i) => z.map((v, k) => v + bayesWeight * raw.bayes[i]![k]!)),
        };
        const f1 = scores(topics, cv.gold, cv.logits.map(argmax)).macroF1;
        log?.(
          `heads: topic CV l2Dense=${l2Dense} l2Sparse=${l2Sparse} bayesWeight=${bayesWeight} macro-F1=${f1.toFixed(4)}`,
        );
        if (!best || f1 > best.f1 + 1e-9) best = { l2Dense, l2Sparse, bayesWeight, cv, f1 };
      }
    }
  }
  const chosen = best!;
  const temperature = fitTemperature(chosen.cv.logits, chosen.cv.gold);
  const conf = chosen.cv.logits.map((z) => {
    const m = Math.max(...z);
    let s = 0;
    for (const v of z) s += Math.exp((v - m) / temperature);
    return 1 / s;
  });
  const pred = chosen.cv.logits.map(argmax);
  const correct = pred.map((p, i) => p === chosen.cv.gold[i]);
  // The threshold follows from the costs, not from a target: the temperature (fitted on the
  // out-of-fold predictions) makes the confidence a probability of being right.
  const op = operatingPoint(conf, correct, Math.round((1 - o.askCost) * 100) / 100);
  const split = (stripped: boolean) => {
    const idx = chosen.cv.gold.map((_, i) => i).filter((i) => chosen.cv.stripped[i] === stripped);
    const s = scores(
      topics,
      idx.map((i) => chosen.cv.gold[i]!),
      idx.map((i) => pred[i]!),
    );
    const o2 = operatingPoint(
      idx.map((i) => conf[i]!),
      idx.map((i) => correct[i]!),
      op.threshold,
    );
    return { accuracy: s.accuracy, macroF1: s.macroF1, coverage: o2.coverage, precision: o2.precision };
  };
  log?.(
    `heads: topic T=${temperature} threshold=${op.threshold} CV coverage=${op.coverage.toFixed(4)} precision=${op.precision.toFixed(4)}`,
  );

  // Kind head.
  const kindData = data.filter((p) => p.kind >= 0);
  let kindBest: {
    l2Dense: number;
    l2Sparse: number;
    beta: number;
    t: number;
    acc: number;
    nll: number;
  } | null = null;
  let kindCvSummary: Record<string, unknown> = {};
  if (kindData.length) {
    for (const l2Sparse of o.kindL2Grid) {
      for (const l2Dense of [l2Sparse]) {
        const cv = crossValidate(kindData, (p) => p.kind, kinds.length, dim, F, o, l2Dense, l2Sparse);
        // The rule vectors of the OOF rows, in the same order as crossValidate emits them.
        const rules: Float32Array[] = [];
        for (let f = 0; f < o.folds; f++) {
          for (const p of kindData.filter((q) => q.fold === f && !q.aug)) rules.push(p.x.rules, p.xs.rules);
        }
        for (const beta of o.kindPriorGrid) {
          const logits = addPrior(cv.logits, rules, kinds, Math.max(beta, o.kindPriorFloor));
          const t = fitTemperature(logits, cv.gold);
          const acc = scores(kinds, cv.gold, logits.map(argmax)).accuracy;
          let nllSum = 0;
          logits.forEach((z, i) => {
            const m = Math.max(...z);
            let s = 0;
            for (const v of z) s += Math.exp((v - m) / t);
            nllSum -= (z[cv.gold[i]!]! - m) / t - Math.log(s);
          });
          const nllMean = nllSum / logits.length;
          log?.(
            `heads: kind CV l2Dense=${l2Dense} l2Sparse=${l2Sparse} prior=${Math.max(beta, o.kindPriorFloor)} accuracy=${acc.toFixed(4)}`,
          );
          if (
            !kindBest ||
            acc > kindBest.acc + 1e-9 ||
            (Math.abs(acc - kindBest.acc) <= 1e-9 && nllMean < kindBest.nll)
          ) {
            kindBest = { l2Dense, l2Sparse, beta: Math.max(beta, o.kindPriorFloor), t, acc, nll: nllMean };
            const s = scores(kinds, cv.gold, logits.map(argmax));
            kindCvSummary = { accuracy: s.accuracy, macroF1: s.macroF1, perClass: s.perClass };
          }
        }
      }
    }
  }

  const train = (
    label: (p: Prepared) => number,
    classes: number,
    l2Dense: number,
    l2Sparse: number,
  ): LinearWeights => {
    const rows = data.filter((p) => label(p) >= 0);
    return trainLogReg(
      rows.flatMap((p) => [p.x, p.xs]),
      rows.flatMap((p) => [label(p), label(p)]),
      {
        classes,
        dim,
        features: F,
        rules: RULE_NAMES.length,
        l2Dense,
        l2Sparse,
        l2Rules: o.l2Rules,
        maxIterations: o.maxIterations,
      },
    );
  };
  const topicWeights = train((p) => p.topic, topics.length, chosen.l2Dense, chosen.l2Sparse);
  const topicBayes =
    chosen.bayesWeight > 0
      ? fitBayes(
          bayesRows(data, (p) => p.topic),
          F,
          topics.length,
          o.bayesAlpha,
        )
      : undefined;
  const kb = kindBest ?? { l2Dense: 1e-3, l2Sparse: 1e-3, beta: o.kindPriorFloor, t: 1, acc: 0, nll: 0 };
  const kindWeights = train((p) => p.kind, kinds.length, kb.l2Dense, kb.l2Sparse);
  const meta: HeadMeta = {
    version: o.version,
    embedderId: embedder.id,
    dim: embedder.dim,
    topics,
    kinds,
    rules: [...RULE_NAMES],
    features: o.features,
    ...(topicBayes ? { bayes: bayesOptions } : {}),
  };
  const bytes = writeHeads(meta, featureNames, idf, topicWeights, kindWeights, topicBayes);
  const settings: ClassifierSettings = {
    topics,
    kinds,
    temperature,
    kindTemperature: kb.t,
    threshold: op.threshold,
    minKnownFraction: o.minKnownFraction,
    explicitKindPrior: kb.beta,
    focusWeight: o.focusWeight,
    bayesWeight: chosen.bayesWeight,
  };
  const crossValidation = {
    folds: o.folds,
    examples: examples.length,
    topic: {
      l2Dense: chosen.l2Dense,
      l2Sparse: chosen.l2Sparse,
      bayesWeight: chosen.bayesWeight,
      macroF1: chosen.f1,
      accuracy: scores(topics, chosen.cv.gold, pred).accuracy,
      threshold: op.threshold,
      coverage: op.coverage,
      precisionAtThreshold: op.precision,
      expectedCalibrationError: expectedCalibrationError(conf, correct),
      normal: split(false),
      stripped: split(true),
    },
    kind: kindBest
      ? { l2Dense: kb.l2Dense, l2Sparse: kb.l2Sparse, prior: kb.beta, temperature: kb.t, ...kindCvSummary }
      : null,
  };
  return { bytes, settings, crossValidation, features: F };
}
