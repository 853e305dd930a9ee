/**
 * The audit trail of officials' actions and views: sign-ins, identity views, administrative
 * changes. Append-only; written in the caller's transaction when one is given, so an action and
 * its audit entry are saved together or not at all.
 */
import type { Prisma } from "../generated/prisma/client.ts";
import type { Client } from "../store/cases.ts";

export interface AuditInput {
  /** The official who acted; null for the system or an unauthenticated request (failed sign-in). */
  actorId: string | null;
  /** What happened, e.g. "login", "login_failed", "identity_viewed", "agency_updated". */
  action: string;
  /** What it happened to: "case", "official", "agency", "session", … */
  targetType: string;
  targetId?: string | null;
  /** Details. Never put a protected identity here: the trail is read by administrators. */
  data?: Record<string, unknown>;
  at?: Date;
}

export async function audit(db: Client, entry: AuditInput): Promise<void> {
  await db.auditEntry.create({
    data: {
      actorId: entry.actorId,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId ?? null,
      data: (entry.data ?? {}) as Prisma.InputJsonValue,
      ...(entry.at ? { createdAt: entry.at } : {}),
    },
  });
}
