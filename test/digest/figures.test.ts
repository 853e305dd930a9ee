/**
 * Every figure of the week-48 digest of the fixed data set (fixture.ts), worked out by hand, on the
 * embedded database and on PostgreSQL; hot spots with the project's own embedding model.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Classifier } from "../../src/classify/classifier.ts";
import { DEFAULT_MODEL_DIR, loadClassifier } from "../../src/classify/node-loader.ts";
import { loadReferenceData } from "../../src/data/index.ts";
import { digestConfig } from "../../src/digest/config.ts";
import type { Digest } from "../../src/digest/figures.ts";
import { parsePeriodKey, rangePeriod, weekOf } from "../../src/digest/period.ts";
import { buildDigest, type DigestDeps, parseScope } from "../../src/digest/service.ts";
import { syncReferenceData } from "../../src/store/reference.ts";
import { dbKinds, openTestDb, type TestDb } from "../support/db.ts";
import { NOW, SECRET_COMMENT, seedFixture } from "./fixture.ts";

const data = loadReferenceData();
const W48 = parsePeriodKey("2026-W48");

describe("digest periods (Việt Nam time)", () => {
  it("a week runs Monday 00:00 to Monday 00:00 in Asia/Ho_Chi_Minh", () => {
    expect(W48.start.toISOString()).toBe("2026-11-22T17:00:00.000Z");
    expect(W48.end.toISOString()).toBe("2026-11-29T17:00:00.000Z");
    expect(weekOf(new Date("2026-11-22T16:59:59Z")).key).toBe("2026-W47");
    expect(weekOf(new Date("2026-11-22T17:00:00Z")).key).toBe("2026-W48");
    expect(rangePeriod("2026-11-23", "2026-11-29").key).toBe("2026-W48");
    expect(parsePeriodKey("2026-H1")).toMatchObject({ from: "2026-01-01", to: "2026-06-30" });
    expect(parsePeriodKey("2026")).toMatchObject({ from: "2026-01-01", to: "2026-12-31" });
    expect(parsePeriodKey("2026").start.toISOString()).toBe("2025-12-31T17:00:00.000Z");
  });
});

const kinds = await dbKinds();
let classifier: Classifier;
beforeAll(async () => {
  classifier = await loadClassifier(DEFAULT_MODEL_DIR);
});

describe.each(kinds)("digest figures on %s", (kind) => {
  let db: TestDb;
  let deps: DigestDeps;
  let city: Digest;
  beforeAll(async () => {
    db = await openTestDb(kind);
    await syncReferenceData(db.db, data);
    await seedFixture(db.db);
    deps = { db: db.db, data, embedder: classifier.embedder, config: digestConfig(), now: () => NOW };
    city = (await buildDigest(deps, { period: W48, scope: parseScope("city", data) })).digest;
  }, 60_000);
  afterAll(() => db?.close());

  it("counts, changes and four-week averages of the city's week 48", async () => {
    const d = city;
    expect(d.previous.key).toBe("2026-W47");
    // Received: 12 in W48 (C04 at Monday 00:00 is W49; C02 at Sunday 23:59:59 is W47), W47 3,
    // W46 1, W45 2, W44 0.
    expect(d.totals.received).toEqual({ current: 12, previous: 3, average4: 1.5, changePct: 300 });
    expect(d.totals.answered).toEqual({ current: 3, previous: 2, average4: 0.8, changePct: 50 });
    expect(d.totals.closed).toEqual({ current: 2, previous: 1, average4: 0.5, changePct: 100 });
    expect(d.totals.rejected).toBe(0);
    expect(d.totals.openAtEnd).toBe(14);
    expect(d.totals.overdueAtEnd).toBe(1);
    expect(d.totals.handled).toBe(3);
    expect(d.totals.onTimeRate).toBe(66.7);

    const rows = (r: Array<{ id: string; current: number; previous: number }>) =>
      Object.fromEntries(r.map((x) => [x.id, [x.current, x.previous]]));
    expect(rows(d.byTopic)).toEqual({
      environment: [7, 1],
      land: [2, 2],
      social_policy: [1, 0],
      transport_infrastructure: [1, 0],
      education: [1, 0],
    });
    expect(rows(d.byKind)).toEqual({ pakn: [12, 2], khieu_nai: [0, 1] });
    // C05 was re-routed from UBND Hải Châu to the Sở: it counts for the Sở.
    expect(rows(d.byAgency)).toEqual({
      "ubnd-hoa-vang": [7, 0],
      "ubnd-hai-chau": [2, 2],
      "so-nong-nghiep-va-moi-truong": [1, 0],
      "ubnd-hoa-tien": [1, 0],
      "ubnd-hoi-an": [1, 1],
      // Rows of the four weeks before (for their average) stay, at 0 this week.
      "thanh-tra-thanh-pho": [0, 0],
      "ubnd-son-tra": [0, 0],
    });
    expect(rows(d.byPlace)).toEqual({
      "hoa-vang": [7, 0],
      "hai-chau": [3, 2],
      "hoa-tien": [1, 0],
      "hoi-an": [1, 1],
      "son-tra": [0, 0],
    });
    expect(d.byTopic[0]).toMatchObject({ name: "Môi trường", average4: 0.5, changePct: 600 });
  });

  it("on-time rate per agency, ranked, with re-routed cases counted for the agency that answered", async () => {
    const d = city;
    const get = (id: string) => d.onTime.find((a) => a.agencyId === id)!;
    expect(d.onTime[0]!.agencyId).toBe("so-nong-nghiep-va-moi-truong");
    expect(d.onTime[1]!.agencyId).toBe("ubnd-hai-chau");
    expect(get("so-nong-nghiep-va-moi-truong")).toMatchObject({
      handled: 1,
      onTime: 1,
      rate: 100,
      openAtEnd: 1,
      transferredOut: 0,
    });
    expect(get("ubnd-hai-chau")).toMatchObject({
      handled: 2,
      onTime: 1,
      rate: 50,
      openAtEnd: 1,
      overdueAtEnd: 0,
      transferredOut: 1,
    });
    expect(get("thanh-tra-thanh-pho")).toMatchObject({
      handled: 0,
      rate: null,
      openAtEnd: 1,
      overdueAtEnd: 1,
    });
    expect(get("ubnd-hoa-vang")).toMatchObject({ openAtEnd: 7, overdueAtEnd: 0 });
    expect(d.onTime.at(-1)!.agencyId).toBe("thanh-tra-thanh-pho");
  });

  it("overdue and oldest open cases with their agency", async () => {
    const d = city;
    expect(d.overdue).toHaveLength(1);
    expect(d.overdue[0]).toMatchObject({
      code: "C06",
      agency: "Thanh tra thành phố Đà Nẵng",
      overdueDays: 9,
      ageDays: 27,
    });
    expect(d.oldestOpen.map((c) => c.code)).toEqual(["C06", "B2", "H1", "S1", "H2"]);
  });

  it("satisfaction: average, previous, distribution, share rated, lowest-rated answers", async () => {
    const d = city;
    expect(d.satisfaction).toMatchObject({
      rated: 2,
      average: 3,
      previousAverage: 4,
      shareRated: 100,
      distribution: [1, 0, 0, 0, 1],
    });
    expect(d.satisfaction.lowest).toEqual([
      {
        code: "C02",
        rating: 1,
        agency: "Ủy ban nhân dân phường Hải Châu",
        topic: "Đất đai",
        comment: SECRET_COMMENT,
      },
    ]);
  });

  it("hot spots: the planted cluster across neighbouring communes is found; scattered cases are not", async () => {
    const d = city;
    expect(d.hotSpots).toHaveLength(1);
    const h = d.hotSpots[0]!;
    expect(h.cases.map((c) => c.code)).toEqual(["H1", "H2", "H3", "H4"]);
    expect(h).toMatchObject({
      placeId: "hoa-vang",
      topicId: "environment",
      count: 4,
      label: "Môi trường — xã Hòa Vang",
    });
    expect(h.cohesion).toBeGreaterThanOrEqual(0.8);
    // The same complaint in Hội An (another area) and the unrelated cases in Hòa Vang are in none.
    const inSpots = new Set(d.hotSpots.flatMap((s) => s.cases.map((c) => c.code)));
    for (const code of ["L1", "S1", "S2", "S3", "S4", "C01", "C03", "B1"])
      expect(inSpots.has(code)).toBe(false);
  });

  it("cases for attention: overdue, rated 1, the newest case of a hot spot", async () => {
    const d = city;
    expect(d.attention.map((a) => [a.code, a.reason])).toEqual([
      ["C06", "Quá hạn 9 ngày"],
      ["C02", "Người dân chấm 1 sao cho trả lời"],
      ["H4", "Thuộc điểm nóng: Môi trường — xã Hòa Vang (4 vụ việc tương tự)"],
    ]);
  });

  it("weekly volume by topic for the chart, in Việt Nam weeks", async () => {
    const d = city;
    const at = (week: string, topicId: string) =>
      d.weekly.find((w) => w.week === week && w.topicId === topicId)?.count;
    expect(at("2026-W48", "environment")).toBe(7);
    expect(at("2026-W47", "land")).toBe(2);
    expect(at("2026-W45", "land")).toBe(1);
    expect(d.weekly.some((w) => w.week === "2026-W49")).toBe(false);
    expect(d.weekly.reduce((s, w) => s + w.count, 0)).toBe(12 + 3 + 1 + 2);
  });

  it("agency and commune scopes", async () => {
    const hc = (await buildDigest(deps, { period: W48, scope: parseScope("agency:ubnd-hai-chau", data) }))
      .digest;
    expect(hc.totals.received.current).toBe(2);
    expect(hc.totals.handled).toBe(2);
    expect(hc.totals.onTimeRate).toBe(50);
    expect(hc.onTime).toHaveLength(1);
    expect(hc.onTime[0]).toMatchObject({ agencyId: "ubnd-hai-chau", transferredOut: 1 });
    const so = (
      await buildDigest(deps, { period: W48, scope: parseScope("agency:so-nong-nghiep-va-moi-truong", data) })
    ).digest;
    expect(so.totals.received.current).toBe(1);
    expect(so.totals.onTimeRate).toBe(100);
    const hv = (await buildDigest(deps, { period: W48, scope: parseScope("commune:hoa-vang", data) })).digest;
    expect(hv.totals.received.current).toBe(7);
    expect(hv.totals.openAtEnd).toBe(7);
    expect(hv.scope.name).toBe("xã Hòa Vang");
  });

  it("six-monthly and annual periods", async () => {
    const h2 = (
      await buildDigest(deps, { period: parsePeriodKey("2026-H2"), scope: parseScope("city", data) })
    ).digest;
    expect(h2.totals.received.current).toBe(19);
    expect(h2.previous.key).toBe("2026-H1");
    const y = (await buildDigest(deps, { period: parsePeriodKey("2026"), scope: parseScope("city", data) }))
      .digest;
    expect(y.totals.received.current).toBe(19);
    // C01, C02, C05, B1, D1, D2.
    expect(y.totals.handled).toBe(6);
  });
});
