/**
 * Issue 7 acceptance, in real headless Chromium against the server on loopback: an official signs
 * in, filters the queue, opens a case filed through the Telegram stand-in, replies (the stand-in
 * receives it), transfers it; the receiving agency closes it and the citizen is asked to rate.
 * A new case appears in the open list without a reload. Screenshots: tmp/screenshots/.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { serve } from "@hono/node-server";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { vi as viText } from "../../src/i18n/vi.ts";
import { hasChromium, launchChromium } from "../support/browser.ts";
import { dbKinds } from "../support/db.ts";
import { type Bots, codeIn, startBots, telegramCitizen } from "../support/messengers.ts";
import { createOfficial, type TestOfficial } from "../support/queue.ts";

if (!hasChromium && process.env.CI) throw new Error("Chromium is required in CI (apt-get install chromium)");
const kinds = hasChromium ? await dbKinds() : [];
const shots = path.resolve("tmp/screenshots");

async function fileStreetLightCase(bots: Bots, text: string): Promise<{ code: string; chatId: number }> {
  const c = telegramCitizen(bots);
  await c.say("/start");
  await c.tap("file");
  await c.say(text);
  await c.tap(viText.choice.yes);
  await c.tap("pakn");
  await c.tap("topic:transport_infrastructure");
  await c.say("Nguyễn Văn An, 0905 111 222");
  const code = codeIn((await c.tap("send")).text);
  return { code, chatId: c.chatId };
}

async function signIn(page: Page, url: string, o: TestOfficial) {
  await page.goto(`${url}/queue`);
  await expect.poll(() => page.url()).toContain("/queue/login");
  await page.fill('input[name="username"]', o.username);
  await page.fill('input[name="password"]', o.password);
  await page.click('button[type="submit"]');
  await page.waitForURL(/\/queue(\?.*)?$/);
}

describe.skipIf(!hasChromium).each(kinds)("the officials' queue in headless Chromium, on %s", (kind) => {
  let bots: Bots;
  let browser: Browser;
  let server: ReturnType<typeof serve>;
  let url = "";
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    bots = await startBots(kind, { options: { queuePollMs: 500 } });
    server = serve({ fetch: bots.rt.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
    await bots?.close();
  });

  it("signs in, filters, replies, transfers, and the receiving agency closes the case; the citizen is asked to rate", async () => {
    const { rt, telegram } = bots;
    const filed = await fileStreetLightCase(
      bots,
      "Đèn đường trên đường Trần Phú, phường Hải Châu bị hỏng cả tháng nay, tối đi rất nguy hiểm",
    );
    // Another case of the same agency that the filters must leave out.
    await fileStreetLightCase(
      bots,
      "Rác thải đổ trộm ở kiệt 12 Nguyễn Tri Phương, phường Hải Châu, bốc mùi cả tuần",
    );
    const officer = await createOfficial(rt.db, {
      role: "officer",
      agencyId: "ubnd-hai-chau",
      displayName: "Trần Thị Hạnh",
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    await signIn(page, url, officer);
    await expect.poll(() => page.locator("tr[data-id]").count()).toBeGreaterThanOrEqual(2);

    // Search without diacritics, then filter by kind: only the street-light case is left.
    await page.fill('input[name="q"]', "den duong tran phu");
    await page.selectOption('select[name="kind"]', "pakn");
    await page.click("form.filters button[type=submit]");
    await page.waitForURL(/q=den/);
    await expect.poll(() => page.locator("tr[data-id]").count()).toBe(1);
    expect(await page.locator("tr[data-id] .code").textContent()).toBe(filed.code);
    expect(await page.locator('select[name="kind"] option[value="pakn"]').textContent()).toMatch(/\(1\)/);
    await page.goto(`${url}/queue`);
    await page.screenshot({ path: path.join(shots, `queue-${kind}.png`), fullPage: true });

    // The case page: the conversation as the citizen wrote it, the routing explanation.
    await page.click(`a.code:text("${filed.code}")`);
    await page.waitForURL(/\/queue\/cases\//);
    const body = (await page.textContent("main")) ?? "";
    expect(body).toContain("Đèn đường trên đường Trần Phú");
    expect(body).toContain("Chuyển đến");
    expect(body).toContain("Tiếp nhận hồ sơ");

    // Reply: it reaches the citizen through the Telegram stand-in, and the page shows it delivered.
    const reply = "Phường đã cử cán bộ kiểm tra, sẽ thay bóng đèn trong tuần này.";
    await page.fill('form[action$="/reply"] textarea[name="text"]', reply);
    await page.click('form[action$="/reply"] button[type=submit]');
    await page.waitForURL(/done=reply/);
    await telegram.waitFor(() => telegram.deliveredTo(filed.chatId).some((t) => t.includes(reply)));
    await page.reload();
    await expect.poll(async () => (await page.textContent("main")) ?? "").toContain("đã gửi tới người dân");
    await page.screenshot({ path: path.join(shots, `case-${kind}.png`), fullPage: true });

    // Transfer to the department in charge, with a reason the citizen reads.
    await page.click('details:has(form[action$="/transfer"]) summary');
    await page.selectOption('form[action$="/transfer"] select[name="agency"]', "so-xay-dung");
    await page.fill(
      'form[action$="/transfer"] input[name="reason"]',
      "Đèn chiếu sáng công cộng do Sở quản lý",
    );
    page.once("dialog", (d) => void d.accept());
    await page.click('form[action$="/transfer"] button[type=submit]');
    await page.waitForURL(/\/queue\/cases\/[^/]+\?done=transfer/);
    await telegram.waitFor(() =>
      telegram.deliveredTo(filed.chatId).some((t) => t.includes("đã được chuyển đến Sở Xây dựng")),
    );
    // The case left the officer's agency: its page is now "not found" for them.
    expect((await page.reload())?.status()).toBe(404);

    // The receiving agency's officer closes it with an outcome; the citizen is asked to rate.
    const xd = await createOfficial(rt.db, { role: "officer", agencyId: "so-xay-dung" });
    const other = await browser.newContext({ viewport: { width: 390, height: 844 } });
    other.setDefaultTimeout(20_000);
    const phone = await other.newPage();
    await signIn(phone, url, xd);
    await phone.click(`a.code:text("${filed.code}")`);
    await phone.click('details:has(form[action$="/close"]) summary');
    await phone.selectOption('form[action$="/close"] select[name="outcome"]', "resolved");
    await phone.fill('form[action$="/close"] input[name="note"]', "Đã thay bóng đèn ngày 05/12");
    phone.once("dialog", (d) => void d.accept());
    await phone.click('form[action$="/close"] button[type=submit]');
    await phone.waitForURL(/done=close/);
    await telegram.waitFor(() => telegram.deliveredTo(filed.chatId).includes(viText.askRating(filed.code)));
    const row = await rt.db.case.findUniqueOrThrow({ where: { code: filed.code } });
    expect(row.status).toBe("closed");
    // Usable on a phone: no horizontal scrolling on the case page or the list.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await phone.screenshot({ path: path.join(shots, `case-phone-${kind}.png`), fullPage: true });
    await phone.goto(`${url}/queue?state=all`);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await phone.screenshot({ path: path.join(shots, `queue-phone-${kind}.png`), fullPage: true });
    await other.close();
    await context.close();
  }, 180_000);

  it("shows a new case in the open list without a reload", async () => {
    const officer = await createOfficial(bots.rt.db, { role: "officer", agencyId: "ubnd-hai-chau" });
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, url, officer);
    const before = await page.locator("tr[data-id]").count();
    const filed = await fileStreetLightCase(
      bots,
      "Cống thoát nước trên đường Lê Duẩn, phường Hải Châu bị tắc, mưa là ngập cả đoạn đường",
    );
    await expect.poll(() => page.locator("tr[data-id]").count(), { timeout: 10_000 }).toBe(before + 1);
    expect(await page.locator("tr.new .code").textContent()).toBe(filed.code);
    await context.close();
  });
});
