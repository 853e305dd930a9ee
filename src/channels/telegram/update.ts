/**
 * Telegram update → the channel-agnostic IncomingMessage of the intake dialogue.
 *
 * `toIncoming` is pure and never throws: an update is read defensively (it may come from a stored
 * JSON payload), and whatever the dialogue cannot take becomes `{ kind: "unsupported", reason }`
 * so the caller can answer politely (`unsupportedReplyText`) or ignore it.
 *
 * What maps to a message:
 *  - text (private, group, supergroup, channel post); group and channel messages have isGroup true;
 *  - commands /start /gui /tracuu /huy /trogiup, also as /gui@BotName, case-insensitive → text
 *    "/gui" etc. (arguments are dropped from the text: the dialogue has no argument syntax; they
 *    are kept in `command.args`); other commands pass as "/name args";
 *  - photos (the largest size's file_id) and documents with an image/* MIME type, caption as text;
 *  - a click on an inline button (callback_query with data) → text = the choice id (keyboard.ts).
 *    The caller must still answer the callback query (`callbackQueryId`) to stop the spinner; the
 *    webhook route and the poller do it for it.
 */
import type { Update } from "grammy/types";
import type { Choice, IncomingMessage } from "../../intake/types.ts";
import { decodeCallbackData } from "./keyboard.ts";
import { telegramStrings } from "./strings.ts";

/** The commands of the bot, in the order of Telegram's "/" menu. */
export const TELEGRAM_COMMANDS = ["start", "gui", "tracuu", "huy", "trogiup"] as const;
export type TelegramCommand = (typeof TELEGRAM_COMMANDS)[number];

/** An update as parsed from JSON: only `update_id` is checked. */
export interface TelegramRawUpdate {
  update_id: number;
  [field: string]: unknown;
}

export type TelegramUnsupportedReason =
  /** edited_message / edited_channel_post: the dialogue has moved on. */
  | "edited"
  | "sticker"
  | "voice"
  | "audio"
  | "video"
  | "video_note"
  | "animation"
  /** A document that is not an image (PDF, Word…). */
  | "document"
  /** location or venue. */
  | "location"
  | "contact"
  /** A poll message, or a `poll` / `poll_answer` update. */
  | "poll"
  /** Any other message content (dice, game, story, invoice, …). */
  | "other_content"
  /** A service message (member joined, title changed, message pinned, …). */
  | "service"
  /** my_chat_member, chat_member, chat_join_request (the bot blocked/unblocked, added to a group…). */
  | "membership"
  /** A callback query without data (a game button). */
  | "callback_without_data"
  /** A click on a button of an older keyboard whose choice is no longer offered. */
  | "stale_button"
  /** A message sent by a bot. */
  | "from_bot"
  /** A command addressed to another bot (/start@OtherBot in a group). */
  | "other_bot"
  /** An update type this module does not handle (inline_query, message_reaction, …). */
  | "unknown_update"
  /** The update lacks what it must have (a chat, a sender…). */
  | "invalid";

interface Common {
  /** Telegram's update_id as a string (deduplication, audit). */
  externalId: string;
  /** Which field of the update carried it: "message", "callback_query", "my_chat_member", … */
  updateType: string;
  /** Set for callback queries: answer it (answerCallbackQuery) so the button stops spinning. */
  callbackQueryId?: string;
}

export interface TelegramMappedMessage extends Common {
  kind: "message";
  message: IncomingMessage;
  /** Set when the text was a command. */
  command?: { name: string; args: string; known: boolean; target?: string };
}

export interface TelegramUnsupported extends Common {
  kind: "unsupported";
  reason: TelegramUnsupportedReason;
  /** For logs, e.g. "message.voice", "update.message_reaction". */
  detail: string;
  /** Where an answer would go, when known. */
  chatId?: string;
  userId?: string;
  isGroup?: boolean;
}

export type TelegramIncoming = TelegramMappedMessage | TelegramUnsupported;

export interface ToIncomingOptions {
  /** The bot's username: commands addressed to another bot (/start@Other) are then "other_bot". */
  botUsername?: string;
  /** The choices the conversation last offered: resolves buttons whose id did not fit in callback_data. */
  offered?: readonly Choice[];
}

type Rec = Record<string, unknown>;

