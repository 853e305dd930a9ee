/**
 * The web chat's identity is issued by the server (a signed HttpOnly cookie), every answer carries
 * the security headers, and one browser, one address or everyone together cannot flood the bot.
 */
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { webChatRoutes } from "../../src/channels/web/routes.ts";
import { guardStrings } from "../../src/i18n/guard.ts";
import { type Harness, harness } from "../support/harness.ts";

let h: Harness;
let app: ReturnType<typeof createApp>;
const logger = { info() {}, warn() {}, error() {} };
beforeAll(async () => {
  h = await harness("pglite");
  app = createApp({
    intake: h.intake,
    logger,
    checkDatabase: async () => ({ kind: "pglite" }),
    webSessionSecret: "test-secret-0123456789abcdef",
  });
}, 180_000);
afterAll(async () => {
  await h?.close();
});

const cookieOf = (res: Response) => res.headers.get("set-cookie")?.split(";")[0];
const post = (text: string, cookie?: string, extra: Record<string, unknown> = {}) =>
  app.request("/api/chat/messages", {
    method: "POST",
    headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ ...extra, text }),
  });

describe("web chat identity", () => {
  it("issues a signed, HttpOnly, SameSite=Strict cookie with the page; the browser cannot pick a conversation", async () => {
    const page = await app.request("/");
    const setCookie = page.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^hopthu_chat=w-[A-Za-z0-9_-]+\.[A-Za-z0-9%_+/=-]+;/);
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Strict");
    const cookie = cookieOf(page)!;
    const id = decodeURIComponent(cookie.split("=")[1]!).split(".")[0]!;

    // A body naming someone else's conversation is ignored: the cookie decides.
    const res = await post("/start", cookie, { conversationId: "victim-conversation-1" });
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(
      await h.opened.db.conversation.findFirst({ where: { chatId: "victim-conversation-1" } }),
    ).toBeNull();
    expect(
      await h.opened.db.conversation.findFirst({ where: { channel: "web", chatId: id } }),
    ).not.toBeNull();

    // A forged or unsigned cookie is not accepted: a new conversation is issued instead.
    for (const forged of ["hopthu_chat=victim-conversation-1", `hopthu_chat=${id}.AAAA`]) {
      const r = await post("/start", forged);
      expect(r.status).toBe(200);
      const issued = cookieOf(r)!;
      expect(issued).toBeDefined();
      expect(issued).not.toContain(id);
    }
  });

  it("starts a new conversation on request", async () => {
    const first = cookieOf(await app.request("/"))!;
    const next = cookieOf(await app.request("/api/chat/session", { method: "POST" }))!;
    expect(next).toMatch(/^hopthu_chat=/);
    expect(next).not.toBe(first);
  });
});

describe("security headers", () => {
  it("sends CSP (nonce, frame-ancestors 'none'), nosniff, referrer policy and frame denial on every answer", async () => {
    for (const [path, init] of [
      ["/", undefined],
      ["/api/chat/notifications", undefined],
      ["/healthz", undefined],
      ["/no-such-page", undefined],
      ["/api/chat/messages", { method: "POST", body: "{bad" }],
    ] as const) {
      const res = await app.request(path, init);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("object-src 'none'");
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("referrer-policy"), path).toBe("no-referrer");
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
    }
    const page = await app.request("/");
    const csp = page.headers.get("content-security-policy")!;
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    const html = await page.text();
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect(html).toContain(`<style nonce="${nonce}">`);
    // Every answer its own unpredictable nonce (16 random bytes), the same in script-src and style-src.
    const nonces = new Set<string>();
    for (let i = 0; i < 600; i++) {
      const header = (await app.request("/healthz")).headers.get("content-security-policy")!;
      const all = [...header.matchAll(/'nonce-([^']+)'/g)].map((m) => m[1]!);
      expect(all).toHaveLength(2);
      expect(all[0]).toBe(all[1]);
      expect(Buffer.from(all[0]!, "base64")).toHaveLength(16);
      nonces.add(all[0]!);
    }
    expect(nonces.size).toBe(600);
  });
});

describe("flood limits", () => {
  it("answers a conversation that writes too fast with 429 and a polite notice, then lets it go on", async () => {
    const calls: string[] = [];
    const routes = webChatRoutes({
      handle: async (m) => {
        calls.push(m.chatId);
        return { replies: [{ text: "ok" }] };
      },
      pull: async () => [],
      sessionSecret: "s3cret-s3cret-s3cret",
      flood: { perChat: { perSecond: 0.001, burst: 12 }, global: { perSecond: 1000, burst: 1000 } },
    });
    const web = new Hono().route("/", routes);
    const cookie = (await web.request("/")).headers.get("set-cookie")!.split(";")[0]!;
    const send = () =>
      web.request("/api/chat/messages", {
        method: "POST",
        headers: { "content-type": "application/json", cookie },
        body: JSON.stringify({ text: "spam" }),
      });
    const statuses: number[] = [];
    let notice = "";
    for (let i = 0; i < 40; i++) {
      const r = await send();
      statuses.push(r.status);
      if (r.status === 429) notice ||= ((await r.json()) as { error: string }).error;
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(12);
    expect(statuses.slice(12).every((s) => s === 429)).toBe(true);
    expect(calls).toHaveLength(12);
    expect(notice).toContain("quá nhanh");
  });

  it("limits one address over many conversations, and everyone together", async () => {
    const handle = async () => ({ replies: [{ text: "ok" }] });
    const perAddress = new Hono().route(
      "/",
      webChatRoutes({
        handle,
        pull: async () => [],
        sessionSecret: "s3cret-s3cret-s3cret",
        perAddress: { perSecond: 0.001, burst: 5 },
      }),
    );
    const fresh = (a: Hono) =>
      a.request("/api/chat/messages", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text: "hi" }),
      });
    const byAddress: number[] = [];
    for (let i = 0; i < 8; i++) byAddress.push((await fresh(perAddress)).status);
    expect(byAddress).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);

    const global = new Hono().route(
      "/",
      webChatRoutes({
        handle,
        pull: async () => [],
        sessionSecret: "s3cret-s3cret-s3cret",
        flood: { global: { perSecond: 0.001, burst: 3 } },
      }),
    );
    const all: Response[] = [];
    for (let i = 0; i < 5; i++) all.push(await fresh(global));
    expect(all.map((r) => r.status)).toEqual([200, 200, 200, 429, 429]);
    expect(((await all[4]!.json()) as { error: string }).error).toBe(guardStrings.busy);
    expect(all[4]!.headers.get("retry-after")).toBe("5");
  });
});
