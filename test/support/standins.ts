/**
 * Real HTTP servers on loopback standing in for Telegram's Bot API and Zalo's Bot API, so the
 * production clients (grammY with `apiRoot`, ZaloBotClient with `baseUrl`) are what runs in tests.
 * Every call is recorded; failures can be scripted (HTTP status, Telegram's retry_after, a hang).
 */
import { createServer, type Server, type ServerResponse } from "node:http";

export interface ApiCall {
  method: string;
  token: string;
  body: Record<string, unknown>;
  at: number;
  /** The scripted failure this call got; absent = it was answered ok. */
  failure?: Failure;
}

export type Failure = { status: number; retryAfter?: number; description?: string } | { hang: true };

export interface StandIn {
  /** Base URL to configure the client with (Telegram: apiRoot; Zalo: baseUrl). */
  url: string;
  calls: ApiCall[];
  /** Calls of one method, e.g. "sendMessage". */
  of(method: string): ApiCall[];
  /** Texts sent to one chat, in order (every sendMessage call, failed ones included). */
  textsTo(chatId: string | number): string[];
  /** Texts of the sendMessage calls to one chat that were answered ok, in order. */
  deliveredTo(chatId: string | number): string[];
  /** The next calls of `method` fail like this, one failure per call. */
  failNext(method: string, ...failures: Failure[]): void;
  /**
   * Updates to hand out on the next getUpdates. A getUpdates with a `timeout` that finds the queue
   * empty is held (long polling, as the real APIs do) until updates are pushed or its timeout ends.
   */
  pushUpdates(...updates: unknown[]): void;
  /**
   * A file Telegram holds (Telegram flavour): getFile answers its file_path, and
   * GET /file/bot<token>/<file_path> serves the bytes (a download is recorded as method "download").
   */
  putFile(fileId: string, bytes: Uint8Array, contentType?: string): void;
  /** Waits until `predicate` holds over the recorded calls. */
  waitFor(predicate: (calls: ApiCall[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

type Flavour = "telegram" | "zalo";

async function start(flavour: Flavour): Promise<StandIn> {
  const calls: ApiCall[] = [];
  const failures = new Map<string, Failure[]>();
  const updates: unknown[] = [];
  const hanging = new Set<ServerResponse>();
  /** Long polls waiting for updates. */
  const polls = new Set<{ res: ServerResponse; timer: ReturnType<typeof setTimeout> }>();
  let messageId = 1000;
  /** Telegram files: file_id → path and bytes. */
  const files = new Map<string, { path: string; bytes: Uint8Array; contentType: string }>();

  const answerPoll = (poll: { res: ServerResponse; timer: ReturnType<typeof setTimeout> }) => {
    polls.delete(poll);
    clearTimeout(poll.timer);
    if (!poll.res.writableEnded && !poll.res.destroyed) ok(poll.res, updates.splice(0, updates.length));
  };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const ok = (res: ServerResponse, result: unknown) => send(res, 200, { ok: true, result });

  const server: Server = createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (d) => (raw += d));
    req.on("end", () => {
      const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(req.url ?? "");
      if (flavour === "telegram" && download && req.method === "GET") {
        const [, token, path] = download as unknown as [string, string, string];
        calls.push({ method: "download", token: decodeURIComponent(token), body: { path }, at: Date.now() });
        const file = [...files.values()].find((f) => f.path === decodeURIComponent(path));
        if (!file) return send(res, 404, { ok: false, error_code: 404, description: "Not Found" });
        res.writeHead(200, { "content-type": file.contentType, "content-length": String(file.bytes.length) });
        return res.end(file.bytes);
      }
      const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? "");
      if (!m) return send(res, 404, { ok: false, error_code: 404, description: "Not Found" });
      const [, token, method] = m as unknown as [string, string, string];
      let body: Record<string, unknown> = {};
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        body = {};
      }
      const call: ApiCall = { method, token: decodeURIComponent(token), body, at: Date.now() };
      calls.push(call);
      const failure = failures.get(method)?.shift();
      if (failure) {
        call.failure = failure;
        if ("hang" in failure) {
          hanging.add(res);
          res.on("close", () => hanging.delete(res));
          return;
        }
        return send(res, failure.status, {
          ok: false,
          error_code: failure.status,
          description:
            failure.description ?? (failure.status === 429 ? "Too Many Requests" : "Internal Server Error"),
          ...(failure.retryAfter !== undefined ? { parameters: { retry_after: failure.retryAfter } } : {}),
        });
      }
      switch (method) {
        case "getMe":
          return ok(
            res,
            flavour === "telegram"
              ? {
                  id: 42,
                  is_bot: true,
                  first_name: "Hộp thư dân",
                  username: "hopthudan_bot",
                  can_join_groups: false,
                }
              : { id: "42", account_name: "Hộp thư dân", account_type: "BASIC", can_join_groups: false },
          );
        case "sendMessage":
        case "sendPhoto":
          return ok(
            res,
            flavour === "telegram"
              ? {
                  message_id: ++messageId,
                  date: Math.floor(Date.now() / 1000),
                  chat: { id: body.chat_id, type: "private" },
                  text: body.text,
                }
              : { message_id: `m${++messageId}`, date: Date.now() },
          );
        case "getFile": {
          const file = files.get(String(body.file_id ?? ""));
          if (flavour !== "telegram") return ok(res, true);
          if (!file)
            return send(res, 400, {
              ok: false,
              error_code: 400,
              description: "Bad Request: invalid file_id",
            });
          return ok(res, {
            file_id: body.file_id,
            file_unique_id: `u-${String(body.file_id)}`,
            file_size: file.bytes.length,
            file_path: file.path,
          });
        }
        case "setWebhook":
        case "getWebhookInfo":
        case "deleteWebhook":
          return ok(res, flavour === "telegram" ? true : { url: body.url ?? "", updated_at: Date.now() });
        case "getUpdates": {
          const wait = Number(body.timeout ?? 0);
          if (updates.length || !(wait > 0)) return ok(res, updates.splice(0, updates.length));
          const poll = { res, timer: setTimeout(() => answerPoll(poll), Math.min(wait, 60) * 1000) };
          polls.add(poll);
          res.on("close", () => {
            clearTimeout(poll.timer);
            polls.delete(poll);
          });
          return;
        }
        default:
          return ok(res, true);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    of: (method) => calls.filter((c) => c.method === method),
    textsTo: (chatId) =>
      calls
        .filter((c) => c.method === "sendMessage" && String(c.body.chat_id) === String(chatId))
        .map((c) => String(c.body.text)),
    deliveredTo: (chatId) =>
      calls
        .filter((c) => c.method === "sendMessage" && !c.failure && String(c.body.chat_id) === String(chatId))
        .map((c) => String(c.body.text)),
    failNext(method, ...f) {
      failures.set(method, [...(failures.get(method) ?? []), ...f]);
    },
    putFile(fileId, bytes, contentType = "image/jpeg") {
      files.set(fileId, { path: `photos/file_${files.size}.jpg`, bytes, contentType });
    },
    pushUpdates(...u) {
      updates.push(...u);
      const first = polls.values().next();
      if (!first.done) answerPoll(first.value);
    },
    async waitFor(predicate, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(calls)) {
        if (Date.now() > deadline)
          throw new Error(
            `stand-in: condition not met in ${timeoutMs} ms; calls: ${JSON.stringify(calls.map((c) => [c.method, c.body.text ?? ""]).slice(-10))}`,
          );
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() {
      for (const res of hanging) res.destroy();
      for (const poll of [...polls]) {
        clearTimeout(poll.timer);
        poll.res.destroy();
      }
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const startTelegramStandIn = () => start("telegram");
export const startZaloStandIn = () => start("zalo");

/** Telegram updates as the Bot API sends them. */
export const tg = {
  text(updateId: number, chatId: number, text: string, extra: Record<string, unknown> = {}) {
    return {
      update_id: updateId,
      message: {
        message_id: updateId,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: "private", first_name: "Dân" },
        from: { id: chatId, is_bot: false, first_name: "Nguyễn", last_name: "Văn A" },
        text,
        ...extra,
      },
    };
  },
  callback(updateId: number, chatId: number, data: string) {
    return {
      update_id: updateId,
      callback_query: {
        id: `cb${updateId}`,
        from: { id: chatId, is_bot: false, first_name: "Nguyễn" },
        chat_instance: "ci",
        data,
        message: {
          message_id: 1,
          date: Math.floor(Date.now() / 1000),
          chat: { id: chatId, type: "private" },
          text: "…",
        },
      },
    };
  },
};

/** Zalo webhook bodies as the Zalo Bot API sends them. */
export const zalo = {
  text(messageId: string, chatId: string, text: string) {
    return {
      ok: true,
      result: {
        event_name: "message.text.received",
        message: {
          message_id: messageId,
          date: Date.now(),
          chat: { id: chatId, chat_type: "PRIVATE" },
          from: { id: chatId, display_name: "Trần Thị B" },
          text,
        },
      },
    };
  },
  image(messageId: string, chatId: string, url: string, caption?: string) {
    return {
      ok: true,
      result: {
        event_name: "message.image.received",
        message: {
          message_id: messageId,
          date: Date.now(),
          chat: { id: chatId, chat_type: "PRIVATE" },
          from: { id: chatId, display_name: "Trần Thị B" },
          photo: url,
          ...(caption ? { caption } : {}),
        },
      },
    };
  },
  sticker(messageId: string, chatId: string) {
    return {
      event_name: "message.sticker.received",
      message: {
        message_id: messageId,
        date: Date.now(),
        chat: { id: chatId, chat_type: "PRIVATE" },
        from: { id: chatId, display_name: "Trần Thị B" },
        sticker: "abc",
      },
    };
  },
};