const MEMBERSHIP_UPDATES = new Set(["my_chat_member", "chat_member", "chat_join_request"]);
const EDITED_UPDATES = new Set(["edited_message", "edited_channel_post", "edited_business_message"]);
/** Message fields that make it a service message. */
const SERVICE_FIELDS = [
  "new_chat_members",
  "left_chat_member",
  "new_chat_title",
  "new_chat_photo",
  "delete_chat_photo",
  "group_chat_created",
  "supergroup_chat_created",
  "channel_chat_created",
  "migrate_to_chat_id",
  "migrate_from_chat_id",
  "pinned_message",
  "message_auto_delete_timer_changed",
  "users_shared",
  "chat_shared",
  "write_access_allowed",
  "forum_topic_created",
  "forum_topic_edited",
  "forum_topic_closed",
  "forum_topic_reopened",
  "general_forum_topic_hidden",
  "general_forum_topic_unhidden",
  "video_chat_scheduled",
  "video_chat_started",
  "video_chat_ended",
  "video_chat_participants_invited",
  "boost_added",
  "chat_background_set",
  "proximity_alert_triggered",
  "successful_payment",
  "refunded_payment",
  "web_app_data",
] as const;
/** Message content fields, in the order they are checked (animation messages also carry `document`). */
const CONTENT_FIELDS: [string, TelegramUnsupportedReason][] = [
  ["sticker", "sticker"],
  ["voice", "voice"],
  ["audio", "audio"],
  ["video_note", "video_note"],
  ["animation", "animation"],
  ["video", "video"],
  ["document", "document"],
  ["venue", "location"],
  ["location", "location"],
  ["contact", "contact"],
  ["poll", "poll"],
];
const COMMAND = /^\/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]{1,64}))?(?=\s|$)/;

/** Maps one update. Never throws. */
export function toIncoming(
  update: Update | TelegramRawUpdate,
  options: ToIncomingOptions = {},
): TelegramIncoming {
  const u = update as unknown as Rec;
  const externalId = typeof u.update_id === "number" ? String(u.update_id) : "";
  const updateType = Object.keys(u).find((k) => k !== "update_id") ?? "none";
  try {
    if (!externalId) return unsupported("invalid", "update.update_id is missing", { externalId, updateType });
    const payload = u[updateType];
    const common = { externalId, updateType };
    if (updateType === "message" || updateType === "channel_post") {
      return isRec(payload) ? fromMessage(payload, common, options) : invalidShape(common);
    }
    if (updateType === "callback_query") {
      return isRec(payload) ? fromCallback(payload, common, options) : invalidShape(common);
    }
    if (EDITED_UPDATES.has(updateType)) {
      return unsupported("edited", `update.${updateType}`, { ...common, ...whereFrom(payload) });
    }
    if (MEMBERSHIP_UPDATES.has(updateType)) {
      return unsupported("membership", `update.${updateType}`, { ...common, ...whereFrom(payload) });
    }
    if (updateType === "poll" || updateType === "poll_answer") {
      return unsupported("poll", `update.${updateType}`, common);
    }
    return unsupported("unknown_update", `update.${updateType}`, common);
  } catch {
    // Only reachable with exotic inputs (getters that throw…): never let an update crash the caller.
    return unsupported("invalid", "update could not be read", { externalId, updateType });
  }
}

/**
 * The chat an update concerns, as toIncoming would name it: the key under which a chat's updates
 * are processed one at a time, in order. Covers every update type that names a chat (message,
 * edited_message, channel_post, callback_query, my_chat_member, message_reaction, …). Never throws.
 */
export function chatIdOf(update: Update | TelegramRawUpdate): string | undefined {
  const u = update as unknown as Rec;
  const updateType = Object.keys(u).find((k) => k !== "update_id");
  const payload = updateType === undefined ? undefined : u[updateType];
  if (!isRec(payload)) return undefined;
  if (updateType === "callback_query") {
    // Inline-mode clicks have no message: toIncoming then takes the user's private chat.
    const m = payload.message;
    if (isRec(m) && isRec(m.chat) && isId(m.chat.id)) return String(m.chat.id);
    return isRec(payload.from) && isId(payload.from.id) ? String(payload.from.id) : undefined;
  }
  return isRec(payload.chat) && isId(payload.chat.id) ? String(payload.chat.id) : undefined;
}

