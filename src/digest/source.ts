/**
 * The digest's edge to the store: the database counts (GROUP BY over the period, the four before
 * it and the chart's weeks) and lists only the few cases a list shows (ORDER BY … LIMIT), so a
 * digest over a hundred thousand cases reads a few hundred rows, not every case. The definitions
 * are those stated in figures.ts; this module writes them in SQL.
 *
 * Re-routed cases: a case counts for the agency holding it at the instant a figure is about. A
 * case never re-routed is held by its agencyId throughout; for the few that were, the holder at
 * instant t is the `to` of the last "rerouted" event at or before t, or the `from` of the first
 * one before it.
 */
import { Prisma } from "../generated/prisma/client.ts";
import type { Client } from "../store/cases.ts";
import type { Db } from "../store/db.ts";
import { type CaseRow, type DigestFacts, endOf, type RatedRow, type Scope } from "./figures.ts";
import type { Period } from "./period.ts";

export interface DigestWindow {
  scope: Scope;
  /** The period, then the previous one and the three before it (five, nearest first). */
  periods: readonly Period[];
  /** The chart's weeks, oldest first. */
  weeks: readonly Period[];
  now: Date;
  /** Rows of each list. */
  listSize: number;
}

/** An instant as a timestamptz parameter (ISO text with its offset: no time-zone guessing). */
const at = (d: Date) => Prisma.sql`${d.toISOString()}::timestamptz`;

/**
 * Re-routed cases: their re-routings in order (createdAt, then id) — when, and to which agency —
 * and who held the case before the first.
 */
const REROUTED = Prisma.sql`
  SELECT e."caseId",
         array_agg(e."createdAt" ORDER BY e."createdAt", e."id") AS "rerouteAts",
         array_agg(e."data"->>'to' ORDER BY e."createdAt", e."id") AS "rerouteTos",
         (array_agg(e."data"->>'from' ORDER BY e."createdAt", e."id"))[1] AS "firstFrom"
  FROM "CaseEvent" e
  WHERE e."type" = 'rerouted'
  GROUP BY e."caseId"`;

/** The cases with their re-routings (under WITH rr AS (REROUTED)); used as `… FROM ${CASES} c`. */
const CASES = Prisma.sql`(SELECT c.*, rr."caseId" AS "rrCase", rr."rerouteAts", rr."rerouteTos", rr."firstFrom"
  FROM "Case" c LEFT JOIN rr ON rr."caseId" = c."id")`;

/**
 * The agency holding case c (of CASES) at instant `t`, an SQL expression: the `to` of the last
 * re-routing at or before t (width_bucket counts them in the ordered instants), or the `from` of
 * the first when none is.
 */
function holderAt(t: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`(CASE WHEN c."rrCase" IS NULL THEN c."agencyId"
    WHEN width_bucket(${t}, c."rerouteAts") = 0 THEN c."firstFrom"
    ELSE c."rerouteTos"[width_bucket(${t}, c."rerouteAts")] END)`;
}

/** Within [start, end). */
const within = (column: Prisma.Sql, p: { start: Date; end: Date }) =>
  Prisma.sql`(${column} >= ${at(p.start)} AND ${column} < ${at(p.end)})`;

const col = (name: string) => Prisma.raw(`c."${name}"`);

/**
 * The cases any figure can count: received before the period's end, and received, answered,
 * closed or rated from `from` on, or not closed before it; in the commune of a commune scope; for
 * an agency scope, held by it now or ever re-routed (the others are never held by it).
 */
function relevant(w: DigestWindow, from: Date): Prisma.Sql {
  const scope = w.scope;
  return Prisma.sql`c."receivedAt" < ${at(w.periods[0]!.end)}
    AND (c."receivedAt" >= ${at(from)} OR c."closedAt" IS NULL OR c."closedAt" >= ${at(from)}
         OR c."answeredAt" >= ${at(from)} OR c."ratedAt" >= ${at(from)})
    ${scope.type === "commune" ? Prisma.sql`AND c."placeId" = ${scope.id}` : Prisma.empty}
    ${scope.type === "agency" ? Prisma.sql`AND (c."agencyId" = ${scope.id} OR c."rrCase" IS NOT NULL)` : Prisma.empty}`;
}

