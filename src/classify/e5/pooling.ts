/**
 * Mean pooling over the attention mask followed by L2 normalisation, as e5 requires.
 *
 * @param hidden row-major `[batch, seq, dim]` last hidden state
 * @param mask row-major `[batch, seq]` attention mask (1 = real token, 0 = padding)
 * @returns one unit-norm vector per batch row (all zeros if a row has no token or a zero sum)
 */
export function meanPoolNormalize(
  hidden: ArrayLike<number>,
  mask: ArrayLike<number | bigint>,
  batch: number,
  seq: number,
  dim: number,
): Float32Array[] {
  if (hidden.length !== batch * seq * dim) {
    throw new Error(`hidden state has ${hidden.length} values, expected ${batch}×${seq}×${dim}`);
  }
  if (mask.length !== batch * seq) {
    throw new Error(`attention mask has ${mask.length} values, expected ${batch}×${seq}`);
  }
  const out: Float32Array[] = [];
  const acc = new Float64Array(dim);
  for (let b = 0; b < batch; b++) {
    acc.fill(0);
    let count = 0;
    for (let s = 0; s < seq; s++) {
      const m = Number(mask[b * seq + s]);
      if (m === 0) continue;
      count += m;
      const base = (b * seq + s) * dim;
      for (let d = 0; d < dim; d++) acc[d]! += m * hidden[base + d]!;
    }
    out.push(l2Normalize(acc, count));
  }
  return out;
}

/** Divides by `count` (mean) and scales to unit L2 norm; zero vector stays zero. */
function l2Normalize(sum: Float64Array, count: number): Float32Array {
  const v = new Float32Array(sum.length);
  if (count === 0) return v;
  let norm = 0;
  for (let d = 0; d < sum.length; d++) {
    const x = sum[d]! / count;
    norm += x * x;
  }
  norm = Math.sqrt(norm);
  if (norm === 0 || !Number.isFinite(norm)) return v;
  for (let d = 0; d < sum.length; d++) v[d] = sum[d]! / count / norm;
  return v;
}
