/**
 * Wire types of the Zalo Bot API (https://bot.zaloplatforms.com/docs) as zod schemas, plus the
 * normalised update the rest of the app consumes. See docs/zalo-bot-api.md for the facts.
 *
 * The schemas are deliberately tolerant where the platform has been seen to vary (ids as numbers,
 * `display_name` vs `first_name`, `photo` vs `photo_url`, missing `event_name` in getUpdates) and
 * strict only on what the app cannot work without (message id, chat id, sender id, date).
 * Runs on Node and on Cloudflare Workers (no Node built-ins).
 */
import { z } from "zod";

/** An opaque Zalo id. Always a string after parsing (numbers are accepted and stringified). */
export const ZaloIdSchema = z.union([
  z.string().min(1),
  z
    .number()
    .finite()
    .transform((n) => String(n)),
]);

/** An optional descriptive string: anything that is not a string becomes `undefined`. */
const optionalString = z.string().optional().catch(undefined);

/** An optional number, also accepted as a numeric string; anything else becomes `undefined`. */
const optionalNumber = z
  .union([
    z.number().finite(),
    z
      .string()
      .regex(/^-?\d+(\.\d+)?$/)
      .transform(Number),
  ])
  .optional()
  .catch(undefined);

// ---------------------------------------------------------------------------------------------
// The answer envelope
// ---------------------------------------------------------------------------------------------

/** `{ ok, result?, error_code?, description?, parameters? }` — every method answers this. */
export const ZaloEnvelopeSchema = z.looseObject({
  ok: z.boolean(),
  result: z.unknown().optional(),
  error_code: optionalNumber,
  description: optionalString,
  /** Not documented by Zalo; honoured when present (Telegram-style `retry_after`, seconds). */
  parameters: z.looseObject({ retry_after: optionalNumber }).optional().catch(undefined),
});
export type ZaloEnvelope = z.infer<typeof ZaloEnvelopeSchema>;

// ---------------------------------------------------------------------------------------------
// Results of the methods
// ---------------------------------------------------------------------------------------------

/** `getMe`: `{ id, account_name, account_type, can_join_groups }` (only `id` is required). */
export const ZaloBotInfoSchema = z.looseObject({
  id: ZaloIdSchema,
  account_name: optionalString,
  account_type: optionalString,
  can_join_groups: z.boolean().optional().catch(undefined),
});
export type ZaloBotInfo = z.infer<typeof ZaloBotInfoSchema>;

/** `setWebhook`, `deleteWebhook`, `getWebhookInfo`: `{ url, updated_at }` (url "" when none). */
export const ZaloWebhookInfoSchema = z.looseObject({
  url: z.string().catch(""),
  updated_at: optionalNumber,
});
export type ZaloWebhookInfo = z.infer<typeof ZaloWebhookInfoSchema>;

/** `sendMessage`, `sendPhoto`, `sendSticker`: `{ message_id, date }` (date in ms). */
export const ZaloSentMessageSchema = z.looseObject({
  message_id: ZaloIdSchema,
  date: optionalNumber,
});
export type ZaloSentMessage = z.infer<typeof ZaloSentMessageSchema>;

// ---------------------------------------------------------------------------------------------
// Parameters of the methods
// ---------------------------------------------------------------------------------------------

export interface GetUpdatesParams {
  /** Long-polling timeout in seconds; sent as a string, as the docs require. */
  timeout?: number;
}
export interface SetWebhookParams {
  /** HTTPS URL Zalo will POST updates to. */
  url: string;
  /** 8–256 characters; Zalo echoes it in the `X-Bot-Api-Secret-Token` header. */
  secret_token: string;
}
export interface SendMessageParams {
  chat_id: string;
  /** 1–2000 characters (UTF-16 code units); use `splitText` for longer replies. */
  text: string;
}
export interface SendPhotoParams {
  chat_id: string;
  /** URL of the image. */
  photo: string;
  /** 1–2000 characters when present. */
  caption?: string;
}
export interface SendStickerParams {
  chat_id: string;
  /** Sticker id (from https://stickers.zaloapp.com/). */
  sticker: string;
}
/** `upload_photo` is announced as "coming soon" by Zalo. */
export type ZaloChatAction = "typing" | "upload_photo";
export interface SendChatActionParams {
  chat_id: string;
  action: ZaloChatAction;
}

