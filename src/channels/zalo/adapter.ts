/**
 * Zalo ↔ intake: an update becomes an IncomingMessage (or a reason it is not one); a Reply
 * becomes Zalo messages — choices as numbered lines (Zalo has no buttons), split at 2,000 chars.
 */
import type { Choice, IncomingMessage } from "../../intake/types.ts";
import { type ChannelSender, DeliveryError, type OutgoingMessage, type SentMessage } from "../sender.ts";
import { ZaloApiError, type ZaloBotClient } from "./client.ts";
import { splitText, ZALO_MAX_TEXT_LENGTH } from "./split.ts";
import type { ParsedZaloUpdate } from "./types.ts";

export type ZaloInbound =
  | { kind: "message"; message: IncomingMessage }
  | { kind: "unsupported"; chatId?: string; reason: "sticker" | "unsupported" | "group" | "invalid" };

export function zaloToIncoming(update: ParsedZaloUpdate): ZaloInbound {
  if (update.kind === "invalid") return { kind: "unsupported", reason: "invalid" };
  const chatId = update.chat.id;
  if (update.chat.type === "group") return { kind: "unsupported", chatId, reason: "group" };
  const base = {
    channel: "zalo" as const,
    chatId,
    userId: update.from.id,
    externalId: update.messageId,
    receivedAt: update.date,
    ...(update.from.name ? { displayName: update.from.name } : {}),
  };
  switch (update.kind) {
    case "text":
      return { kind: "message", message: { ...base, text: update.text } };
    case "image":
      return {
        kind: "message",
        message: {
          ...base,
          text: update.caption ?? "",
          photo: { ref: update.photoUrl, url: update.photoUrl },
        },
      };
    case "sticker":
      return { kind: "unsupported", chatId, reason: "sticker" };
    default:
      return { kind: "unsupported", chatId, reason: "unsupported" };
  }
}

/** "1. Label" lines under the text, so the citizen answers with the number or the words. */
export function renderChoices(text: string, choices: readonly Choice[] | undefined): string {
  if (!choices?.length) return text;
  const lines = choices.map((c, i) => `${i + 1}. ${c.label}`);
  return `${text}\n\n${lines.join("\n")}\n(Trả lời bằng số thứ tự)`;
}

export class ZaloSender implements ChannelSender {
  readonly channel = "zalo" as const;
  constructor(private readonly client: ZaloBotClient) {}

  async send(message: OutgoingMessage): Promise<SentMessage> {
    const chunks = splitText(renderChoices(message.text, message.choices), ZALO_MAX_TEXT_LENGTH);
    let last: string | undefined;
    try {
      // An image (by URL) carries the first chunk as its caption; the rest follow as messages.
      if (message.photoUrl) {
        const caption = chunks.shift();
        last = (
          await this.client.sendPhoto({
            chat_id: message.chatId,
            photo: message.photoUrl,
            ...(caption ? { caption } : {}),
          })
        ).message_id;
      }
      for (const chunk of chunks)
        last = (await this.client.sendMessage({ chat_id: message.chatId, text: chunk })).message_id;
    } catch (e) {
      if (e instanceof ZaloApiError)
        throw new DeliveryError(e.message, e.retryable, e.retryAfterSeconds, { cause: e });
      throw new DeliveryError(String(e), true, undefined, { cause: e });
    }
    return last ? { externalMessageId: String(last) } : {};
  }
}