/** `cond` and, for an agency scope, the case held by the agency at instant `t`. */
function inScope(w: DigestWindow, t: Prisma.Sql, cond: Prisma.Sql): Prisma.Sql {
  return w.scope.type === "agency" ? Prisma.sql`(${cond} AND ${holderAt(t)} = ${w.scope.id})` : cond;
}

/** The `i`-th (0-based, SQL expression) of a list of instants. */
function nth(instants: readonly Date[], i: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`(ARRAY[${Prisma.join(instants.map(at))}])[${i} + 1]`;
}

/**
 * Boundaries of consecutive periods, oldest first, for width_bucket: bucket b (1…n) of an instant
 * is the b-th period from the oldest; 0 and n + 1 are outside.
 */
function bounds(periods: readonly Period[]): Prisma.Sql {
  for (let i = 1; i < periods.length; i++)
    if (periods[i]!.start.getTime() !== periods[i - 1]!.end.getTime())
      throw new RangeError("the digest's periods must follow one another");
  return Prisma.sql`ARRAY[${Prisma.join([...periods.map((p) => at(p.start)), at(periods.at(-1)!.end)])}]`;
}

/** The earliest instant any count looks at. */
function earliest(w: DigestWindow): Date {
  return new Date(Math.min(w.periods.at(-1)!.start.getTime(), w.weeks[0]?.start.getTime() ?? Infinity));
}

// The grouping sets of the counting query, and the columns they group by (GROUPING's bit order).
const COLUMNS = [
  "r",
  "topicId",
  "kind",
  "ra",
  "placeId",
  "a",
  "k",
  "rej",
  "hi",
  "ha",
  "ontime",
  "w",
  "si",
  "rating",
  "cp",
  "rated",
  "o",
  "oa",
  "od",
] as const;
type Column = (typeof COLUMNS)[number];
// Five grouping sets (each a hash table every case passes through): the small, independent
// figures share a set and are added up by their own column afterwards.
const SETS = {
  receivedByTopicKind: ["r", "topicId", "kind"],
  receivedByAgencyPlace: ["r", "ra", "placeId"],
  weekly: ["w", "topicId"],
  /** Answered, closed or refused, rated, closed and rated: each in which period, if any. */
  ends: ["a", "k", "rej", "si", "rating", "cp", "rated"],
  /** Handled in the period (and on time), open and overdue at the end: by which agency. */
  agencies: ["hi", "ha", "ontime", "o", "oa", "od"],
} satisfies Record<string, Column[]>;
type SetName = keyof typeof SETS;
/** GROUPING(all columns) of a set: a bit set for each column not grouped. */
const maskOf = (set: readonly Column[]) =>
  COLUMNS.reduce((m, c, i) => (set.includes(c) ? m : m | (1 << (COLUMNS.length - 1 - i))), 0);
const SET_OF_MASK = new Map(Object.entries(SETS).map(([name, cols]) => [maskOf(cols), name as SetName]));
/** The index columns: NULL where the row does not count (groups where all are NULL are dropped). */
const INDEXES: Column[] = ["r", "a", "k", "hi", "w", "si", "cp", "o"];

type CountRow = { g: number; n: number } & Partial<Record<Column, string | number | boolean | null>>;

