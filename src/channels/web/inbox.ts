/**
 * The web chat has no push channel: messages queued for a web conversation (an official's reply,
 * a rating question) wait in the outbox until the page asks for them, and are marked sent then.
 */
import type { Reply } from "../../intake/types.ts";
import type { Db } from "../../store/db.ts";

export async function pullWebMessages(
  db: Db,
  conversationId: string,
  now: Date = new Date(),
): Promise<Reply[]> {
  return db.$transaction(async (tx) => {
    const rows = await tx.outboxMessage.findMany({
      where: { channel: "web", chatId: conversationId, status: "pending" },
      orderBy: { createdAt: "asc" },
      take: 50,
    });
    if (!rows.length) return [];
    await tx.outboxMessage.updateMany({
      where: { id: { in: rows.map((r) => r.id) }, status: "pending" },
      data: { status: "sent", sentAt: now, attempts: { increment: 1 } },
    });
    return rows.map((r) =>
      r.choices ? { text: r.text, choices: r.choices as unknown as Reply["choices"] } : { text: r.text },
    );
  });
}
