/** Stored update payloads → what the intake understands, per channel. */
import { toIncoming } from "../channels/telegram/update.ts";
import { zaloToIncoming } from "../channels/zalo/adapter.ts";
import { normaliseUpdate } from "../channels/zalo/update.ts";
import type { Decoded } from "./handler.ts";

export function decodeTelegram(payload: unknown, botUsername?: string): Decoded {
  const r = toIncoming(payload as never, botUsername ? { botUsername } : {});
  if (r.kind === "message") {
    // In a group the bot speaks only when addressed with a command, and then only to say "write privately".
    if (r.message.isGroup)
      return (r.message.text ?? "").startsWith("/")
        ? { kind: "unsupported", chatId: r.message.chatId, reason: "group" }
        : { kind: "ignore" };
    return { kind: "message", message: r.message };
  }
  if (r.isGroup || r.chatId === undefined) return { kind: "ignore" };
  switch (r.reason) {
    case "edited":
      return { kind: "unsupported", chatId: r.chatId, reason: "edited" };
    case "sticker":
    case "voice":
    case "audio":
    case "video":
    case "video_note":
    case "animation":
    case "document":
    case "location":
    case "contact":
    case "poll":
    case "other_content":
      return { kind: "unsupported", chatId: r.chatId, reason: "unsupported" };
    default:
      return { kind: "ignore" };
  }
}

export function decodeZalo(payload: unknown): Decoded {
  const update = normaliseUpdate(payload);
  const r = zaloToIncoming(update);
  if (r.kind === "message") return r;
  if (!r.chatId || r.reason === "invalid") return { kind: "ignore" };
  // As on Telegram: in a group the bot speaks only when addressed with a command, and then only to
  // say "write privately" (answering every group message would flood the group).
  if (r.reason === "group") {
    const command = update.kind === "text" && update.text.trimStart().startsWith("/");
    return command ? { kind: "unsupported", chatId: r.chatId, reason: "group" } : { kind: "ignore" };
  }
  return { kind: "unsupported", chatId: r.chatId, reason: r.reason };
}
