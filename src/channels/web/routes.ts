/**
 * The local web chat: anyone can play the citizen. The conversation is the one named by the
 * server-issued cookie (session.ts); the browser sends only the text.
 *   GET  /                          the page (issues the cookie on first visit)
 *   POST /api/chat/messages         { text } → { replies }
 *   POST /api/chat/session          starts a new conversation (a new cookie)
 *   GET  /api/chat/notifications    messages queued for this conversation since the last poll
 * Flood limits: per conversation, per client address and overall, answered with 429 and a polite
 * Vietnamese notice (the page shows it) instead of a turn of the dialogue.
 */
import { Hono } from "hono";
import { z } from "zod";
import { FloodGuard, type FloodLimits } from "../../guard/flood.ts";
import { KeyedLimiter, type Rate } from "../../guard/limiter.ts";
import { guardStrings } from "../../i18n/guard.ts";
import type { Reply } from "../../intake/types.ts";
import { limitBody } from "../body-limit.ts";
import { chatPage } from "./page.ts";
import { clientAddress, conversationId, issueConversationId, readConversationId } from "./session.ts";
import { webStrings } from "./strings.ts";

export interface WebChatDeps {
  handle(msg: {
    channel: "web";
    chatId: string;
    userId: string;
    text: string;
    address: string;
  }): Promise<{ replies: Reply[] }>;
  /** Messages queued for this chat since the page last asked (an official's reply, a rating question). */
  pull(conversationId: string): Promise<Reply[]>;
  /** Signs the conversation cookie. */
  sessionSecret: string;
  /** Flood limits (per conversation, overall); defaults when absent; false = none (benchmarks). */
  flood?: FloodLimits | false;
  /** Messages per client address over all its conversations. Default 60 at once, then 2/s. */
  perAddress?: Rate;
}

/** The nonce of the page's inline script and style (set by the secure-headers middleware). */
type Env = { Variables: { secureHeadersNonce?: string } };

const body = z.object({ text: z.string() });

export function webChatRoutes(deps: WebChatDeps): Hono<Env> {
  const app = new Hono<Env>();
  const secret = deps.sessionSecret;
  const limited = deps.flood !== false;
  const flood = new FloodGuard(deps.flood || {});
  const addresses = new KeyedLimiter(deps.perAddress ?? { perSecond: 2, burst: 60 });

  app.get("/", async (c) => {
    if (!(await readConversationId(c, secret))) await issueConversationId(c, secret);
    return c.html(chatPage(c.get("secureHeadersNonce")));
  });
  app.post("/api/chat/session", async (c) => {
    await issueConversationId(c, secret);
    return c.json({ ok: true });
  });
  app.post(
    "/api/chat/messages",
    limitBody({ maxSize: 256 * 1024, onError: (c) => c.json({ error: webStrings.tooLarge }, 413) }),
    async (c) => {
      let json: unknown;
      try {
        json = await c.req.json();
      } catch {
        return c.json({ error: webStrings.badJson }, 400);
      }
      const parsed = body.safeParse(json);
      if (!parsed.success) return c.json({ error: webStrings.badRequest }, 400);
      const id = await conversationId(c, secret);
      const address = clientAddress(c);
      if (limited && !flood.overall())
        return c.json({ error: guardStrings.busy }, 429, { "Retry-After": "5" });
      const verdict = limited ? flood.chat(`web:${id}`) : ({ kind: "ok" } as const);
      if (verdict.kind !== "ok" || (limited && !addresses.tryTake(address))) {
        const wait = verdict.kind === "notify" ? verdict.waitSeconds : 10;
        return c.json({ error: guardStrings.floodChat(wait) }, 429, { "Retry-After": String(wait) });
      }
      // Lone surrogates (invalid UTF-16) become U+FFFD instead of reaching the database.
      const clean = parsed.data.text.toWellFormed().replaceAll("\u0000", "");
      const out = await deps.handle({ channel: "web", chatId: id, userId: id, text: clean, address });
      return c.json({ replies: out.replies });
    },
  );
  app.get("/api/chat/notifications", async (c) => {
    const id = await readConversationId(c, secret);
    if (!id) return c.json({ replies: [] });
    return c.json({ replies: await deps.pull(id) });
  });
  return app;
}
