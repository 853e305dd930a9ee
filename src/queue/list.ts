/**
 * The queue's list: filters (state, topic, kind, place, assignee, overdue / due within two working
 * days, agency for those who read all agencies), a diacritics-insensitive search, deadline order,
 * and the count of cases behind every filter option (each counted with the other filters applied).
 * Every query is confined to the agencies the official may see.
 */
import { addWorkingDays, endOfLocalDay, localDate } from "../case/calendar.ts";
import { parseCode } from "../case/code.ts";
import { CASE_KINDS, type CaseKind } from "../case/kind.ts";
import { CASE_STATUSES, type CaseStatus } from "../case/lifecycle.ts";
import type { ReferenceData } from "../data/index.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { Db } from "../store/db.ts";
import { queryWords } from "../store/search.ts";
import { agencyScope, type SessionOfficial } from "./context.ts";

/** State filter: a state, or the groups "open" (default), "new" and "all". */
export const STATE_FILTERS = [
  "open",
  "new",
  "in_progress",
  "waiting_citizen",
  "answered",
  "closed",
  "rejected",
  "all",
] as const;
export type StateFilter = (typeof STATE_FILTERS)[number];
export const DUE_FILTERS = ["overdue", "soon"] as const;
export type DueFilter = (typeof DUE_FILTERS)[number];

export interface QueueFilters {
  state: StateFilter;
  kind?: CaseKind;
  topic?: string;
  place?: string;
  /** "me", "none", or an official's id. */
  assignee?: string;
  due?: DueFilter;
  agency?: string;
  q?: string;
  page: number;
}

export const PAGE_SIZE = 50;

const OPEN: CaseStatus[] = CASE_STATUSES.filter((s) => s !== "closed" && s !== "rejected");

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Reads the filters from the query string; anything unknown is ignored (never an error). */
export function parseFilters(query: Record<string, string | undefined>, data: ReferenceData): QueueFilters {
  const pick = <T extends string>(v: string | undefined, allowed: readonly T[]): T | undefined =>
    v && (allowed as readonly string[]).includes(v) ? (v as T) : undefined;
  const f: QueueFilters = { state: pick(query.state, STATE_FILTERS) ?? "open", page: 1 };
  const kind = pick(query.kind, CASE_KINDS);
  if (kind) f.kind = kind;
  if (query.topic && data.topicById.has(query.topic)) f.topic = query.topic;
  if (query.place && (query.place === "none" || data.communeById.has(query.place))) f.place = query.place;
  if (query.assignee && (query.assignee === "me" || query.assignee === "none" || UUID.test(query.assignee)))
    f.assignee = query.assignee;
  const due = pick(query.due, DUE_FILTERS);
  if (due) f.due = due;
  if (query.agency && data.agencyById.has(query.agency)) f.agency = query.agency;
  const qText = query.q?.trim().slice(0, 200);
  if (qText) f.q = qText;
  const page = Number(query.page);
  if (Number.isInteger(page) && page >= 1 && page <= 10_000) f.page = page;
  return f;
}

/** The end of the second working day from today (Việt Nam time): "due soon" means before it. */
export function soonLimit(now: Date, data: ReferenceData): Date {
  return endOfLocalDay(addWorkingDays(data.calendar, localDate(now), 2));
}

type Where = Prisma.CaseWhereInput;

const LIST_SELECT = {
  id: true,
  code: true,
  kind: true,
  status: true,
  topicId: true,
  placeId: true,
  agencyId: true,
  assigneeId: true,
  description: true,
  subject: true,
  identityProtected: true,
  anonymous: true,
  receivedAt: true,
  acceptanceDueAt: true,
  acceptedAt: true,
  dueAt: true,
  updatedAt: true,
  channel: true,
} as const;
export type Dimension = "state" | "kind" | "topic" | "place" | "assignee" | "due" | "agency";

function stateWhere(state: StateFilter): Where {
  switch (state) {
    case "open":
      return { status: { in: OPEN } };
    case "new":
      return { status: { in: ["received", "routed", "transferred"] } };
    case "all":
      return {};
    default:
      return { status: state };
  }
}

