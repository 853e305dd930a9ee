/**
 * Issue 7, the case page's actions through HTTP: internal notes are never sent, a request for
 * information waits for the citizen, a topic correction is recorded for training, a change of
 * kind recomputes the deadlines, a tố cáo is extended only as far as the law allows (the
 * denouncer is told), refusing names the competent body, and a supervisor assigns.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectCorrections } from "../../src/classify/corrections.ts";
import { createRuntime, type Runtime } from "../../src/runtime.ts";
import { createScratchDatabase, dbKinds, type ScratchDatabase } from "../support/db.ts";
import { codeIn } from "../support/harness.ts";
import { loginAs } from "../support/queue.ts";

const kinds = await dbKinds();

describe.each(kinds)("case actions on %s", (kind) => {
  let rt: Runtime;
  let scratch: ScratchDatabase | undefined;
  let n = 0;
  beforeAll(async () => {
    scratch = kind === "postgres" ? await createScratchDatabase() : undefined;
    rt = await createRuntime(
      { DATA_DIR: "memory://", LOG_LEVEL: "silent", ...(scratch ? { DATABASE_URL: scratch.url } : {}) },
      { classifier: false, classifierDir: "/nonexistent" },
    );
  });
  afterAll(async () => {
    await rt?.close();
    await scratch?.drop();
  });

  /** Files a case through the web chat dialogue; returns its row. */
  async function file(kindId: "pakn" | "to_cao", text: string) {
    const chatId = `w-${kind}-${++n}`;
    const say = async (t: string) =>
      (await rt.intake.handle({ channel: "web", chatId, userId: chatId, text: t })).replies
        .map((r) => r.text)
        .join("\n");
    await say("/gui");
    await say(text);
    await say("city_wide");
    await say(kindId);
    if (kindId === "to_cao") await say("Ông Lê Văn Cán, cán bộ phường");
    await say(kindId === "to_cao" ? "topic:officials_conduct" : "topic:environment");
    await say(kindId === "to_cao" ? "Hoàng Thị Tố, tổ 3 phường Hải Châu" : "Nguyễn Văn An, 0905 111 222");
    const code = codeIn(await say("send"));
    return { row: await rt.db.case.findUniqueOrThrow({ where: { code } }), chatId };
  }

  const outbox = (caseId: string) =>
    rt.db.outboxMessage.findMany({ where: { caseId }, orderBy: { createdAt: "asc" } });

  it("keeps internal notes inside, asks the citizen for more, corrects the topic for training, and re-classifies the kind", async () => {
    const { row } = await file(
      "pakn",
      "Bãi rác tự phát cạnh chợ bốc mùi hôi, ruồi nhặng nhiều, đề nghị dọn dẹp",
    );
    const { client } = await loginAs(rt.app, rt.db, { role: "officer", agencyId: row.agencyId! });
    const sent = (await outbox(row.id)).length;
    expect(
      (await client.post(`/queue/cases/${row.id}/note`, { text: "Đã gọi tổ dân phố xác minh" })).status,
    ).toBe(303);
    expect(await outbox(row.id)).toHaveLength(sent);
    const page = await (await client.get(`/queue/cases/${row.id}?done=note`)).text();
    expect(page).toContain("Đã gọi tổ dân phố xác minh");
    expect(page).toContain("Ghi chú nội bộ");

    expect(
      (await client.post(`/queue/cases/${row.id}/request-info`, { text: "Bãi rác ở đầu hay cuối chợ?" }))
        .status,
    ).toBe(303);
    expect((await rt.db.case.findUniqueOrThrow({ where: { id: row.id } })).status).toBe("waiting_citizen");
    expect((await outbox(row.id)).at(-1)?.text).toContain("Bãi rác ở đầu hay cuối chợ?");

    expect((await client.post(`/queue/cases/${row.id}/topic`, { topic: "construction_urban" })).status).toBe(
      303,
    );
    const corrections = await collectCorrections(rt.db);
    expect(corrections.find((c) => c.caseCode === row.code)).toMatchObject({
      topic: "construction_urban",
      suggested: "environment",
    });

    const before = await rt.db.case.findUniqueOrThrow({ where: { id: row.id } });
    expect((await client.post(`/queue/cases/${row.id}/kind`, { kind: "khieu_nai" })).status).toBe(303);
    const after = await rt.db.case.findUniqueOrThrow({ where: { id: row.id } });
    expect(after.kind).toBe("khieu_nai");
    expect(after.dueAt!.getTime()).toBeGreaterThan(before.dueAt!.getTime());
    // Nonsense is refused politely, never a 500.
    expect((await client.post(`/queue/cases/${row.id}/kind`, { kind: "drop table" })).status).toBe(400);
    expect(
      (await client.post(`/queue/cases/${row.id}/transfer`, { agency: "khong-co", reason: "x" })).status,
    ).toBe(400);
    expect((await client.post(`/queue/cases/${row.id}/reply`, { text: "   " })).status).toBe(400);
    expect((await client.post(`/queue/cases/${row.id}/nonsense`, {})).status).toBe(404);
  });

  it("extends a tố cáo twice at most, 30 days each (Luật Tố cáo 2018, Art. 30), telling the denouncer", async () => {
    const { row } = await file(
      "to_cao",
      "Cán bộ phường nhận tiền để bỏ qua vi phạm xây dựng của một số hộ dân",
    );
    const { client } = await loginAs(rt.app, rt.db, { role: "officer", agencyId: row.agencyId! });
    const due0 = row.dueAt!;
    expect(
      (
        await client.post(`/queue/cases/${row.id}/extend`, {
          reason: "Vụ việc phức tạp, cần xác minh nhiều nơi",
        })
      ).status,
    ).toBe(303);
    const once = await rt.db.case.findUniqueOrThrow({ where: { id: row.id } });
    expect(once.extensions).toBe(1);
    expect(Math.round((once.dueAt!.getTime() - due0.getTime()) / 86_400_000)).toBeGreaterThanOrEqual(30);
    expect((await outbox(row.id)).at(-1)?.text).toContain("gia hạn thời hạn giải quyết");
    expect(
      (await client.post(`/queue/cases/${row.id}/extend`, { reason: "Vụ việc đặc biệt phức tạp" })).status,
    ).toBe(303);
    const third = await client.post(`/queue/cases/${row.id}/extend`, { reason: "Lần ba" });
    expect(third.status).toBe(400);
    expect(await third.text()).toContain("không cho phép gia hạn");
    expect((await rt.db.case.findUniqueOrThrow({ where: { id: row.id } })).extensions).toBe(2);
    // A PAKN has no extension.
    const { row: pakn } = await file("pakn", "Nước thải từ quán ăn chảy tràn ra vỉa hè gây mất vệ sinh");
    const { client: c2 } = await loginAs(rt.app, rt.db, { role: "officer", agencyId: pakn.agencyId! });
    expect((await c2.post(`/queue/cases/${pakn.id}/extend`, { reason: "x" })).status).toBe(400);
  });

  it("refuses a case naming the competent body, and lets a supervisor assign (an officer only claims)", async () => {
    const { row } = await file("pakn", "Khói từ lò đốt rác của khu công nghiệp bay vào khu dân cư mỗi tối");
    const { official: officer, client: officerClient } = await loginAs(rt.app, rt.db, {
      role: "officer",
      agencyId: row.agencyId!,
    });
    const { client: lead } = await loginAs(rt.app, rt.db, { role: "supervisor", agencyId: row.agencyId! });
    const { official: colleague } = await loginAs(rt.app, rt.db, {
      role: "officer",
      agencyId: row.agencyId!,
    });
    expect(
      (await officerClient.post(`/queue/cases/${row.id}/assign`, { assignee: colleague.id })).status,
    ).toBe(403);
    expect((await lead.post(`/queue/cases/${row.id}/assign`, { assignee: officer.id })).status).toBe(303);
    expect((await rt.db.case.findUniqueOrThrow({ where: { id: row.id } })).assigneeId).toBe(officer.id);
    const mine = await (await officerClient.get("/queue?assignee=me")).text();
    expect(mine).toContain(row.code);
    expect(
      (
        await officerClient.post(`/queue/cases/${row.id}/refuse`, {
          body: "Ban Quản lý các khu công nghiệp thành phố",
          reason: "Khu công nghiệp do Ban Quản lý quản lý",
        })
      ).status,
    ).toBe(303);
    const after = await rt.db.case.findUniqueOrThrow({ where: { id: row.id } });
    expect(after.status).toBe("rejected");
    expect((await outbox(row.id)).at(-1)?.text).toContain("Ban Quản lý các khu công nghiệp thành phố");
  });
});
