/**
 * Delivers the dialogue's replies on Telegram (the outbox calls `send`), and fetches citizens'
 * photos for officials.
 *
 * - Plain text (no parse_mode): the dialogue's texts are not Markdown/HTML and must not be read as such.
 * - Texts over 4096 UTF-16 code units are split by `splitText` (paragraph, line, sentence, word
 *   boundaries; never inside a grapheme); the inline keyboard goes on the last chunk.
 * - One deadline covers all chunks of a send (`sendTimeoutMs`), so a send ends well within the
 *   outbox lease whatever the number of chunks.
 * - Failures become a DeliveryError: 429 → retryable with `retry_after`; 5xx, network errors and
 *   timeouts → retryable; 400/403 (chat not found, bot blocked…) → not retryable. See `toDeliveryError`.
 * - The token never shows: the bot is held in a private field (invisible to util.inspect), and
 *   error causes are rebuilt with the token replaced by "<redacted>".
 *
 * Caveat: when chunk k of a long text fails, chunks 1…k-1 were delivered and a retry sends them
 * again (the Bot API has no idempotency key).
 */
import { type Bot, GrammyError, HttpError } from "grammy";
import type { Message } from "grammy/types";
import type { ChannelSender, OutgoingMessage, SentMessage } from "../sender.ts";
import { DeliveryError } from "../sender.ts";
import { splitText } from "../zalo/split.ts";
import { grammySignal, telegramApiRoot } from "./bot.ts";
import { inlineKeyboard } from "./keyboard.ts";
import { telegramStrings } from "./strings.ts";

/** Telegram's maximum message text length (UTF-16 code units after entity parsing). */
export const TELEGRAM_MAX_TEXT_LENGTH = 4096;
export const TELEGRAM_DEFAULT_SEND_TIMEOUT_MS = 30_000;
/** Telegram's maximum photo caption length. */
export const TELEGRAM_MAX_CAPTION_LENGTH = 1024;
const REDACTED = "<redacted>";

export interface TelegramSenderOptions {
  bot: Bot;
  /** Deadline of one `send` (all chunks together). Default 30 000 ms. */
  sendTimeoutMs?: number;
  /** Overrides the apiRoot used for file URLs (default: the one given to createTelegramBot). */
  apiRoot?: string;
}

export class TelegramSender implements ChannelSender {
  readonly channel = "telegram" as const;
  readonly #bot: Bot;
  readonly #apiRoot: string;
  readonly sendTimeoutMs: number;

  constructor(options: TelegramSenderOptions) {
    const { bot, sendTimeoutMs = TELEGRAM_DEFAULT_SEND_TIMEOUT_MS } = options;
    if (!Number.isFinite(sendTimeoutMs) || sendTimeoutMs <= 0) {
      throw new RangeError(`TelegramSender: sendTimeoutMs must be a positive number, got ${sendTimeoutMs}`);
    }
    this.#bot = bot;
    this.#apiRoot = (options.apiRoot ?? telegramApiRoot(bot)).replace(/\/+$/, "");
    this.sendTimeoutMs = sendTimeoutMs;
  }

