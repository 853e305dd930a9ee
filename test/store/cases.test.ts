import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localDate } from "../../src/case/calendar.ts";
import { IllegalTransitionError } from "../../src/case/lifecycle.ts";
import { dbKinds } from "../support/db.ts";
import { citizen, codeIn, type Harness, harness } from "../support/harness.ts";

const kinds = await dbKinds();

describe.each(kinds)("the store on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  async function newCase(topicId = "land", placeId: string | null = "hai-chau") {
    const c = await h.opened.db.citizen.create({
      data: { channel: "web", externalId: `c-${Math.random()}` },
    });
    return h.cases.fileCase({
      citizenId: c.id,
      channel: "web",
      receivedAt: new Date("2026-11-23T03:00:00Z"),
      draft: {
        description: ["Tranh chấp ranh giới đất với hàng xóm"],
        photos: [],
        kind: "pakn",
        topicId,
        placeId,
      },
    });
  }

  it("applies the migrations exactly as prisma migrate deploy records them", async () => {
    const rows = await h.opened.db.$queryRawUnsafe<{ migration_name: string; finished_at: Date | null }[]>(
      `select migration_name, finished_at from _prisma_migrations order by started_at`,
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.finished_at)).toBe(true);
    expect(rows[0]!.migration_name).toMatch(/_init$/);
  });

  it("holds the reference data: 15 topics, 94 communes under the city, their agencies", async () => {
    expect(await h.opened.db.topic.count()).toBe(15);
    expect(await h.opened.db.place.count({ where: { parentId: "da-nang" } })).toBe(94);
    const ubnd = await h.opened.db.agency.findUniqueOrThrow({ where: { id: "ubnd-hai-chau" } });
    expect(ubnd.placeId).toBe("hai-chau");
  });

  it("files a case with its code, route, deadlines and audit events", async () => {
    const filed = await newCase();
    const row = await h.opened.db.case.findUniqueOrThrow({
      where: { id: filed.caseId },
      include: { events: { orderBy: { id: "asc" } } },
    });
    expect(row.code).toBe(filed.code);
    expect(row.agencyId).toBe("ubnd-hai-chau");
    expect(localDate(row.acceptanceDueAt!)).toBe("2026-11-26");
    expect(localDate(row.dueAt!)).toBe("2026-12-07");
    expect(row.events.map((e) => e.type)).toEqual(["created", "classified", "routed"]);
    expect(row.events[2]!.data).toMatchObject({ agencyId: "ubnd-hai-chau", ruleId: 5 });
  });

  it("records legal status changes and refuses illegal ones without writing anything", async () => {
    const { caseId } = await newCase();
    await h.cases.changeStatus(caseId, "in_progress", { type: "official", id: "o-1" });
    await expect(h.cases.changeStatus(caseId, "routed", { type: "official" })).rejects.toBeInstanceOf(
      IllegalTransitionError,
    );
    await h.cases.changeStatus(caseId, "answered", { type: "official", id: "o-1" });
    await h.cases.changeStatus(caseId, "closed", { type: "system" });
    const row = await h.opened.db.case.findUniqueOrThrow({
      where: { id: caseId },
      include: { events: { orderBy: { id: "asc" } } },
    });
    expect(row.status).toBe("closed");
    expect(row.closedAt).not.toBeNull();
    expect(row.acceptedAt).not.toBeNull();
    expect(row.events.filter((e) => e.type === "status_changed").map((e) => e.data)).toEqual([
      { from: "routed", to: "in_progress" },
      { from: "in_progress", to: "answered" },
      { from: "answered", to: "closed" },
    ]);
  });

  it("re-computes deadlines when an official re-classifies the kind", async () => {
    const { caseId } = await newCase();
    await h.cases.changeKind(caseId, "khieu_nai", { type: "official", id: "o-2" });
    const row = await h.opened.db.case.findUniqueOrThrow({
      where: { id: caseId },
      include: { events: true },
    });
    expect(row.kind).toBe("khieu_nai");
    expect(localDate(row.acceptanceDueAt!)).toBe("2026-12-03");
    expect(localDate(row.dueAt!)).toBe("2027-01-04");
    expect(row.events.find((e) => e.type === "kind_changed")?.data).toEqual({
      from: "pakn",
      to: "khieu_nai",
    });
  });

  it("re-computes deadlines from the transfer day when the agency changes", async () => {
    const { caseId } = await newCase();
    await h.cases.reroute(
      caseId,
      "so-nong-nghiep-va-moi-truong",
      { type: "official" },
      "Việc của thành phố",
      new Date("2026-11-27T03:00:00Z"),
    );
    const row = await h.opened.db.case.findUniqueOrThrow({
      where: { id: caseId },
      include: { events: true },
    });
    expect(row.agencyId).toBe("so-nong-nghiep-va-moi-truong");
    expect(localDate(row.acceptanceDueAt!)).toBe("2026-12-02");
    expect(row.events.find((e) => e.type === "rerouted")?.data).toMatchObject({
      from: "ubnd-hai-chau",
      to: "so-nong-nghiep-va-moi-truong",
    });
  });

  it("serialises concurrent messages of one conversation: none is lost", async () => {
    const c = citizen(h, `concurrent-${kind}`);
    await c.say("/gui");
    const parts = Array.from({ length: 8 }, (_, i) => `Chi tiết số ${i + 1} về việc cống thoát nước bị tắc`);
    await Promise.all(
      parts.map((p) =>
        h.intake.handle({
          channel: "web",
          chatId: `concurrent-${kind}`,
          userId: `concurrent-${kind}`,
          text: p,
        }),
      ),
    );
    await c.say("city_wide");
    await c.say("pakn");
    await c.say("topic:transport_infrastructure");
    await c.say("anonymous");
    const code = codeIn(await c.say("send"));
    const row = await h.opened.db.case.findUniqueOrThrow({ where: { code } });
    for (const p of parts) expect(row.description).toContain(p);
    expect(row.agencyId).toBe("so-xay-dung");
  });
});
