import { serve } from "@hono/node-server";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRuntime, type Runtime } from "../../src/runtime.ts";
import { hasChromium, launchChromium } from "../support/browser.ts";

if (!hasChromium && process.env.CI) throw new Error("Chromium is required in CI (apt-get install chromium)");
if (!hasChromium) console.warn("Chromium not found: the chat page browser test is SKIPPED.");

describe.skipIf(!hasChromium)("the web chat page in headless Chromium", () => {
  let rt: Runtime;
  let browser: Browser;
  let server: ReturnType<typeof serve>;
  let url = "";
  beforeAll(async () => {
    rt = await createRuntime({ DATA_DIR: "memory://", LOG_LEVEL: "silent" });
    server = serve({ fetch: rt.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
    await rt?.close();
  });

  it("lets a citizen on a phone screen file a case with buttons and typing, and keeps the chat on reload", async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(url);
    await expect.poll(() => page.locator(".bot").first().textContent()).toContain("Xin chào");
    const click = (name: string) =>
      page.locator(".choices:not(.used)").getByRole("button", { name, exact: true }).click();
    await click("Gửi phản ánh, kiến nghị, khiếu nại, tố cáo");
    await page.fill(
      "#input",
      "Rác thải đổ trộm ở bãi đất trống kiệt 12 đường Nguyễn Tri Phương, phường Hải Châu, bốc mùi cả tuần",
    );
    await page.press("#input", "Enter");
    await click("Đúng");
    // The shipped classifier sees a plain PAKN and recognises the topic itself; the citizen is not asked.
    await click("Ẩn danh");
    // The button click returns before the answer arrives; wait for the summary itself.
    await expect.poll(() => page.locator(".bot").last().textContent()).toContain("• Lĩnh vực: Môi trường");
    await click("Gửi hồ sơ");
    await expect.poll(() => page.locator(".bot").last().textContent()).toContain("Mã hồ sơ:");
    const text = (await page.locator(".bot").last().textContent()) ?? "";
    const code = /Mã hồ sơ: (\S+)/.exec(text)![1]!;
    // No horizontal scrolling on a phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

    await page.reload();
    await expect.poll(() => page.locator(".bot").last().textContent()).toContain(code);
    await page.fill("#input", code.toLowerCase());
    await page.click("#send");
    await expect.poll(() => page.locator(".bot").last().textContent()).toContain(`Hồ sơ ${code}`);
    expect(await page.locator(".bot").last().textContent()).toContain("Rác thải đổ trộm");
  });
});