export class QueueQuery {
  constructor(
    private readonly db: Db,
    private readonly data: ReferenceData,
  ) {}

  /** The cases an official may see at all (their agency, or every agency for leaders and administrators). */
  scope(o: SessionOfficial): Where {
    const agency = agencyScope(o);
    return agency ? { agencyId: agency } : {};
  }

  /** The where clause of the filters, leaving out one dimension (for its counts). */
  where(o: SessionOfficial, f: QueueFilters, now: Date, except?: Dimension): Where {
    const and: Where[] = [this.scope(o)];
    if (except !== "state") and.push(stateWhere(f.state));
    if (except !== "kind" && f.kind) and.push({ kind: f.kind });
    if (except !== "topic" && f.topic) and.push({ topicId: f.topic });
    if (except !== "place" && f.place) and.push({ placeId: f.place === "none" ? null : f.place });
    if (except !== "assignee" && f.assignee)
      and.push({ assigneeId: f.assignee === "none" ? null : f.assignee === "me" ? o.id : f.assignee });
    if (except !== "agency" && f.agency) and.push({ agencyId: f.agency });
    if (except !== "due" && f.due) and.push(this.dueWhere(f.due, now));
    if (f.q) and.push(this.searchWhere(f.q));
    return { AND: and };
  }

  dueWhere(due: DueFilter, now: Date): Where {
    return due === "overdue"
      ? { status: { in: OPEN }, dueAt: { lt: now } }
      : { status: { in: OPEN }, dueAt: { gte: now, lte: soonLimit(now, this.data) } };
  }

  searchWhere(query: string): Where {
    const code = parseCode(query);
    if (code.ok) return { code: code.code };
    const words = queryWords(query);
    if (!words.length) return {};
    return { AND: words.map((w) => ({ searchText: { contains: w } })) };
  }

  async list(o: SessionOfficial, f: QueueFilters, now: Date) {
    const where = this.where(o, f, now);
    const [rows, total] = await Promise.all([
      this.db.case.findMany({
        where,
        orderBy: [{ dueAt: { sort: "asc", nulls: "last" } }, { receivedAt: "asc" }, { id: "asc" }],
        skip: (f.page - 1) * PAGE_SIZE,
        take: PAGE_SIZE,
        select: LIST_SELECT,
      }),
      this.db.case.count({ where }),
    ]);
    return { rows, total };
  }

  /**
   * SQL conditions of the filters (parameterised), one per dimension; TRUE when not set. They read
   * the columns of "Case", except `dueBucket`, `overdueBucket` and `soonBucket`, which read the
   * "due" column of the counts' facets (1 = past its deadline, 2 = due within two working days).
   * Statuses and kinds are compared as the enums they are (a ::text cast would keep PostgreSQL from
   * using the indexes).
   */
  private sqlConditions(o: SessionOfficial, f: QueueFilters, now: Date) {
    const T = Prisma.sql`TRUE`;
    const statuses = (list: readonly string[]) =>
      Prisma.sql`"status" IN (${Prisma.join(list.map((s) => Prisma.sql`${s}::"CaseStatus"`))})`;
    const stateList: readonly string[] | undefined =
      f.state === "open"
        ? OPEN
        : f.state === "new"
          ? ["received", "routed", "transferred"]
          : f.state === "all"
            ? undefined
            : [f.state];
    const open = statuses(OPEN);
    let search = T;
    if (f.q) {
      const code = parseCode(f.q);
      if (code.ok) search = Prisma.sql`"code" = ${code.code}`;
      else {
        const words = queryWords(f.q).map((w) => `%${w.replace(/[\\%_]/g, "\\$&")}%`);
        if (words.length)
          search = Prisma.join(
            words.map((w) => Prisma.sql`"searchText" LIKE ${w}`),
            " AND ",
          );
      }
    }
    const assignee =
      f.assignee === undefined
        ? T
        : f.assignee === "none"
          ? Prisma.sql`"assigneeId" IS NULL`
          : Prisma.sql`"assigneeId" = ${f.assignee === "me" ? o.id : f.assignee}::uuid`;
    const scopeAgency = agencyScope(o);
    const overdue = Prisma.sql`(${open} AND "dueAt" < ${now})`;
    const soon = Prisma.sql`(${open} AND "dueAt" >= ${now} AND "dueAt" <= ${soonLimit(now, this.data)})`;
    const overdueBucket = Prisma.sql`(${open} AND "due" = 1)`;
    const soonBucket = Prisma.sql`(${open} AND "due" = 2)`;
    return {
      scope: scopeAgency ? Prisma.sql`"agencyId" = ${scopeAgency}` : T,
      search,
      state: stateList ? statuses(stateList) : T,
      kind: f.kind ? Prisma.sql`"kind" = ${f.kind}::"CaseKind"` : T,
      topic: f.topic ? Prisma.sql`"topicId" = ${f.topic}` : T,
      place: f.place
        ? f.place === "none"
          ? Prisma.sql`"placeId" IS NULL`
          : Prisma.sql`"placeId" = ${f.place}`
        : T,
      assignee,
      agency: f.agency ? Prisma.sql`"agencyId" = ${f.agency}` : T,
      due: f.due === "overdue" ? overdue : f.due === "soon" ? soon : T,
      dueBucket: f.due === "overdue" ? overdueBucket : f.due === "soon" ? soonBucket : T,
      overdueBucket,
      soonBucket,
    };
  }

