/**
 * POST /webhooks/zalo: checks the secret header, stores every update of the request durably — in
 * one statement, so a batch is stored whole or not at all — then answers 200. Processing happens
 * after the answer (src/messaging). Bad requests get a 4xx, never a 500; a request of more than
 * `maxUpdates` updates gets 413 (Zalo sends one update per call; thousands are an attack). Every
 * storage failure is logged and answered 503 (Zalo delivers again).
 */
import { Hono } from "hono";
import { limitBody } from "../body-limit.ts";
import { verifySecretHeader } from "./secret.ts";
import type { ParsedZaloUpdate } from "./types.ts";
import { parseUpdates } from "./update.ts";

export type ValidZaloUpdate = Exclude<ParsedZaloUpdate, { kind: "invalid" }>;

export interface ZaloWebhookDeps {
  secret: string;
  /** Stores the updates (durably, together) before the webhook answers; resolves when they are stored. */
  store(updates: ValidZaloUpdate[]): Promise<void>;
  logger?: { warn(obj: unknown, msg?: string): void; error(obj: unknown, msg?: string): void };
  /** Most updates accepted in one request. Default 500. */
  maxUpdates?: number;
}

export function zaloWebhookRoutes(deps: ZaloWebhookDeps): Hono {
  const app = new Hono();
  const maxUpdates = deps.maxUpdates ?? 500;
  app.post(
    "/webhooks/zalo",
    limitBody({
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
      if (updates.length > maxUpdates)
        return c.json({ ok: false, description: `too many updates in one request (max ${maxUpdates})` }, 413);
      const valid = updates.filter((u): u is ValidZaloUpdate => u.kind !== "invalid");
      if (!valid.length) return c.json({ ok: false, description: "no valid update" }, 400);
      try {
        await deps.store(valid);
      } catch (err) {
        // Not stored: Zalo should deliver it again.
        deps.logger?.error(
          { err, count: valid.length, messageIds: valid.slice(0, 5).map((u) => u.messageId) },
          "zalo webhook: the update could not be stored",
        );
        return c.json({ ok: false, description: "temporarily unavailable" }, 503);
      }
      return c.json({ ok: true });
    },
  );
  return app;
}
