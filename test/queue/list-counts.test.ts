/**
 * Issue 7, the queue's filter counts: the number next to every filter option is the number of
 * cases the official would get by choosing it (the other filters kept), for an officer (one agency)
 * and a leader (every agency), with and without a search — checked against a plain count of each
 * option through Prisma's own where clause. The change stamp moves when a case changes or leaves
 * the official's agency.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoCases } from "../../scripts/lib/demo-cases.ts";
import { CASE_STATUSES } from "../../src/case/lifecycle.ts";
import { loadReferenceData } from "../../src/data/index.ts";
import type { SessionOfficial } from "../../src/queue/context.ts";
import {
  type Dimension,
  parseFilters,
  type QueueFilters,
  QueueQuery,
  STATE_FILTERS,
} from "../../src/queue/list.ts";
import { syncReferenceData } from "../../src/store/reference.ts";
import { dbKinds, openTestDb, type TestDb } from "../support/db.ts";
import { createOfficial } from "../support/queue.ts";

const kinds = await dbKinds();
const NOW = new Date("2026-11-18T03:00:00Z");

describe.each(kinds)("queue filter counts on %s", (kind) => {
  const data = loadReferenceData();
  let h: TestDb;
  let query: QueueQuery;
  let officer: SessionOfficial;
  let leader: SessionOfficial;
  let agencyId: string;

  beforeAll(async () => {
    h = await openTestDb(kind);
    await syncReferenceData(h.db, data);
    await seedDemoCases(h.db, data, { count: 400, seed: 11, now: NOW, weeks: 6 });
    const busiest = await h.db.case.groupBy({
      by: ["agencyId"],
      _count: { _all: true },
      orderBy: { _count: { agencyId: "desc" } },
      take: 1,
    });
    agencyId = busiest[0]!.agencyId!;
    officer = await createOfficial(h.db, { role: "officer", agencyId });
    leader = await createOfficial(h.db, { role: "leader", agencyId: "van-phong-ubnd" });
    // Some cases of the officer's agency are theirs, some are a colleague's.
    const colleague = await createOfficial(h.db, { role: "officer", agencyId });
    const open = await h.db.case.findMany({
      where: { agencyId, status: { in: ["routed", "in_progress"] } },
      select: { id: true },
      orderBy: { code: "asc" },
    });
    for (const [i, c] of open.entries())
      if (i % 3 !== 2)
        await h.db.case.update({
          where: { id: c.id },
          data: { assigneeId: i % 3 === 0 ? officer.id : colleague.id },
        });
    query = new QueueQuery(h.db, data);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  /** What the counts must be: one plain Prisma count per option, with the other filters applied. */
  async function expected(o: SessionOfficial, f: QueueFilters) {
    const db = h.db;
    const groups = async (
      by: "kind" | "topicId" | "placeId" | "assigneeId" | "agencyId",
      except: Dimension,
    ) => {
      const rows = await db.case.groupBy({
        by: [by],
        where: query.where(o, f, NOW, except),
        _count: { _all: true },
      });
      return new Map(rows.map((r) => [String(r[by] ?? "none"), r._count._all]));
    };
    const states = new Map<string, number>();
    const byStatus = await db.case.groupBy({
      by: ["status"],
      where: query.where(o, f, NOW, "state"),
      _count: { _all: true },
    });
    const status = new Map<string, number>(byStatus.map((r) => [r.status, r._count._all]));
    for (const s of STATE_FILTERS) {
      const list =
        s === "all"
          ? CASE_STATUSES
          : s === "open"
            ? CASE_STATUSES.filter((x) => x !== "closed" && x !== "rejected")
            : s === "new"
              ? ["received", "routed", "transferred"]
              : [s];
      states.set(
        s,
        list.reduce((n, x) => n + (status.get(x) ?? 0), 0),
      );
    }
    const dueWhere = (d: "overdue" | "soon") => ({
      AND: [query.where(o, f, NOW, "due"), query.dueWhere(d, NOW)],
    });
    return {
      states,
      kind: await groups("kind", "kind"),
      topic: await groups("topicId", "topic"),
      place: await groups("placeId", "place"),
      assignee: await groups("assigneeId", "assignee"),
      agency: o.role === "officer" ? new Map() : await groups("agencyId", "agency"),
      due: {
        overdue: await db.case.count({ where: dueWhere("overdue") }),
        soon: await db.case.count({ where: dueWhere("soon") }),
      },
      total: await db.case.count({ where: query.where(o, f, NOW) }),
      stamp: await query.stamp(o),
    };
  }

  const CASES: Record<string, string>[] = [
    {},
    { state: "all" },
    { state: "new" },
    { state: "closed", kind: "pakn" },
    { due: "overdue" },
    { due: "soon", state: "all" },
    { assignee: "me" },
    { assignee: "none", state: "in_progress" },
    { q: "đường", state: "all" },
    { q: "den duong" },
    { q: "NGẬP nước", state: "all" },
    { q: "100%_ không có", state: "all" },
    { place: "none", state: "all" },
  ];

  it("counts every filter option of an officer's agency as choosing it would list", async () => {
    for (const raw of [...CASES, { topic: data.topics[0]!.id, state: "all" }]) {
      const f = parseFilters(raw, data);
      const got = await query.counts(officer, f, NOW);
      expect(got, JSON.stringify(raw)).toEqual(await expected(officer, f));
    }
  });

  it("counts every filter option of every agency for a leader", async () => {
    const agency = { agency: agencyId, state: "all" };
    for (const raw of [...CASES, agency, { ...agency, kind: "khieu_nai", q: "dat" }]) {
      const f = parseFilters(raw, data);
      const got = await query.counts(leader, f, NOW);
      expect(got, JSON.stringify(raw)).toEqual(await expected(leader, f));
    }
    // The search really narrows (not every case mentions roads), and the counts are not all zero.
    const roads = await query.counts(leader, parseFilters({ q: "đường", state: "all" }, data), NOW);
    const all = await query.counts(leader, parseFilters({ state: "all" }, data), NOW);
    expect(roads.total).toBeGreaterThan(0);
    expect(roads.total).toBeLessThan(all.total);
    expect(all.total).toBe(400);
  });

  it("moves the officer's stamp when a case of the agency changes or is transferred away", async () => {
    const f = parseFilters({}, data);
    const before = (await query.counts(officer, f, NOW)).stamp;
    expect(before).toBe(await query.stamp(officer));
    const one = await h.db.case.findFirstOrThrow({
      where: { agencyId, status: "in_progress" },
      orderBy: { updatedAt: "asc" },
    });
    await h.db.case.update({ where: { id: one.id }, data: { status: "answered" } });
    const changed = (await query.counts(officer, f, NOW)).stamp;
    expect(changed).not.toBe(before);
    const other = data.agencies.find((a) => a.id !== agencyId)!.id;
    const oldest = await h.db.case.findFirstOrThrow({
      where: { agencyId, id: { not: one.id } },
      orderBy: { updatedAt: "asc" },
    });
    await h.db.case.update({ where: { id: oldest.id }, data: { agencyId: other } });
    const moved = (await query.counts(officer, parseFilters({ q: "a" }, data), NOW)).stamp;
    expect(moved).not.toBe(changed);
    expect(moved).toBe(await query.stamp(officer));
  });
});