  /**
   * Counts behind each option of each filter (each with the other filters applied), the total, and
   * the change stamp of the official's scope — fast at 100,000 cases because no statement reads
   * every case of the scope more than once, and only through narrow indexes:
   *  - the states: one count per status, the other filters applied ([status, updatedAt] or
   *    [agencyId, status, updatedAt], index only); with no other filter and no search, the same
   *    statement gives the stamp;
   *  - every other dimension: the cases of the chosen state (open ones by default) counted once per
   *    combination of the filter columns (index only, Case_queue_facets_by_status_idx: a few
   *    thousand groups), then GROUPING SETS over those groups with one filtered sum per dimension.
   * A search narrows both through the trigram index (Case_searchText_trgm_idx).
   */
  async counts(o: SessionOfficial, f: QueueFilters, now: Date) {
    const c = this.sqlConditions(o, f, now);
    const facetDims = ["kind", "topic", "place", "assignee", "agency", "dueBucket"] as const;
    const all = (conditions: Prisma.Sql[]) => Prisma.join(conditions, " AND ");
    const except = (skip: (typeof facetDims)[number] | null) =>
      all(facetDims.filter((d) => d !== skip).map((d) => c[d]));
    const narrowed = Boolean(f.q || f.kind || f.topic || f.place || f.assignee || f.agency || f.due);
    type StateRow = { status: string; n: number; updated: Date | null };
    type FacetRow = {
      g: number;
      kind: string | null;
      topicId: string | null;
      placeId: string | null;
      assigneeId: string | null;
      agencyId: string | null;
      n_kind: number | null;
      n_topic: number | null;
      n_place: number | null;
      n_assignee: number | null;
      n_agency: number | null;
      n_all: number | null;
      n_overdue: number | null;
      n_soon: number | null;
    };
    const [stateRows, facetRows, scopeStamp] = await Promise.all([
      this.db.$queryRaw<StateRow[]>`
        SELECT "status"::text AS status, count(*)::int AS n, max("updatedAt") AS updated
        FROM "Case"
        WHERE ${all([c.scope, c.search, c.kind, c.topic, c.place, c.assignee, c.agency, c.due])}
        GROUP BY "status"`,
      this.db.$queryRaw<FacetRow[]>`
        WITH facets AS (
          SELECT "status", "kind", "topicId", "placeId", "assigneeId", "agencyId",
            CASE WHEN "dueAt" < ${now} THEN 1 WHEN "dueAt" <= ${soonLimit(now, this.data)} THEN 2 ELSE 0 END AS "due",
            count(*) AS n
          FROM "Case" WHERE ${all([c.scope, c.search, c.state])}
          GROUP BY 1, 2, 3, 4, 5, 6, 7)
        SELECT GROUPING("kind", "topicId", "placeId", "assigneeId", "agencyId")::int AS g,
          "kind"::text AS kind, "topicId", "placeId", "assigneeId"::text AS "assigneeId", "agencyId",
          (sum(n) FILTER (WHERE ${except("kind")}))::int AS n_kind,
          (sum(n) FILTER (WHERE ${except("topic")}))::int AS n_topic,
          (sum(n) FILTER (WHERE ${except("place")}))::int AS n_place,
          (sum(n) FILTER (WHERE ${except("assignee")}))::int AS n_assignee,
          (sum(n) FILTER (WHERE ${except("agency")}))::int AS n_agency,
          (sum(n) FILTER (WHERE ${except(null)}))::int AS n_all,
          (sum(n) FILTER (WHERE ${except("dueBucket")} AND ${c.overdueBucket}))::int AS n_overdue,
          (sum(n) FILTER (WHERE ${except("dueBucket")} AND ${c.soonBucket}))::int AS n_soon
        FROM facets
        GROUP BY GROUPING SETS (("kind"), ("topicId"), ("placeId"), ("assigneeId"), ("agencyId"), ())`,
      narrowed ? this.stamp(o) : undefined,
    ]);
    const status = new Map<string, number>();
    let scopeCount = 0;
    let scopeUpdated = 0;
    for (const r of stateRows) {
      const n = Number(r.n);
      if (n) status.set(r.status, n);
      scopeCount += n;
      if (r.updated) scopeUpdated = Math.max(scopeUpdated, new Date(r.updated).getTime());
    }
    const stamp = scopeStamp ?? `${scopeCount}:${scopeUpdated}`;
    const kind = new Map<string, number>();
    const topic = new Map<string, number>();
    const place = new Map<string, number>();
    const assignee = new Map<string, number>();
    const agency = new Map<string, number>();
    let total = 0;
    let overdue = 0;
    let soon = 0;
    const put = (m: Map<string, number>, key: string | null, n: number | null) => {
      if (n) m.set(key ?? "none", Number(n));
    };
    // GROUPING(...) is a bit mask, most significant bit first: 0b01111 = grouped by "kind" only, and so on.
    for (const r of facetRows) {
      const g = Number(r.g);
      if (g === 0b01111) put(kind, r.kind, r.n_kind);
      else if (g === 0b10111) put(topic, r.topicId, r.n_topic);
      else if (g === 0b11011) put(place, r.placeId, r.n_place);
      else if (g === 0b11101) put(assignee, r.assigneeId, r.n_assignee);
      else if (g === 0b11110) put(agency, r.agencyId, r.n_agency);
      else if (g === 0b11111) {
        total = Number(r.n_all ?? 0);
        overdue = Number(r.n_overdue ?? 0);
        soon = Number(r.n_soon ?? 0);
      }
    }
    const states = new Map<StateFilter, number>();
    const sum = (list: readonly string[]) => list.reduce((n, s) => n + (status.get(s) ?? 0), 0);
    states.set("open", sum(OPEN));
    states.set("new", sum(["received", "routed", "transferred"]));
    for (const s of ["in_progress", "waiting_citizen", "answered", "closed", "rejected"] as const)
      states.set(s, status.get(s) ?? 0);
    states.set("all", sum(CASE_STATUSES));
    return {
      states,
      kind,
      topic,
      place,
      assignee,
      agency: agencyScope(o) ? new Map<string, number>() : agency,
      due: { overdue, soon },
      total,
      stamp,
    };
  }

  /** One page of cases, sorted by deadline. */
  async page(o: SessionOfficial, f: QueueFilters, now: Date) {
    return this.db.case.findMany({
      where: this.where(o, f, now),
      orderBy: [{ dueAt: { sort: "asc", nulls: "last" } }, { receivedAt: "asc" }, { id: "asc" }],
      skip: (f.page - 1) * PAGE_SIZE,
      take: PAGE_SIZE,
      select: LIST_SELECT,
    });
  }

  /** Changes within the official's scope since the page was drawn (the list refreshes when it changes). */
  async stamp(o: SessionOfficial): Promise<string> {
    const r = await this.db.case.aggregate({
      where: this.scope(o),
      _max: { updatedAt: true },
      _count: { _all: true },
    });
    return `${r._count._all}:${r._max.updatedAt?.getTime() ?? 0}`;
  }
}
