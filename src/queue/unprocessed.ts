/**
 * Updates the system could not process — failed after every attempt (processor.ts) or quarantined
 * at intake (store.ts) — as administrators may read them: the channel, when it came, why it
 * failed, and a short excerpt of what the citizen sent with the sender's identity taken out.
 * Administrators never see a sender's identity (identity.ts), so the excerpt leaves out:
 *  - every name, user name, phone and e-mail the update itself carries (Telegram `from`, a shared
 *    contact, Zalo `display_name`…) and those the chat's citizen and cases are known by, wherever
 *    they appear in the text or the error;
 *  - any phone number or e-mail address at all;
 *  - the whole text when the chat's dialogue stands at an identity step (the message was most
 *    likely the sender's name or contact: the dialogue does not move on when handling fails);
 *  - contacts and locations (their kind only).
 * The page renders it as text (escaped by JSX), never as HTML.
 */
import type { Prisma } from "../generated/prisma/client.ts";
import { isIdentityStep } from "../intake/dialogue.ts";
import type { Client } from "../store/cases.ts";
import { REDACTED, REDACTED_MESSAGE } from "./identity.ts";

export const UNPROCESSED_STATUSES = ["failed", "quarantined"] as const;
export type UnprocessedStatus = (typeof UNPROCESSED_STATUSES)[number];
export const REVIEW_PAGE_SIZE = 50;
const EXCERPT_MAX = 300;
const REASON_MAX = 300;

export interface UnprocessedView {
  id: bigint;
  channel: string;
  status: UnprocessedStatus;
  receivedAt: Date;
  attempts: number;
  /** Why it failed (the last error), identity taken out. */
  reason: string;
  /** What the citizen sent, identity taken out; a label such as "(ảnh)" when there is no text. */
  excerpt: string;
  /** Only a failed update can be retried: a quarantined one holds no usable payload. */
  retryable: boolean;
}

/** Keys whose string values identify a person (Telegram, Zalo, contacts). */
const IDENTITY_KEYS = new Set([
  "first_name",
  "last_name",
  "username",
  "display_name",
  "name",
  "phone_number",
  "phone",
  "vcard",
  "email",
]);
const TEXT_KEYS = ["text", "caption"] as const;
/** Content without text, by the key that carries it: what the excerpt says instead. */
const CONTENT_LABELS: Record<string, string> = {
  contact: "(danh thiếp liên hệ — đã ẩn)",
  location: "(vị trí — đã ẩn)",
  venue: "(địa điểm — đã ẩn)",
  photo: "(ảnh)",
  sticker: "(nhãn dán)",
  voice: "(tin nhắn thoại)",
  audio: "(tệp âm thanh)",
  video: "(video)",
  video_note: "(video)",
  document: "(tệp đính kèm)",
  animation: "(ảnh động)",
  poll: "(bình chọn)",
  callback_query: "(bấm nút)",
};
const PHONE = /(?:\+?84|0)(?:[\s.-]?\d){8,10}/g;
const EMAIL = /[^\s@<>"']+@[^\s@<>"']+\.[^\s@<>"']+/g;

interface Scan {
  secrets: Set<string>;
  text?: string;
  label?: string;
}

/** Walks a JSON value without recursion (bounded: junk may be deep or huge). */
function scanJson(value: unknown, scan: Scan): void {
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }];
  let visited = 0;
  while (stack.length && visited++ < 20_000) {
    const { v, depth } = stack.pop()!;
    if (v === null || typeof v !== "object" || depth > 40) continue;
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
    for (const [k, x] of entries) {
      if (typeof x === "string") {
        if (IDENTITY_KEYS.has(k) && x.trim()) scan.secrets.add(x.trim());
        if (scan.text === undefined && (TEXT_KEYS as readonly string[]).includes(k) && x.trim())
          scan.text = x;
      }
      if (scan.label === undefined && k in CONTENT_LABELS && x !== null && typeof x === "object")
        scan.label = CONTENT_LABELS[k];
      if (x !== null && typeof x === "object") stack.push({ v: x, depth: depth + 1 });
    }
  }
}

