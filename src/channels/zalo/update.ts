/**
 * Turns what Zalo sends (a webhook body, or the answer of getUpdates) into normalised, typed
 * updates. Never throws: anything unusable becomes `{ kind: "invalid", reason, raw }`.
 *
 * Accepted shapes:
 *  - a bare update `{ event_name, message }` or one wrapped in `{ ok: true, result: … }`;
 *  - `result` (or the bare body) holding one update or an array of updates;
 *  - `event_name` absent (seen in getUpdates answers): the kind is inferred from the message.
 */
import {
  type ParsedZaloUpdate,
  ZALO_EVENTS,
  type ZaloChatType,
  type ZaloInvalidUpdate,
  type ZaloRawMessage,
  ZaloRawUpdateSchema,
  type ZaloUpdate,
} from "./types.ts";

/** Dates below this are taken as seconds, not milliseconds (1e11 ms is March 1973). */
const SECONDS_THRESHOLD = 1e11;

type Unwrapped =
  | { kind: "payload"; payload: unknown; enveloped: boolean }
  | { kind: "invalid"; invalid: ZaloInvalidUpdate };

/**
 * Parses a webhook body or a getUpdates answer into zero or more updates.
 * An envelope `{ ok: true }` without a result (or with `result: null` / `[]`) means "no updates" → `[]`.
 * Each element of an array is parsed on its own: one bad element does not spoil the others.
 */
export function parseUpdates(body: unknown): ParsedZaloUpdate[] {
  const unwrapped = unwrapEnvelope(body);
  if (unwrapped.kind === "invalid") return [unwrapped.invalid];
  const { payload, enveloped } = unwrapped;
  if (Array.isArray(payload)) return payload.map(normaliseUpdate);
  if (enveloped && (payload === undefined || payload === null)) return [];
  return [normaliseUpdate(payload)];
}

/**
 * Parses a body that must hold exactly one update (with or without the envelope).
 * An array of exactly one update is accepted; anything else is "invalid".
 */
export function parseUpdate(body: unknown): ParsedZaloUpdate {
  const unwrapped = unwrapEnvelope(body);
  if (unwrapped.kind === "invalid") return unwrapped.invalid;
  const { payload } = unwrapped;
  if (Array.isArray(payload)) {
    if (payload.length === 1) return normaliseUpdate(payload[0]);
    return invalid(`expected one update, got an array of ${payload.length}`, body);
  }
  return normaliseUpdate(payload);
}

/** Validates and normalises one bare update object (no envelope). */
export function normaliseUpdate(value: unknown): ParsedZaloUpdate {
  if (!isRecord(value)) return invalid(`expected an update object, got ${describe(value)}`, value);
  const parsed = ZaloRawUpdateSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`)
      .join("; ");
    return invalid(`malformed update (${issues})`, value);
  }
  const raw = parsed.data;
  const m = raw.message;

  const dateMs = m.date < SECONDS_THRESHOLD ? m.date * 1000 : m.date;
  const date = new Date(dateMs);
  if (Number.isNaN(date.getTime())) return invalid("message.date is out of range", value);

  const chatId = m.chat.id;
  const fromId = m.from.id;
  const base = {
    messageId: m.message_id,
    date,
    chat: { id: chatId, type: chatType(m.chat.chat_type, chatId, fromId), rawType: m.chat.chat_type },
    from: { id: fromId, name: senderName(m.from), isBot: m.from.is_bot },
    raw,
  };

  const kind = kindOf(raw.event_name, m);
  const eventName = raw.event_name ?? ZALO_EVENTS[kind];
  switch (kind) {
    case "text":
      if (m.text === undefined) return invalid(`${eventName} without a text`, value);
      return { kind, eventName, ...base, text: m.text } satisfies ZaloUpdate;
    case "image": {
      const photoUrl = nonEmpty(m.photo) ?? nonEmpty(m.photo_url) ?? nonEmpty(m.url);
      if (photoUrl === undefined) return invalid(`${eventName} without a photo URL`, value);
      return { kind, eventName, ...base, photoUrl, caption: nonEmpty(m.caption) } satisfies ZaloUpdate;
    }
    case "sticker":
      return {
        kind,
        eventName,
        ...base,
        sticker: nonEmpty(m.sticker) ?? nonEmpty(m.sticker_id),
        stickerUrl: nonEmpty(m.url),
      } satisfies ZaloUpdate;
    case "unsupported":
      return { kind, eventName, ...base } satisfies ZaloUpdate;
  }
}

function unwrapEnvelope(body: unknown): Unwrapped {
  // An envelope has a boolean `ok` and is not itself an update.
  if (isRecord(body) && typeof body.ok === "boolean" && !("message" in body) && !("event_name" in body)) {
    if (body.ok === false) {
      const code = typeof body.error_code === "number" ? ` ${body.error_code}` : "";
      const description = typeof body.description === "string" ? `: ${body.description.slice(0, 200)}` : "";
      return { kind: "invalid", invalid: invalid(`envelope is ok:false${code}${description}`, body) };
    }
    return { kind: "payload", payload: body.result, enveloped: true };
  }
  return { kind: "payload", payload: body, enveloped: false };
}

function kindOf(eventName: string | undefined, m: ZaloRawMessage): ZaloUpdate["kind"] {
  if (eventName !== undefined) {
    switch (eventName) {
      case ZALO_EVENTS.text:
        return "text";
      case ZALO_EVENTS.image:
        return "image";
      case ZALO_EVENTS.sticker:
        return "sticker";
      default:
        return "unsupported";
    }
  }
  if (nonEmpty(m.photo) ?? nonEmpty(m.photo_url)) return "image";
  if (nonEmpty(m.sticker) ?? nonEmpty(m.sticker_id)) return "sticker";
  if (m.text !== undefined) return "text";
  return "unsupported";
}

/** "PRIVATE" → private, any other value → group; absent → private when chat id = sender id. */
function chatType(raw: string | undefined, chatId: string, fromId: string): ZaloChatType {
  const value = raw?.trim().toUpperCase();
  if (value === undefined || value === "") return chatId === fromId ? "private" : "group";
  return value === "PRIVATE" ? "private" : "group";
}

function senderName(from: { display_name?: string; first_name?: string; name?: string }): string | undefined {
  return (
    nonEmpty(from.display_name?.trim()) ?? nonEmpty(from.first_name?.trim()) ?? nonEmpty(from.name?.trim())
  );
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === "" ? undefined : s;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}

function invalid(reason: string, raw: unknown): ZaloInvalidUpdate {
  return { kind: "invalid", reason, raw };
}

/**
 * The de-duplication key of a Zalo update: its chat and its message id. `message_id` alone is not
 * known to be unique across chats, and two chats must never shadow each other's messages.
 */
export function zaloUpdateKey(update: { chat: { id: string }; messageId: string }): string {
  return `${update.chat.id}:${update.messageId}`;
}
