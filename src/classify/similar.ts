/**
 * Similar cases: for a case, the most similar open cases in the same area within a time window,
 * by embedding similarity — the basis of duplicate warnings to officials and of hot spots.
 * Candidates are few (one commune, a few weeks), so their vectors are computed on the fly.
 */
import type { Db } from "../store/db.ts";
import type { Embedder } from "./embedder.ts";

export interface SimilarCase {
  caseId: string;
  code: string;
  similarity: number;
  topicId: string;
  placeId: string | null;
  receivedAt: Date;
  status: string;
}

export interface SimilarOptions {
  /** Days before and after the case's receipt. Default 60. */
  windowDays?: number;
  /** At most this many results. Default 5. */
  limit?: number;
  /** Cosine similarity below this is not "similar". Default 0.75. */
  minSimilarity?: number;
  /** Candidates read at most (newest first). Default 500. */
  maxCandidates?: number;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/** Ranks candidates by similarity to the target vector (pure). */
export function rankSimilar<T extends { vector: Float32Array }>(
  target: Float32Array,
  candidates: readonly T[],
  minSimilarity: number,
  limit: number,
): Array<T & { similarity: number }> {
  return candidates
    .map((c) => ({ ...c, similarity: cosine(target, c.vector) }))
    .filter((c) => c.similarity >= minSimilarity)
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, limit);
}

export async function findSimilarCases(
  db: Db,
  embedder: Embedder,
  caseId: string,
  options: SimilarOptions = {},
): Promise<SimilarCase[]> {
  const windowMs = (options.windowDays ?? 60) * 86_400_000;
  const target = await db.case.findUniqueOrThrow({ where: { id: caseId } });
  const candidates = await db.case.findMany({
    where: {
      id: { not: caseId },
      // The same commune; a case with no commune compares with others city-wide of its topic.
      ...(target.placeId ? { placeId: target.placeId } : { placeId: null, topicId: target.topicId }),
      status: { notIn: ["closed", "rejected"] },
      receivedAt: {
        gte: new Date(target.receivedAt.getTime() - windowMs),
        lte: new Date(target.receivedAt.getTime() + windowMs),
      },
    },
    orderBy: { receivedAt: "desc" },
    take: options.maxCandidates ?? 500,
    select: {
      id: true,
      code: true,
      description: true,
      topicId: true,
      placeId: true,
      receivedAt: true,
      status: true,
    },
  });
  if (!candidates.length) return [];
  const vectors = await embedder.embed([target.description, ...candidates.map((c) => c.description)]);
  const ranked = rankSimilar(
    vectors[0]!,
    candidates.map((c, i) => ({ ...c, vector: vectors[i + 1]! })),
    options.minSimilarity ?? 0.75,
    options.limit ?? 5,
  );
  return ranked.map((c) => ({
    caseId: c.id,
    code: c.code,
    similarity: Math.round(c.similarity * 1000) / 1000,
    topicId: c.topicId,
    placeId: c.placeId,
    receivedAt: c.receivedAt,
    status: c.status,
  }));
}
