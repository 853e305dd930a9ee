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
import type { Prisma } from "../generated/prisma/client.ts";
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
type Dimension = "state" | "kind" | "topic" | "place" | "assignee" | "due" | "agency";

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
        select: {
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
        },
      }),
      this.db.case.count({ where }),
    ]);
    return { rows, total };
  }

  /** Counts behind each option of each filter (with the other filters applied). */
  async counts(o: SessionOfficial, f: QueueFilters, now: Date) {
    const group = async (
      dim: Dimension,
      by: "status" | "kind" | "topicId" | "placeId" | "assigneeId" | "agencyId",
    ) => {
      const rows = await this.db.case.groupBy({
        by: [by],
        where: this.where(o, f, now, dim),
        _count: { _all: true },
      });
      const m = new Map<string, number>();
      for (const r of rows) m.set(String((r as Record<string, unknown>)[by] ?? "none"), r._count._all);
      return m;
    };
    const dueBase = this.where(o, f, now, "due");
    const [status, kind, topic, place, assignee, agency, overdue, soon] = await Promise.all([
      group("state", "status"),
      group("kind", "kind"),
      group("topic", "topicId"),
      group("place", "placeId"),
      group("assignee", "assigneeId"),
      agencyScope(o) ? Promise.resolve(new Map<string, number>()) : group("agency", "agencyId"),
      this.db.case.count({ where: { AND: [dueBase, this.dueWhere("overdue", now)] } }),
      this.db.case.count({ where: { AND: [dueBase, this.dueWhere("soon", now)] } }),
    ]);
    const states = new Map<StateFilter, number>();
    const sum = (list: readonly string[]) => list.reduce((n, s) => n + (status.get(s) ?? 0), 0);
    states.set("open", sum(OPEN));
    states.set("new", sum(["received", "routed", "transferred"]));
    for (const s of ["in_progress", "waiting_citizen", "answered", "closed", "rejected"] as const)
      states.set(s, status.get(s) ?? 0);
    states.set("all", sum(CASE_STATUSES));
    return { states, kind, topic, place, assignee, agency, due: { overdue, soon } };
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
