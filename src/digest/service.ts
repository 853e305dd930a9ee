/**
 * Builds a digest for a period and a scope: the database counts (source.ts), the hot spots are
 * found with the similar-case search's embeddings (stored once per text, store/embeddings.ts) and
 * measure, the figures assembled (figures.ts) and the narrative written (summary.ts). The page,
 * the PDF, the CLI and the push all come through here.
 */
import type { Embedder } from "../classify/embedder.ts";
import type { ReferenceData } from "../data/index.ts";
import { digestStrings } from "../i18n/digest.ts";
import { kindLabel } from "../i18n/vi.ts";
import { placeName } from "../routing/router.ts";
import type { Db } from "../store/db.ts";
import { CASE_TEXT_HASH, caseEmbeddings } from "../store/embeddings.ts";
import type { DigestConfig } from "./config.ts";
import { chartWeeks, computeDigest, type Digest, endOf, type Names, type Scope } from "./figures.ts";
import { groupHotSpots } from "./hotspots.ts";
import { type Period, precedingPeriods } from "./period.ts";
import { loadDigestFacts, loadHotSpotCases } from "./source.ts";
import type { Narrative, Summarizer } from "./summary.ts";

export interface DigestDeps {
  db: Db;
  data: ReferenceData;
  /** The similar-case search's embedding model; without it there are no hot spots. */
  embedder?: Embedder | undefined;
  config: Pick<
    DigestConfig,
    "DIGEST_HOTSPOT_MIN_SIMILARITY" | "DIGEST_HOTSPOT_MIN_CASES" | "DIGEST_HOTSPOT_WINDOW_DAYS"
  >;
  summarizer?: Summarizer | undefined;
  now: () => Date;
  /** Told how long each step of a build took (bench:digest prints them). */
  onPhase?: (phase: DigestPhase, ms: number, detail?: Record<string, number>) => void;
}

export type DigestPhase = "counts" | "hotSpots" | "figures" | "summary";

export interface DigestReport {
  digest: Digest;
  narrative: Narrative;
}

const CHART_WEEKS = 8;

export function namesFor(data: ReferenceData): Names {
  return {
    topic: (id) => data.topicById.get(id)?.name ?? digestStrings.unknownTopic,
    agency: (id) => (id ? (data.agencyById.get(id)?.name ?? id) : digestStrings.noAgency),
    place: (id) => {
      const c = id ? data.communeById.get(id) : undefined;
      return c ? placeName(c) : id ? id : digestStrings.noPlace;
    },
    kind: (id) => (id === "pakn" || id === "khieu_nai" || id === "to_cao" ? kindLabel(id) : id),
  };
}

/** Parses "city", "agency:<id>", "commune:<id>" against the reference data. */
export function parseScope(text: string, data: ReferenceData): Scope & { name: string } {
  if (text === "city" || text === "") return { type: "city", name: data.province.name };
  const m = /^(agency|commune):([\w-]+)$/.exec(text);
  if (m?.[1] === "agency" && data.agencyById.has(m[2]!))
    return { type: "agency", id: m[2]!, name: data.agencyById.get(m[2]!)!.name };
  if (m?.[1] === "commune" && data.communeById.has(m[2]!))
    return { type: "commune", id: m[2]!, name: placeName(data.communeById.get(m[2]!)!) };
  throw new RangeError(digestStrings.unknownScope(text));
}

export function scopeKey(scope: Scope): string {
  return scope.type === "city" ? "city" : `${scope.type}:${scope.id}`;
}

export async function buildDigest(
  deps: DigestDeps,
  request: { period: Period; scope: Scope & { name: string } },
): Promise<DigestReport> {
  const { db, data } = deps;
  const { period, scope } = request;
  const now = deps.now();
  const preceding = precedingPeriods(period, 4);
  const weeks = chartWeeks(period, CHART_WEEKS);
  const asOf = endOf(period, now);
  let t = performance.now();
  const lap = (phase: DigestPhase, detail?: Record<string, number>) => {
    const at = performance.now();
    deps.onPhase?.(phase, at - t, detail);
    t = at;
  };
  const facts = await loadDigestFacts(db, {
    scope,
    periods: [period, ...preceding],
    weeks,
    now,
    listSize: 5,
  });
  lap("counts");
  const hotSpots = deps.embedder ? await findHotSpots(deps, deps.embedder, asOf, scope, lap) : [];
  const digest = computeDigest({
    scope,
    period,
    previous: preceding[0]!,
    preceding,
    now,
    facts,
    names: namesFor(data),
    hotSpots,
    weeks,
  });
  lap("figures");
  const narrative = deps.summarizer
    ? await deps.summarizer.summarize(digest)
    : { text: "", source: "template" as const, fallbackReason: "no summarizer" };
  lap("summary");
  return { digest, narrative };
}

/**
 * Hot spots: the cases received in the window up to the end of the period, grouped (hotspots.ts)
 * with the similar-case search's embedding model and measure; vectors come from the store.
 */
async function findHotSpots(
  deps: DigestDeps,
  embedder: Embedder,
  asOf: Date,
  scope: Scope,
  lap: (phase: DigestPhase, detail: Record<string, number>) => void,
) {
  const from = new Date(asOf.getTime() - deps.config.DIGEST_HOTSPOT_WINDOW_DAYS * 86_400_000);
  const rows = await loadHotSpotCases(deps.db, from, asOf, scope, CASE_TEXT_HASH);
  const area = (placeId: string) => {
    const c = deps.data.communeById.get(placeId);
    // Neighbours: the communes formed from the same former district.
    return c?.formerDistrict ? `d:${c.formerDistrict}` : `p:${placeId}`;
  };
  // Only areas with enough cases can hold a hot spot: read no other vectors.
  const perArea = new Map<string, number>();
  for (const r of rows) perArea.set(area(r.placeId), (perArea.get(area(r.placeId)) ?? 0) + 1);
  const wanted = rows.filter(
    (r) => (perArea.get(area(r.placeId)) ?? 0) >= deps.config.DIGEST_HOTSPOT_MIN_CASES,
  );
  const { vectors, embedded } = await caseEmbeddings(deps.db, embedder, wanted);
  const candidates = wanted.map((r) => ({
    ...r,
    // Similar cases of one topic in one area: a hot spot is about one matter in one place.
    area: `${area(r.placeId)}|${r.topicId}`,
    vector: vectors.get(r.textHash)!,
  }));
  const groups = groupHotSpots(candidates, {
    minSimilarity: deps.config.DIGEST_HOTSPOT_MIN_SIMILARITY,
    minCases: deps.config.DIGEST_HOTSPOT_MIN_CASES,
  });
  lap("hotSpots", { cases: rows.length, vectors: vectors.size, embedded });
  return groups;
}
