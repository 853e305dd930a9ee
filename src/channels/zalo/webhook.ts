/**
 * POST /webhooks/zalo: checks the secret header, stores every update durably, then answers 200.
 * Processing happens after the answer (src/messaging). Bad requests get a 4xx, never a 500.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { verifySecretHeader } from "./secret.ts";
import type { ParsedZaloUpdate } from "./types.ts";
import { parseUpdates } from "./update.ts";

export interface ZaloWebhookDeps {
  secret: string;
  /** Stores the update (durably) before the webhook answers; resolves when it is stored. */
  store(update: Exclude<ParsedZaloUpdate, { kind: "invalid" }>): Promise<void>;
}

export function zaloWebhookRoutes(deps: ZaloWebhookDeps): Hono {
  const app = new Hono();
  app.post(
    "/webhooks/zalo",
    bodyLimit({
      maxSize: 1024 * 1024,
      onError: (c) => c.json({ ok: false, description: "payload too large" }, 413),
    }),
    async (c) => {
      if (!verifySecretHeader(c.req.raw, deps.secret))
        return c.json({ ok: false, description: "unauthorized" }, 401);
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        return c.json({ ok: false, description: "malformed JSON" }, 400);
      }
      const updates = parseUpdates(body);
      const valid = updates.filter(
        (u): u is Exclude<ParsedZaloUpdate, { kind: "invalid" }> => u.kind !== "invalid",
      );
      if (!valid.length) return c.json({ ok: false, description: "no valid update" }, 400);
      try {
        for (const u of valid) await deps.store(u);
      } catch {
        // Not stored: Zalo should deliver it again.
        return c.json({ ok: false, description: "temporarily unavailable" }, 503);
      }
      return c.json({ ok: true });
    },
  );
  return app;
}