/** A cut JSON text (a quarantined update's excerpt that no longer parses): the same, by pattern. */
function scanRawJson(raw: string, scan: Scan): void {
  const unquote = (s: string) => {
    try {
      return JSON.parse(`"${s}"`) as string;
    } catch {
      return s;
    }
  };
  for (const m of raw.matchAll(/"([a-z_]+)"\s*:\s*"((?:[^"\\]|\\.)*)"?/g)) {
    const [, key, value] = m;
    const v = unquote(value!);
    if (IDENTITY_KEYS.has(key!) && v.trim()) scan.secrets.add(v.trim());
    if (scan.text === undefined && (TEXT_KEYS as readonly string[]).includes(key!) && v.trim()) scan.text = v;
  }
  for (const m of raw.matchAll(/"([a-z_]+)"\s*:\s*[{[]/g))
    if (scan.label === undefined && m[1]! in CONTENT_LABELS) scan.label = CONTENT_LABELS[m[1]!];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Takes the identities, then any phone number and e-mail address, out of a text. A name is taken
 * out as a whole word (case and Unicode form aside), so "An" hides "An" but not the "an" of "an
 * ninh"; a number however it is spaced.
 */
export function scrub(text: string, secrets: Iterable<string>, max: number): string {
  const list = [...new Set([...secrets].map((s) => s.normalize("NFC").trim()))]
    .filter((s) => s.length >= 2)
    .sort((a, b) => b.length - a.length);
  // Addresses and numbers first: a name inside one ("an@…") would otherwise break it up.
  let out = text.normalize("NFC").replace(EMAIL, REDACTED).replace(PHONE, REDACTED);
  for (const secret of list) {
    const digits = secret.replace(/\D/g, "");
    const pattern =
      digits.length >= 8 && digits.length === secret.replace(/[\s.+()-]/g, "").length
        ? digits.split("").join("[\\s.-]?")
        : `(?<![\\p{L}\\p{N}])${escapeRegExp(secret)}(?![\\p{L}\\p{N}])`;
    out = out.replace(new RegExp(pattern, "giu"), REDACTED);
  }
  const flat = out.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * The excerpt and reason of one update (pure). `known` are the identities the chat's citizen and
 * cases are known by; `identityStep` hides the text whole.
 */
export function reviewOf(
  row: {
    id: bigint;
    channel: string;
    status: UnprocessedStatus;
    receivedAt: Date;
    attempts: number;
    lastError: string | null;
    payload: Prisma.JsonValue;
  },
  known: readonly string[] = [],
  identityStep = false,
): UnprocessedView {
  const scan: Scan = { secrets: new Set(known) };
  const p = row.payload as Record<string, unknown> | null;
  const quarantined = p !== null && typeof p === "object" && p.quarantined === true;
  if (quarantined && typeof p.excerpt === "string") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(p.excerpt);
    } catch {
      parsed = undefined;
    }
    if (parsed !== undefined) scanJson(parsed, scan);
    else scanRawJson(p.excerpt, scan);
  } else scanJson(row.payload, scan);
  // A button press: the button's own value (never identity), not the bot's message it hangs on.
  const callback = (quarantined ? undefined : p?.callback_query) as Record<string, unknown> | undefined;
  if (callback && typeof callback === "object" && typeof callback.data === "string")
    scan.text = `(bấm nút) ${callback.data}`;
  let excerpt: string;
  if (identityStep && scan.text !== undefined) excerpt = REDACTED_MESSAGE;
  else if (scan.text !== undefined) excerpt = scrub(scan.text, scan.secrets, EXCERPT_MAX);
  else excerpt = scan.label ?? "(không có nội dung chữ)";
  const reasonText = row.lastError ?? (quarantined && typeof p.reason === "string" ? p.reason : "");
  return {
    id: row.id,
    channel: row.channel,
    status: row.status,
    receivedAt: row.receivedAt,
    attempts: row.attempts,
    reason: scrub(reasonText, scan.secrets, REASON_MAX),
    excerpt,
    retryable: row.status === "failed",
  };
}

/** How many updates wait for review (the queue tells administrators). */
export function countUnprocessed(db: Client): Promise<number> {
  return db.inboundUpdate.count({ where: { status: { in: [...UNPROCESSED_STATUSES] } } });
}

/**
 * One page of updates to review, newest first (`before`: the last id of the previous page), each
 * with its excerpt made safe using what is known of its chat.
 */
export async function listUnprocessed(
  db: Client,
  options: { before?: bigint; limit?: number } = {},
): Promise<{ rows: UnprocessedView[]; more: boolean }> {
  const limit = options.limit ?? REVIEW_PAGE_SIZE;
  const rows = await db.inboundUpdate.findMany({
    where: {
      status: { in: [...UNPROCESSED_STATUSES] },
      ...(options.before !== undefined ? { id: { lt: options.before } } : {}),
    },
    orderBy: { id: "desc" },
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const chats = [
    ...new Map(
      page.filter((r) => r.chatId !== null).map((r) => [`${r.channel}\u0001${r.chatId}`, r]),
    ).values(),
  ];
  const conversations = chats.length
    ? await db.conversation.findMany({
        where: { OR: chats.map((r) => ({ channel: r.channel, chatId: r.chatId! })) },
        select: {
          channel: true,
          chatId: true,
          step: true,
          citizen: {
            select: {
              displayName: true,
              phone: true,
              cases: {
                select: { sender: { select: { name: true, contact: true, address: true } } },
                orderBy: { receivedAt: "desc" },
                take: 20,
              },
            },
          },
        },
      })
    : [];
  const byChat = new Map(conversations.map((c) => [`${c.channel}\u0001${c.chatId}`, c]));
  return {
    more: rows.length > limit,
    rows: page.map((r) => {
      const conv = r.chatId === null ? undefined : byChat.get(`${r.channel}\u0001${r.chatId}`);
      const known: string[] = [];
      if (conv) {
        const { citizen } = conv;
        for (const v of [
          citizen.displayName,
          citizen.phone,
          ...citizen.cases.flatMap((c) => [c.sender?.name, c.sender?.contact, c.sender?.address]),
        ]) {
          if (!v?.trim()) continue;
          known.push(v.trim());
          for (const part of v.split(/[,;\n]/)) if (part.trim().length >= 4) known.push(part.trim());
        }
      }
      return reviewOf(
        { ...r, status: r.status as UnprocessedStatus },
        known,
        conv ? isIdentityStep(conv.step) : false,
      );
    }),
  };
}