async function countFacts(db: Client, w: DigestWindow) {
  const n = w.periods.length;
  const ends = w.periods.map((p) => endOf(p, w.now));
  const weekEnds = w.weeks.map((p) => endOf(p, w.now));
  const asOf = ends[0]!;
  // Oldest first for width_bucket: bucket b is period n - b (0 = this one).
  const B = bounds([...w.periods].reverse());
  const periodOf = (bucket: string) =>
    Prisma.raw(`(CASE WHEN "${bucket}" BETWEEN 1 AND ${n} THEN ${n} - "${bucket}" END)`);
  const counted = (bucket: string, end: (i: Prisma.Sql) => Prisma.Sql) => {
    const i = periodOf(bucket);
    return Prisma.sql`(CASE WHEN ${inScope(w, end(i), Prisma.sql`${i} IS NOT NULL`)} THEN ${i} END)`;
  };
  const endAt = (i: Prisma.Sql) => nth(ends, i);
  const weekIndex = Prisma.raw(`(CASE WHEN "wb" BETWEEN 1 AND ${w.weeks.length} THEN "wb" - 1 END)`);
  const ratedIn = (i: number) =>
    inScope(
      w,
      Prisma.sql`coalesce(c."h", ${at(ends[i]!)})`,
      Prisma.sql`(c."rating" IS NOT NULL AND "tb" = ${Prisma.raw(String(n - i))})`,
    );
  // One pass over the cases: first the period (bucket) of each instant, then for each figure the
  // period a case counts in (in the scope), then every count at once with GROUPING SETS.
  const rows = await db.$queryRaw<CountRow[]>`
    WITH rr AS (${REROUTED}),
    x AS (
      SELECT c."topicId", c."kind", c."placeId", c."rating",
        ${counted("rb", endAt)} AS "r",
        ${holderAt(endAt(periodOf("rb")))} AS "ra",
        ${counted("ab", endAt)} AS "a",
        ${counted("kb", endAt)} AS "k",
        c."rej",
        (CASE WHEN ${inScope(w, col("h"), Prisma.raw(`"hb" = ${n}`))} THEN 0 END) AS "hi",
        ${holderAt(col("h"))} AS "ha",
        c."ontime",
        (CASE WHEN ${inScope(w, nth(weekEnds, weekIndex), Prisma.sql`${weekIndex} IS NOT NULL`)} THEN ${weekIndex} END) AS "w",
        (CASE WHEN ${ratedIn(0)} THEN 0 WHEN ${ratedIn(1)} THEN 1 END) AS "si",
        (CASE WHEN ${inScope(w, col("closedAt"), Prisma.raw(`("kb" = ${n} AND NOT "rej")`))} THEN 0 END) AS "cp",
        c."rating" IS NOT NULL AS "rated",
        (CASE WHEN ${inScope(w, at(asOf), col("open"))} THEN 0 END) AS "o",
        ${holderAt(at(asOf))} AS "oa",
        c."od"
      FROM (
        SELECT c."id", c."agencyId", c."rrCase", c."rerouteAts", c."rerouteTos", c."firstFrom", c."topicId",
          c."kind"::text AS "kind",
          c."placeId", c."rating", c."closedAt", c."status" = 'rejected' AS "rej",
          least(c."answeredAt", c."closedAt") AS "h",
          width_bucket(c."receivedAt", ${B}) AS "rb",
          width_bucket(c."answeredAt", ${B}) AS "ab",
          width_bucket(c."closedAt", ${B}) AS "kb",
          width_bucket(least(c."answeredAt", c."closedAt"), ${B}) AS "hb",
          width_bucket(c."ratedAt", ${B}) AS "tb",
          ${w.weeks.length ? Prisma.sql`width_bucket(c."receivedAt", ${bounds(w.weeks)})` : Prisma.sql`NULL::int`} AS "wb",
          (c."dueAt" IS NULL OR least(c."answeredAt", c."closedAt") <= c."dueAt") AS "ontime",
          (c."receivedAt" < ${at(asOf)} AND (c."closedAt" IS NULL OR c."closedAt" >= ${at(asOf)})) AS "open",
          (c."receivedAt" < ${at(asOf)} AND (c."closedAt" IS NULL OR c."closedAt" >= ${at(asOf)})
           AND (c."answeredAt" IS NULL OR c."answeredAt" >= ${at(asOf)}) AND c."dueAt" < ${at(asOf)}) AS "od"
        FROM ${CASES} c
        WHERE ${relevant(w, earliest(w))}
        OFFSET 0
      ) c
    )
    SELECT GROUPING(${Prisma.raw(COLUMNS.map((c) => `"${c}"`).join(", "))})::int AS "g",
      ${Prisma.raw(COLUMNS.map((c) => `"${c}"`).join(", "))}, count(*)::int AS "n"
    FROM x
    GROUP BY GROUPING SETS (${Prisma.raw(
      Object.values(SETS)
        .map((cols) => `(${cols.map((c) => `"${c}"`).join(", ")})`)
        .join(", "),
    )})
    HAVING num_nonnulls(${Prisma.raw(INDEXES.map((c) => `"${c}"`).join(", "))}) > 0`;

  const sets = new Map<SetName, CountRow[]>(Object.keys(SETS).map((k) => [k as SetName, []]));
  for (const row of rows) sets.get(SET_OF_MASK.get(row.g)!)!.push(row);
  const index = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const tallies = (n: number) => Array.from({ length: n }, () => new Map<string, number>());
  const add = (m: Map<string, number>, key: unknown, n: number) => {
    const k = String(key ?? "");
    m.set(k, (m.get(k) ?? 0) + n);
  };
  const receivedBy = {
    topic: tallies(w.periods.length),
    kind: tallies(w.periods.length),
    agency: tallies(w.periods.length),
    place: tallies(w.periods.length),
  };
  for (const row of sets.get("receivedByTopicKind")!) {
    const r = index(row.r)!;
    add(receivedBy.topic[r]!, row.topicId, row.n);
    add(receivedBy.kind[r]!, row.kind, row.n);
  }
  for (const row of sets.get("receivedByAgencyPlace")!) {
    const r = index(row.r)!;
    add(receivedBy.agency[r]!, row.ra, row.n);
    add(receivedBy.place[r]!, row.placeId, row.n);
  }
  const received = receivedBy.kind.map((m) => [...m.values()].reduce((s, n) => s + n, 0));

  const answered = w.periods.map(() => 0);
  const closed = w.periods.map(() => 0);
  let rejected = 0;
  const distribution: [number, number, number, number, number] = [0, 0, 0, 0, 0];
  const ratedN = [0, 0];
  const ratingSum = [0, 0];
  let closedInPeriod = 0;
  let closedRated = 0;
  for (const row of sets.get("ends")!) {
    const a = index(row.a);
    if (a !== null) answered[a]! += row.n;
    const k = index(row.k);
    if (k !== null && !row.rej) closed[k]! += row.n;
    else if (k === 0) rejected += row.n;
    const si = index(row.si);
    if (si !== null) {
      const rating = Number(row.rating);
      ratedN[si]! += row.n;
      ratingSum[si]! += rating * row.n;
      if (si === 0 && rating >= 1 && rating <= 5) distribution[rating - 1]! += row.n;
    }
    if (index(row.cp) !== null) {
      closedInPeriod += row.n;
      if (row.rated) closedRated += row.n;
    }
  }

  const handled = new Map<string, { agencyId: string; handled: number; onTime: number }>();
  const atEnd = new Map<string, { agencyId: string; open: number; overdue: number }>();
  let openAtEnd = 0;
  let overdueAtEnd = 0;
  for (const row of sets.get("agencies")!) {
    if (index(row.hi) !== null) {
      const id = String(row.ha ?? "");
      const e = handled.get(id) ?? { agencyId: id, handled: 0, onTime: 0 };
      e.handled += row.n;
      if (row.ontime) e.onTime += row.n;
      handled.set(id, e);
    }
    if (index(row.o) !== null) {
      const id = String(row.oa ?? "");
      const e = atEnd.get(id) ?? { agencyId: id, open: 0, overdue: 0 };
      e.open += row.n;
      openAtEnd += row.n;
      if (row.od) {
        e.overdue += row.n;
        overdueAtEnd += row.n;
      }
      atEnd.set(id, e);
    }
  }
  // The chart lists each week's topics largest first.
  const weekly = tallies(w.weeks.length);
  const weekRows = sets
    .get("weekly")!
    .filter((row) => index(row.w) !== null)
    .sort((a, b) => b.n - a.n || String(a.topicId).localeCompare(String(b.topicId)));
  for (const row of weekRows) weekly[index(row.w)!]!.set(String(row.topicId), row.n);
  return {
    received,
    answered,
    closed,
    rejected,
    receivedBy,
    weekly,
    openAtEnd,
    overdueAtEnd,
    atEnd: [...atEnd.values()],
    handled: [...handled.values()],
    distribution,
    rated: ratedN[0]!,
    ratingSum: ratingSum[0]!,
    previousRated: ratedN[1]!,
    previousRatingSum: ratingSum[1]!,
    closedInPeriod,
    closedRated,
  };
}

