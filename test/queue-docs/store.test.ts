/**
 * Walk-in petitions, the registers, sending legal documents and the administration of the
 * reference data, against the database (embedded and PostgreSQL).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localDate } from "../../src/case/calendar.ts";
import { computeDeadlines } from "../../src/case/deadline.ts";
import { buildReferenceData, loadReferenceData, type ReferenceData } from "../../src/data/index.ts";
import { DocumentError, DocumentService } from "../../src/documents/service.ts";
import { CaseActions } from "../../src/queue/actions.ts";
import { parseWalkIn, recordPetition, WalkInError } from "../../src/queue/walk-in.ts";
import { petitionColumns, receptionColumns, table } from "../../src/registers/columns.ts";
import {
  petitionRegister,
  receptionRegister,
  storedIdentityReader,
  type Viewer,
} from "../../src/registers/query.ts";
import { route } from "../../src/routing/router.ts";
import { CaseStore } from "../../src/store/cases.ts";
import {
  AdminError,
  listCanned,
  ReferenceAdmin,
  reloadReference,
  seedEditableReference,
} from "../../src/store/reference-live.ts";
import { dbKinds } from "../support/db.ts";
import { type Harness, harness } from "../support/harness.ts";

const kinds = await dbKinds();
const NOW = new Date("2026-11-23T03:00:00Z");

describe.each(kinds)("officials' documents, walk-ins, registers and admin on %s", (kind) => {
  let h: Harness;
  let data: ReferenceData;
  let cases: CaseStore;
  let actions: CaseActions;
  let documents: DocumentService;
  const audits: { action: string; targetId: string }[] = [];
  const haiChau: Viewer & { displayName: string } = {
    id: "00000000-0000-4000-8000-000000000001",
    agencyId: "ubnd-hai-chau",
    role: "officer",
    canSeeIdentity: false,
    displayName: "Trần Thị Bình",
  };
  const thanhKhe: Viewer = {
    ...haiChau,
    id: "00000000-0000-4000-8000-000000000002",
    agencyId: "ubnd-thanh-khe",
  };
  const leader: Viewer = {
    ...haiChau,
    id: "00000000-0000-4000-8000-000000000003",
    role: "leader",
    agencyId: "van-phong-ubnd",
  };

  beforeAll(async () => {
    h = await harness(kind, NOW);
    // A private, live copy: admin edits below must not leak into the cached file data.
    const files = loadReferenceData();
    data = buildReferenceData({
      topics: { topics: files.topics },
      places: { source: "", province: files.province, communes: files.communes },
      agencies: { source: "", agencies: files.agencies },
      routing: { rules: files.rules },
      holidays: files.holidaysSeed,
      deadlines: files.deadlines,
    });
    await seedEditableReference(h.opened.db, data);
    await reloadReference(h.opened.db, data);
    cases = new CaseStore(h.opened.db, data);
    actions = new CaseActions({ db: h.opened.db, cases, intake: h.intake, data, now: () => NOW });
    documents = new DocumentService({
      db: h.opened.db,
      data,
      actions,
      identities: storedIdentityReader(h.opened.db),
      now: () => NOW,
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  function walkIn(over: Record<string, unknown> = {}) {
    return parseWalkIn(
      {
        channel: "walk_in",
        kind: "khieu_nai",
        topicId: "land",
        placeId: "hai-chau",
        description: "Khiếu nại quyết định thu hồi đất, mức bồi thường thấp hơn giá thị trường.",
        subject: "Quyết định số 12/QĐ-UBND về thu hồi đất",
        senderName: "Nguyễn Văn An",
        senderAddress: "12 Lê Lợi, phường Hải Châu",
        senderIdNumber: "048090001234",
        peopleCount: "2",
        ...over,
      },
      data,
      NOW,
    );
  }

  it("records a walk-in petition with the bot's code, routing and deadlines, and its visit", async () => {
    const r = await recordPetition(h.opened.db, cases, walkIn(), haiChau, NOW);
    expect(r.code).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{5}$/);
    const expected = route({ topicId: "land", kind: "khieu_nai", placeId: "hai-chau" }, data);
    const d = computeDeadlines({ kind: "khieu_nai", receivedAt: NOW }, data.deadlines, data.calendar);
    const row = await h.opened.db.case.findUniqueOrThrow({
      where: { id: r.caseId },
      include: { events: true, sender: true },
    });
    expect(row.agencyId).toBe(expected.agencyId);
    expect(row.channel).toBe("walk_in");
    expect(row.acceptanceDueAt).toEqual(d.acceptanceDueAt);
    expect(row.dueAt).toEqual(d.dueAt);
    expect(row.sender?.name).toBe("Nguyễn Văn An");
    expect(row.sender?.contact).toBe("Địa chỉ: 12 Lê Lợi, phường Hải Châu; Số định danh: 048090001234");
    expect(row.events.map((e) => e.type).sort()).toEqual(["classified", "created", "recorded", "routed"]);
    const visit = await h.opened.db.reception.findFirstOrThrow({ where: { caseId: r.caseId } });
    expect(visit).toMatchObject({ agencyId: "ubnd-hai-chau", peopleCount: 2, channel: "walk_in" });
    expect(await cases.lookup(r.code)).toMatchObject({ code: r.code, kind: "khieu_nai" });
  });

  it("refuses an incomplete form with the reasons, in Vietnamese", () => {
    try {
      walkIn({ senderName: "", subject: "", description: "ngắn", topicId: "khong-co" });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(WalkInError);
      const paths = (e as WalkInError).issues.map((i) => i.path);
      expect(paths).toEqual(expect.arrayContaining(["description", "senderName", "subject"]));
      expect((e as WalkInError).message).toContain("phải ghi rõ họ tên người gửi");
    }
    expect(() => walkIn({ receivedAt: new Date(NOW.getTime() + 86_400_000) })).toThrow(/tương lai/);
    expect(() => walkIn({ channel: "fax" })).toThrow(WalkInError);
  });

  it("keeps HTML and SQL in fields as plain text", async () => {
    const evil = `<img src=x onerror=alert(1)>'; drop table "Case"; --`;
    const r = await recordPetition(
      h.opened.db,
      cases,
      walkIn({ kind: "pakn", subject: "", senderName: evil, description: `Đường hư ${evil}` }),
      haiChau,
      NOW,
    );
    const row = await h.opened.db.case.findUniqueOrThrow({ where: { id: r.caseId } });
    expect(row.description).toBe(`Đường hư ${evil}`);
    expect(await h.opened.db.case.count()).toBeGreaterThan(1);
  });

  it("lists the registers of the officer's own agency only, identity hidden where protected", async () => {
    await recordPetition(
      h.opened.db,
      cases,
      walkIn({
        kind: "to_cao",
        topicId: "officials_conduct",
        subject: "Cán bộ địa chính phường",
        placeId: "hai-chau",
      }),
      haiChau,
      NOW,
    );
    await recordPetition(h.opened.db, cases, walkIn({ placeId: "thanh-khe" }), thanhKhe, NOW);
    await recordPetition(
      h.opened.db,
      cases,
      walkIn({ channel: "post", kind: "pakn", subject: "" }),
      haiChau,
      NOW,
    );
    const deps = { identities: storedIdentityReader(h.opened.db), data };
    const mine = await petitionRegister(h.opened.db, haiChau, {}, deps);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((c) => c.agencyName === "Ủy ban nhân dân phường Hải Châu")).toBe(true);
    const theirs = await petitionRegister(h.opened.db, thanhKhe, { agencyId: "ubnd-hai-chau" }, deps);
    expect(theirs.every((c) => c.agencyName === "Ủy ban nhân dân phường Thanh Khê")).toBe(true);
    const all = await petitionRegister(h.opened.db, leader, {}, deps);
    expect(all.length).toBeGreaterThan(mine.length);
    // The tố cáo went to Thanh tra: the leader sees it, without the denouncer's name.
    const tc = all.find((c) => c.kind === "to_cao")!;
    expect(tc.sender).toBe("người tố cáo");
    const csvRow = table(petitionColumns, [tc]).rows[0]!.join("|");
    expect(csvRow).not.toContain("Nguyễn Văn An");
    expect(csvRow).not.toContain("048090001234");
    // The sổ tiếp công dân of Hải Châu: its visits, post excluded by the channel filter.
    const visits = await receptionRegister(h.opened.db, haiChau, { channel: "walk_in" }, deps);
    expect(visits.length).toBeGreaterThanOrEqual(2);
    expect(visits.every((v) => v.channel === "walk_in")).toBe(true);
    const t = table(receptionColumns, visits);
    expect(t.headers[1]).toBe("Ngày tiếp");
    expect(t.rows[0]![3]).toBe(2);
    const byKind = await petitionRegister(h.opened.db, leader, { kind: "pakn", channel: "post" }, deps);
    expect(byKind.length).toBe(1);
  });

  async function messengerCase(k: "khieu_nai" | "to_cao" | "pakn") {
    const citizen = await h.opened.db.citizen.create({
      data: { channel: "telegram", externalId: `u-${Math.random()}` },
    });
    const conv = await h.opened.db.conversation.create({
      data: { channel: "telegram", chatId: `chat-${Math.random()}`, citizenId: citizen.id },
    });
    return cases.fileCase({
      citizenId: citizen.id,
      conversationId: conv.id,
      channel: "telegram",
      receivedAt: NOW,
      draft: {
        kind: k,
        topicId: "land",
        placeId: "hai-chau",
        description: ["Khiếu nại việc thu hồi đất không đúng diện tích."],
        photos: [],
        subject: "Quyết định thu hồi đất số 45/QĐ-UBND",
        senderName: "Phạm Văn Cường",
        senderContact: "0905 000 111",
      },
    });
  }

  it("sends an edited notice of acceptance through the outbox and keeps it for download", async () => {
    const { caseId } = await messengerCase("khieu_nai");
    const { doc } = await documents.prepare(caseId, haiChau, "kn-thu-ly");
    expect(doc.body).toContain("ông/bà Phạm Văn Cường");
    expect(doc.dateLine).toBe("Đà Nẵng, ngày 23 tháng 11 năm 2026");
    expect(doc.parentBody).toBe("");
    const edited = `${doc.body}\n\nGhi chú thêm của cán bộ: mời ông/bà đến làm việc ngày 01/12/2026.`;
    const sent = await documents.send(caseId, haiChau, "kn-thu-ly", { body: edited });
    const out = await h.opened.db.outboxMessage.findMany({
      where: { caseId },
      orderBy: { createdAt: "asc" },
    });
    expect(out.at(-1)!.text).toContain("THÔNG BÁO\nVề việc thụ lý giải quyết khiếu nại");
    expect(out.at(-1)!.text).toContain("Ghi chú thêm của cán bộ");
    const row = await h.opened.db.case.findUniqueOrThrow({ where: { id: caseId } });
    expect(row.status).toBe("in_progress");
    expect(row.acceptedAt).not.toBeNull();
    const again = await documents.sent(caseId, sent.eventId, haiChau);
    expect(again.body).toContain("Ghi chú thêm của cán bộ");
    // Another agency's official cannot read it.
    await expect(documents.sent(caseId, sent.eventId, thanhKhe)).rejects.toThrow();
    await expect(documents.prepare(caseId, thanhKhe as never, "kn-thu-ly")).rejects.toThrow();
  });

  it("refuses to send a document with blanks left, or a template of another kind", async () => {
    const { caseId } = await messengerCase("khieu_nai");
    const { doc } = await documents.prepare(caseId, haiChau, "kn-khong-thu-ly");
    await expect(documents.send(caseId, haiChau, "kn-khong-thu-ly", { body: doc.body })).rejects.toThrow(
      /Còn chỗ trống chưa điền: lý do/,
    );
    await expect(documents.prepare(caseId, haiChau, "tc-ket-luan")).rejects.toBeInstanceOf(DocumentError);
    expect(await h.opened.db.outboxMessage.count({ where: { caseId } })).toBe(0);
  });

  it("transfers with a phiếu chuyển đơn, and closing a khiếu nại tells the citizen their rights", async () => {
    const { caseId } = await messengerCase("khieu_nai");
    const { doc } = await documents.prepare(caseId, haiChau, "chuyen-don", {
      toAgencyId: "so-nong-nghiep-va-moi-truong",
    });
    expect(doc.recipient).toBe("Sở Nông nghiệp và Môi trường thành phố Đà Nẵng");
    const body = doc.body.replace("«lý do chuyển đơn»", "đất do thành phố thu hồi");
    await documents.send(caseId, haiChau, "chuyen-don", { body, toAgencyId: "so-nong-nghiep-va-moi-truong" });
    const row = await h.opened.db.case.findUniqueOrThrow({ where: { id: caseId } });
    expect(row.agencyId).toBe("so-nong-nghiep-va-moi-truong");

    const second = await messengerCase("khieu_nai");
    await actions.answer(second.caseId, haiChau, "Giữ nguyên quyết định.");
    await actions.close(second.caseId, haiChau);
    const texts = (await h.opened.db.outboxMessage.findMany({ where: { caseId: second.caseId } })).map(
      (o) => o.text,
    );
    expect(texts.join("\n")).toContain(
      "có quyền khiếu nại đến người có thẩm quyền giải quyết khiếu nại lần hai",
    );
    expect(texts.join("\n")).toContain("thời hiệu 01 năm");
  });

  it("administration: a routing rule edited takes effect at once, is audited, and survives a re-seed", async () => {
    const admin = new ReferenceAdmin({
      db: h.opened.db,
      live: data,
      now: () => NOW,
      audit: async (tx, e) => {
        audits.push({ action: e.action, targetId: e.targetId });
        await tx.caseEvent.count(); // runs inside the edit's transaction
      },
    });
    // Rule 4 (security → city police) applies where no commune is known; with a commune, rule 16
    // (the commune police) comes first.
    const rule4 = data.rules.find((r) => r.id === 4)!;
    expect(route({ topicId: "security_order", kind: "pakn", placeId: null }, data).agencyId).toBe(
      "cong-an-thanh-pho",
    );
    await admin.saveRule("admin-1", { ...rule4, agency: "van-phong-ubnd", position: 4 });
    expect(route({ topicId: "security_order", kind: "pakn", placeId: null }, data).agencyId).toBe(
      "van-phong-ubnd",
    );
    expect(audits.at(-1)).toEqual({ action: "routing_rule_saved", targetId: "4" });
    // The seed does not overwrite an edit.
    await seedEditableReference(h.opened.db, loadReferenceData());
    await reloadReference(h.opened.db, data);
    expect(data.rules.find((r) => r.id === 4)!.agency).toBe("van-phong-ubnd");

    // An edit that breaks the cross-checks is refused with a Vietnamese reason and writes nothing.
    await expect(admin.saveRule("admin-1", { ...rule4, agency: "khong-co", position: 4 })).rejects.toThrow(
      /Quy tắc #4 chuyển đến cơ quan “khong-co” không có/,
    );
    await expect(admin.saveRule("admin-1", { ...rule4, name: "", position: 4 })).rejects.toBeInstanceOf(
      AdminError,
    );
    const last = data.rules.at(-1)!;
    await expect(admin.saveRule("admin-1", { ...last, active: false, position: 999 })).rejects.toThrow(
      /quy tắc cuối cùng/,
    );
    await expect(
      admin.saveAgency("admin-1", { ...data.agencyById.get("ubnd-hai-chau")!, active: false }),
    ).rejects.toThrow(/phải có Ủy ban nhân dân/);
    expect((await h.opened.db.routingRule.findUniqueOrThrow({ where: { id: 4 } })).agency).toBe(
      "van-phong-ubnd",
    );
  });

  it("administration: a new holiday moves deadlines at once; agencies and canned replies are editable", async () => {
    const admin = new ReferenceAdmin({ db: h.opened.db, live: data, now: () => NOW, audit: async () => {} });
    const before = computeDeadlines({ kind: "pakn", receivedAt: NOW }, data.deadlines, data.calendar);
    await admin.saveCalendarDay("admin-1", { date: "2026-11-24", name: "Nghỉ đột xuất do bão" });
    const after = computeDeadlines({ kind: "pakn", receivedAt: NOW }, data.deadlines, data.calendar);
    expect(localDate(after.acceptanceDueAt)).not.toBe(localDate(before.acceptanceDueAt));
    expect(data.calendar.holidayName("2026-11-24")).toBe("Nghỉ đột xuất do bão");
    await expect(admin.saveCalendarDay("admin-1", { date: "24/11/2026", name: "x" })).rejects.toBeInstanceOf(
      AdminError,
    );

    await admin.saveAgency("admin-1", {
      ...data.agencyById.get("so-xay-dung")!,
      name: "Sở Xây dựng thành phố Đà Nẵng (mới)",
    });
    expect(data.agencyById.get("so-xay-dung")!.name).toBe("Sở Xây dựng thành phố Đà Nẵng (mới)");

    await admin.saveCanned("admin-1", {
      id: "den-duong",
      title: "Đèn đường đã sửa",
      topics: ["transport_infrastructure"],
      body: "Đèn đường đã được sửa (mã {{ma_ho_so}}).",
    });
    expect((await listCanned(h.opened.db, "transport_infrastructure")).map((c) => c.id)).toContain(
      "den-duong",
    );
    expect((await listCanned(h.opened.db, "land")).map((c) => c.id)).not.toContain("den-duong");
    await expect(
      admin.saveCanned("admin-1", { id: "x", title: "t", topics: ["khong-co"], body: "b" }),
    ).rejects.toThrow(/Không có lĩnh vực/);
  });
});
