/** Classification metrics, temperature scaling and the abstention threshold. */
import { softmax } from "../../../src/classify/head.ts";

export interface PerClass {
  label: string;
  support: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface Scores {
  n: number;
  accuracy: number;
  macroF1: number;
  perClass: PerClass[];
}

export function scores(labels: readonly string[], gold: readonly number[], pred: readonly number[]): Scores {
  const K = labels.length;
  const tp = new Array(K).fill(0);
  const fp = new Array(K).fill(0);
  const fn = new Array(K).fill(0);
  let correct = 0;
  gold.forEach((g, i) => {
    const p = pred[i]!;
    if (g === p) {
      tp[g]++;
      correct++;
    } else {
      fp[p]++;
      fn[g]++;
    }
  });
  const perClass = labels.map((label, k) => {
    const precision = tp[k] + fp[k] ? tp[k] / (tp[k] + fp[k]) : 0;
    const recall = tp[k] + fn[k] ? tp[k] / (tp[k] + fn[k]) : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, support: tp[k] + fn[k], precision, recall, f1 };
  });
  const present = perClass.filter((c) => c.support > 0);
  return {
    n: gold.length,
    accuracy: gold.length ? correct / gold.length : 0,
    macroF1: present.length ? present.reduce((s, c) => s + c.f1, 0) / present.length : 0,
    perClass,
  };
}

export const argmax = (v: ArrayLike<number>): number => {
  let b = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[b]!) b = i;
  return b;
};

/** Mean negative log-likelihood of softmax(logits / T). */
export function nll(logits: readonly ArrayLike<number>[], gold: readonly number[], t: number): number {
  let s = 0;
  logits.forEach((z, i) => {
    s -= Math.log(Math.max(softmax(z, t)[gold[i]!]!, 1e-300));
  });
  return s / Math.max(logits.length, 1);
}

/** Temperature minimising the NLL (golden-section search on log T). */
export function fitTemperature(logits: readonly ArrayLike<number>[], gold: readonly number[]): number {
  let a = Math.log(0.05);
  let b = Math.log(20);
  const phi = (Math.sqrt(5) - 1) / 2;
  let c = b - phi * (b - a);
  let d = a + phi * (b - a);
  let fc = nll(logits, gold, Math.exp(c));
  let fd = nll(logits, gold, Math.exp(d));
  for (let i = 0; i < 60; i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - phi * (b - a);
      fc = nll(logits, gold, Math.exp(c));
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + phi * (b - a);
      fd = nll(logits, gold, Math.exp(d));
    }
  }
  return Math.round(Math.exp((a + b) / 2) * 1e6) / 1e6;
}

export interface Operating {
  threshold: number;
  coverage: number;
  /** Accuracy among the answers not abstained on. */
  precision: number;
}

export function operatingPoint(
  conf: readonly number[],
  correct: readonly boolean[],
  threshold: number,
): Operating {
  let kept = 0;
  let ok = 0;
  conf.forEach((c, i) => {
    if (c >= threshold) {
      kept++;
      if (correct[i]) ok++;
    }
  });
  return { threshold, coverage: conf.length ? kept / conf.length : 0, precision: kept ? ok / kept : 1 };
}

/** Expected calibration error over 10 equal-width confidence bins. */
export function expectedCalibrationError(conf: readonly number[], correct: readonly boolean[]): number {
  const bins = Array.from({ length: 10 }, () => ({ n: 0, c: 0, a: 0 }));
  conf.forEach((c, i) => {
    const b = bins[Math.min(9, Math.floor(c * 10))]!;
    b.n++;
    b.c += c;
    b.a += correct[i] ? 1 : 0;
  });
  return bins.reduce((s, b) => s + (b.n ? (b.n / conf.length) * Math.abs(b.c / b.n - b.a / b.n) : 0), 0);
}
