/**
 * The grammY Bot the Telegram channel uses for Bot API calls (sendMessage, getUpdates, getFile…).
 * grammY's middleware (bot.on / bot.start / webhookCallback) is not used: updates are stored
 * durably first and processed later (see webhook.ts and polling.ts).
 */
import { type ApiClientOptions, Bot } from "grammy";
import type { BotCommand, UserFromGetMe } from "grammy/types";
import { telegramStrings } from "./strings.ts";
import { TELEGRAM_COMMANDS } from "./update.ts";

export const TELEGRAM_DEFAULT_API_ROOT = "https://api.telegram.org";
/**
 * Per-call HTTP timeout of the client. grammY's default is 500 s; an outbox send must end well
 * within the outbox lease (2 min), and a long poll (25 s by default) must end before it.
 */
export const TELEGRAM_DEFAULT_TIMEOUT_SECONDS = 60;

/** The update types the bot asks for (getUpdates / setWebhook `allowed_updates`). */
export const TELEGRAM_ALLOWED_UPDATES = [
  "message",
  "edited_message",
  "channel_post",
  "callback_query",
  "my_chat_member",
] as const;

export interface CreateTelegramBotOptions {
  /** From @BotFather. Never logged. */
  token: string;
  /** A Bot API server without trailing slash; default https://api.telegram.org (tests: a loopback stand-in). */
  apiRoot?: string;
  /** The bot's getMe answer: when given, no getMe call is made at start. */
  botInfo?: UserFromGetMe;
  /** More grammY client options (e.g. `timeoutSeconds`); `apiRoot` above wins over `client.apiRoot`. */
  client?: ApiClientOptions;
}

const apiRoots = new WeakMap<Bot, string>();

/** The AbortSignal type of grammY's Node typings (the abort-controller polyfill's). */
type GrammySignal = NonNullable<Parameters<Bot["api"]["getMe"]>[0]>;

/**
 * A standard AbortSignal for a grammY call. grammY's Node typings name the polyfill's class; at
 * run time it only calls `addEventListener` on the signal, which the standard one has.
 */
export function grammySignal(signal: AbortSignal): GrammySignal;
export function grammySignal(signal: AbortSignal | undefined): GrammySignal | undefined;
export function grammySignal(signal: AbortSignal | undefined): GrammySignal | undefined {
  return signal as unknown as GrammySignal | undefined;
}

/** A grammY Bot pointed at `apiRoot`, with a bounded client timeout. */
export function createTelegramBot(options: CreateTelegramBotOptions): Bot {
  const { token, botInfo, client } = options;
  if (typeof token !== "string" || !/^[^\s/?#]+$/.test(token)) {
    // The token itself is not quoted.
    throw new TypeError(
      "createTelegramBot: token must be a non-empty string without spaces, '/', '?' or '#'",
    );
  }
  const apiRoot = (options.apiRoot ?? client?.apiRoot ?? TELEGRAM_DEFAULT_API_ROOT).replace(/\/+$/, "");
  const bot = new Bot(token, {
    ...(botInfo !== undefined && { botInfo }),
    client: { timeoutSeconds: TELEGRAM_DEFAULT_TIMEOUT_SECONDS, ...client, apiRoot },
  });
  apiRoots.set(bot, apiRoot);
  return bot;
}

/** The apiRoot a bot made by createTelegramBot talks to (grammY does not expose it). */
export function telegramApiRoot(bot: Bot): string {
  return apiRoots.get(bot) ?? TELEGRAM_DEFAULT_API_ROOT;
}

/** The "/" menu: the five commands with their Vietnamese descriptions. */
export function telegramCommandList(): BotCommand[] {
  return TELEGRAM_COMMANDS.map((command) => ({ command, description: telegramStrings.commands[command] }));
}

/** Publishes the command menu (setMyCommands, default scope, all languages). */
export async function registerCommands(bot: Bot, signal?: AbortSignal): Promise<void> {
  await bot.api.setMyCommands(telegramCommandList(), undefined, grammySignal(signal));
}
