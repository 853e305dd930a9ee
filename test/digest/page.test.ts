/**
 * /digest: leaders and administrators (their queue session, or the token from config), the
 * page in headless Chromium (figures, printable layout), the PDF and JSON of the same digest.
 */
import { serve } from "@hono/node-server";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MODEL_DIR, loadClassifier } from "../../src/classify/node-loader.ts";
import { loadReferenceData } from "../../src/data/index.ts";
import { digestConfig } from "../../src/digest/config.ts";
import { digestRoutes } from "../../src/digest/routes.ts";
import { createSummarizer } from "../../src/digest/summary.ts";
import { syncReferenceData } from "../../src/store/reference.ts";
import { hasChromium, launchChromium } from "../support/browser.ts";
import { openTestDb, type TestDb } from "../support/db.ts";
import { NOW, seedFixture } from "./fixture.ts";

const TOKEN = "leaders-token-0123456789abcdef";
const data = loadReferenceData();
let db: TestDb;
let routes: ReturnType<typeof digestRoutes>;
let deps: Omit<Parameters<typeof digestRoutes>[0], "token">;

beforeAll(async () => {
  db = await openTestDb("pglite");
  await syncReferenceData(db.db, data);
  await seedFixture(db.db);
  const classifier = await loadClassifier(DEFAULT_MODEL_DIR);
  deps = {
    db: db.db,
    data,
    embedder: classifier.embedder,
    config: digestConfig(),
    summarizer: createSummarizer({ timeoutMs: 1000 }),
    now: () => NOW,
  };
  routes = digestRoutes({ ...deps, token: TOKEN });
}, 60_000);
afterAll(() => db?.close());

const auth = { authorization: `Bearer ${TOKEN}` };

describe("/digest access", () => {
  it("without a token configured, only a leader's or an administrator's session opens it", async () => {
    const off = digestRoutes({ ...deps, token: undefined });
    const res = await off.request("/digest?period=2026-W48", { headers: auth });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/queue/login?next=%2Fdigest%3Fperiod%3D2026-W48");
    for (const [role, status] of [
      ["leader", 200],
      ["admin", 200],
      ["officer", 403],
      ["supervisor", 403],
    ] as const) {
      const withSession = digestRoutes({ ...deps, token: undefined, sessionOf: async () => ({ role }) });
      const page = await withSession.request("/digest?period=2026-W48");
      expect(page.status, role).toBe(status);
      if (status === 403) expect(await page.text()).toContain("chỉ dành cho lãnh đạo");
    }
  });

  it("refuses a wrong token, and sends a visitor with none to the sign-in page", async () => {
    expect((await routes.request("/digest")).status).toBe(303);
    expect((await routes.request("/digest", { headers: { authorization: "Bearer nope" } })).status).toBe(403);
    expect((await routes.request("/digest?token=nope")).status).toBe(403);
    expect((await routes.request("/digest", { headers: { cookie: "digest_token=nope" } })).status).toBe(303);
  });

  it("?token= sets an HttpOnly cookie and redirects to the URL without it", async () => {
    const res = await routes.request("/digest?period=2026-W48&token=" + TOKEN);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/digest?period=2026-W48");
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toContain(`digest_token=${TOKEN}`);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    const page = await routes.request("/digest?period=2026-W48", {
      headers: { cookie: `digest_token=${TOKEN}` },
    });
    expect(page.status).toBe(200);
  });

  it("answers bad parameters with 400 in Vietnamese", async () => {
    for (const q of [
      "period=2026-W99x",
      "from=2026-13-01&to=2026-13-05",
      "from=2020-01-01&to=2026-01-01",
      "scope=agency:nope",
      "format=docx",
    ]) {
      const res = await routes.request(`/digest?${q}`, { headers: auth });
      expect(res.status, q).toBe(400);
    }
  });
});

describe("/digest formats", () => {
  it("JSON: the same figures as the page", async () => {
    const res = await routes.request("/digest?period=2026-W48&format=json", { headers: auth });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      digest: { totals: { received: { current: number } } };
      narrative: { source: string };
    };
    expect(body.digest.totals.received.current).toBe(12);
    expect(body.narrative.source).toBe("template");
  });

  it("PDF: an A4 document", async () => {
    const res = await routes.request("/digest?period=2026-W48&format=pdf", { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe("%PDF-");
    expect(bytes.length).toBeGreaterThan(20_000);
  });

  it("the font is served for the page", async () => {
    const res = await routes.request("/digest/assets/regular.ttf");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("font/ttf");
  });
});

describe.skipIf(!hasChromium)("/digest in headless Chromium", () => {
  let browser: Browser;
  let server: ReturnType<typeof serve>;
  let base = "";
  beforeAll(async () => {
    server = serve({ fetch: routes.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it("a leader opens the link, reads the key figures, and can print it", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/digest?period=2026-W48&token=${TOKEN}`);
    expect(page.url()).toBe(`${base}/digest?period=2026-W48`);
    await expect.poll(() => page.locator("h1").textContent()).toBe("Bản tin tổng hợp ý kiến người dân");
    const cards = await page.locator(".card").allTextContents();
    expect(cards[0]).toContain("12");
    expect(cards[0]).toContain("300%");
    expect(cards[3]).toContain("66,7%");
    expect(await page.locator("ol.attention li").count()).toBe(3);
    expect(await page.locator(".hot").first().textContent()).toContain("Môi trường — xã Hòa Vang");
    expect(await page.locator(".chart svg").count()).toBe(3);
    if (process.env.DIGEST_SCREENSHOT)
      await page.screenshot({ path: process.env.DIGEST_SCREENSHOT, fullPage: true });
    await page.emulateMedia({ media: "print" });
    expect(await page.locator("nav").isVisible()).toBe(false);
    // The navigation goes to the previous week.
    await page.emulateMedia({ media: "screen" });
    await page.getByRole("link", { name: /Tuần 47\/2026/ }).click();
    await expect.poll(() => page.locator(".meta").textContent()).toContain("Tuần 47/2026");
  });
});