  async send(message: OutgoingMessage): Promise<SentMessage> {
    const chatId = chatIdParam(message.chatId);
    if (chatId === undefined) throw new DeliveryError("Telegram sendMessage: empty chat id", false);
    if (message.photoUrl) return this.#sendPhoto(chatId, message.photoUrl, message.text);
    const keyboard = inlineKeyboard(message.choices);
    const chunks = splitText(message.text, TELEGRAM_MAX_TEXT_LENGTH);
    if (chunks.length === 0) {
      if (!keyboard) throw new DeliveryError("Telegram sendMessage: empty text and no choices", false);
      chunks.push(telegramStrings.chooseOne);
    }
    const signal = AbortSignal.timeout(this.sendTimeoutMs);
    let last: Message.TextMessage | undefined;
    for (const [i, chunk] of chunks.entries()) {
      const other = i === chunks.length - 1 && keyboard ? { reply_markup: keyboard } : undefined;
      try {
        last = await this.#bot.api.sendMessage(chatId, chunk, other, grammySignal(signal));
      } catch (error) {
        const part = chunks.length > 1 ? ` (part ${i + 1} of ${chunks.length})` : "";
        throw toDeliveryError(error, `sendMessage${part}`, this.#bot.token);
      }
    }
    return last === undefined ? {} : { externalMessageId: String(last.message_id) };
  }

  /**
   * An image by URL (Telegram fetches it) with the text as its caption; a caption over Telegram's
   * 1,024 characters goes on as plain messages after the image.
   */
  async #sendPhoto(chatId: number | string, photoUrl: string, text: string): Promise<SentMessage> {
    const [caption, ...rest] = splitText(text, TELEGRAM_MAX_CAPTION_LENGTH);
    const signal = AbortSignal.timeout(this.sendTimeoutMs);
    let lastId: number;
    try {
      lastId = (
        await this.#bot.api.sendPhoto(
          chatId,
          photoUrl,
          caption ? { caption } : undefined,
          grammySignal(signal),
        )
      ).message_id;
      for (const chunk of rest)
        lastId = (await this.#bot.api.sendMessage(chatId, chunk, undefined, grammySignal(signal))).message_id;
    } catch (error) {
      throw toDeliveryError(error, "sendPhoto", this.#bot.token);
    }
    return { externalMessageId: String(lastId) };
  }

  /**
   * A download URL of a citizen's photo (getFile; valid for at least an hour). The URL holds the bot
   * token, as the Bot API requires: fetch it server-side, never hand it to a browser or a log.
   * Throws DeliveryError (retryable or not, as for sends).
   */
  async fetchPhotoUrl(fileId: string, signal?: AbortSignal): Promise<string> {
    if (typeof fileId !== "string" || fileId.trim() === "") {
      throw new DeliveryError("Telegram getFile: empty file id", false);
    }
    let filePath: string | undefined;
    try {
      filePath = (
        await this.#bot.api.getFile(fileId, grammySignal(signal ?? AbortSignal.timeout(this.sendTimeoutMs)))
      ).file_path;
    } catch (error) {
      throw toDeliveryError(error, "getFile", this.#bot.token);
    }
    if (!filePath) throw new DeliveryError("Telegram getFile: no file_path (a file over 20 MB?)", false);
    const path = filePath.split("/").map(encodeURIComponent).join("/");
    return `${this.#apiRoot}/file/bot${this.#bot.token}/${path}`;
  }

  /**
   * Stops the spinner of a clicked button. Never throws: a failure (the query is older than
   * Telegram allows, already answered…) changes nothing for the citizen; false is returned.
   */
  answerCallback(callbackQueryId: string, signal?: AbortSignal): Promise<boolean> {
    return answerCallback(this.#bot, callbackQueryId, signal);
  }

  toString(): string {
    return `TelegramSender(${this.#apiRoot})`;
  }

  toJSON(): Record<string, unknown> {
    return { channel: this.channel, apiRoot: this.#apiRoot, sendTimeoutMs: this.sendTimeoutMs };
  }
}

/** answerCallbackQuery without text; resolves false instead of throwing. */
export async function answerCallback(
  bot: Bot,
  callbackQueryId: string,
  signal?: AbortSignal,
): Promise<boolean> {
  try {
    const deadline = grammySignal(signal ?? AbortSignal.timeout(10_000));
    return await bot.api.answerCallbackQuery(callbackQueryId, undefined, deadline);
  } catch {
    return false;
  }
}

/**
 * Classifies a failed Bot API call for the outbox. 429 → retryable after `retry_after`; 5xx and 408
 * → retryable; 401 (token revoked) and 404 (a wrong token reads as an unknown method) → retryable,
 * so messages wait for the operator to fix the configuration instead of failing for good; other
 * 4xx (400 chat not found / bad request, 403 bot blocked or kicked) → not retryable. HttpError
 * (network, timeout, a non-JSON answer), answers without error_code and unknown errors → retryable.
 */
export function toDeliveryError(error: unknown, method: string, token: string): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const redact = (text: string) => redactToken(text, token);
  if (error instanceof GrammyError) {
    const code = error.error_code;
    const description = redact(String(error.description ?? "")).slice(0, 300);
    const retryAfter = error.parameters?.retry_after;
    const retryAfterSeconds =
      code === 429 && typeof retryAfter === "number" && Number.isFinite(retryAfter) && retryAfter >= 0
        ? retryAfter
        : undefined;
    const migrate = error.parameters?.migrate_to_chat_id;
    const hint = migrate !== undefined ? ` (the group moved to chat ${migrate})` : "";
    // No numeric error_code: a JSON answer that is not the Bot API's (a proxy's page): unknown, retry.
    const retryable =
      typeof code !== "number" || code === 429 || code === 408 || code === 401 || code === 404 || code >= 500;
    return new DeliveryError(
      `Telegram ${method} failed: ${code} ${description}${hint}`,
      retryable,
      retryAfterSeconds,
      {
        cause: redactedCause(error, token),
      },
    );
  }
  if (error instanceof HttpError) {
    return new DeliveryError(
      `Telegram ${method} failed: no valid answer (network error or timeout): ${redact(describe(error))}`,
      true,
      undefined,
      { cause: redactedCause(error, token) },
    );
  }
  return new DeliveryError(`Telegram ${method} failed: ${redact(describe(error))}`, true, undefined, {
    cause: redactedCause(error, token),
  });
}

/** Replaces the token (raw and URL-encoded) by "<redacted>". */
export function redactToken(text: string, token: string): string {
  if (!token) return text;
  let out = text;
  for (const needle of new Set([token, encodeURIComponent(token)])) out = out.split(needle).join(REDACTED);
  return out;
}

/** Numeric chat ids travel as JSON numbers (Telegram's own form); @channelusername as a string. */
function chatIdParam(chatId: string): number | string | undefined {
  const trimmed = typeof chatId === "string" ? chatId.trim() : "";
  if (trimmed === "") return undefined;
  if (/^-?\d+$/.test(trimmed)) {
    const n = Number(trimmed);
    if (Number.isSafeInteger(n)) return n;
  }
  return trimmed;
}

/** "HttpError: Network request for 'sendMessage' failed! (FetchError: request to … failed, reason: …)". */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  let text = error.message || error.name;
  const inner = error instanceof HttpError ? error.error : (error as { cause?: unknown }).cause;
  if (inner instanceof Error) text += ` (${inner.name}: ${inner.message})`;
  else if (inner !== undefined) text += ` (${String(inner)})`;
  return text;
}

/** The error rebuilt with redacted text: the inner fetch error's message holds the URL, hence the token. */
function redactedCause(error: unknown, token: string): Error {
  const copy = new Error(redactToken(describe(error), token));
  copy.name = error instanceof Error ? error.name : "Error";
  if (copy.stack && error instanceof Error && error.stack) copy.stack = redactToken(error.stack, token);
  return copy;
}
