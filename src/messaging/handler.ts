/**
 * What happens to a stored messenger update: decode it for its channel, run one turn of the
 * dialogue, and queue the replies in the outbox in the same transaction, keyed by the update, so
 * re-processing after a crash neither repeats the turn nor sends a reply twice.
 */
import { FloodGuard } from "../guard/flood.ts";
import { guardStrings } from "../i18n/guard.ts";
import { vi } from "../i18n/vi.ts";
import type { ClaimedUpdate } from "../inbound/processor.ts";
import { updateDedupeKey } from "../inbound/processor.ts";
import type { IntakeService } from "../intake/service.ts";
import type { ChannelName, IncomingMessage } from "../intake/types.ts";
import { enqueue, enqueueStatement } from "../outbox/index.ts";
import type { Db } from "../store/db.ts";

export type Decoded =
  | { kind: "message"; message: IncomingMessage }
  | { kind: "unsupported"; chatId?: string; reason: string }
  | { kind: "ignore" };

export type Decoder = (payload: unknown) => Decoded;

/** The polite answer for each kind of update the bot cannot use; absent = no answer. */
function answerFor(reason: string): string | undefined {
  switch (reason) {
    case "group":
      return vi.groupChat;
    case "sticker":
    case "unsupported":
    case "voice":
    case "video":
    case "document":
    case "location":
    case "contact":
      return vi.unsupported;
    case "edited":
      return vi.editedIgnored;
    case "too_long":
      return undefined;
    default:
      return undefined;
  }
}

export function createUpdateHandler(deps: {
  db: Db;
  intake: IntakeService;
  decoders: Partial<Record<ChannelName, Decoder>>;
  onQueued?: () => void;
  /** Per-chat flood limit (default limits when absent). */
  flood?: FloodGuard;
}) {
  const flood = deps.flood ?? new FloodGuard();
  return async (update: ClaimedUpdate): Promise<"settled" | undefined> => {
    const decode = deps.decoders[update.channel];
    if (!decode) throw new Error(`no decoder for channel ${update.channel}`);
    const decoded = decode(update.payload);
    if (decoded.kind === "ignore") return;
    if (decoded.kind === "unsupported") {
      const text = answerFor(decoded.reason);
      if (text && decoded.chatId) {
        await enqueue(deps.db, {
          dedupeKey: updateDedupeKey(update, 0),
          channel: update.channel,
          chatId: decoded.chatId,
          text,
        });
        deps.onQueued?.();
      }
      return;
    }
    // A chat writing faster than anyone types: one polite notice, then its messages are kept but
    // not answered until it slows down (no backlog of thousands of replies).
    const verdict = flood.chat(`${update.channel}:${decoded.message.chatId}`, update.receivedAt.getTime());
    if (verdict.kind !== "ok") {
      if (verdict.kind === "notify") {
        await enqueue(deps.db, {
          dedupeKey: updateDedupeKey(update, "flood"),
          channel: update.channel,
          chatId: decoded.message.chatId,
          text: guardStrings.floodChat(verdict.waitSeconds),
        });
        deps.onQueued?.();
      }
      return;
    }
    const msg: IncomingMessage = { ...decoded.message, externalId: update.externalId };
    const completion = update.completion;
    await deps.intake.handle(msg, {
      // The replies are queued and the update marked processed by the turn's own save statement
      // (one commit, no window).
      record: (replies, conversation, saved) => [
        ...(replies.length
          ? [
              enqueueStatement(
                replies.map((r, i) => ({
                  dedupeKey: updateDedupeKey(update, i),
                  channel: conversation.channel,
                  chatId: conversation.chatId,
                  text: r.text,
                  ...(r.choices ? { choices: r.choices } : {}),
                })),
                saved,
              ),
            ]
          : []),
        ...(completion ? [completion(saved)] : []),
      ],
    });
    deps.onQueued?.();
    return completion ? "settled" : undefined;
  };
}
