/**
 * Choices as an inline keyboard, and the way back from a button's `callback_data` to a choice id.
 *
 * `callback_data` must be 1–64 bytes (UTF-8). A choice id that fits, and does not start with the
 * reserved "~", travels as is, so a click gives back exactly the id the dialogue offered. Any other
 * id (too long, empty, or starting with "~") is sent as `~<position>~<hash>`: the 1-based position
 * of the button and a 32-bit FNV-1a hash of the id in base 36. On the way back:
 *  - with the choices the conversation offered at hand, the hash finds the id again (or tells that
 *    the button belongs to an older keyboard);
 *  - without them, the position is given as the text: the dialogue reads "3" as its third offered
 *    choice (the same thing a citizen typing a number gets).
 * Pure TypeScript (TextEncoder only): runs on Node and Workers.
 */
import type { InlineKeyboardButton, InlineKeyboardMarkup } from "grammy/types";
import type { Choice } from "../../intake/types.ts";

/** Telegram's limit on `callback_data`, in bytes. */
export const CALLBACK_DATA_MAX_BYTES = 64;
/** Labels up to this many characters go two to a row when all labels of a keyboard are this short. */
export const SHORT_LABEL_MAX = 16;
/** Telegram accepts at most 100 buttons in one keyboard. */
export const MAX_BUTTONS = 100;

const encoder = new TextEncoder();
const RESERVED_PREFIX = "~";
const HASHED = /^~(\d{1,3})~([0-9a-z]{1,7})$/;

/** The `callback_data` of the choice at `index` (0-based) of a keyboard. */
export function callbackDataFor(choiceId: string, index: number): string {
  const bytes = encoder.encode(choiceId).length;
  if (bytes >= 1 && bytes <= CALLBACK_DATA_MAX_BYTES && !choiceId.startsWith(RESERVED_PREFIX))
    return choiceId;
  return `${RESERVED_PREFIX}${index + 1}${RESERVED_PREFIX}${hashId(choiceId)}`;
}

export type DecodedCallback =
  | { kind: "id"; text: string }
  /** The id is unknown here: `text` is the button's 1-based position. */
  | { kind: "position"; text: string }
  /** A hashed button that matches none of the offered choices (an older keyboard). */
  | { kind: "stale" };

/**
 * What a click means. `offered` = the choices the conversation last offered, when the caller knows
 * them; only needed for ids that did not fit in `callback_data`.
 */
export function decodeCallbackData(data: string, offered?: readonly Choice[]): DecodedCallback {
  const hashed = HASHED.exec(data);
  if (!hashed) return { kind: "id", text: data };
  const position = Number(hashed[1]);
  const hash = hashed[2];
  if (offered === undefined) return { kind: "position", text: String(position) };
  const atPosition = offered[position - 1];
  if (atPosition && hashId(atPosition.id) === hash) return { kind: "id", text: atPosition.id };
  const anywhere = offered.find((c) => hashId(c.id) === hash);
  return anywhere ? { kind: "id", text: anywhere.id } : { kind: "stale" };
}

/**
 * One button per row; two per row when every label is short (≤ SHORT_LABEL_MAX characters).
 * An empty label shows the id. Returns undefined when there is nothing to show.
 */
export function inlineKeyboard(choices: readonly Choice[] | undefined): InlineKeyboardMarkup | undefined {
  if (!choices?.length) return undefined;
  // The dialogue offers at most a dozen; more than Telegram's limit would fail the whole message.
  const buttons: InlineKeyboardButton.CallbackButton[] = choices.slice(0, MAX_BUTTONS).map((choice, i) => ({
    text: choice.label.trim() || choice.id,
    callback_data: callbackDataFor(choice.id, i),
  }));
  const perRow = buttons.length > 1 && buttons.every((b) => b.text.length <= SHORT_LABEL_MAX) ? 2 : 1;
  const rows: InlineKeyboardButton[][] = [];
  for (let i = 0; i < buttons.length; i += perRow) rows.push(buttons.slice(i, i + perRow));
  return { inline_keyboard: rows };
}

/** 32-bit FNV-1a of the UTF-8 bytes, base 36 (at most 7 characters). Not a security measure. */
function hashId(id: string): string {
  let h = 0x811c9dc5;
  for (const byte of encoder.encode(id)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}