interface ListRow {
  list: "overdue" | "oldest" | "soon" | "lowest";
  id: string;
  code: string;
  kind: string;
  status: string;
  topicId: string;
  placeId: string | null;
  agencyId: string | null;
  receivedAt: Date;
  dueAt: Date | null;
  rating: number | null;
  ratedAt: Date | null;
  comment: string | null;
  handlerId: string | null;
}

/** The case rows of the lists: overdue, oldest open, due soon, lowest rated (each ORDER BY … LIMIT). */
async function listFacts(db: Client, w: DigestWindow) {
  const period = w.periods[0]!;
  const asOf = endOf(period, w.now);
  const soonUntil = new Date(asOf.getTime() + 3 * 86_400_000);
  const h = Prisma.sql`least(c."answeredAt", c."closedAt")`;
  const pending = inScope(
    w,
    at(asOf),
    Prisma.sql`(c."receivedAt" < ${at(asOf)} AND (c."closedAt" IS NULL OR c."closedAt" >= ${at(asOf)})
      AND (c."answeredAt" IS NULL OR c."answeredAt" >= ${at(asOf)}))`,
  );
  const list = (name: ListRow["list"], where: Prisma.Sql, order: string, limit: number) => Prisma.sql`
    (SELECT ${name}::text AS "list", c."id", c."code", c."kind"::text AS "kind", c."status"::text AS "status",
       c."topicId", c."placeId", ${holderAt(at(asOf))} AS "agencyId", c."receivedAt", c."dueAt",
       c."rating", c."ratedAt", c."ratingComment" AS "comment", ${holderAt(
         Prisma.sql`coalesce(${h}, ${at(asOf)})`,
       )} AS "handlerId"
     FROM ${CASES} c
     WHERE ${relevant(w, earliest(w))} AND ${where}
     ORDER BY ${Prisma.raw(order)} LIMIT ${Prisma.raw(String(limit))})`;
  const rows = await db.$queryRaw<ListRow[]>`
    WITH rr AS (${REROUTED})
    ${list("overdue", Prisma.sql`${pending} AND c."dueAt" < ${at(asOf)}`, `c."dueAt", c."receivedAt", c."code"`, Math.max(w.listSize, 4))}
    UNION ALL
    ${list("oldest", pending, `c."receivedAt", c."code"`, w.listSize)}
    UNION ALL
    ${list(
      "soon",
      Prisma.sql`${pending} AND c."kind" IN ('khieu_nai', 'to_cao')
        AND c."dueAt" >= ${at(asOf)} AND c."dueAt" <= ${at(soonUntil)}`,
      `c."dueAt", c."code"`,
      3,
    )}
    UNION ALL
    ${list(
      "lowest",
      inScope(
        w,
        Prisma.sql`coalesce(${h}, ${at(asOf)})`,
        Prisma.sql`(c."rating" <= 2 AND ${within(col("ratedAt"), period)})`,
      ),
      `c."rating", c."ratedAt" DESC, c."code"`,
      Math.max(w.listSize, 2),
    )}`;
  const of = (name: ListRow["list"]): CaseRow[] =>
    rows
      .filter((r) => r.list === name)
      .map((r) => ({
        id: r.id,
        code: r.code,
        kind: r.kind,
        status: r.status,
        topicId: r.topicId,
        placeId: r.placeId,
        agencyId: r.agencyId,
        receivedAt: r.receivedAt,
        dueAt: r.dueAt,
      }));
  const lowest: RatedRow[] = rows
    .filter((r) => r.list === "lowest")
    .map((r) => ({
      id: r.id,
      code: r.code,
      kind: r.kind,
      status: r.status,
      topicId: r.topicId,
      placeId: r.placeId,
      agencyId: r.agencyId,
      receivedAt: r.receivedAt,
      dueAt: r.dueAt,
      rating: Number(r.rating),
      ratedAt: r.ratedAt!,
      comment: r.comment,
      handlerId: r.handlerId,
    }));
  return { overdue: of("overdue"), oldestOpen: of("oldest"), dueSoon: of("soon"), lowest };
}

