/**
 * Issue 7, items 5–8 as pages: walk-in petitions and their receipt, legal documents edited and
 * sent, registers and their exports, administration — through the production runtime's app,
 * signed in through the real form, on both databases. Security: CSRF, agency confinement,
 * a leader reads only, markup inert.
 */
import ExcelJS from "exceljs";
import JSZip from "jszip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRuntime, type Runtime } from "../../src/runtime.ts";
import { createScratchDatabase, dbKinds, type ScratchDatabase } from "../support/db.ts";
import { loginAs, type QueueClient } from "../support/queue.ts";

const kinds = await dbKinds();
const EVIL = `<script>alert("x")</script>'; drop table "Case"; --`;

describe.each(kinds)("queue documents, walk-ins, registers and admin on %s", (kind) => {
  let rt: Runtime;
  let scratch: ScratchDatabase | undefined;
  let haiChau: QueueClient;
  let thanhKhe: QueueClient;
  let leader: QueueClient;
  let admin: QueueClient;
  let supervisor: QueueClient;

  beforeAll(async () => {
    scratch = kind === "postgres" ? await createScratchDatabase() : undefined;
    rt = await createRuntime(
      { DATA_DIR: "memory://", LOG_LEVEL: "silent", ...(scratch ? { DATABASE_URL: scratch.url } : {}) },
      // The dialogue picks no topic; the model still embeds case texts (for the digest's hot spots).
      { classifier: false },
    );
    haiChau = (
      await loginAs(rt.app, rt.db, {
        role: "officer",
        agencyId: "ubnd-hai-chau",
        displayName: "Trần Thị Bình",
      })
    ).client;
    thanhKhe = (await loginAs(rt.app, rt.db, { role: "officer", agencyId: "ubnd-thanh-khe" })).client;
    leader = (await loginAs(rt.app, rt.db, { role: "leader", agencyId: "van-phong-ubnd" })).client;
    admin = (await loginAs(rt.app, rt.db, { role: "admin", agencyId: "van-phong-ubnd" })).client;
    supervisor = (await loginAs(rt.app, rt.db, { role: "supervisor", agencyId: "ubnd-hai-chau" })).client;
  });
  afterAll(async () => {
    await rt?.close();
    await scratch?.drop();
  });

  const petition = {
    channel: "walk_in",
    kind: "khieu_nai",
    topicId: "land",
    placeId: "hai-chau",
    description: `Khiếu nại quyết định thu hồi đất. ${EVIL}`,
    subject: "Quyết định số 12/QĐ-UBND",
    senderName: "Nguyễn Văn An",
    senderAddress: "12 Lê Lợi",
    senderIdNumber: "048090001234",
    peopleCount: "1",
  };

  async function record(client: QueueClient, form: Record<string, string> = petition) {
    const res = await client.post("/queue/walk-in", form);
    expect(res.status).toBe(303);
    const loc = res.headers.get("location")!;
    const id = /\/queue\/walk-in\/([0-9a-f-]{36})\/receipt/.exec(loc)![1]!;
    return { id, receipt: await client.get(loc) };
  }

  it("records a walk-in petition and shows a printable receipt with the code; markup stays text", async () => {
    const form = await haiChau.get("/queue/walk-in");
    expect(form.status).toBe(200);
    const formHtml = await form.text();
    expect(formHtml).toContain("Ghi nhận và cấp mã hồ sơ");
    expect(formHtml).toContain(`name="_csrf" value="${haiChau.csrf}"`);
    const { id, receipt } = await record(haiChau);
    const html = await receipt.text();
    const row = await rt.db.case.findUniqueOrThrow({ where: { id } });
    expect(html).toContain(row.code);
    expect(html).toContain("GIẤY BIÊN NHẬN");
    expect(html).toContain("Nguyễn Văn An");
    expect(html).not.toContain("<script>alert");
    expect(html).toContain("&lt;script&gt;");
    expect(row.channel).toBe("walk_in");
    expect(row.agencyId).toBe("ubnd-hai-chau");
    // Its text was embedded once, at filing, like a case from a chat.
    expect(await rt.db.textEmbedding.count({ where: { model: rt.embedder!.id } })).toBeGreaterThan(0);
    // Another agency's officer cannot open the receipt.
    expect((await thanhKhe.get(`/queue/walk-in/${id}/receipt`)).status).toBe(404);
  });

  it("refuses an incomplete petition with the reasons next to the fields (422), and forms without CSRF (403)", async () => {
    const res = await haiChau.post("/queue/walk-in", { ...petition, senderName: "", description: "x" });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain("phải ghi rõ họ tên người gửi");
    expect(html).toContain("Nội dung cần ít nhất 10 ký tự");
    const before = await rt.db.case.count();
    expect((await haiChau.post("/queue/walk-in", { ...petition, _csrf: null })).status).toBe(403);
    expect((await haiChau.post("/queue/walk-in", { ...petition, _csrf: "sai" })).status).toBe(403);
    expect(await rt.db.case.count()).toBe(before);
  });

  it("lets a leader read but not record or send", async () => {
    expect((await leader.get("/queue/walk-in")).status).toBe(403);
    expect((await leader.post("/queue/walk-in", petition)).status).toBe(403);
    const { id } = await record(haiChau);
    const page = await leader.get(`/queue/cases/${id}/documents?template=kn-thu-ly`);
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain("Gửi cho người dân");
    expect(
      (await leader.post(`/queue/cases/${id}/documents/send`, { template: "kn-thu-ly", body: "x" })).status,
    ).toBe(403);
  });

  it("fills a template, refuses blanks, sends the edited text, and downloads it as DOCX", async () => {
    const { id } = await record(haiChau);
    const page = await haiChau.get(`/queue/cases/${id}/documents?template=kn-khong-thu-ly`);
    const html = await page.text();
    expect(html).toContain("Về việc không thụ lý giải quyết khiếu nại");
    expect(html).toContain("«lý do»");
    const body = /<textarea id="doc-body"[^>]*>([\s\S]*?)<\/textarea>/
      .exec(html)![1]!
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, "&");
    const refused = await haiChau.post(`/queue/cases/${id}/documents/send`, {
      template: "kn-khong-thu-ly",
      body,
    });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain("Còn chỗ trống chưa điền: lý do");
    const filled = body.replace("«lý do»", "Đã hết thời hiệu khiếu nại theo Điều 9 Luật Khiếu nại");
    const docx = await haiChau.post(`/queue/cases/${id}/documents/docx`, {
      template: "kn-khong-thu-ly",
      body: filled,
    });
    expect(docx.headers.get("content-type")).toContain("wordprocessingml");
    const xml = await (await JSZip.loadAsync(await docx.arrayBuffer()))
      .file("word/document.xml")!
      .async("string");
    expect(xml).toContain("Đã hết thời hiệu khiếu nại theo Điều 9 Luật Khiếu nại");
    expect(xml).not.toContain("<script>");
    const sent = await haiChau.post(`/queue/cases/${id}/documents/send`, {
      template: "kn-khong-thu-ly",
      body: filled,
    });
    expect(sent.status).toBe(303);
    const row = await rt.db.case.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe("rejected");
    const after = await (await haiChau.get(`/queue/cases/${id}/documents`)).text();
    const link = /href="(\/queue\/cases\/[^"]+\/documents\/\d+\/docx)"/.exec(after)![1]!;
    const again = await haiChau.get(link);
    expect(again.status).toBe(200);
    expect((await thanhKhe.get(link)).status).toBe(404);
    expect((await thanhKhe.get(`/queue/cases/${id}/documents`)).status).toBe(404);
    expect(await rt.db.auditEntry.count({ where: { action: "document_sent", targetId: id } })).toBe(1);
  });

  it("shows the registers of the officer's agency only and exports them as CSV (BOM) and XLSX", async () => {
    await record(thanhKhe, { ...petition, placeId: "thanh-khe", senderName: "Người Thanh Khê" });
    const page = await haiChau.get("/queue/registers?book=don");
    const html = await page.text();
    expect(html).toContain("Sổ xử lý đơn");
    expect(html).toContain("Nguyễn Văn An");
    expect(html).not.toContain("Người Thanh Khê");
    // Asking for another agency does not widen an officer's scope.
    const csvRes = await haiChau.get("/queue/registers/export?book=don&format=csv&agency=ubnd-thanh-khe");
    const buf = Buffer.from(await csvRes.arrayBuffer());
    expect(buf.subarray(0, 3).toString("hex")).toBe("efbbbf");
    const csv = buf.toString("utf8");
    expect(csv).toContain("Ngày nhận đơn");
    expect(csv).toContain("Nguyễn Văn An");
    expect(csv).not.toContain("Người Thanh Khê");
    expect(csvRes.headers.get("content-disposition")).toContain("so-xu-ly-don");
    const tiep = await haiChau.get("/queue/registers/export?book=tiep&format=xlsx");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await tiep.arrayBuffer()) as never);
    const ws = wb.worksheets[0]!;
    expect(String(ws.getCell("A1").value)).toContain("SỔ TIẾP CÔNG DÂN");
    expect(ws.getRow(2).getCell(2).value).toBe("Ngày tiếp");
    expect(ws.rowCount).toBeGreaterThan(2);
    const names = ws.getColumn(3).values.map(String).join("|");
    expect(names).toContain("Nguyễn Văn An");
    expect(names).not.toContain("Người Thanh Khê");
    // A leader reads every agency.
    const all = await (await leader.get("/queue/registers/export?book=don&format=csv")).text();
    expect(all).toContain("Người Thanh Khê");
    expect(all).toContain("Nguyễn Văn An");
  });

  it("hides a denouncer's identity in registers and exports from an officer without the right", async () => {
    await record(haiChau, {
      ...petition,
      kind: "to_cao",
      topicId: "construction_urban",
      subject: "Cán bộ địa chính",
      senderName: "Người Tố Cáo Bí Mật",
    });
    const supervisorPage = await (await supervisor.get("/queue/registers?book=tiep")).text();
    expect(supervisorPage).toContain("người tố cáo");
    expect(supervisorPage).not.toContain("Người Tố Cáo Bí Mật");
    const csv = await (await leader.get("/queue/registers/export?book=don&format=csv")).text();
    expect(csv).not.toContain("Người Tố Cáo Bí Mật");
  });

  it("administration: an admin edits a routing rule and a holiday (effective at once, audited); a supervisor only canned replies", async () => {
    expect((await haiChau.get("/queue/admin")).status).toBe(403);
    expect((await supervisor.get("/queue/admin?section=rules")).status).toBe(403);
    expect((await supervisor.get("/queue/admin?section=canned")).status).toBe(200);
    const saved = await supervisor.post("/queue/admin/canned", {
      id: "mau-moi",
      title: `Mẫu ${EVIL}`,
      body: "Đã xử lý (mã {{ma_ho_so}}).",
      active: "1",
    });
    expect(saved.status).toBe(303);
    const list = await (await supervisor.get("/queue/admin?section=canned")).text();
    expect(list).toContain("&lt;script&gt;");
    expect(list).not.toContain("<script>alert");

    const rule = await (await admin.get("/queue/admin/rules/edit?id=4")).text();
    expect(rule).toContain("An ninh trật tự");
    const res = await admin.post("/queue/admin/rules", {
      id: "4",
      position: "4",
      name: "An ninh trật tự → Văn phòng UBND (thử nghiệm)",
      topics: "security_order",
      scope: "any",
      agency: "van-phong-ubnd",
      active: "1",
    });
    expect(res.status).toBe(303);
    expect(rt.data.rules.find((r) => r.id === 4)!.agency).toBe("van-phong-ubnd");
    const bad = await admin.post("/queue/admin/rules", {
      id: "4",
      position: "4",
      name: "x",
      scope: "any",
      agency: "khong-co-co-quan",
      active: "1",
    });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("không có hoặc đã ngừng hoạt động");
    const day = await admin.post("/queue/admin/holidays", {
      date: "2026-12-24",
      name: "Nghỉ thử nghiệm",
      active: "1",
    });
    expect(day.status).toBe(303);
    expect(rt.data.calendar.isWorkingDay("2026-12-24")).toBe(false);
    expect(
      await rt.db.auditEntry.count({
        where: { action: { in: ["routing_rule_saved", "calendar_day_saved", "canned_reply_saved"] } },
      }),
    ).toBe(3);

    const created = await admin.post("/queue/admin/officials", {
      username: "can-bo-moi",
      displayName: "Cán bộ Mới",
      role: "officer",
      agencyId: "ubnd-hai-chau",
      active: "1",
    });
    expect(created.status).toBe(200);
    expect(await created.text()).toContain("Mật khẩu dùng một lần");
    const row = await rt.db.official.findUniqueOrThrow({ where: { username: "can-bo-moi" } });
    expect(row.mustChangePassword).toBe(true);
    expect(
      (
        await admin.post("/queue/admin/officials", {
          username: "x",
          displayName: "y",
          role: "officer",
          agencyId: "ubnd-hai-chau",
          _csrf: null,
        })
      ).status,
    ).toBe(403);
  });
});
