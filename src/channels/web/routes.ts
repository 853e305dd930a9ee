/** The local web chat: anyone can play the citizen. POST /api/chat/messages { conversationId, text }. */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import type { Reply } from "../../intake/types.ts";
import { chatPage } from "./page.ts";
import { webStrings } from "./strings.ts";

export interface WebChatDeps {
  handle(msg: {
    channel: "web";
    chatId: string;
    userId: string;
    text: string;
  }): Promise<{ replies: Reply[] }>;
  /** Messages queued for this chat since the page last asked (an official's reply, a rating question). */
  pull(conversationId: string): Promise<Reply[]>;
}

const body = z.object({
  conversationId: z.string().regex(/^[A-Za-z0-9_-]{8,100}$/),
  text: z.string(),
});

export function webChatRoutes(deps: WebChatDeps): Hono {
  const app = new Hono();
  app.get("/", (c) => c.html(chatPage()));
  app.post(
    "/api/chat/messages",
    bodyLimit({ maxSize: 256 * 1024, onError: (c) => c.json({ error: webStrings.tooLarge }, 413) }),
    async (c) => {
      let json: unknown;
      try {
        json = await c.req.json();
      } catch {
        return c.json({ error: webStrings.badJson }, 400);
      }
      const parsed = body.safeParse(json);
      if (!parsed.success) return c.json({ error: webStrings.badRequest }, 400);
      const { conversationId, text } = parsed.data;
      // Lone surrogates (invalid UTF-16) become U+FFFD instead of reaching the database.
      const clean = text.toWellFormed().replaceAll("\u0000", "");
      const out = await deps.handle({
        channel: "web",
        chatId: conversationId,
        userId: conversationId,
        text: clean,
      });
      return c.json({ replies: out.replies });
    },
  );
  app.get("/api/chat/notifications", async (c) => {
    const id = c.req.query("conversationId") ?? "";
    if (!/^[A-Za-z0-9_-]{8,100}$/.test(id)) return c.json({ error: webStrings.badRequest }, 400);
    return c.json({ replies: await deps.pull(id) });
  });
  return app;
}
