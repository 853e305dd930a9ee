/** The Telegram channel: bot factory, update mapping, sender, webhook route and long polling. */
export {
  type CreateTelegramBotOptions,
  createTelegramBot,
  registerCommands,
  TELEGRAM_ALLOWED_UPDATES,
  TELEGRAM_DEFAULT_API_ROOT,
  TELEGRAM_DEFAULT_TIMEOUT_SECONDS,
  telegramApiRoot,
  telegramCommandList,
} from "./bot.ts";
export { callbackDataFor, decodeCallbackData, inlineKeyboard } from "./keyboard.ts";
export { type StartPollingOptions, startPolling, type UpdateType } from "./polling.ts";
export {
  answerCallback,
  redactToken,
  TELEGRAM_MAX_TEXT_LENGTH,
  TelegramSender,
  type TelegramSenderOptions,
  toDeliveryError,
} from "./sender.ts";
export { telegramStrings } from "./strings.ts";
export {
  chatIdOf,
  TELEGRAM_COMMANDS,
  type TelegramCommand,
  type TelegramIncoming,
  type TelegramMappedMessage,
  type TelegramRawUpdate,
  type TelegramUnsupported,
  type TelegramUnsupportedReason,
  type ToIncomingOptions,
  toIncoming,
  unsupportedReplyText,
} from "./update.ts";
export {
  TELEGRAM_SECRET_HEADER,
  TELEGRAM_WEBHOOK_MAX_BODY_BYTES,
  TELEGRAM_WEBHOOK_PATH,
  type TelegramUpdateHandler,
  type TelegramWebhookOptions,
  telegramWebhookRoute,
  type WebhookLogger,
} from "./webhook.ts";
