/**
 * Issue 7 in real headless Chromium against the server on loopback: an officer records a walk-in
 * petition and prints its receipt; edits a template-based notice before sending it; reads the
 * registers. Screenshots go to tmp/queue-docs/ (git-ignored).
 */
import { mkdirSync } from "node:fs";
import { serve } from "@hono/node-server";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRuntime, type Runtime } from "../../src/runtime.ts";
import { hasChromium, launchChromium } from "../support/browser.ts";
import { createOfficial, type TestOfficial } from "../support/queue.ts";

if (!hasChromium && process.env.CI) throw new Error("Chromium is required in CI (apt-get install chromium)");
if (!hasChromium) console.warn("Chromium not found: the queue documents browser test is SKIPPED.");

const shots = "tmp/queue-docs";

describe.skipIf(!hasChromium)("walk-in petitions and legal documents in headless Chromium", () => {
  let rt: Runtime;
  let browser: Browser;
  let server: ReturnType<typeof serve>;
  let url = "";
  let officer: TestOfficial;

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    rt = await createRuntime(
      { DATA_DIR: "memory://", LOG_LEVEL: "silent" },
      { classifier: false, classifierDir: "/nonexistent" },
    );
    server = serve({ fetch: rt.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    browser = await launchChromium();
    officer = await createOfficial(rt.db, {
      role: "officer",
      agencyId: "ubnd-hai-chau",
      displayName: "Trần Thị Bình",
    });
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
    await rt?.close();
  });

  async function signIn(page: Page) {
    await page.goto(`${url}/queue/login`);
    await page.fill('input[name="username"]', officer.username);
    await page.fill('input[name="password"]', officer.password);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${url}/queue`);
  }

  it("records a walk-in petition and prints the receipt with its code", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: "vi-VN" });
    page.setDefaultTimeout(8000);
    await signIn(page);
    await page.goto(`${url}/queue/walk-in`);
    await page.selectOption('select[name="channel"]', "reception");
    await page.selectOption('select[name="kind"]', "khieu_nai");
    await page.selectOption('select[name="topicId"]', "land");
    await page.selectOption('select[name="placeId"]', "hai-chau");
    await page.fill(
      'textarea[name="description"]',
      "Ông An trình bày: gia đình bị thu hồi 120 m² đất ở tại tổ 5, nhưng mức bồi thường thấp hơn giá thị trường và chưa được bố trí tái định cư.",
    );
    await page.fill('input[name="subject"]', "Quyết định số 12/QĐ-UBND ngày 01/10/2026 về thu hồi đất");
    await page.fill('input[name="senderName"]', "Nguyễn Văn An");
    await page.fill('input[name="senderAddress"]', "12 Lê Lợi, phường Hải Châu");
    await page.fill('input[name="senderIdNumber"]', "048090001234");
    await page.fill('input[name="peopleCount"]', "3");
    await page.fill('input[name="presidedBy"]', "Chủ tịch UBND phường");
    await page.screenshot({ path: `${shots}/walk-in-form.png`, fullPage: true });
    await page.click('button[type="submit"].primary');
    await page.waitForURL(/\/queue\/walk-in\/[0-9a-f-]+\/receipt/);
    const code = (await page.locator('[data-testid="receipt-code"]').textContent())!.trim();
    expect(code).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{5}$/);
    const row = await rt.db.case.findUniqueOrThrow({ where: { code } });
    expect(row.channel).toBe("reception");
    expect(await page.locator(".receipt").textContent()).toContain("Nguyễn Văn An");
    await page.screenshot({ path: `${shots}/receipt.png`, fullPage: true });
    // The print button prints; the printed page carries the receipt without the app's chrome.
    await page.evaluate(() => {
      (window as unknown as { printed: number }).printed = 0;
      window.print = () => {
        (window as unknown as { printed: number }).printed++;
      };
    });
    await page.click("[data-print]");
    expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
    await page.emulateMedia({ media: "print" });
    expect(await page.locator("header.top").isVisible()).toBe(false);
    expect(await page.locator("[data-print]").isVisible()).toBe(false);
    expect(await page.locator('[data-testid="receipt-code"]').isVisible()).toBe(true);
    await page.screenshot({ path: `${shots}/receipt-print.png`, fullPage: true });
    const pdf = await page.pdf({ path: `${shots}/receipt.pdf`, format: "A4" });
    expect(pdf.subarray(0, 4).toString()).toBe("%PDF");
    await page.close();
  });

  it("edits a template-based notice before sending it; the citizen's outbox gets the edited text", async () => {
    const citizen = await rt.db.citizen.create({ data: { channel: "telegram", externalId: "tg-1001" } });
    const conv = await rt.db.conversation.create({
      data: { channel: "telegram", chatId: "1001", citizenId: citizen.id },
    });
    const filed = await rt.cases.fileCase({
      citizenId: citizen.id,
      conversationId: conv.id,
      channel: "telegram",
      receivedAt: new Date(),
      draft: {
        kind: "khieu_nai",
        topicId: "land",
        placeId: "hai-chau",
        description: ["Tôi khiếu nại việc UBND phường cấp phép xây dựng lấn sang phần đất nhà tôi."],
        photos: [],
        subject: "Giấy phép xây dựng số 88/GPXD",
        senderName: "Lê Thị Hoa",
        senderContact: "45 Trần Phú",
      },
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, locale: "vi-VN" });
    await signIn(page);
    await page.goto(`${url}/queue/cases/${filed.caseId}/documents`);
    await page
      .getByRole("link", { name: /thụ lý giải quyết khiếu nại/ })
      .first()
      .click();
    await page.waitForURL(/template=kn-thu-ly/);
    const area = page.locator("#doc-body");
    expect(await area.inputValue()).toContain("ông/bà Lê Thị Hoa");
    await area.fill(
      `${await area.inputValue()}\n\nĐề nghị ông/bà mang theo bản sao giấy chứng nhận quyền sử dụng đất khi đến làm việc.`,
    );
    await page.fill('input[name="signerTitle"]', "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH");
    await page.screenshot({ path: `${shots}/document-editor.png`, fullPage: true });
    page.once("dialog", (d) => d.accept());
    await page.getByRole("button", { name: "Gửi cho người dân" }).click();
    await page.waitForURL(/sent=1/);
    expect(await page.locator(".flash.ok").textContent()).toContain("Đã gửi văn bản");
    await page.screenshot({ path: `${shots}/document-sent.png`, fullPage: true });
    const out = await rt.db.outboxMessage.findMany({ where: { caseId: filed.caseId } });
    expect(out.map((o) => o.text).join("\n")).toContain(
      "mang theo bản sao giấy chứng nhận quyền sử dụng đất",
    );
    expect(out[0]!.chatId).toBe("1001");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Tải về (DOCX)" }).first().click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.docx$/);

    await page.goto(`${url}/queue/registers?book=tiep`);
    expect(await page.locator("table.register").textContent()).toContain("Nguyễn Văn An");
    await page.screenshot({ path: `${shots}/register-tiep.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${url}/queue/walk-in`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.screenshot({ path: `${shots}/walk-in-phone.png`, fullPage: true });
    await page.close();
  });
});
