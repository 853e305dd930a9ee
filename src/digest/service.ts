/**
 * Builds a digest for a period and a scope: loads the rows (source.ts), finds the hot spots with
 * the similar-case search's embeddings and measure, computes the figures (figures.ts) and the
 * narrative (summary.ts). The page, the PDF, the CLI and the push all come through here.
 */
import type { Embedder } from "../classify/embedder.ts";
import type { ReferenceData } from "../data/index.ts";
import { digestStrings } from "../i18n/digest.ts";
import { kindLabel } from "../i18n/vi.ts";
import { placeName } from "../routing/router.ts";
import type { Db } from "../store/db.ts";
import type { DigestConfig } from "./config.ts";
import { agencyAt, computeDigest, type Digest, type DigestCase, type Names, type Scope } from "./figures.ts";
import { groupHotSpots, type HotSpotCandidate } from "./hotspots.ts";
import { type Period, precedingPeriods, weekOf } from "./period.ts";
import { loadCaseTexts, loadDigestCases } from "./source.ts";
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
}

export interface DigestReport {
  digest: Digest;
  narrative: Narrative;
}

const CHART_WEEKS = 8;
/** Characters of a case text the embedding sees (the opening says what it is about). */
const HOTSPOT_TEXT_CHARS = 600;

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
  const asOf = new Date(Math.min(period.end.getTime(), now.getTime()));
  const hotFrom = new Date(asOf.getTime() - deps.config.DIGEST_HOTSPOT_WINDOW_DAYS * 86_400_000);
  let chartFrom = weekOf(new Date(period.end.getTime() - 1)).start;
  chartFrom = new Date(chartFrom.getTime() - (CHART_WEEKS - 1) * 7 * 86_400_000);
  const from = new Date(Math.min(preceding.at(-1)!.start.getTime(), hotFrom.getTime(), chartFrom.getTime()));
  const cases = await loadDigestCases(db, from, period.end, scope);

  let groups: Array<{ cases: Array<{ id: string }>; cohesion: number }> = [];
  if (deps.embedder) groups = await findHotSpots(deps, cases, hotFrom, asOf, scope);

  const digest = computeDigest({
    scope,
    period,
    previous: preceding[0]!,
    preceding,
    now,
    cases,
    names: namesFor(data),
    hotSpots: groups,
    chartWeeks: CHART_WEEKS,
  });
  const narrative = deps.summarizer
    ? await deps.summarizer.summarize(digest)
    : { text: "", source: "template" as const, fallbackReason: "no summarizer" };
  return { digest, narrative };
}

async function findHotSpots(
  deps: DigestDeps,
  cases: readonly DigestCase[],
  from: Date,
  to: Date,
  scope: Scope,
) {
  const texts = await loadCaseTexts(deps.db, from, to, scope, HOTSPOT_TEXT_CHARS);
  const byId = new Map(cases.map((c) => [c.id, c]));
  const area = (placeId: string) => {
    const c = deps.data.communeById.get(placeId);
    // Neighbours: the communes formed from the same former district.
    return c?.formerDistrict ? `d:${c.formerDistrict}` : `p:${placeId}`;
  };
  // Only areas with enough cases can hold a hot spot: embed nothing else.
  const perArea = new Map<string, number>();
  const eligible = texts.filter((t) => {
    const c = byId.get(t.id);
    return c?.placeId && (scope.type !== "agency" || agencyAt(c, to) === scope.id);
  });
  for (const t of eligible) {
    const a = area(byId.get(t.id)!.placeId!);
    perArea.set(a, (perArea.get(a) ?? 0) + 1);
  }
  const wanted = eligible.filter(
    (t) => (perArea.get(area(byId.get(t.id)!.placeId!)) ?? 0) >= deps.config.DIGEST_HOTSPOT_MIN_CASES,
  );
  // Identical texts (a petition copied by many senders) are embedded once.
  const unique = [...new Set(wanted.map((t) => t.text))];
  const vectors = unique.length ? await deps.embedder!.embed(unique) : [];
  const vectorOf = new Map(unique.map((text, i) => [text, vectors[i]!]));
  const candidates: HotSpotCandidate[] = wanted.map((t) => {
    const c = byId.get(t.id)!;
    return {
      id: c.id,
      // Similar cases of one topic in one area: a hot spot is about one matter in one place.
      area: `${area(c.placeId!)}|${c.topicId}`,
      placeId: c.placeId!,
      topicId: c.topicId,
      receivedAt: c.receivedAt,
      vector: vectorOf.get(t.text)!,
    };
  });
  return groupHotSpots(candidates, {
    minSimilarity: deps.config.DIGEST_HOTSPOT_MIN_SIMILARITY,
    minCases: deps.config.DIGEST_HOTSPOT_MIN_CASES,
  });
}
