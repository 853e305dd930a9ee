/**
 * The digest's edge to the store: the case rows a period needs (received in the window, or still
 * open, or answered/closed/rated in it), their re-routings, and the texts of recent cases for
 * the hot-spot search. One query each, only the columns the figures use.
 */
import { Prisma } from "../generated/prisma/client.ts";
import type { Db } from "../store/db.ts";
import type { DigestCase, Scope } from "./figures.ts";

/** A timestamp column as epoch milliseconds (shorter and quicker to read than ISO text). */
const ms = (column: string) => Prisma.raw(`(extract(epoch from c."${column}") * 1000)::bigint`);

interface Row {
  id: string;
  code: string;
  kind: string;
  status: string;
  topicId: string;
  placeId: string | null;
  agencyId: string | null;
  receivedAt: Date;
  dueAt: Date | null;
  answeredAt: Date | null;
  closedAt: Date | null;
  rating: number | null;
  ratedAt: Date | null;
  ratingComment: string | null;
}

/**
 * Cases relevant to [from, to): received before `to` and either received, answered, closed or
 * rated from `from` on, or not closed before `from` (open cases, for overdue and oldest).
 * A commune scope is filtered here; an agency scope in the figures (a case counts for the agency
 * holding it at the time a figure is about, which re-routings change).
 */
export async function loadDigestCases(db: Db, from: Date, to: Date, scope: Scope): Promise<DigestCase[]> {
  const commune = scope.type === "commune" ? scope.id : null;
  // The rows travel as one JSON text (arrays, not objects): a hundred thousand rows decode in a
  // fraction of the time the driver takes for as many result rows.
  const [result] = await db.$queryRaw<Array<{ rows: string }>>`
    SELECT coalesce(json_agg(json_build_array(
             c."id", c."code", c."kind", c."status", c."topicId", c."placeId", c."agencyId",
             ${ms("receivedAt")}, ${ms("dueAt")}, ${ms("answeredAt")}, ${ms("closedAt")}, c."rating",
             ${ms("ratedAt")}, c."ratingComment")), '[]')::text AS "rows"
    FROM "Case" c
    WHERE c."receivedAt" < ${to}
      AND (c."receivedAt" >= ${from} OR c."closedAt" IS NULL OR c."closedAt" >= ${from}
           OR c."answeredAt" >= ${from} OR c."ratedAt" >= ${from})
      AND (${commune}::text IS NULL OR c."placeId" = ${commune}::text)`;
  const date = (v: unknown) => (v === null ? null : new Date(v as number));
  const rows: Row[] = (JSON.parse(result?.rows ?? "[]") as unknown[][]).map((r) => ({
    id: r[0] as string,
    code: r[1] as string,
    kind: r[2] as string,
    status: r[3] as string,
    topicId: r[4] as string,
    placeId: r[5] as string | null,
    agencyId: r[6] as string | null,
    receivedAt: new Date(r[7] as number),
    dueAt: date(r[8]),
    answeredAt: date(r[9]),
    closedAt: date(r[10]),
    rating: r[11] as number | null,
    ratedAt: date(r[12]),
    ratingComment: r[13] as string | null,
  }));
  const reroutes = await db.$queryRaw<Array<{ caseId: string; at: Date; from: string | null; to: string }>>`
    SELECT e."caseId", e."createdAt" AS "at", e."data"->>'from' AS "from", e."data"->>'to' AS "to"
    FROM "CaseEvent" e
    WHERE e."type" = 'rerouted'
    ORDER BY e."caseId", e."createdAt", e."id"`;
  const byCase = new Map<string, Array<{ at: Date; from: string | null; to: string }>>();
  for (const r of reroutes) {
    const list = byCase.get(r.caseId);
    const item = { at: r.at, from: r.from, to: r.to };
    if (list) list.push(item);
    else byCase.set(r.caseId, [item]);
  }
  return rows.map((r) => ({
    ...r,
    rating: r.rating === null ? null : Number(r.rating),
    reroutes: byCase.get(r.id) ?? [],
  }));
}

/** Texts of the cases received in [from, to) that have a place (hot spots are about places). */
export async function loadCaseTexts(
  db: Db,
  from: Date,
  to: Date,
  scope: Scope,
  maxChars: number,
): Promise<Array<{ id: string; text: string }>> {
  const commune = scope.type === "commune" ? scope.id : null;
  return db.$queryRaw<Array<{ id: string; text: string }>>`
    SELECT c."id", left(c."description", ${maxChars}::int) AS "text"
    FROM "Case" c
    WHERE c."receivedAt" >= ${from} AND c."receivedAt" < ${to} AND c."placeId" IS NOT NULL
      AND (${commune}::text IS NULL OR c."placeId" = ${commune}::text)`;
}
