/**
 * The identity gate: who may see a sender's identity and contact, and the only way the queue reads
 * them (CaseSender, and the channel's Citizen record). Every view is written to the audit trail.
 *   - anonymous (a PAKN sent anonymously): no official, whatever their rights — the channel knows
 *     the sender, the queue does not tell;
 *   - protected by law (tố cáo, Luật Tố cáo 2018): only officials with canSeeIdentity (the person
 *     competent to settle it), never the technical administrator;
 *   - otherwise (a named PAKN, a khiếu nại): officials who can see the case, except the administrator.
 * Messages shown to a viewer without the right are redacted: answers at an identity step entirely,
 * and the sender's known names, phone and contact wherever else they appear.
 */
import type { Client } from "../store/cases.ts";
import { audit } from "./audit.ts";
import type { SessionOfficial } from "./context.ts";

export interface IdentityCase {
  id: string;
  anonymous: boolean;
  identityProtected: boolean;
}

export type IdentityRule = "anonymous" | "protected" | "named";

export function identityRule(c: IdentityCase): IdentityRule {
  if (c.anonymous) return "anonymous";
  return c.identityProtected ? "protected" : "named";
}

export function maySeeIdentity(
  o: Pick<SessionOfficial, "role" | "canSeeIdentity">,
  c: IdentityCase,
): boolean {
  if (o.role === "admin") return false;
  switch (identityRule(c)) {
    case "anonymous":
      return false;
    case "protected":
      return o.canSeeIdentity;
    case "named":
      return true;
  }
}

export interface SenderIdentity {
  name: string | null;
  contact: string | null;
  /** What the messenger calls the sender (Telegram/Zalo display name). */
  channelName: string | null;
  phone: string | null;
}

/** The strings that identify the sender of a case (for redaction). Internal: never rendered. */
export async function identityStrings(db: Client, caseId: string): Promise<string[]> {
  const c = await db.case.findUnique({
    where: { id: caseId },
    select: { sender: true, citizen: { select: { displayName: true, phone: true } } },
  });
  if (!c) return [];
  const values = [
    c.sender?.name,
    c.sender?.contact,
    c.sender?.address,
    c.citizen.displayName,
    c.citizen.phone,
  ];
  const out = new Set<string>();
  for (const v of values) {
    if (!v?.trim()) continue;
    out.add(v.trim());
    // A sender's answer "Lê Văn Tám, thôn 2, xã Hòa Vang, 0905 123 456": each part on its own too.
    for (const part of v.split(/[,;\n]/)) if (part.trim().length >= 4) out.add(part.trim());
    for (const phone of v.match(/(?:\+?84|0)(?:[\s.-]?\d){8,10}/g) ?? []) out.add(phone.trim());
  }
  return [...out].sort((a, b) => b.length - a.length);
}

export const REDACTED = "[đã ẩn]";
export const REDACTED_MESSAGE = "[Thông tin nhận dạng người gửi — đã ẩn theo quy định bảo vệ người gửi]";

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Removes the sender's identity from a text (names, phone numbers in any spacing, the summary line). */
export function redactText(text: string, secrets: readonly string[]): string {
  // The summary the bot sent lists the sender's name, address and contact on lines of their own.
  let out = text.replace(/^(• (?:Người gửi|Địa chỉ|Liên hệ): ).*$/gmu, `$1${REDACTED}`);
  for (const s of secrets) {
    const digits = s.replace(/\D/g, "");
    if (digits.length >= 8 && digits.length === s.replace(/[\s.+-]/g, "").length) {
      // A phone number, however it is spaced.
      out = out.replace(new RegExp(digits.split("").map(escapeRegExp).join("[\\s.-]?"), "g"), REDACTED);
    } else if (s.length >= 2) {
      out = out.replace(new RegExp(escapeRegExp(s), "giu"), REDACTED);
    }
  }
  return out;
}

/** Messages as a viewer may read them. */
export function redactMessages<T extends { text: string; identity: boolean; direction: string }>(
  messages: readonly T[],
  secrets: readonly string[],
  allowed: boolean,
): Array<T & { redacted: boolean }> {
  if (allowed) return messages.map((m) => ({ ...m, redacted: false }));
  return messages.map((m) =>
    m.identity && m.direction === "in"
      ? { ...m, text: REDACTED_MESSAGE, redacted: true }
      : { ...m, text: redactText(m.text, secrets), redacted: false },
  );
}

/** Reads the sender's identity for an official who may see it, and writes the view to the audit trail. */
export async function viewIdentity(
  db: Client,
  official: SessionOfficial,
  c: IdentityCase,
): Promise<SenderIdentity | null> {
  if (!maySeeIdentity(official, c)) {
    await audit(db, {
      actorId: official.id,
      action: "identity_refused",
      targetType: "case",
      targetId: c.id,
      data: { rule: identityRule(c) },
    });
    return null;
  }
  const row = await db.case.findUniqueOrThrow({
    where: { id: c.id },
    select: { sender: true, citizen: { select: { displayName: true, phone: true } } },
  });
  await audit(db, {
    actorId: official.id,
    action: "identity_viewed",
    targetType: "case",
    targetId: c.id,
    data: { rule: identityRule(c) },
  });
  return {
    name: row.sender?.name ?? null,
    contact: row.sender?.contact ?? null,
    channelName: row.citizen.displayName,
    phone: row.citizen.phone,
  };
}