/** What to answer to an unsupported update; undefined = ignore it silently. */
export function unsupportedReplyText(result: TelegramUnsupported): string | undefined {
  const t = telegramStrings.unsupported;
  // In groups the bot stays quiet about what it cannot read; only private chats get an explanation.
  if (result.chatId === undefined || result.isGroup) return undefined;
  switch (result.reason) {
    case "edited":
      return t.edited;
    case "sticker":
    case "animation":
      return t.sticker;
    case "voice":
    case "audio":
      return t.voice;
    case "video":
    case "video_note":
      return t.video;
    case "location":
      return t.location;
    case "document":
      return t.document;
    case "contact":
    case "poll":
    case "other_content":
      return t.other;
    case "stale_button":
      return t.staleButton;
    case "service":
    case "membership":
    case "callback_without_data":
    case "from_bot":
    case "other_bot":
    case "unknown_update":
    case "invalid":
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------

function fromMessage(
  m: Rec,
  common: { externalId: string; updateType: string },
  options: ToIncomingOptions,
): TelegramIncoming {
  const chat = m.chat;
  if (!isRec(chat) || !isId(chat.id))
    return unsupported("invalid", `${common.updateType}.chat is missing`, common);
  const chatId = String(chat.id);
  const isGroup = isGroupChat(chat);
  const from = isRec(m.from) ? m.from : undefined;
  const senderChat = isRec(m.sender_chat) ? m.sender_chat : undefined;
  const sender = from && isId(from.id) ? from : undefined;
  const userId = String(sender?.id ?? (senderChat && isId(senderChat.id) ? senderChat.id : chat.id));
  const where = { ...common, chatId, userId, isGroup };

  // Anonymous group admins write as a bot ("GroupAnonymousBot") with sender_chat set: a person.
  if (sender?.is_bot === true && !senderChat)
    return unsupported("from_bot", `${common.updateType}.from.is_bot`, where);

  const base: IncomingMessage = {
    channel: "telegram",
    chatId,
    userId,
    externalId: common.externalId,
    isGroup,
  };
  const displayName =
    nameOf(sender) ?? titleOf(senderChat) ?? (chat.type === "channel" ? titleOf(chat) : undefined);
  if (displayName !== undefined) base.displayName = displayName;
  if (typeof m.date === "number" && Number.isFinite(m.date)) base.receivedAt = new Date(m.date * 1000);

  if (typeof m.text === "string") {
    const cmd = COMMAND.exec(m.text);
    if (!cmd) return { kind: "message", ...common, message: { ...base, text: m.text } };
    const name = cmd[1]!.toLowerCase();
    const target = cmd[2];
    if (
      target !== undefined &&
      options.botUsername &&
      target.toLowerCase() !== options.botUsername.toLowerCase()
    ) {
      return unsupported("other_bot", `${common.updateType}.text /${name}@${target}`, where);
    }
    const args = m.text.slice(cmd[0].length).trim();
    const known = (TELEGRAM_COMMANDS as readonly string[]).includes(name);
    const text = known || args === "" ? `/${name}` : `/${name} ${args}`;
    const command = { name, args, known, ...(target !== undefined && { target }) };
    return { kind: "message", ...common, message: { ...base, text }, command };
  }

  const caption = typeof m.caption === "string" && m.caption.trim() !== "" ? m.caption : undefined;
  const photoRef =
    largestPhoto(m.photo) ?? (m.animation === undefined ? imageDocument(m.document) : undefined);
  if (photoRef !== undefined) {
    const message: IncomingMessage = { ...base, photo: { ref: photoRef } };
    if (caption !== undefined) message.text = caption;
    return { kind: "message", ...common, message };
  }

  for (const [field, reason] of CONTENT_FIELDS) {
    if (m[field] !== undefined) return unsupported(reason, `${common.updateType}.${field}`, where);
  }
  const service = SERVICE_FIELDS.find((f) => m[f] !== undefined);
  if (service !== undefined) return unsupported("service", `${common.updateType}.${service}`, where);
  const known = new Set([
    "message_id",
    "date",
    "chat",
    "from",
    "sender_chat",
    "message_thread_id",
    "caption",
  ]);
  const other = Object.keys(m).find((k) => !known.has(k)) ?? "(nothing)";
  return unsupported("other_content", `${common.updateType}.${other}`, where);
}

function fromCallback(
  q: Rec,
  common: { externalId: string; updateType: string },
  options: ToIncomingOptions,
): TelegramIncoming {
  const from = isRec(q.from) ? q.from : undefined;
  if (typeof q.id !== "string" || q.id === "" || !from || !isId(from.id)) {
    return unsupported("invalid", "callback_query.id or .from is missing", common);
  }
  const withId = { ...common, callbackQueryId: q.id };
  const userId = String(from.id);
  // Inline-mode messages have no `message`: the click then comes from the user's private chat.
  const chat =
    isRec(q.message) && isRec(q.message.chat) && isId(q.message.chat.id) ? q.message.chat : undefined;
  const chatId = chat ? String(chat.id) : userId;
  const isGroup = chat !== undefined && isGroupChat(chat);
  const where = { ...withId, chatId, userId, isGroup };
  if (typeof q.data !== "string" || q.data === "") {
    return unsupported("callback_without_data", "callback_query.game_short_name", where);
  }
  const decoded = decodeCallbackData(q.data, options.offered);
  if (decoded.kind === "stale") return unsupported("stale_button", "callback_query.data", where);
  const message: IncomingMessage = {
    channel: "telegram",
    chatId,
    userId,
    externalId: common.externalId,
    isGroup,
    text: decoded.text,
  };
  const displayName = nameOf(from);
  if (displayName !== undefined) message.displayName = displayName;
  return { kind: "message", ...withId, message };
}

/** The file_id of the largest size (by pixels, then bytes; Telegram lists the largest last). */
function largestPhoto(photo: unknown): string | undefined {
  if (!Array.isArray(photo)) return undefined;
  let best: { id: string; area: number; size: number } | undefined;
  for (const p of photo) {
    if (!isRec(p) || typeof p.file_id !== "string" || p.file_id === "") continue;
    const area = num(p.width) * num(p.height);
    const size = num(p.file_size);
    if (!best || area > best.area || (area === best.area && size >= best.size))
      best = { id: p.file_id, area, size };
  }
  return best?.id;
}

function imageDocument(doc: unknown): string | undefined {
  if (!isRec(doc) || typeof doc.file_id !== "string" || doc.file_id === "") return undefined;
  const mime = typeof doc.mime_type === "string" ? doc.mime_type.toLowerCase() : "";
  return mime.startsWith("image/") ? doc.file_id : undefined;
}

/** chat/user of an update we do not map (edited message, my_chat_member…), for a polite answer. */
function whereFrom(payload: unknown): { chatId?: string; userId?: string; isGroup?: boolean } {
  if (!isRec(payload)) return {};
  const out: { chatId?: string; userId?: string; isGroup?: boolean } = {};
  if (isRec(payload.chat) && isId(payload.chat.id)) {
    out.chatId = String(payload.chat.id);
    out.isGroup = isGroupChat(payload.chat);
  }
  if (isRec(payload.from) && isId(payload.from.id)) out.userId = String(payload.from.id);
  return out;
}

function nameOf(user: Rec | undefined): string | undefined {
  if (!user) return undefined;
  const full = [user.first_name, user.last_name]
    .filter((s): s is string => typeof s === "string")
    .join(" ")
    .trim();
  if (full) return full;
  return typeof user.username === "string" && user.username ? user.username : undefined;
}

function titleOf(chat: Rec | undefined): string | undefined {
  return chat && typeof chat.title === "string" && chat.title.trim() ? chat.title.trim() : undefined;
}

function unsupported(
  reason: TelegramUnsupportedReason,
  detail: string,
  fields: Omit<TelegramUnsupported, "kind" | "reason" | "detail">,
): TelegramUnsupported {
  return { kind: "unsupported", reason, detail, ...fields };
}

function invalidShape(common: { externalId: string; updateType: string }): TelegramUnsupported {
  return unsupported("invalid", `update.${common.updateType} is not an object`, common);
}

/** group, supergroup and channel; without a type, Telegram's negative ids for non-private chats. */
function isGroupChat(chat: Rec): boolean {
  if (typeof chat.type === "string") return chat.type !== "private";
  return Number(chat.id) < 0;
}

function isRec(value: unknown): value is Rec {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is number | string {
  return (typeof value === "number" && Number.isFinite(value)) || (typeof value === "string" && value !== "");
}

function num(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}
