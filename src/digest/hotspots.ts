/**
 * Hot spots ("điểm nóng"): groups of similar cases from the same or a neighbouring place within a
 * time window — the early sign of a mass complaint. Pure: the caller embeds the cases (with the
 * embedding model of the similar-case search) and passes the vectors.
 *
 * Grouping: cases are taken oldest first within one area (the caller's key: a commune and its
 * neighbours — the communes of the same former district, which the 2025 reform merged — and the
 * topic); each joins the group whose centroid it is most similar to (cosine ≥ minSimilarity, the
 * same measure as the similar-case search), or starts a new group. Groups of at least minCases
 * cases are hot spots. Vectors are unit length (the Embedder contract), so cosine is a dot product.
 */
import { cosine } from "../classify/similar.ts";

export interface HotSpotOptions {
  /** Cosine similarity a case needs to join a group. */
  minSimilarity: number;
  /** Cases a group needs to be a hot spot. */
  minCases: number;
}

export interface HotSpotCandidate {
  id: string;
  /** Grouping area: cases of different areas are never grouped. */
  area: string;
  placeId: string;
  topicId: string;
  receivedAt: Date;
  vector: Float32Array;
}

export interface HotSpotGroup<T extends HotSpotCandidate> {
  cases: T[];
  /** Mean similarity of the cases to the group's centroid. */
  cohesion: number;
}

/** Four sums at a time: about twice as quick as one (the grouping is mostly dot products). */
function dot(a: Float32Array, b: Float32Array): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n = a.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += a[i]! * b[i]!;
    s1 += a[i + 1]! * b[i + 1]!;
    s2 += a[i + 2]! * b[i + 2]!;
    s3 += a[i + 3]! * b[i + 3]!;
  }
  for (; i < n; i++) s0 += a[i]! * b[i]!;
  return s0 + s1 + s2 + s3;
}

function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  const out = new Float32Array(v.length);
  if (n === 0) return out;
  const s = 1 / Math.sqrt(n);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! * s;
  return out;
}

export function groupHotSpots<T extends HotSpotCandidate>(
  candidates: readonly T[],
  options: HotSpotOptions,
): HotSpotGroup<T>[] {
  const byArea = new Map<string, T[]>();
  for (const c of candidates) {
    const list = byArea.get(c.area);
    if (list) list.push(c);
    else byArea.set(c.area, [c]);
  }
  const found: HotSpotGroup<T>[] = [];
  for (const list of byArea.values()) {
    if (list.length < options.minCases) continue;
    list.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || (a.id < b.id ? -1 : 1));
    const groups: Array<{ cases: T[]; sum: Float32Array; centroid: Float32Array }> = [];
    for (const c of list) {
      let best = -1;
      let bestSim = options.minSimilarity;
      for (let g = 0; g < groups.length; g++) {
        const sim = dot(c.vector, groups[g]!.centroid);
        if (sim >= bestSim) {
          best = g;
          bestSim = sim;
        }
      }
      if (best < 0)
        groups.push({ cases: [c], sum: Float32Array.from(c.vector), centroid: normalise(c.vector) });
      else {
        const g = groups[best]!;
        g.cases.push(c);
        for (let i = 0; i < g.sum.length; i++) g.sum[i]! += c.vector[i]!;
        g.centroid = normalise(g.sum);
      }
    }
    for (const g of groups) {
      if (g.cases.length < options.minCases) continue;
      const cohesion = g.cases.reduce((s, c) => s + cosine(c.vector, g.centroid), 0) / g.cases.length;
      found.push({ cases: g.cases, cohesion: Math.round(cohesion * 1000) / 1000 });
    }
  }
  // Largest and closest first; then the earliest (so that equal groups keep one order).
  const first = (g: HotSpotGroup<T>) => g.cases[0]!;
  return found.sort(
    (a, b) =>
      b.cases.length - a.cases.length ||
      b.cohesion - a.cohesion ||
      first(a).receivedAt.getTime() - first(b).receivedAt.getTime() ||
      (first(a).id < first(b).id ? -1 : 1),
  );
}
