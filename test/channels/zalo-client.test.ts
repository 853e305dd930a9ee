/**
 * The Zalo Bot API client, update parser, reply splitter and secret check.
 * The client is exercised against a real HTTP server on 127.0.0.1 standing in for Zalo, and the
 * tests assert what goes over the wire.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ZaloApiError, ZaloBotClient } from "../../src/channels/zalo/client.ts";
import {
  timingSafeEqual,
  verifySecretHeader,
  verifySecretToken,
  ZALO_SECRET_HEADER,
} from "../../src/channels/zalo/secret.ts";
import { splitText, ZALO_MAX_TEXT_LENGTH } from "../../src/channels/zalo/split.ts";
import type { ParsedZaloUpdate, ZaloUpdate } from "../../src/channels/zalo/types.ts";
import { parseUpdate, parseUpdates } from "../../src/channels/zalo/update.ts";

const TOKEN = "1459232241454765289:Zk3xS3cr3tT0kenValue_abc";
const SECRET_HALF = "Zk3xS3cr3tT0kenValue_abc";

// ---------------------------------------------------------------------------------------------
// A loopback stand-in for bot-api.zaloplatforms.com
// ---------------------------------------------------------------------------------------------

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: unknown;
}
type Handler = (req: Received, res: ServerResponse) => void;

const received: Received[] = [];
let handler: Handler = (_req, res) => json(res, 200, { ok: true, result: {} });
let server: Server;
let baseUrl: string;

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function ok(result?: unknown): Handler {
  return (_req, res) => json(res, 200, result === undefined ? { ok: true } : { ok: true, result });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      let body: unknown;
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = undefined;
      }
      const r: Received = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        rawBody,
        body,
      };
      received.push(r);
      handler(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  received.length = 0;
  handler = ok({});
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function client(options: { timeoutMs?: number; base?: string } = {}): ZaloBotClient {
  return new ZaloBotClient({
    token: TOKEN,
    baseUrl: options.base ?? baseUrl,
    timeoutMs: options.timeoutMs ?? 2000,
  });
}

async function catchError(promise: Promise<unknown>): Promise<ZaloApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ZaloApiError);
    return error as ZaloApiError;
  }
  throw new Error("expected the call to fail");
}

function only(): Received {
  expect(received).toHaveLength(1);
  return received[0]!;
}

/** Every way the error could reach a log line. */
function renderings(error: ZaloApiError): string[] {
  return [
    error.message,
    String(error),
    error.toString(),
    error.stack ?? "",
    error.description,
    error.url ?? "",
    JSON.stringify(error),
    inspect(error, { depth: 10 }),
    String((error as { cause?: unknown }).cause ?? ""),
    inspect((error as { cause?: unknown }).cause, { depth: 10 }),
  ];
}

function expectRedacted(error: ZaloApiError): void {
  for (const text of renderings(error)) {
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(SECRET_HALF);
    expect(text).not.toContain(encodeURIComponent(TOKEN));
  }
}

const TEXT_UPDATE = {
  event_name: "message.text.received",
  message: {
    message_id: "16f6366b3f02645a3d15",
    date: 1766619597466,
    chat: { id: "e4ea2cd5189df1c3a88c", chat_type: "PRIVATE" },
    from: { id: "e4ea2cd5189df1c3a88c", display_name: "Nguyen Van A" },
    text: "Xin chào",
  },
};

const IMAGE_UPDATE = {
  event_name: "message.image.received",
  message: {
    message_id: "img-1",
    date: 1766619600000,
    chat: { id: "group-9", chat_type: "GROUP" },
    from: { id: "user-2", first_name: "Trần Thị B" },
    photo: "https://photo.zalo.example/abc.jpg",
    caption: "Ổ gà đường Lê Lợi",
  },
};

// ---------------------------------------------------------------------------------------------
// Client: what goes over the wire
// ---------------------------------------------------------------------------------------------

