/**
 * Cases re-routed more than once: every figure of week 48 counts a case for the agency holding it
 * at the instant the figure is about (worked out by hand below), on the embedded database and on
 * PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadReferenceData } from "../../src/data/index.ts";
import { digestConfig } from "../../src/digest/config.ts";
import type { Digest } from "../../src/digest/figures.ts";
import { parsePeriodKey } from "../../src/digest/period.ts";
import { buildDigest, parseScope } from "../../src/digest/service.ts";
import type { Db } from "../../src/store/db.ts";
import { syncReferenceData } from "../../src/store/reference.ts";
import { dbKinds, openTestDb, type TestDb } from "../support/db.ts";

const data = loadReferenceData();
const W48 = parsePeriodKey("2026-W48"); // 2026-11-22T17:00Z – 2026-11-29T17:00Z
const NOW = new Date("2026-12-01T03:00:00Z");
const A = "ubnd-hai-chau";
const B = "so-nong-nghiep-va-moi-truong";
const C = "so-xay-dung";

async function seed(db: Db) {
  const citizen = await db.citizen.create({ data: { channel: "web", externalId: "reroutes" } });
  const file = async (
    code: string,
    agencyId: string,
    received: string,
    extra: Record<string, unknown> = {},
  ) =>
    (
      await db.case.create({
        data: {
          code,
          kind: "pakn",
          status: "routed",
          topicId: "environment",
          placeId: "hai-chau",
          agencyId,
          description: `Hồ sơ ${code}`,
          citizenId: citizen.id,
          channel: "web",
          receivedAt: new Date(received),
          dueAt: new Date("2026-12-20T16:59:59.999Z"),
          ...extra,
        },
      })
    ).id;
  const reroute = (caseId: string, from: string, to: string, at: string) =>
    db.caseEvent.create({
      data: { caseId, type: "rerouted", actorType: "official", data: { from, to }, createdAt: new Date(at) },
    });
  // R1: A → B on Tuesday, B → C on Thursday, answered by C on Friday.
  const r1 = await file("R1", C, "2026-11-23T02:00:00Z", {
    status: "answered",
    answeredAt: new Date("2026-11-27T02:00:00Z"),
  });
  await reroute(r1, A, B, "2026-11-24T02:00:00Z");
  await reroute(r1, B, C, "2026-11-26T02:00:00Z");
  // R2: received in week 47 by A, passed to B on Wednesday of week 48, still open.
  const r2 = await file("R2", B, "2026-11-20T02:00:00Z");
  await reroute(r2, A, B, "2026-11-25T02:00:00Z");
  // R3: two re-routings at the same instant (A → B, then B → C): C holds it after.
  const r3 = await file("R3", C, "2026-11-24T05:00:00Z");
  await reroute(r3, A, B, "2026-11-25T05:00:00Z");
  await reroute(r3, B, C, "2026-11-25T05:00:00Z");
  // R4: passed from A to B after the week ended: A held it all week.
  const r4 = await file("R4", B, "2026-11-25T08:00:00Z");
  await reroute(r4, A, B, "2026-11-30T02:00:00Z");
}

const kinds = await dbKinds();

describe.each(kinds)("re-routed cases in the digest on %s", (kind) => {
  let db: TestDb;
  const digest = async (scope: string): Promise<Digest> =>
    (
      await buildDigest(
        { db: db.db, data, config: digestConfig(), now: () => NOW },
        { period: W48, scope: parseScope(scope, data) },
      )
    ).digest;
  beforeAll(async () => {
    db = await openTestDb(kind);
    await syncReferenceData(db.db, data);
    await seed(db.db);
  }, 60_000);
  afterAll(() => db?.close());

  it("the city: received for the holder at the week's end, answered for the holder then, transfers for those who passed", async () => {
    const d = await digest("city");
    const rows = (r: Array<{ id: string; current: number; previous: number }>) =>
      Object.fromEntries(r.map((x) => [x.id, [x.current, x.previous]]));
    // Week 48: R1 and R3 held by C at the end, R4 by A. Week 47: R2 held by A at that week's end.
    expect(rows(d.byAgency)).toEqual({ [C]: [2, 0], [A]: [1, 1] });
    const get = (id: string) => d.onTime.find((a) => a.agencyId === id);
    expect(get(C)).toMatchObject({ handled: 1, onTime: 1, openAtEnd: 2, transferredOut: 0 });
    expect(get(B)).toMatchObject({ handled: 0, openAtEnd: 1, transferredOut: 2 });
    expect(get(A)).toMatchObject({ handled: 0, openAtEnd: 1, transferredOut: 3 });
    // Not answered at the end of the week: R2 (B), R3 (C), R4 (A: passed on only after the week).
    expect(d.oldestOpen.map((c) => [c.code, c.agency])).toEqual([
      ["R2", "Sở Nông nghiệp và Môi trường thành phố Đà Nẵng"],
      ["R3", "Sở Xây dựng thành phố Đà Nẵng"],
      ["R4", "Ủy ban nhân dân phường Hải Châu"],
    ]);
  });

  it("an agency's own digest counts what it held at each instant", async () => {
    const b = await digest(`agency:${B}`);
    expect(b.totals.received.current).toBe(0);
    expect(b.totals.openAtEnd).toBe(1);
    expect(b.onTime).toEqual([expect.objectContaining({ agencyId: B, transferredOut: 2, handled: 0 })]);
    const a = await digest(`agency:${A}`);
    expect(a.totals.received).toMatchObject({ current: 1, previous: 1 });
    expect(a.totals.openAtEnd).toBe(1);
    const c = await digest(`agency:${C}`);
    expect(c.totals.received.current).toBe(2);
    expect(c.totals.handled).toBe(1);
    expect(c.totals.answered.current).toBe(1);
  });
});
