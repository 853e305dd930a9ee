import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { type Harness, harness } from "../support/harness.ts";

let h: Harness;
let app: ReturnType<typeof createApp>;
const logs: unknown[] = [];
beforeAll(async () => {
  h = await harness("pglite");
  const logger = { info: () => {}, warn: () => {}, error: (o: unknown) => void logs.push(o) };
  app = createApp({ intake: h.intake, logger, checkDatabase: async () => ({ kind: "pglite" }) });
}, 180_000);
afterAll(async () => {
  await h?.close();
});

const post = (body: string, headers: Record<string, string> = { "content-type": "application/json" }) =>
  app.request("/api/chat/messages", { method: "POST", body, headers });

describe("web chat HTTP API", () => {
  it("serves the chat page in Vietnamese", async () => {
    const res = await app.request("/");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<html lang="vi">');
    expect(html).toContain("Hộp thư dân");
    expect(html).toContain('name="viewport"');
  });

  it("answers a message with replies and choices", async () => {
    const res = await post(JSON.stringify({ conversationId: "web-test-0001", text: "/start" }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      replies: { text: string; choices?: { id: string; label: string }[] }[];
    };
    expect(body.replies[0]!.text).toContain("Xin chào");
    expect(body.replies[0]!.choices?.map((c) => c.id)).toEqual(["file", "lookup", "help"]);
  });

  it("answers the health check with the database status", async () => {
    const res = await app.request("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", database: { status: "ok", kind: "pglite" } });
    const down = createApp({
      intake: h.intake,
      logger: { info() {}, warn() {}, error() {} },
      checkDatabase: async () => {
        throw new Error("connection refused");
      },
    });
    const r2 = await down.request("/healthz");
    expect(r2.status).toBe(503);
    expect(await r2.json()).toEqual({ status: "error", database: { status: "error" } });
  });

  it("rejects malformed JSON, wrong shapes and huge bodies with a 4xx and a Vietnamese message", async () => {
    const bad = await post("{not json");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain("không phải JSON");
    for (const body of ["[]", "null", '"x"', "{}", '{"conversationId":"web-test-0002","text":42}']) {
      const res = await post(body);
      expect(res.status, body).toBe(400);
    }
    const huge = await post(
      JSON.stringify({ conversationId: "web-test-0003", text: "x".repeat(300 * 1024) }),
    );
    expect(huge.status).toBe(413);
  });

  it("gives a polite answer to a 50 KB text, lone surrogates and NUL characters — never a 500", async () => {
    const long = await post(JSON.stringify({ conversationId: "web-test-0004", text: "đường ".repeat(9000) }));
    expect(long.status).toBe(200);
    expect(JSON.stringify(await long.json())).toContain("Tin nhắn quá dài");
    const odd = await post(
      `{"conversationId":"web-test-0005","text":"\\ud800 Cống bị tắc \\u0000 ở phường Hải Châu lâu rồi"}`,
    );
    expect(odd.status).toBe(200);
    expect(logs).toEqual([]);
  });

  it("answers unknown routes with 404", async () => {
    const res = await app.request("/nope");
    expect(res.status).toBe(404);
  });
});