describe("ZaloBotClient — requests on the wire", () => {
  it("getMe POSTs {} as JSON to /bot<token>/getMe and types the answer", async () => {
    handler = ok({
      id: "1459232241454765289",
      account_name: "bot.VDKyGxQvc",
      account_type: "BASIC",
      can_join_groups: false,
    });
    const me = await client().getMe();
    const req = only();
    expect(req.method).toBe("POST");
    expect(req.path).toBe(`/bot${TOKEN}/getMe`);
    expect(req.headers["content-type"]).toBe("application/json");
    expect(req.body).toEqual({});
    expect(me.id).toBe("1459232241454765289");
    expect(me.account_name).toBe("bot.VDKyGxQvc");
    expect(me.can_join_groups).toBe(false);
  });

  it("getMe accepts a numeric id and turns it into a string", async () => {
    handler = ok({ id: 42, account_name: "bot.x" });
    expect((await client().getMe()).id).toBe("42");
  });

  it("getUpdates sends timeout as a string and returns the single update as a parsed array", async () => {
    handler = ok(TEXT_UPDATE);
    const updates = await client().getUpdates({ timeout: 30 });
    const req = only();
    expect(req.path).toBe(`/bot${TOKEN}/getUpdates`);
    expect(req.body).toEqual({ timeout: "30" });
    expect(req.rawBody).toBe('{"timeout":"30"}');
    expect(updates).toHaveLength(1);
    const u = updates[0]!;
    expect(u.kind).toBe("text");
    if (u.kind === "text") expect(u.text).toBe("Xin chào");
  });

  it("getUpdates handles an array result, an empty result and error_code 408 (poll expired)", async () => {
    handler = ok([TEXT_UPDATE, IMAGE_UPDATE, "garbage"]);
    const many = await client().getUpdates();
    expect(only().body).toEqual({});
    expect(many.map((u) => u.kind)).toEqual(["text", "image", "invalid"]);

    handler = ok(null);
    expect(await client().getUpdates({ timeout: 0 })).toEqual([]);
    handler = ok();
    expect(await client().getUpdates()).toEqual([]);
    handler = (_r, res) => json(res, 200, { ok: false, error_code: 408, description: "Request timeout" });
    expect(await client().getUpdates({ timeout: 1 })).toEqual([]);
  });

  it("getUpdates waits for the long-poll time on top of the client timeout", async () => {
    handler = (_r, res) => setTimeout(() => json(res, 200, { ok: true, result: TEXT_UPDATE }), 500);
    const updates = await client({ timeoutMs: 150 }).getUpdates({ timeout: 1 });
    expect(updates).toHaveLength(1);
  });

  it("getUpdates rejects a non-integer timeout without calling the server", async () => {
    const error = await catchError(client().getUpdates({ timeout: 1.5 }));
    expect(error.kind).toBe("invalid_request");
    expect(received).toHaveLength(0);
  });

  it("setWebhook sends url and secret_token and returns the webhook info", async () => {
    handler = ok({ url: "https://hopthu.example.vn/zalo", updated_at: 1749538250568 });
    const info = await client().setWebhook({
      url: "https://hopthu.example.vn/zalo",
      secret_token: "mykey-abcxyz",
    });
    const req = only();
    expect(req.path).toBe(`/bot${TOKEN}/setWebhook`);
    expect(req.body).toEqual({ url: "https://hopthu.example.vn/zalo", secret_token: "mykey-abcxyz" });
    expect(info).toMatchObject({ url: "https://hopthu.example.vn/zalo", updated_at: 1749538250568 });
  });

  it("setWebhook validates the secret length (8–256) and the https URL before sending", async () => {
    const c = client();
    const url = "https://hopthu.example.vn/zalo";
    for (const secret_token of ["", "1234567", "x".repeat(257)]) {
      const error = await catchError(c.setWebhook({ url, secret_token }));
      expect(error.kind).toBe("invalid_request");
      expect(error.retryable).toBe(false);
      expect(error.description).toContain("8 to 256");
    }
    for (const bad of ["http://hopthu.example.vn/zalo", "not a url", ""]) {
      const error = await catchError(c.setWebhook({ url: bad, secret_token: "12345678" }));
      expect(error.description).toContain("https");
    }
    expect(received).toHaveLength(0);

    handler = ok({ url, updated_at: 1 });
    await c.setWebhook({ url, secret_token: "12345678" });
    await c.setWebhook({ url, secret_token: "s".repeat(256) });
    expect(received.map((r) => (r.body as { secret_token: string }).secret_token.length)).toEqual([8, 256]);
  });

  it("deleteWebhook and getWebhookInfo POST {} and return { url, updated_at }", async () => {
    handler = ok({ url: "", updated_at: 1749538250568 });
    const deleted = await client().deleteWebhook();
    handler = ok({ url: "https://hopthu.example.vn/zalo", updated_at: 1749633372026 });
    const info = await client().getWebhookInfo();
    expect(received.map((r) => [r.path, r.body])).toEqual([
      [`/bot${TOKEN}/deleteWebhook`, {}],
      [`/bot${TOKEN}/getWebhookInfo`, {}],
    ]);
    expect(deleted.url).toBe("");
    expect(info).toMatchObject({ url: "https://hopthu.example.vn/zalo", updated_at: 1749633372026 });
  });

  it("sendMessage sends chat_id and text and returns the sent message", async () => {
    handler = ok({ message_id: "82599fa32f56d00e8941", date: 1749632637199 });
    const sent = await client().sendMessage({ chat_id: "abc.xyz", text: "Cảm ơn anh/chị đã phản ánh." });
    const req = only();
    expect(req.path).toBe(`/bot${TOKEN}/sendMessage`);
    expect(req.body).toEqual({ chat_id: "abc.xyz", text: "Cảm ơn anh/chị đã phản ánh." });
    expect(sent).toMatchObject({ message_id: "82599fa32f56d00e8941", date: 1749632637199 });
  });

  it("sendMessage validates 1–2000 characters and the chat id before sending", async () => {
    const c = client();
    for (const text of ["", "   \n ", "x".repeat(2001)]) {
      const error = await catchError(c.sendMessage({ chat_id: "abc", text }));
      expect(error).toMatchObject({ kind: "invalid_request", method: "sendMessage", retryable: false });
    }
    expect((await catchError(c.sendMessage({ chat_id: "", text: "hi" }))).description).toContain("chat_id");
    expect(received).toHaveLength(0);

    handler = ok({ message_id: "m", date: 1 });
    await c.sendMessage({ chat_id: "abc", text: "x".repeat(2000) });
    await c.sendMessage({ chat_id: "abc", text: "x" });
    expect(received.map((r) => (r.body as { text: string }).text.length)).toEqual([2000, 1]);
  });

  it("sendPhoto sends photo and caption only when given", async () => {
    handler = ok({ message_id: "p1", date: 2 });
    const c = client();
    await c.sendPhoto({ chat_id: "abc", photo: "https://placehold.co/600x400", caption: "Ảnh hiện trường" });
    await c.sendPhoto({ chat_id: "abc", photo: "https://placehold.co/600x400" });
    expect(received.map((r) => [r.path, r.rawBody])).toEqual([
      [
        `/bot${TOKEN}/sendPhoto`,
        JSON.stringify({ chat_id: "abc", photo: "https://placehold.co/600x400", caption: "Ảnh hiện trường" }),
      ],
      [`/bot${TOKEN}/sendPhoto`, JSON.stringify({ chat_id: "abc", photo: "https://placehold.co/600x400" })],
    ]);
    const tooLong = await catchError(
      c.sendPhoto({ chat_id: "abc", photo: "https://x", caption: "y".repeat(2001) }),
    );
    expect(tooLong.kind).toBe("invalid_request");
    expect((await catchError(c.sendPhoto({ chat_id: "abc", photo: "" }))).kind).toBe("invalid_request");
    expect(received).toHaveLength(2);
  });

  it("sendSticker and sendChatAction send their documented bodies", async () => {
    handler = ok({ message_id: "s1", date: 3 });
    const sticker = await client().sendSticker({ chat_id: "abc", sticker: "0e078a2fb66a5f34067b" });
    handler = ok(); // sendChatAction answers { ok: true } without a result
    const action = await client().sendChatAction({ chat_id: "abc", action: "typing" });
    expect(received.map((r) => [r.path, r.body])).toEqual([
      [`/bot${TOKEN}/sendSticker`, { chat_id: "abc", sticker: "0e078a2fb66a5f34067b" }],
      [`/bot${TOKEN}/sendChatAction`, { chat_id: "abc", action: "typing" }],
    ]);
    expect(sticker.message_id).toBe("s1");
    expect(action).toBe(true);
  });

  it("accepts a base URL with a trailing slash, and raw() calls any method", async () => {
    handler = ok({ anything: [1, 2] });
    const result = await client({ base: `${baseUrl}//` }).raw("someNewMethod", { a: 1 });
    const req = only();
    expect(req.path).toBe(`/bot${TOKEN}/someNewMethod`);
    expect(req.body).toEqual({ a: 1 });
    expect(result).toEqual({ anything: [1, 2] });
  });
});

