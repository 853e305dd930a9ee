/**
 * Long polling for local runs (no public URL for a webhook).
 *
 * grammY's `bot.start()` would also poll, but it confirms updates on its own schedule and runs the
 * middleware; here the offset (which confirms updates to Telegram) moves past an update only once
 * `onUpdate` has resolved, i.e. once the update is stored durably. An update whose storing fails is
 * fetched again after a backoff, and so are the ones after it. Updates stored but not yet confirmed
 * when the loop stops are delivered again at the next start: `onUpdate` deduplicates on update_id.
 *
 * getUpdates answers 409 while a webhook is set: the loop logs it and keeps backing off. It does
 * not delete the webhook itself (a developer's machine must not unhook the production bot).
 */
import { type Bot, GrammyError } from "grammy";
import type { Update } from "grammy/types";
import { grammySignal, TELEGRAM_ALLOWED_UPDATES } from "./bot.ts";
import { answerCallback } from "./sender.ts";
import { callbackQueryIdOf, isRawUpdate, type TelegramUpdateHandler, type WebhookLogger } from "./webhook.ts";

export type UpdateType = Exclude<keyof Update, "update_id">;

export interface StartPollingOptions {
  bot: Bot;
  /** Stores the update durably; the offset moves past it only when this resolved. */
  onUpdate: TelegramUpdateHandler;
  /** Stops the loop: a pending long poll is cancelled, a running onUpdate is awaited. */
  signal: AbortSignal;
  /** Long-poll wait in seconds. Default 25; must stay below the client's timeoutSeconds. */
  pollTimeoutSeconds?: number;
  /** Updates per getUpdates, 1–100. Default 100. */
  limit?: number;
  /** Default TELEGRAM_ALLOWED_UPDATES. */
  allowedUpdates?: readonly UpdateType[];
  /** First offset (default: Telegram's, i.e. the oldest unconfirmed update). */
  initialOffset?: number;
  /** Delay after a failure: starts at initialMs (default 1 000), doubles up to maxMs (default 30 000). */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Answer button clicks (answerCallbackQuery) once stored. Default true. */
  answerCallbacks?: boolean;
  logger?: WebhookLogger;
}

/**
 * Polls until `signal` aborts; resolves then. Rejects only when polling cannot work at all: the
 * token is refused (401, or 404 for a malformed token).
 */
export async function startPolling(options: StartPollingOptions): Promise<void> {
  const { bot, onUpdate, signal, logger } = options;
  const pollTimeout = options.pollTimeoutSeconds ?? 25;
  const limit = options.limit ?? 100;
  const allowedUpdates = [...(options.allowedUpdates ?? TELEGRAM_ALLOWED_UPDATES)];
  const initialMs = options.backoff?.initialMs ?? 1_000;
  const maxMs = options.backoff?.maxMs ?? 30_000;
  const answerCallbacks = options.answerCallbacks ?? true;

  let offset = options.initialOffset;
  let delay = initialMs;
  const failed = async (retryAfterSeconds?: number) => {
    await sleep(retryAfterSeconds !== undefined ? retryAfterSeconds * 1000 : delay, signal);
    delay = Math.min(maxMs, delay * 2);
  };

  // Without botInfo, getMe once (grammY retries network errors and 5xx itself).
  if (!bot.isInited()) {
    try {
      await bot.init(grammySignal(signal));
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
  }

  while (!signal.aborted) {
    let updates: Update[];
    try {
      updates = await bot.api.getUpdates(
        {
          ...(offset !== undefined && { offset }),
          limit,
          timeout: pollTimeout,
          allowed_updates: allowedUpdates,
        },
        grammySignal(signal),
      );
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof GrammyError && (err.error_code === 401 || err.error_code === 404)) {
        throw new Error(`Telegram getUpdates: the token was refused (${err.error_code} ${err.description})`);
      }
      const retryAfter = err instanceof GrammyError ? err.parameters.retry_after : undefined;
      const hint =
        err instanceof GrammyError && err.error_code === 409
          ? " (a webhook is set, or another poller runs with this token: deleteWebhook for local runs)"
          : "";
      logger?.warn({ err: describe(err) }, `telegram polling: getUpdates failed${hint}`);
      await failed(retryAfter);
      continue;
    }

    let storeFailed = false;
    for (const update of updates) {
      if (!isRawUpdate(update)) {
        logger?.warn({ update: String(update) }, "telegram polling: skipped an update without update_id");
        continue;
      }
      if (offset !== undefined && update.update_id < offset) continue; // already stored
      try {
        await onUpdate(update, update);
      } catch (err) {
        logger?.error(
          { err, updateId: update.update_id },
          "telegram polling: the update could not be stored",
        );
        storeFailed = true;
        break; // fetch it again (from `offset`) after the backoff
      }
      offset = update.update_id + 1;
      const callbackQueryId = callbackQueryIdOf(update);
      if (answerCallbacks && callbackQueryId !== undefined) {
        void answerCallback(bot, callbackQueryId).then((ok) => {
          if (!ok)
            logger?.warn({ updateId: update.update_id }, "telegram polling: answerCallbackQuery failed");
        });
      }
    }
    if (storeFailed) await failed();
    else delay = initialMs;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** The error without the inner fetch error (whose message would hold the URL, hence the token). */
function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
