/**
 * Multinomial logistic regression over the head's inputs (dense embedding, sparse lexical
 * features, rule indicators), L2-regularised per block, fitted by full-batch L-BFGS. Deterministic.
 */
import { type HeadInput, type LinearWeights, linearLogits } from "../../../src/classify/head.ts";

export interface LogRegOptions {
  classes: number;
  dim: number;
  features: number;
  rules: number;
  l2Dense: number;
  l2Sparse: number;
  l2Rules: number;
  maxIterations: number;
  /** Per-class weights (e.g. to balance classes); default 1. */
  classWeights?: Float64Array;
}

interface Layout {
  dense: number;
  sparse: number;
  rules: number;
  bias: number;
  size: number;
}

function layout(o: LogRegOptions): Layout {
  const dense = 0;
  const sparse = dense + o.classes * o.dim;
  const rules = sparse + o.features * o.classes;
  const bias = rules + o.classes * o.rules;
  return { dense, sparse, rules, bias, size: bias + o.classes };
}

function toWeights(theta: Float64Array, o: LogRegOptions): LinearWeights {
  const l = layout(o);
  return {
    classes: o.classes,
    dense: Float32Array.from(theta.subarray(l.dense, l.sparse)),
    sparse: Float32Array.from(theta.subarray(l.sparse, l.rules)),
    rules: Float32Array.from(theta.subarray(l.rules, l.bias)),
    bias: Float32Array.from(theta.subarray(l.bias, l.size)),
  };
}

/** Loss and gradient. */
function evaluate(
  theta: Float64Array,
  xs: readonly HeadInput[],
  ys: readonly number[],
  o: LogRegOptions,
  grad: Float64Array,
): number {
  const l = layout(o);
  const K = o.classes;
  const d = o.dim;
  const r = o.rules;
  grad.fill(0);
  let loss = 0;
  let wsum = 0;
  const z = new Float64Array(K);
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    const w = o.classWeights ? o.classWeights[y]! : 1;
    wsum += w;
    for (let k = 0; k < K; k++) {
      let s = theta[l.bias + k]!;
      const off = l.dense + k * d;
      for (let j = 0; j < d; j++) s += theta[off + j]! * x.dense[j]!;
      const ro = l.rules + k * r;
      for (let j = 0; j < r; j++) s += theta[ro + j]! * x.rules[j]!;
      z[k] = s;
    }
    for (let p = 0; p < x.idx.length; p++) {
      const off = l.sparse + x.idx[p]! * K;
      const v = x.val[p]!;
      for (let k = 0; k < K; k++) z[k]! += theta[off + k]! * v;
    }
    let max = -Infinity;
    for (let k = 0; k < K; k++) max = Math.max(max, z[k]!);
    let sum = 0;
    for (let k = 0; k < K; k++) {
      z[k] = Math.exp(z[k]! - max);
      sum += z[k]!;
    }
    loss -= w * Math.log(z[y]! / sum);
    for (let k = 0; k < K; k++) {
      const g = w * (z[k]! / sum - (k === y ? 1 : 0));
      if (g === 0) continue;
      grad[l.bias + k]! += g;
      const off = l.dense + k * d;
      for (let j = 0; j < d; j++) grad[off + j]! += g * x.dense[j]!;
      const ro = l.rules + k * r;
      for (let j = 0; j < r; j++) grad[ro + j]! += g * x.rules[j]!;
      for (let p = 0; p < x.idx.length; p++) grad[l.sparse + x.idx[p]! * K + k]! += g * x.val[p]!;
    }
  }
  const n = Math.max(wsum, 1e-12);
  loss /= n;
  for (let i = 0; i < l.size; i++) grad[i]! /= n;
  const reg = (from: number, to: number, lambda: number) => {
    for (let i = from; i < to; i++) {
      loss += 0.5 * lambda * theta[i]! * theta[i]!;
      grad[i]! += lambda * theta[i]!;
    }
  };
  reg(l.dense, l.sparse, o.l2Dense);
  reg(l.sparse, l.rules, o.l2Sparse);
  reg(l.rules, l.bias, o.l2Rules);
  return loss;
}

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

export function trainLogReg(
  xs: readonly HeadInput[],
  ys: readonly number[],
  o: LogRegOptions,
): LinearWeights {
  const l = layout(o);
  const n = l.size;
  let theta = new Float64Array(n);
  let grad = new Float64Array(n);
  let loss = evaluate(theta, xs, ys, o, grad);
  const m = 10;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const dir = new Float64Array(n);
  const next = new Float64Array(n);
  const nextGrad = new Float64Array(n);
  for (let it = 0; it < o.maxIterations; it++) {
    // Two-loop recursion.
    dir.set(grad);
    const alphas: number[] = [];
    for (let i = S.length - 1; i >= 0; i--) {
      const a = dot(S[i]!, dir) / dot(Y[i]!, S[i]!);
      alphas[i] = a;
      for (let j = 0; j < n; j++) dir[j]! -= a * Y[i]![j]!;
    }
    if (S.length) {
      const last = S.length - 1;
      const gamma = dot(S[last]!, Y[last]!) / dot(Y[last]!, Y[last]!);
      for (let j = 0; j < n; j++) dir[j]! *= gamma;
    }
    for (let i = 0; i < S.length; i++) {
      const b = dot(Y[i]!, dir) / dot(Y[i]!, S[i]!);
      for (let j = 0; j < n; j++) dir[j]! += S[i]![j]! * (alphas[i]! - b);
    }
    for (let j = 0; j < n; j++) dir[j] = -dir[j]!;
    let slope = dot(dir, grad);
    if (slope >= 0) {
      // Not a descent direction: restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      for (let j = 0; j < n; j++) dir[j] = -grad[j]!;
      slope = dot(dir, grad);
    }
    let step = it === 0 && S.length === 0 ? 1 / Math.max(Math.sqrt(dot(grad, grad)), 1e-12) : 1;
    let newLoss = Infinity;
    for (let ls = 0; ls < 30; ls++) {
      for (let j = 0; j < n; j++) next[j] = theta[j]! + step * dir[j]!;
      newLoss = evaluate(next, xs, ys, o, nextGrad);
      if (newLoss <= loss + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(newLoss < loss)) break;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      s[j] = next[j]! - theta[j]!;
      y[j] = nextGrad[j]! - grad[j]!;
    }
    if (dot(s, y) > 1e-12) {
      S.push(s);
      Y.push(y);
      if (S.length > m) {
        S.shift();
        Y.shift();
      }
    }
    const improvement = loss - newLoss;
    [theta, grad] = [Float64Array.from(next), Float64Array.from(nextGrad)];
    loss = newLoss;
    if (improvement < 1e-9 * Math.max(1, Math.abs(loss))) break;
  }
  return toWeights(theta, o);
}

export function predictLogits(w: LinearWeights, xs: readonly HeadInput[]): Float64Array[] {
  return xs.map((x) => linearLogits(w, x));
}
