/**
 * The little dense/sparse linear algebra the trainer needs: CSR products, Cholesky-QR
 * orthonormalisation, a Jacobi eigensolver and a randomized truncated SVD. Single-threaded and
 * deterministic (fixed summation order).
 */
import type { Prng } from "./prng.ts";

/** Compressed sparse rows; column indices fit in 16 bits (the context vocabulary is small). */
export interface Csr {
  rows: number;
  cols: number;
  rowPtr: Float64Array;
  col: Uint16Array;
  val: Float32Array;
}

/** out (rows×k) = A · X (cols×k), row-major. */
export function csrTimes(a: Csr, x: Float64Array, k: number): Float64Array {
  const out = new Float64Array(a.rows * k);
  for (let r = 0; r < a.rows; r++) {
    const o = r * k;
    for (let p = a.rowPtr[r]!; p < a.rowPtr[r + 1]!; p++) {
      const v = a.val[p]!;
      const xo = a.col[p]! * k;
      for (let j = 0; j < k; j++) out[o + j]! += v * x[xo + j]!;
    }
  }
  return out;
}

/** out (cols×k) = Aᵀ · Y (rows×k), row-major. */
export function csrTransposeTimes(a: Csr, y: Float64Array, k: number): Float64Array {
  const out = new Float64Array(a.cols * k);
  for (let r = 0; r < a.rows; r++) {
    const yo = r * k;
    for (let p = a.rowPtr[r]!; p < a.rowPtr[r + 1]!; p++) {
      const v = a.val[p]!;
      const o = a.col[p]! * k;
      for (let j = 0; j < k; j++) out[o + j]! += v * y[yo + j]!;
    }
  }
  return out;
}

/** Gram matrix XᵀX (k×k) of a row-major n×k matrix. */
export function gram(x: Float64Array, n: number, k: number): Float64Array {
  const g = new Float64Array(k * k);
  for (let r = 0; r < n; r++) {
    const o = r * k;
    for (let i = 0; i < k; i++) {
      const xi = x[o + i]!;
      if (xi === 0) continue;
      const gi = i * k;
      for (let j = i; j < k; j++) g[gi + j]! += xi * x[o + j]!;
    }
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) g[i * k + j] = g[j * k + i]!;
  return g;
}

/** Lower Cholesky factor of a symmetric positive (semi)definite k×k matrix, with a small jitter. */
export function cholesky(g: Float64Array, k: number): Float64Array {
  let trace = 0;
  for (let i = 0; i < k; i++) trace += g[i * k + i]!;
  const jitter = Math.max(trace / k, 1e-300) * 1e-12;
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = g[i * k + j]!;
      for (let p = 0; p < j; p++) s -= l[i * k + p]! * l[j * k + p]!;
      if (i === j) l[i * k + i] = Math.sqrt(Math.max(s + jitter, jitter));
      else l[i * k + j] = s / l[j * k + j]!;
    }
  }
  return l;
}

/** Orthonormalises the columns of a row-major n×k matrix in place (Cholesky-QR, twice). */
export function orthonormalize(x: Float64Array, n: number, k: number): void {
  for (let pass = 0; pass < 2; pass++) {
    const l = cholesky(gram(x, n, k), k);
    const row = new Float64Array(k);
    for (let r = 0; r < n; r++) {
      const o = r * k;
      // Solve row · Lᵀ = x_r  (forward substitution on the row vector).
      for (let j = 0; j < k; j++) {
        let s = x[o + j]!;
        for (let p = 0; p < j; p++) s -= row[p]! * l[j * k + p]!;
        row[j] = s / l[j * k + j]!;
      }
      for (let j = 0; j < k; j++) x[o + j] = row[j]!;
    }
  }
}

/** Eigen-decomposition of a symmetric k×k matrix (cyclic Jacobi). Eigenvalues descending. */
export function symmetricEigen(a0: Float64Array, k: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(a0);
  const v = new Float64Array(k * k);
  for (let i = 0; i < k; i++) v[i * k + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) off += a[i * k + j]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < k; p++) {
      for (let q = p + 1; q < k; q++) {
        const apq = a[p * k + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const app = a[p * k + p]!;
        const aqq = a[q * k + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < k; r++) {
          const arp = a[r * k + p]!;
          const arq = a[r * k + q]!;
          a[r * k + p] = c * arp - s * arq;
          a[r * k + q] = s * arp + c * arq;
        }
        for (let r = 0; r < k; r++) {
          const apr = a[p * k + r]!;
          const aqr = a[q * k + r]!;
          a[p * k + r] = c * apr - s * aqr;
          a[q * k + r] = s * apr + c * aqr;
        }
        for (let r = 0; r < k; r++) {
          const vrp = v[r * k + p]!;
          const vrq = v[r * k + q]!;
          v[r * k + p] = c * vrp - s * vrq;
          v[r * k + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  const order = Array.from({ length: k }, (_, i) => i).sort((x, y) => a[y * k + y]! - a[x * k + x]! || x - y);
  const values = new Float64Array(k);
  const vectors = new Float64Array(k * k);
  order.forEach((src, dst) => {
    values[dst] = a[src * k + src]!;
    for (let r = 0; r < k; r++) vectors[r * k + dst] = v[r * k + src]!;
  });
  // Fix each eigenvector's sign (largest-magnitude entry positive) so results are canonical.
  for (let j = 0; j < k; j++) {
    let best = 0;
    for (let r = 0; r < k; r++)
      if (Math.abs(vectors[r * k + j]!) > Math.abs(best)) best = vectors[r * k + j]!;
    if (best < 0) for (let r = 0; r < k; r++) vectors[r * k + j] = -vectors[r * k + j]!;
  }
  return { values, vectors };
}

/**
 * Truncated SVD of a sparse matrix by randomized range finding (Halko et al.):
 * returns the top `rank` left singular vectors (rows×rank, row-major) and singular values.
 */
export function randomizedSvd(
  a: Csr,
  rank: number,
  prng: Prng,
  opts: { oversample?: number; powerIterations?: number; log?: (m: string) => void } = {},
): { u: Float64Array; s: Float64Array } {
  const k = Math.min(rank + (opts.oversample ?? 16), a.cols, a.rows);
  const omega = new Float64Array(a.cols * k);
  for (let i = 0; i < omega.length; i++) omega[i] = prng.gaussian();
  let y = csrTimes(a, omega, k);
  for (let it = 0; it < (opts.powerIterations ?? 3); it++) {
    orthonormalize(y, a.rows, k);
    const z = csrTransposeTimes(a, y, k);
    orthonormalize(z, a.cols, k);
    y = csrTimes(a, z, k);
    opts.log?.(`svd: power iteration ${it + 1} done`);
  }
  orthonormalize(y, a.rows, k);
  const bt = csrTransposeTimes(a, y, k); // (QᵀA)ᵀ, cols×k
  const { values, vectors } = symmetricEigen(gram(bt, a.cols, k), k);
  const r = Math.min(rank, k);
  const u = new Float64Array(a.rows * r);
  for (let row = 0; row < a.rows; row++) {
    for (let j = 0; j < r; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += y[row * k + p]! * vectors[p * k + j]!;
      u[row * r + j] = s;
    }
  }
  const s = new Float64Array(r);
  for (let j = 0; j < r; j++) s[j] = Math.sqrt(Math.max(values[j]!, 0));
  return { u, s };
}