/** Re-routings in the period, per agency that passed the case on. */
async function transfers(db: Client, w: DigestWindow) {
  const period = w.periods[0]!;
  const rows = await db.$queryRaw<Array<{ agencyId: string | null; n: number }>>`
    WITH rr AS (${REROUTED})
    SELECT e."data"->>'from' AS "agencyId", count(*)::int AS "n"
    FROM "CaseEvent" e JOIN ${CASES} c ON c."id" = e."caseId"
    WHERE e."type" = 'rerouted' AND ${within(Prisma.raw(`e."createdAt"`), period)}
      AND ${relevant(w, earliest(w))}
      ${w.scope.type === "agency" ? Prisma.sql`AND e."data"->>'from' = ${w.scope.id}` : Prisma.empty}
    GROUP BY 1`;
  return rows.map((r) => ({ agencyId: r.agencyId ?? "", count: r.n }));
}

/** Everything the figures need, counted and listed by the database. */
export async function loadDigestFacts(db: Db, w: DigestWindow): Promise<DigestFacts> {
  const { counts, lists, transferredOut } = await db.$transaction(
    async (tx) => {
      // The counts' hash tables are small (a few thousand groups), but the planner cannot tell
      // from the computed columns and would sort the cases instead; compiling the expressions
      // (JIT) costs more than it saves on a query run once.
      await tx.$executeRaw`SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true)`;
      // One after another: the embedded database has a single connection.
      const counts = await countFacts(tx, w);
      const lists = await listFacts(tx, w);
      const transferredOut = await transfers(tx, w);
      return { counts, lists, transferredOut };
    },
    // One snapshot: the counts and the lists agree.
    { isolationLevel: "RepeatableRead", timeout: 120_000, maxWait: 30_000 },
  );
  return {
    received: counts.received,
    answered: counts.answered,
    closed: counts.closed,
    rejected: counts.rejected,
    receivedBy: counts.receivedBy,
    weekly: counts.weekly,
    openAtEnd: counts.openAtEnd,
    overdueAtEnd: counts.overdueAtEnd,
    atEnd: counts.atEnd,
    handled: counts.handled,
    transferredOut,
    overdue: lists.overdue,
    oldestOpen: lists.oldestOpen,
    dueSoon: lists.dueSoon,
    satisfaction: {
      rated: counts.rated,
      ratingSum: counts.ratingSum,
      previousRated: counts.previousRated,
      previousRatingSum: counts.previousRatingSum,
      distribution: counts.distribution,
      closed: counts.closedInPeriod,
      closedRated: counts.closedRated,
      lowest: lists.lowest,
    },
  };
}

