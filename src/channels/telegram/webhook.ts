/**
 * POST /webhooks/telegram: authenticates, validates and hands the update to `onUpdate` (which
 * stores it durably), then acknowledges. Processing happens later, outside the request.
 *
 * Why not grammY's `webhookCallback(bot, "hono")`: it runs the bot's middleware, i.e. processes
 * the update inside the request and acknowledges when processing ends. The product acknowledges
 * only once the update is stored and processes it after the ack, so this thin route is written by
 * hand; grammY is used for the Bot API calls and the types only.
 *
 * Answers:
 *  - 401: `X-Telegram-Bot-Api-Secret-Token` missing or wrong (compared in constant time); the body
 *    is not read;
 *  - 413: a body over `maxBodyBytes` (1 MiB by default; Telegram's updates are a few KB);
 *  - 400: not JSON, or not an object with a non-negative integer `update_id`;
 *  - 503: `onUpdate` failed (storage down): Telegram delivers the update again later;
 *  - 200: stored. For a button click the answer carries `answerCallbackQuery` as a webhook reply
 *    (Telegram performs it: the spinner stops with no extra request); when `bot` is given the
 *    query is answered through the API instead, after the ack, without delaying it.
 */
import type { Bot } from "grammy";
import type { Update } from "grammy/types";
import { Hono } from "hono";
import { limitBody } from "../body-limit.ts";
import { verifySecretToken } from "../zalo/secret.ts";
import { answerCallback } from "./sender.ts";
import type { TelegramRawUpdate } from "./update.ts";

export const TELEGRAM_WEBHOOK_PATH = "/webhooks/telegram";
/** The header Telegram sets to the `secret_token` given to setWebhook. */
export const TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token";
export const TELEGRAM_WEBHOOK_MAX_BODY_BYTES = 1024 * 1024;

/** Stores the update durably (deduplicating on update_id); rejects when it could not. */
export type TelegramUpdateHandler = (update: Update, raw: TelegramRawUpdate) => Promise<void>;

export interface WebhookLogger {
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export interface TelegramWebhookOptions {
  /** The `secret_token` given to setWebhook: 1–256 characters A–Z a–z 0–9 _ -. */
  secretToken: string;
  onUpdate: TelegramUpdateHandler;
  /** When given, button clicks are answered through the API rather than as a webhook reply. */
  bot?: Bot;
  /** Default /webhooks/telegram. */
  path?: string;
  /** Default 1 MiB. */
  maxBodyBytes?: number;
  logger?: WebhookLogger;
}

const SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

/** A Hono app holding the route; mount it with `app.route("/", telegramWebhookRoute(…))`. */
export function telegramWebhookRoute(options: TelegramWebhookOptions): Hono {
  const { secretToken, onUpdate, bot, logger } = options;
  const path = options.path ?? TELEGRAM_WEBHOOK_PATH;
  const maxBodyBytes = options.maxBodyBytes ?? TELEGRAM_WEBHOOK_MAX_BODY_BYTES;
  if (typeof secretToken !== "string" || !SECRET_TOKEN.test(secretToken)) {
    // The secret itself is not quoted.
    throw new TypeError("telegramWebhookRoute: secretToken must be 1-256 characters A-Z, a-z, 0-9, _ or -");
  }
  if (typeof onUpdate !== "function") throw new TypeError("telegramWebhookRoute: onUpdate is required");

  const app = new Hono();
  app.post(
    path,
    async (c, next) => {
      if (!verifySecretToken(c.req.header(TELEGRAM_SECRET_HEADER), secretToken)) {
        return c.json({ ok: false, error: "unauthorized" }, 401);
      }
      await next();
    },
    limitBody({
      maxSize: maxBodyBytes,
      onError: (c) => c.json({ ok: false, error: "payload too large" }, 413),
    }),
    async (c) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(await c.req.text());
      } catch {
        return c.json({ ok: false, error: "body is not JSON" }, 400);
      }
      if (!isRawUpdate(parsed)) {
        return c.json({ ok: false, error: "expected an object with a numeric update_id" }, 400);
      }
      try {
        await onUpdate(parsed as unknown as Update, parsed);
      } catch (err) {
        logger?.error(
          { err, updateId: parsed.update_id },
          "telegram webhook: the update could not be stored",
        );
        return c.json({ ok: false, error: "temporarily unavailable" }, 503);
      }
      const callbackQueryId = callbackQueryIdOf(parsed);
      if (callbackQueryId !== undefined) {
        if (bot === undefined)
          return c.json({ method: "answerCallbackQuery", callback_query_id: callbackQueryId });
        void answerCallback(bot, callbackQueryId).then((ok) => {
          if (!ok)
            logger?.warn({ updateId: parsed.update_id }, "telegram webhook: answerCallbackQuery failed");
        });
      }
      return c.body(null, 200);
    },
  );
  return app;
}

/** An object with a non-negative safe-integer `update_id`. */
export function isRawUpdate(value: unknown): value is TelegramRawUpdate {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const id = (value as { update_id?: unknown }).update_id;
  return typeof id === "number" && Number.isSafeInteger(id) && id >= 0;
}

/** The id of a callback query update, if it is one. */
export function callbackQueryIdOf(update: TelegramRawUpdate): string | undefined {
  const q = update.callback_query;
  if (typeof q !== "object" || q === null) return undefined;
  const id = (q as { id?: unknown }).id;
  return typeof id === "string" && id !== "" ? id : undefined;
}