// ---------------------------------------------------------------------------------------------
// Client: error classification
// ---------------------------------------------------------------------------------------------

describe("ZaloBotClient — errors", () => {
  it("ok:false with a client error code → ZaloApiError, not retryable", async () => {
    handler = (_r, res) => json(res, 200, { ok: false, error_code: 400, description: "Invalid chat_id" });
    const error = await catchError(client().sendMessage({ chat_id: "nobody", text: "hi" }));
    expect(error).toMatchObject({
      name: "ZaloApiError",
      kind: "api",
      method: "sendMessage",
      errorCode: 400,
      description: "Invalid chat_id",
      httpStatus: 200,
      retryable: false,
      retryAfterSeconds: undefined,
    });
    expect(error.message).toContain("Invalid chat_id");
    expectRedacted(error);
  });

  it("ok:false without an error code is not retryable", async () => {
    handler = (_r, res) => json(res, 200, { ok: false });
    const error = await catchError(client().getMe());
    expect(error).toMatchObject({ kind: "api", errorCode: undefined, retryable: false });
  });

  it("ok:false with error_code 429 and parameters.retry_after → retryable with retryAfterSeconds", async () => {
    handler = (_r, res) =>
      json(res, 200, { ok: false, error_code: 429, description: "Too many", parameters: { retry_after: 7 } });
    const error = await catchError(client().sendMessage({ chat_id: "a", text: "b" }));
    expect(error).toMatchObject({ kind: "api", errorCode: 429, retryable: true, retryAfterSeconds: 7 });
  });

  it("HTTP 429 with Retry-After seconds → retryable, retryAfterSeconds from the header", async () => {
    handler = (_r, res) =>
      json(
        res,
        429,
        { ok: false, error_code: 429, description: "Too Many Requests" },
        { "retry-after": "3" },
      );
    const error = await catchError(client().sendMessage({ chat_id: "a", text: "b" }));
    expect(error).toMatchObject({
      kind: "http",
      httpStatus: 429,
      errorCode: 429,
      retryable: true,
      retryAfterSeconds: 3,
      description: "Too Many Requests",
    });
    expect(error.message).toContain("retry after 3s");
    expectRedacted(error);
  });

  it("HTTP 500 with a Retry-After date → retryable, retryAfterSeconds computed", async () => {
    const at = new Date(Date.now() + 5000).toUTCString();
    handler = (_r, res) =>
      json(res, 500, { ok: false, description: "Internal error" }, { "retry-after": at });
    const error = await catchError(client().getMe());
    expect(error).toMatchObject({ kind: "http", httpStatus: 500, errorCode: 500, retryable: true });
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(3);
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(6);
  });

  it("HTTP 502/503 with a non-JSON body → retryable, described by the status", async () => {
    for (const status of [502, 503]) {
      handler = (_r, res) => {
        res.writeHead(status, { "content-type": "text/html" });
        res.end("<html>bad gateway</html>");
      };
      const error = await catchError(client().sendMessage({ chat_id: "a", text: "b" }));
      expect(error).toMatchObject({
        kind: "http",
        httpStatus: status,
        retryable: true,
        retryAfterSeconds: undefined,
      });
      expect(error.description.length).toBeGreaterThan(0);
    }
  });

  it("HTTP 400/401/403/404 → not retryable", async () => {
    for (const status of [400, 401, 403, 404]) {
      handler = (_r, res) =>
        json(res, status, { ok: false, error_code: status, description: `nope ${status}` });
      const error = await catchError(client().getMe());
      expect(error).toMatchObject({ kind: "http", httpStatus: status, errorCode: status, retryable: false });
    }
  });

  it("a server that never answers → timeout error, retryable, after about timeoutMs", async () => {
    handler = () => {}; // never answers
    const started = Date.now();
    const error = await catchError(client({ timeoutMs: 150 }).sendMessage({ chat_id: "a", text: "b" }));
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({
      kind: "timeout",
      method: "sendMessage",
      retryable: true,
      httpStatus: undefined,
    });
    expect(error.description).toContain("150 ms");
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(2000);
    expectRedacted(error);
  });

  it("a server that sends headers but stalls the body → timeout too", async () => {
    handler = (_r, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"ok":true,');
    };
    const error = await catchError(client({ timeoutMs: 150 }).getMe());
    expect(error).toMatchObject({ kind: "timeout", retryable: true });
  });

  it("a per-call timeout overrides the client's", async () => {
    handler = () => {};
    const error = await catchError(client({ timeoutMs: 5000 }).getMe({ timeoutMs: 100 }));
    expect(error.kind).toBe("timeout");
  });

  it("connection refused → network error, retryable, token redacted", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await catchError(client({ base: `http://127.0.0.1:${port}` }).getMe());
    expect(error).toMatchObject({
      kind: "network",
      retryable: true,
      httpStatus: undefined,
      errorCode: undefined,
    });
    expectRedacted(error);
  });

  it("a fetch failure whose message quotes the URL is redacted", async () => {
    // undici: "Failed to parse URL from http://exa mple/bot<TOKEN>/getMe"
    const error = await catchError(client({ base: "http://exa mple" }).getMe());
    expect(error.kind).toBe("network");
    expect(error.description).toContain("<redacted>");
    expectRedacted(error);
  });

  it("the caller's AbortSignal cancels the call", async () => {
    handler = () => {};
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await catchError(client().getMe({ signal: controller.signal }));
    expect(error.kind).toBe("aborted");
    const already = await catchError(client().getMe({ signal: AbortSignal.abort() }));
    expect(already.kind).toBe("aborted");
  });

  it("a 2xx answer that is not JSON, or has the wrong shape → invalid_response, not retryable", async () => {
    handler = (_r, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>captive portal</html>");
    };
    const notJson = await catchError(client().getMe());
    expect(notJson).toMatchObject({ kind: "invalid_response", httpStatus: 200, retryable: false });

    handler = ok({ date: 1 }); // no message_id
    const badShape = await catchError(client().sendMessage({ chat_id: "a", text: "b" }));
    expect(badShape).toMatchObject({ kind: "invalid_response", retryable: false });
    expect(badShape.description).toContain("message_id");

    handler = (_r, res) => json(res, 200, [1, 2]);
    expect((await catchError(client().getMe())).kind).toBe("invalid_response");
  });

  it("a description that echoes the token is redacted", async () => {
    handler = (_r, res) =>
      json(res, 401, {
        ok: false,
        error_code: 401,
        description: `invalid token ${TOKEN} (secret ${SECRET_HALF})`,
      });
    const error = await catchError(client().getMe());
    expect(error.description).toBe("invalid token <redacted> (secret <redacted>)");
    expectRedacted(error);
  });

  it("the token never appears in any error, nor in the client's own renderings", async () => {
    const c = client({ timeoutMs: 150 });
    const errors: ZaloApiError[] = [];
    handler = (_r, res) => json(res, 200, { ok: false, error_code: 403, description: "Forbidden" });
    errors.push(await catchError(c.getMe()));
    handler = (_r, res) => json(res, 503, { ok: false, error_code: 503 });
    errors.push(await catchError(c.sendMessage({ chat_id: "a", text: "b" })));
    handler = () => {};
    errors.push(await catchError(c.getWebhookInfo()));
    handler = ok({});
    errors.push(await catchError(c.sendSticker({ chat_id: "a", sticker: "s" }))); // invalid_response
    errors.push(await catchError(c.setWebhook({ url: "https://x.vn", secret_token: "short" })));
    errors.push(await catchError(c.sendMessage({ chat_id: "a", text: "" })));
    expect(new Set(errors.map((e) => e.kind))).toEqual(
      new Set(["api", "http", "timeout", "invalid_response", "invalid_request"]),
    );
    for (const error of errors) {
      expectRedacted(error);
      expect(error.url).toMatch(/\/bot<redacted>\/\w+$/);
    }
    for (const text of [String(c), JSON.stringify(c), inspect(c, { showHidden: true, depth: 5 })]) {
      expect(text).not.toContain(SECRET_HALF);
    }
  });

  it("rejects a malformed token without quoting it", () => {
    for (const token of ["", "has space:abcdefgh", "a/b:secretsecret"]) {
      let message = "";
      try {
        new ZaloBotClient({ token, baseUrl });
      } catch (error) {
        message = String(error);
      }
      expect(message).toContain("token must be");
      if (token) expect(message).not.toContain(token);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Update parsing
// ---------------------------------------------------------------------------------------------

function expectKind<K extends ParsedZaloUpdate["kind"]>(u: ParsedZaloUpdate | undefined, kind: K) {
  expect(u?.kind).toBe(kind);
  return u as Extract<ParsedZaloUpdate, { kind: K }>;
}

describe("parseUpdates / parseUpdate", () => {
  it("parses a text update with and without the {ok, result} envelope, identically", () => {
    const bare = expectKind(parseUpdate(TEXT_UPDATE), "text");
    const wrapped = expectKind(parseUpdate({ ok: true, result: TEXT_UPDATE }), "text");
    expect(wrapped).toEqual(bare);
    expect(bare).toMatchObject({
      eventName: "message.text.received",
      messageId: "16f6366b3f02645a3d15",
      text: "Xin chào",
      chat: { id: "e4ea2cd5189df1c3a88c", type: "private", rawType: "PRIVATE" },
      from: { id: "e4ea2cd5189df1c3a88c", name: "Nguyen Van A" },
    });
    expect(bare.date).toBeInstanceOf(Date);
    expect(bare.date.getTime()).toBe(1766619597466);
    expect(bare.date.toISOString()).toBe("2025-12-24T23:39:57.466Z");
    expect(bare.raw.message.message_id).toBe("16f6366b3f02645a3d15");
    expect(parseUpdates({ ok: true, result: TEXT_UPDATE })).toEqual([bare]);
    expect(parseUpdates(TEXT_UPDATE)).toEqual([bare]);
  });

  it("parses an image update: photo URL, optional caption, group chat, first_name", () => {
    const img = expectKind(parseUpdate(IMAGE_UPDATE), "image");
    expect(img).toMatchObject({
      photoUrl: "https://photo.zalo.example/abc.jpg",
      caption: "Ổ gà đường Lê Lợi",
      chat: { id: "group-9", type: "group", rawType: "GROUP" },
      from: { id: "user-2", name: "Trần Thị B" },
    });
    const noCaption = structuredClone(IMAGE_UPDATE) as { message: Record<string, unknown> };
    delete noCaption.message.caption;
    expect(expectKind(parseUpdate(noCaption), "image").caption).toBeUndefined();
    const photoUrlVariant = structuredClone(IMAGE_UPDATE) as { message: Record<string, unknown> };
    delete photoUrlVariant.message.photo;
    photoUrlVariant.message.photo_url = "https://photo.zalo.example/v2.jpg";
    expect(expectKind(parseUpdate(photoUrlVariant), "image").photoUrl).toBe(
      "https://photo.zalo.example/v2.jpg",
    );
  });

  it("an image event without any photo URL is invalid, not a throw", () => {
    const broken = structuredClone(IMAGE_UPDATE) as { message: Record<string, unknown> };
    delete broken.message.photo;
    const u = expectKind(parseUpdate(broken), "invalid");
    expect(u.reason).toContain("photo");
    expect(u.raw).toBe(broken);
  });

  it("parses sticker, unsupported and unknown events (unknown → unsupported, name kept)", () => {
    const base = TEXT_UPDATE.message;
    const sticker = expectKind(
      parseUpdate({
        event_name: "message.sticker.received",
        message: { ...base, text: undefined, sticker: "0e078a2fb66a5f34067b", url: "https://s.zalo/st.png" },
      }),
      "sticker",
    );
    expect(sticker).toMatchObject({ sticker: "0e078a2fb66a5f34067b", stickerUrl: "https://s.zalo/st.png" });
    const stickerId = parseUpdate({
      event_name: "message.sticker.received",
      message: { ...base, sticker_id: "s42" },
    });
    expect(expectKind(stickerId, "sticker").sticker).toBe("s42");

    const unsupported = expectKind(
      parseUpdate({ event_name: "message.unsupported.received", message: { ...base, text: undefined } }),
      "unsupported",
    );
    expect(unsupported.eventName).toBe("message.unsupported.received");
    const voice = expectKind(
      parseUpdate({ event_name: "message.voice.received", message: base }),
      "unsupported",
    );
    expect(voice.eventName).toBe("message.voice.received");
    expect(voice.messageId).toBe(base.message_id);
  });

  it("infers the kind when event_name is absent (the documented getUpdates sample)", () => {
    const sample = {
      ok: true,
      result: {
        message: {
          chat: { id: "e4ea2cd5189df1c3a88c", chat_type: "PRIVATE" },
          text: "Xin chào",
          message_id: "16f6366b3f02645a3d15",
          date: 1766619597466,
          from: { id: "e4ea2cd5189df1c3a88c", first_name: "Nguyen Van A" },
        },
      },
    };
    const u = expectKind(parseUpdates(sample)[0], "text");
    expect(u).toMatchObject({
      eventName: "message.text.received",
      text: "Xin chào",
      from: { name: "Nguyen Van A" },
    });
    const { text: _t, ...noText } = sample.result.message;
    expect(parseUpdate({ message: { ...noText, photo: "https://p/x.jpg" } }).kind).toBe("image");
    expect(parseUpdate({ message: { ...noText, sticker: "s" } }).kind).toBe("sticker");
    expect(parseUpdate({ message: noText }).kind).toBe("unsupported");
  });

  it("sender name: display_name, else first_name, else undefined; ids may be numbers", () => {
    const m = TEXT_UPDATE.message;
    const both = parseUpdate({
      ...TEXT_UPDATE,
      message: { ...m, from: { id: "u", display_name: "A", first_name: "B" } },
    });
    expect(expectKind(both, "text").from.name).toBe("A");
    const none = parseUpdate({ ...TEXT_UPDATE, message: { ...m, from: { id: 123, is_bot: false } } });
    expect(expectKind(none, "text").from).toEqual({ id: "123", name: undefined, isBot: false });
  });

  it("dates: milliseconds as number or numeric string; seconds are recognised", () => {
    const m = TEXT_UPDATE.message;
    const asString = expectKind(
      parseUpdate({ ...TEXT_UPDATE, message: { ...m, date: "1766619597466" } }),
      "text",
    );
    expect(asString.date.getTime()).toBe(1766619597466);
    const seconds = expectKind(parseUpdate({ ...TEXT_UPDATE, message: { ...m, date: 1766619597 } }), "text");
    expect(seconds.date.getTime()).toBe(1766619597000);
  });

  it("chat type: PRIVATE → private, GROUP (any other) → group, absent → by comparing ids", () => {
    const m = TEXT_UPDATE.message;
    const withChat = (chat: Record<string, unknown>) =>
      expectKind(parseUpdate({ ...TEXT_UPDATE, message: { ...m, chat } }), "text").chat.type;
    expect(withChat({ id: "c", chat_type: "PRIVATE" })).toBe("private");
    expect(withChat({ id: "c", chat_type: "private" })).toBe("private");
    expect(withChat({ id: "c", chat_type: "GROUP" })).toBe("group");
    expect(withChat({ id: m.from.id })).toBe("private");
    expect(withChat({ id: "other-group" })).toBe("group");
  });

  it("arrays: each element on its own; empty envelopes mean no updates", () => {
    const parsed = parseUpdates({ ok: true, result: [TEXT_UPDATE, null, IMAGE_UPDATE, { event_name: "x" }] });
    expect(parsed.map((u) => u.kind)).toEqual(["text", "invalid", "image", "invalid"]);
    expect(parseUpdates([TEXT_UPDATE]).map((u) => u.kind)).toEqual(["text"]);
    expect(parseUpdates([])).toEqual([]);
    expect(parseUpdates({ ok: true, result: [] })).toEqual([]);
    expect(parseUpdates({ ok: true })).toEqual([]);
    expect(parseUpdates({ ok: true, result: null })).toEqual([]);
    expect(parseUpdate([TEXT_UPDATE]).kind).toBe("text");
    expect(expectKind(parseUpdate([TEXT_UPDATE, TEXT_UPDATE]), "invalid").reason).toContain("array of 2");
  });

  it("an ok:false envelope is invalid, with its description", () => {
    const [u] = parseUpdates({ ok: false, error_code: 401, description: "Unauthorized" });
    expect(expectKind(u, "invalid").reason).toBe("envelope is ok:false 401: Unauthorized");
    expect(parseUpdate({ ok: false }).kind).toBe("invalid");
  });

  it("garbage and missing fields give a typed invalid result, never a throw", () => {
    const m = TEXT_UPDATE.message;
    const cyclic: Record<string, unknown> = { event_name: "message.text.received" };
    cyclic.message = cyclic;
    const garbage: unknown[] = [
      null,
      undefined,
      "",
      "hello",
      JSON.stringify(TEXT_UPDATE), // a string is not parsed as JSON
      42,
      true,
      Symbol("s"),
      () => 1,
      {},
      { ok: true, result: "nope" },
      { ok: true, result: 5 },
      { event_name: "message.text.received" },
      { event_name: "message.text.received", message: null },
      { event_name: "message.text.received", message: "hi" },
      { ...TEXT_UPDATE, message: { ...m, message_id: undefined } },
      { ...TEXT_UPDATE, message: { ...m, message_id: "" } },
      { ...TEXT_UPDATE, message: { ...m, chat: undefined } },
      { ...TEXT_UPDATE, message: { ...m, chat: { chat_type: "PRIVATE" } } },
      { ...TEXT_UPDATE, message: { ...m, from: undefined } },
      { ...TEXT_UPDATE, message: { ...m, date: undefined } },
      { ...TEXT_UPDATE, message: { ...m, date: "yesterday" } },
      { ...TEXT_UPDATE, message: { ...m, date: -5 } },
      { ...TEXT_UPDATE, message: { ...m, date: 1e20 } },
      { ...TEXT_UPDATE, message: { ...m, text: undefined } },
      { ...TEXT_UPDATE, message: { ...m, text: 12 } },
      cyclic,
    ];
    for (const [i, body] of garbage.entries()) {
      expect(parseUpdate(body).kind, `garbage[${i}]`).toBe("invalid");
      const many = parseUpdates(body);
      expect(many).toHaveLength(1);
      const invalid = expectKind(many[0], "invalid");
      expect(typeof invalid.reason).toBe("string");
      expect(invalid.reason.length).toBeGreaterThan(0);
    }
    const missingId = expectKind(
      parseUpdate({ ...TEXT_UPDATE, message: { ...m, message_id: undefined } }),
      "invalid",
    );
    expect(missingId.reason).toContain("message.message_id");
    expect(expectKind(parseUpdate(null), "invalid").reason).toContain("null");
  });

  it("extra and oddly typed optional fields do not spoil a good update", () => {
    const u = parseUpdate({
      ...TEXT_UPDATE,
      extra: { a: 1 },
      message: { ...TEXT_UPDATE.message, caption: null, sticker: 5, unknown_field: [1] },
    });
    expect(expectKind(u, "text").text).toBe("Xin chào");
  });
});

// ---------------------------------------------------------------------------------------------
// Splitting long replies
// ---------------------------------------------------------------------------------------------

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
const graphemes = (s: string) => Array.from(segmenter.segment(s), (g) => g.segment);
const nonSpaceGraphemes = (s: string) => graphemes(s).filter((g) => !/^\s+$/u.test(g));

/** The invariants every split must keep. */
function expectGoodSplit(text: string, chunks: string[], max: number): void {
  for (const chunk of chunks) {
    expect(chunk.length).toBeGreaterThan(0);
    expect(chunk.length).toBeLessThanOrEqual(max);
    expect(chunk).toBe(chunk.trim());
    expect(
      chunk.charCodeAt(0) >= 0xdc00 && chunk.charCodeAt(0) <= 0xdfff,
      "starts with a low surrogate",
    ).toBe(false);
    const last = chunk.charCodeAt(chunk.length - 1);
    expect(last >= 0xd800 && last <= 0xdbff, "ends with a high surrogate").toBe(false);
    expect(/^[\p{M}\u200D]/u.test(chunk), "starts with a combining mark or ZWJ").toBe(false);
  }
  // Nothing but whitespace at the cuts is lost, and no grapheme cluster is broken.
  expect(chunks.flatMap(nonSpaceGraphemes)).toEqual(nonSpaceGraphemes(text));
}

describe("splitText", () => {
  it("short text is one chunk; empty or blank text is no chunk", () => {
    expect(splitText("Xin chào")).toEqual(["Xin chào"]);
    expect(splitText("  Xin chào \n")).toEqual(["Xin chào"]);
    expect(splitText("")).toEqual([]);
    expect(splitText(" \n\t \n")).toEqual([]);
    expect(ZALO_MAX_TEXT_LENGTH).toBe(2000);
  });

  it("exactly 2000 characters is one chunk, 2001 is two", () => {
    expect(splitText("a".repeat(2000))).toEqual(["a".repeat(2000)]);
    const two = splitText("a".repeat(2001));
    expect(two.map((c) => c.length)).toEqual([2000, 1]);
    // A space exactly at the limit: the first chunk is exactly 2000 long.
    expect(splitText(`${"x".repeat(2000)} ${"y".repeat(10)}`)).toEqual(["x".repeat(2000), "y".repeat(10)]);
    // A word boundary just before the limit is preferred over a hard cut.
    expect(splitText(`${"x".repeat(1990)} ${"y".repeat(20)}`)).toEqual(["x".repeat(1990), "y".repeat(20)]);
  });

  it("prefers a paragraph break, then a line break, then a sentence end, then a space", () => {
    const para = `${"Câu một. ".repeat(150).trim()}\n\n${"Câu hai. ".repeat(150).trim()}`;
    const byParagraph = splitText(para);
    expect(byParagraph).toHaveLength(2);
    expect(byParagraph[0]!.endsWith("Câu một.")).toBe(true);
    expect(byParagraph[1]!.startsWith("Câu hai.")).toBe(true);

    expect(splitText("aaaa bbbb\ncccc. dddd eeee", 20)).toEqual(["aaaa bbbb\ncccc.", "dddd eeee"]);
    expect(splitText("aaaa. bbbb\ncccc dddd eeee", 20)).toEqual(["aaaa. bbbb", "cccc dddd eeee"]);
    expect(splitText("aaaa bbbb. cccc dddd eeee", 20)).toEqual(["aaaa bbbb.", "cccc dddd eeee"]);
    expect(splitText("aaaa bbbb cccc dddd eeee", 20)).toEqual(["aaaa bbbb cccc dddd", "eeee"]);
    // A paragraph break too early in the window loses to a later sentence end.
    expect(splitText("aa\n\nbbbb cccc. dddd eeee ffff", 20)).toEqual(["aa\n\nbbbb cccc.", "dddd eeee ffff"]);
  });

  it("never produces empty chunks from runs of whitespace", () => {
    expect(splitText(`a${" ".repeat(5000)}b`)).toEqual(["a", "b"]);
    expect(splitText(`a${"\n".repeat(3000)}b${" \n".repeat(3000)}`)).toEqual(["a", "b"]);
    const chunks = splitText(`${"word ".repeat(2000)}\n\n\n${" ".repeat(4000)}end`);
    expectGoodSplit(`${"word ".repeat(2000)}end`, chunks, 2000);
  });

  it("Vietnamese in NFD: never separates a letter from its combining marks (hard cuts at every offset)", () => {
    const nfd = "Phản ánh về tình trạng ngập úng ở phường Bến Nghé, quận Một; đề nghị xử lý sớm.".normalize(
      "NFD",
    );
    expect(nfd).not.toBe(nfd.normalize("NFC"));
    const noSpaces = nfd.replace(/\s/g, "").repeat(20); // forces hard cuts
    for (let max = 3; max <= 40; max++) {
      const chunks = splitText(noSpaces, max);
      expectGoodSplit(noSpaces, chunks, max);
      expect(chunks.join("").normalize("NFC")).toBe(noSpaces.normalize("NFC"));
    }
    const words = nfd.repeat(80); // ~6 400 code units
    const chunks = splitText(words);
    expectGoodSplit(words, chunks, 2000);
    for (const chunk of chunks.slice(0, -1)) expect(chunk).toMatch(/[.;,\p{L}\p{M}]$/u);
  });

  it("a 50 KB Vietnamese reply: every chunk valid, nothing lost, fast", () => {
    const paragraph =
      "Kính gửi anh/chị, Ủy ban nhân dân phường đã tiếp nhận phản ánh của anh/chị về việc rác thải " +
      "tồn đọng tại hẻm 42. Đơn vị vệ sinh môi trường sẽ thu gom trong vòng 48 giờ! Mọi thắc mắc xin liên hệ " +
      "tổng đài 1022? Trân trọng cảm ơn.";
    let text = "";
    for (let i = 0; text.length < 50_000; i++)
      text += `${i}. ${paragraph}${i % 3 === 0 ? "\n\n" : i % 3 === 1 ? "\n" : " "}`;
    expect(text.length).toBeGreaterThanOrEqual(50_000);
    const started = performance.now();
    const chunks = splitText(text);
    const elapsed = performance.now() - started;
    expectGoodSplit(text, chunks, 2000);
    expect(chunks.length).toBeGreaterThanOrEqual(26);
    expect(chunks.length).toBeLessThanOrEqual(40);
    expect(elapsed).toBeLessThan(1000);
    // Cuts land on paragraph or line breaks here, so each chunk ends a sentence.
    for (const chunk of chunks.slice(0, -1)) expect(chunk).toMatch(/[.!?]$/);
  });

  it("emoji: surrogate pairs, ZWJ sequences, skin tones and flags are kept whole", () => {
    const emoji = "👍🏽👨‍👩‍👧‍👦🇻🇳❤️😀"; // the longest cluster (the family) is 11 UTF-16 units
    const text = emoji.repeat(300);
    for (const max of [11, 12, 13, 17, 29, 2000]) {
      const chunks = splitText(text, max);
      expectGoodSplit(text, chunks, max);
    }
    // Below the longest cluster, that cluster must be cut, but never inside a surrogate pair.
    for (const max of [2, 3, 5, 7]) {
      const chunks = splitText(text, max);
      expect(chunks.join("")).toBe(text);
      for (const chunk of chunks) {
        expect(chunk.length).toBeLessThanOrEqual(max);
        expect(LONE_SURROGATE.test(chunk)).toBe(false);
      }
    }
    const mixed = `Cảm ơn bạn 😀 ${"Rất tốt 👍🏽 ".repeat(400)}`;
    expectGoodSplit(mixed, splitText(mixed), 2000);
  });

  it("a single grapheme cluster longer than the limit is cut between code points", () => {
    const zalgo = `a${"\u0301".repeat(50)}😀`;
    const chunks = splitText(zalgo, 10);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(10);
    expect(chunks.join("")).toBe(zalgo);
    expect(chunks.at(-1)).toContain("😀");
  });

  it("works without Intl.Segmenter (fallback boundaries)", () => {
    const realIntl = Intl;
    const noSegmenter = Object.create(realIntl) as typeof Intl;
    Object.defineProperty(noSegmenter, "Segmenter", { value: undefined });
    vi.stubGlobal("Intl", noSegmenter);
    try {
      const nfd = "Tiếng Việt có dấu: ệ ở ữ".normalize("NFD").replace(/\s/g, "").repeat(30);
      const emoji = "👍🏽👨‍👩‍👧‍👦😀".repeat(50);
      const results = [11, 12, 17, 23].map(
        (max) => [max, splitText(nfd, max), splitText(emoji, max)] as const,
      );
      vi.unstubAllGlobals();
      for (const [max, a, b] of results) {
        expectGoodSplit(nfd, a, max);
        expectGoodSplit(emoji, b, max);
      }
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("rejects a maxLength below 2", () => {
    expect(() => splitText("abc", 1)).toThrow(RangeError);
    expect(() => splitText("abc", 2.5)).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------
// Webhook secret
// ---------------------------------------------------------------------------------------------

describe("secret token check", () => {
  const secret = "mykey-abcxyz-2025";

  it("equal → true; different, longer, shorter, missing → false", () => {
    expect(verifySecretToken(secret, secret)).toBe(true);
    expect(verifySecretToken("mykey-abcxyz-2026", secret)).toBe(false); // same length
    expect(verifySecretToken("Mykey-abcxyz-2025", secret)).toBe(false);
    expect(verifySecretToken(`${secret}x`, secret)).toBe(false);
    expect(verifySecretToken(secret.slice(0, -1), secret)).toBe(false);
    expect(verifySecretToken("", secret)).toBe(false);
    expect(verifySecretToken(undefined, secret)).toBe(false);
    expect(verifySecretToken(null, secret)).toBe(false);
  });

  it("an empty or absent configured secret never matches", () => {
    expect(verifySecretToken("", "")).toBe(false);
    expect(verifySecretToken("anything", undefined)).toBe(false);
    expect(verifySecretToken(undefined, "")).toBe(false);
  });

  it("timingSafeEqual compares UTF-8 bytes", () => {
    expect(timingSafeEqual("bí mật-🔑", "bí mật-🔑")).toBe(true);
    expect(timingSafeEqual("bí mật-🔑", "bi mat-🔑")).toBe(false);
    expect(timingSafeEqual("é", "e\u0301")).toBe(false); // NFC vs NFD are different secrets
    expect(timingSafeEqual("", "")).toBe(true);
    expect(timingSafeEqual("\u0000", "")).toBe(false);
  });

  it("reads the X-Bot-Api-Secret-Token header from a Request or Headers, case-insensitively", () => {
    expect(ZALO_SECRET_HEADER).toBe("X-Bot-Api-Secret-Token");
    const good = new Request("https://hopthu.example.vn/zalo", {
      method: "POST",
      headers: { "x-bot-api-secret-token": secret },
    });
    expect(verifySecretHeader(good, secret)).toBe(true);
    expect(verifySecretHeader(new Headers({ "X-BOT-API-SECRET-TOKEN": "wrong-secret-2025" }), secret)).toBe(
      false,
    );
    expect(
      verifySecretHeader(new Request("https://hopthu.example.vn/zalo", { method: "POST" }), secret),
    ).toBe(false);
  });

  it("the Zalo modules import nothing from Node (they must run on Workers)", () => {
    for (const file of ["client", "types", "update", "split", "secret"]) {
      const source = readFileSync(new URL(`../../src/channels/zalo/${file}.ts`, import.meta.url), "utf8");
      expect(source, file).not.toMatch(/from\s+["'](node:|crypto|fs|http|buffer)/);
      expect(source, file).not.toMatch(/\bBuffer\b|\bprocess\./);
    }
  });
});

describe("types", () => {
  it("the normalised update is a discriminated union a switch can exhaust", () => {
    const label = (u: ZaloUpdate): string => {
      switch (u.kind) {
        case "text":
          return u.text;
        case "image":
          return u.photoUrl;
        case "sticker":
          return u.sticker ?? "";
        case "unsupported":
          return u.eventName;
      }
    };
    const updates = parseUpdates([TEXT_UPDATE, IMAGE_UPDATE]).filter(
      (u): u is ZaloUpdate => u.kind !== "invalid",
    );
    expect(updates.map(label)).toEqual(["Xin chào", "https://photo.zalo.example/abc.jpg"]);
  });
});