/** A hot-spot candidate: a case received in the window, with a place, and its text's hash. */
export interface HotSpotRow extends CaseRow {
  placeId: string;
  textHash: string;
}

/**
 * Cases received in [from, to) that have a place (hot spots are about places), in the scope
 * (agency: held at `to`), with the hash of the text their embedding is of (store/embeddings.ts).
 */
export async function loadHotSpotCases(
  db: Db,
  from: Date,
  to: Date,
  scope: Scope,
  textHash: Prisma.Sql,
): Promise<HotSpotRow[]> {
  const [result] = await db.$queryRaw<Array<{ rows: string }>>`
    WITH rr AS (${REROUTED})
    SELECT coalesce(json_agg(json_build_array(c."id", c."code", c."kind", c."status", c."topicId", c."placeId",
             ${holderAt(at(to))}, (extract(epoch from c."receivedAt") * 1000)::bigint,
             (extract(epoch from c."dueAt") * 1000)::bigint, ${textHash})), '[]')::text AS "rows"
    FROM ${CASES} c
    WHERE c."receivedAt" >= ${at(from)} AND c."receivedAt" < ${at(to)} AND c."placeId" IS NOT NULL
      ${scope.type === "commune" ? Prisma.sql`AND c."placeId" = ${scope.id}` : Prisma.empty}
      ${scope.type === "agency" ? Prisma.sql`AND ${holderAt(at(to))} = ${scope.id}` : Prisma.empty}`;
  // The rows travel as one JSON text (arrays, not objects): much quicker than as many result rows.
  return (JSON.parse(result?.rows ?? "[]") as unknown[][]).map((r) => ({
    id: r[0] as string,
    code: r[1] as string,
    kind: r[2] as string,
    status: r[3] as string,
    topicId: r[4] as string,
    placeId: r[5] as string,
    agencyId: r[6] as string | null,
    receivedAt: new Date(r[7] as number),
    dueAt: r[8] === null ? null : new Date(r[8] as number),
    textHash: r[9] as string,
  }));
}
