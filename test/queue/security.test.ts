/**
 * Issue 7 security acceptance, through the real HTTP routes (sign-in form, cookies, CSRF):
 * agency confinement by URL, API and search; CSRF on every case form; HTML and SQL inert; a leader
 * cannot write; a denouncer's and an anonymous sender's identity never reach a page, an API answer
 * or a log line of a role without the right, and every view is audited; concurrent edits conflict.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { vi as viText } from "../../src/i18n/vi.ts";
import { dbKinds } from "../support/db.ts";
import { type Bots, codeIn, startBots, telegramCitizen } from "../support/messengers.ts";
import { loginAs, type QueueClient } from "../support/queue.ts";

const kinds = await dbKinds();

const DENOUNCER = "Phạm Văn Tố, số 12 Lê Lợi, phường Hải Châu, 0905 111 222";
const DISPLAY_NAME = "Nguyễn Văn A"; // what the Telegram stand-in calls every sender

describe.each(kinds)("queue security on %s", (kind) => {
  let bots: Bots;
  const logs: string[] = [];
  let denunciation: { id: string; code: string; agencyId: string };
  let anonymousCase: { id: string; code: string; agencyId: string };
  let otherAgencyCase: { id: string; code: string };

  beforeAll(async () => {
    bots = await startBots(kind, {
      options: { logDestination: { write: (l: string) => void logs.push(l) } },
    });
    // A denunciation (identity given at the identity step, protected by law).
    const d = telegramCitizen(bots);
    await d.say("/start");
    await d.tap("file");
    await d.say("Cán bộ địa chính phường đòi tiền mới làm hồ sơ cấp sổ đỏ cho dân, nhiều hộ đã phải nộp");
    await d.tap("city_wide");
    await d.tap("to_cao");
    await d.say("Ông Trần Văn Bé, cán bộ địa chính phường");
    await d.tap("topic:officials_conduct");
    await d.say(DENOUNCER);
    const dCode = codeIn((await d.tap("send")).text);
    const dRow = await bots.rt.db.case.findUniqueOrThrow({ where: { code: dCode } });
    denunciation = { id: dRow.id, code: dCode, agencyId: dRow.agencyId! };
    // An anonymous PAKN (the channel knows the sender; officials must not).
    const a = telegramCitizen(bots);
    await a.say("/start");
    await a.tap("file");
    await a.say("Quán karaoke trên đường Bạch Đằng, phường Hải Châu hát to đến 2 giờ sáng mỗi đêm");
    await a.tap(viText.choice.yes);
    await a.tap("pakn");
    await a.tap("topic:security_order");
    await a.tap("anonymous");
    const aCode = codeIn((await a.tap("send")).text);
    const aRow = await bots.rt.db.case.findUniqueOrThrow({ where: { code: aCode } });
    anonymousCase = { id: aRow.id, code: aCode, agencyId: aRow.agencyId! };
    // A case of another agency, with HTML and SQL in it.
    const o = telegramCitizen(bots);
    await o.say("/start");
    await o.tap("file");
    await o.say(`<script>alert("x")</script> Đường '; DROP TABLE "Case"; -- ở Hòa Vang ngập sâu sau mưa`);
    await o.tap("city_wide");
    await o.tap("pakn");
    await o.tap("topic:transport_infrastructure");
    await o.say("Nguyễn Văn An, 0905 111 222");
    const oCode = codeIn((await o.tap("send")).text);
    otherAgencyCase = {
      id: (await bots.rt.db.case.findUniqueOrThrow({ where: { code: oCode } })).id,
      code: oCode,
    };
  }, 120_000);
  afterAll(async () => {
    await bots?.close();
  });

  const as = (o: Parameters<typeof loginAs>[2]) => loginAs(bots.rt.app, bots.rt.db, o);
  const page = async (client: QueueClient, path: string) => {
    const res = await client.get(path);
    return { status: res.status, text: await res.text() };
  };

  it("confines an officer to their agency's cases: by URL, by API, in the list and in search (404, never the case)", async () => {
    const otherAgency = (await bots.rt.db.case.findUniqueOrThrow({ where: { id: otherAgencyCase.id } }))
      .agencyId!;
    expect(otherAgency).not.toBe("ubnd-hai-chau");
    const { client } = await as({ role: "officer", agencyId: "ubnd-hai-chau" });
    for (const path of [`/queue/cases/${otherAgencyCase.id}`, `/queue/api/cases/${otherAgencyCase.id}`]) {
      const r = await page(client, path);
      expect(r.status).toBe(404);
      expect(r.text).not.toContain(otherAgencyCase.code);
    }
    // Same answer as for a case that does not exist, or an id that is not one.
    expect((await page(client, "/queue/cases/00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await page(client, "/queue/cases/not-a-uuid")).status).toBe(404);
    // Writing to it: 404 as well, and nothing queued.
    const before = await bots.rt.db.outboxMessage.count({ where: { caseId: otherAgencyCase.id } });
    expect(
      (await client.post(`/queue/cases/${otherAgencyCase.id}/reply`, { text: "xin chào", version: "0" }))
        .status,
    ).toBe(404);
    expect(await bots.rt.db.outboxMessage.count({ where: { caseId: otherAgencyCase.id } })).toBe(before);
    // Search by its code or its words, in the page and the API.
    for (const path of [
      `/queue?state=all&q=${encodeURIComponent(otherAgencyCase.code)}`,
      `/queue?state=all&q=${encodeURIComponent("Hòa Vang ngập")}`,
      `/queue?state=all&agency=${otherAgency}`,
    ]) {
      const r = await page(client, path);
      expect(r.status).toBe(200);
      // (The search box shows what was typed; the case itself is nowhere.)
      expect(r.text).not.toContain(`/queue/cases/${otherAgencyCase.id}`);
      expect(r.text).not.toContain("ngập sâu");
      expect(r.text).toContain("Không có hồ sơ nào khớp bộ lọc.");
    }
    const api = (await (await client.get(`/queue/api/cases?state=all&q=${otherAgencyCase.code}`)).json()) as {
      total: number;
    };
    expect(api.total).toBe(0);
    // A leader reads every agency's cases.
    const { client: leader } = await as({ role: "leader", agencyId: "van-phong-ubnd" });
    expect((await page(leader, `/queue/cases/${otherAgencyCase.id}`)).status).toBe(200);
  });

  it("refuses case forms without the session's CSRF token (and queues nothing)", async () => {
    const { client } = await as({ role: "officer", agencyId: anonymousCase.agencyId });
    const before = await bots.rt.db.caseEvent.count({ where: { caseId: anonymousCase.id } });
    expect(
      (await client.post(`/queue/cases/${anonymousCase.id}/note`, { _csrf: null, text: "ghi chú" })).status,
    ).toBe(403);
    expect(
      (await client.post(`/queue/cases/${anonymousCase.id}/note`, { _csrf: "sai", text: "ghi chú" })).status,
    ).toBe(403);
    const { client: other } = await as({ role: "officer", agencyId: anonymousCase.agencyId });
    // Another session's token is not this session's.
    expect(
      (await client.post(`/queue/cases/${anonymousCase.id}/note`, { _csrf: other.csrf, text: "ghi chú" }))
        .status,
    ).toBe(403);
    expect(await bots.rt.db.caseEvent.count({ where: { caseId: anonymousCase.id } })).toBe(before);
    expect((await client.post(`/queue/cases/${anonymousCase.id}/note`, { text: "ghi chú" })).status).toBe(
      303,
    );
  });

  it("keeps HTML and SQL inert in every field: escaped on the page, harmless in search and filters", async () => {
    const otherAgency = (await bots.rt.db.case.findUniqueOrThrow({ where: { id: otherAgencyCase.id } }))
      .agencyId!;
    const { client } = await as({ role: "officer", agencyId: otherAgency });
    const hostile = `<img src=x onerror="alert(1)"> '; DELETE FROM "Official"; --`;
    expect((await client.post(`/queue/cases/${otherAgencyCase.id}/note`, { text: hostile })).status).toBe(
      303,
    );
    const r = await page(client, `/queue/cases/${otherAgencyCase.id}`);
    expect(r.text).not.toContain('<script>alert("x")</script>');
    expect(r.text).toContain("&lt;script&gt;");
    expect(r.text).not.toContain("<img src=x");
    expect(r.text).toContain("&lt;img src=x");
    for (const q of [`' OR 1=1 --`, `%' OR '1'='1`, `"><script>alert(1)</script>`, "%", "_"]) {
      const list = await page(
        client,
        `/queue?state=all&q=${encodeURIComponent(q)}&kind=${encodeURIComponent("<b>")}&page=-1`,
      );
      expect(list.status).toBe(200);
      expect(list.text).not.toContain("<script>alert(1)</script>");
    }
    const like = await page(client, `/queue?state=all&q=${encodeURIComponent("' OR 1=1 --")}`);
    expect(like.text).toContain("Không có hồ sơ nào khớp bộ lọc.");
    expect(await bots.rt.db.official.count()).toBeGreaterThan(0);
    // Every action's text field takes the hostile string as text.
    expect((await client.post(`/queue/cases/${otherAgencyCase.id}/reply`, { text: hostile })).status).toBe(
      303,
    );
    const out = await bots.rt.db.outboxMessage.findFirstOrThrow({
      where: { caseId: otherAgencyCase.id, text: { contains: "onerror" } },
    });
    expect(out.text).toContain(hostile);
  });

  it("lets a leader read but never write", async () => {
    const { client } = await as({ role: "leader", agencyId: "van-phong-ubnd" });
    const before = await bots.rt.db.case.findUniqueOrThrow({ where: { id: anonymousCase.id } });
    for (const [action, form] of [
      ["reply", { text: "x" }],
      ["claim", {}],
      ["close", { outcome: "resolved" }],
      ["transfer", { agency: "so-xay-dung", reason: "x" }],
    ] as const) {
      const res = await client.post(`/queue/cases/${anonymousCase.id}/${action}`, form);
      expect(res.status).toBe(403);
    }
    const r = await page(client, `/queue/cases/${anonymousCase.id}`);
    expect(r.text).toContain("chỉ xem");
    expect(r.text).not.toContain('action="/queue/cases/');
    const after = await bots.rt.db.case.findUniqueOrThrow({ where: { id: anonymousCase.id } });
    expect(after.version).toBe(before.version);
    expect(after.status).toBe(before.status);
  });

  it("never shows a denouncer's identity to a role without the right — page, API, list, logs — and audits every view", async () => {
    const secrets = ["Phạm Văn Tố", "0905 111 222", "0905111222", "12 Lê Lợi", DISPLAY_NAME];
    const { official: officer, client: officerClient } = await as({
      role: "officer",
      agencyId: denunciation.agencyId,
    });
    const { client: supervisor } = await as({ role: "supervisor", agencyId: denunciation.agencyId });
    const { client: leader } = await as({ role: "leader", agencyId: "van-phong-ubnd" });
    const { client: admin } = await as({ role: "admin", agencyId: "van-phong-ubnd" });
    for (const client of [officerClient, supervisor, leader, admin]) {
      const views = [
        await page(client, `/queue/cases/${denunciation.id}`),
        await page(client, `/queue/api/cases/${denunciation.id}`),
        await page(client, `/queue?state=all`),
        await page(client, `/queue?state=all&q=${encodeURIComponent("pham van to")}`),
      ];
      for (const v of views) {
        expect(v.status).toBe(200);
        for (const s of secrets) expect(v.text).not.toContain(s);
      }
      // The denunciation itself is readable.
      expect(views[0]!.text).toContain("đòi tiền mới làm hồ sơ");
      expect(views[0]!.text).toContain("Danh tính người tố cáo được giữ bí mật");
      const refused = await client.post(`/queue/cases/${denunciation.id}/identity`, {});
      expect(refused.status).toBe(403);
      const refusedText = await refused.text();
      for (const s of secrets) expect(refusedText).not.toContain(s);
    }
    expect(
      await bots.rt.db.auditEntry.count({
        where: { action: "identity_refused", actorId: officer.id, targetId: denunciation.id },
      }),
    ).toBe(1);

    // The official competent to settle it (canSeeIdentity) sees it on request, and the view is logged.
    const { official: inspector, client: inspectorClient } = await as({
      role: "officer",
      agencyId: denunciation.agencyId,
      canSeeIdentity: true,
    });
    const plain = await page(inspectorClient, `/queue/cases/${denunciation.id}`);
    expect(plain.text).not.toContain("Phạm Văn Tố");
    const shown = await inspectorClient.post(`/queue/cases/${denunciation.id}/identity`, {});
    expect(shown.status).toBe(200);
    const shownText = await shown.text();
    expect(shownText).toContain("Phạm Văn Tố");
    expect(shownText).toContain("0905111222");
    expect(
      await bots.rt.db.auditEntry.count({
        where: { action: "identity_viewed", actorId: inspector.id, targetId: denunciation.id },
      }),
    ).toBe(1);

    // No log line carries it either.
    const joined = logs.join("\n");
    for (const s of secrets.slice(0, 4)) expect(joined).not.toContain(s);
  });

  it("keeps an anonymous sender anonymous even to an official allowed to see identities", async () => {
    const { client } = await as({
      role: "supervisor",
      agencyId: anonymousCase.agencyId,
      canSeeIdentity: true,
    });
    const r = await page(client, `/queue/cases/${anonymousCase.id}`);
    expect(r.status).toBe(200);
    expect(r.text).toContain("Quán karaoke");
    expect(r.text).toContain("Ẩn danh");
    expect(r.text).not.toContain(DISPLAY_NAME);
    expect((await client.post(`/queue/cases/${anonymousCase.id}/identity`, {})).status).toBe(403);
  });

  it("never lets two officials overwrite each other: the second form on the same version gets 409", async () => {
    const { client: a } = await as({ role: "officer", agencyId: anonymousCase.agencyId });
    const { client: b } = await as({ role: "officer", agencyId: anonymousCase.agencyId });
    const version = String(
      (await bots.rt.db.case.findUniqueOrThrow({ where: { id: anonymousCase.id } })).version,
    );
    const first = await a.post(`/queue/cases/${anonymousCase.id}/claim`, { version });
    expect(first.status).toBe(303);
    const queued = await bots.rt.db.outboxMessage.count({ where: { caseId: anonymousCase.id } });
    const second = await b.post(`/queue/cases/${anonymousCase.id}/reply`, {
      version,
      text: "Trả lời dựa trên bản cũ",
    });
    expect(second.status).toBe(409);
    expect(await second.text()).toContain("vừa được người khác cập nhật");
    expect(await bots.rt.db.outboxMessage.count({ where: { caseId: anonymousCase.id } })).toBe(queued);
    // With the current version it goes through.
    const now = String(
      (await bots.rt.db.case.findUniqueOrThrow({ where: { id: anonymousCase.id } })).version,
    );
    expect(
      (await b.post(`/queue/cases/${anonymousCase.id}/reply`, { version: now, text: "Đã ghi nhận" })).status,
    ).toBe(303);
  });
});