// ---------------------------------------------------------------------------------------------
// Updates: raw wire shape
// ---------------------------------------------------------------------------------------------

/** Date in milliseconds, as a number or a numeric string. */
const DateSchema = z.union([z.number().finite().nonnegative(), z.string().regex(/^\d+$/).transform(Number)]);

export const ZaloRawChatSchema = z.looseObject({
  id: ZaloIdSchema,
  /** "PRIVATE" or "GROUP". */
  chat_type: optionalString,
});

export const ZaloRawSenderSchema = z.looseObject({
  id: ZaloIdSchema,
  display_name: optionalString,
  first_name: optionalString,
  name: optionalString,
  is_bot: z.boolean().optional().catch(undefined),
});

export const ZaloRawMessageSchema = z.looseObject({
  message_id: ZaloIdSchema,
  date: DateSchema,
  chat: ZaloRawChatSchema,
  from: ZaloRawSenderSchema,
  message_type: optionalString,
  text: optionalString,
  /** Image URL (`message.image.received`); `photo_url` has also been seen. */
  photo: optionalString,
  photo_url: optionalString,
  caption: optionalString,
  /** Sticker id (`message.sticker.received`); `sticker_id` has also been seen. */
  sticker: optionalString,
  sticker_id: optionalString,
  /** Sticker image URL (or, in some payloads, the photo URL). */
  url: optionalString,
});
export type ZaloRawMessage = z.infer<typeof ZaloRawMessageSchema>;

export const ZaloRawUpdateSchema = z.looseObject({
  /** Absent in some getUpdates answers: the kind is then inferred from the message. */
  event_name: optionalString,
  message: ZaloRawMessageSchema,
});
export type ZaloRawUpdate = z.infer<typeof ZaloRawUpdateSchema>;

/** The event names documented by Zalo. Any other value is treated as "unsupported". */
export const ZALO_EVENTS = {
  text: "message.text.received",
  image: "message.image.received",
  sticker: "message.sticker.received",
  unsupported: "message.unsupported.received",
} as const;

// ---------------------------------------------------------------------------------------------
// Updates: normalised
// ---------------------------------------------------------------------------------------------

export type ZaloChatType = "private" | "group";

interface ZaloUpdateBase {
  /** The raw `event_name` (or the documented name inferred from the message when it was absent). */
  eventName: string;
  /** Opaque id; Zalo has no update_id, so this is the deduplication key. */
  messageId: string;
  /** When the message was sent (the wire carries milliseconds). */
  date: Date;
  chat: {
    id: string;
    type: ZaloChatType;
    /** The wire value of `chat_type`, if any (e.g. "PRIVATE", "GROUP"). */
    rawType: string | undefined;
  };
  from: {
    id: string;
    /** `display_name`, else `first_name`, else `name`. */
    name: string | undefined;
    isBot: boolean | undefined;
  };
  /** The validated wire update (envelope removed), for durable storage. */
  raw: ZaloRawUpdate;
}

export interface ZaloTextUpdate extends ZaloUpdateBase {
  kind: "text";
  text: string;
}
export interface ZaloImageUpdate extends ZaloUpdateBase {
  kind: "image";
  photoUrl: string;
  caption: string | undefined;
}
export interface ZaloStickerUpdate extends ZaloUpdateBase {
  kind: "sticker";
  sticker: string | undefined;
  stickerUrl: string | undefined;
}
export interface ZaloUnsupportedUpdate extends ZaloUpdateBase {
  kind: "unsupported";
}

/** A well-formed update. */
export type ZaloUpdate = ZaloTextUpdate | ZaloImageUpdate | ZaloStickerUpdate | ZaloUnsupportedUpdate;

/** Something that is not a usable update. Never thrown: returned, so it can be logged and dropped. */
export interface ZaloInvalidUpdate {
  kind: "invalid";
  /** Human-readable reason (never contains secrets; may quote field paths). */
  reason: string;
  /** What was received. */
  raw: unknown;
}

export type ParsedZaloUpdate = ZaloUpdate | ZaloInvalidUpdate;
