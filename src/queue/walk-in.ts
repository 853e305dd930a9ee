/**
 * Petitions received on paper or in person — at the office (walk_in), by post, or at a citizen
 * reception session — recorded by an officer. They go through the same CaseStore.fileCase as the
 * bot's cases (same kinds, codes, routing, deadlines), and a Reception row keeps the visit for
 * the sổ tiếp công dân (Thông tư 05/2021/TT-TTCP).
 */
import { z } from "zod";
import { anonymityAllowed, CASE_KINDS } from "../case/kind.ts";
import type { ReferenceData } from "../data/index.ts";
import { type CaseStore, type Client, withTx } from "../store/cases.ts";

export const PAPER_CHANNELS = ["walk_in", "post", "reception"] as const;
export type PaperChannel = (typeof PAPER_CHANNELS)[number];

const text = (max: number) =>
  z
    .string()
    .transform((s) => s.normalize("NFC").trim())
    .pipe(z.string().max(max));
const optionalText = (max: number) =>
  z
    .string()
    .optional()
    .transform((s) => (s ? s.normalize("NFC").trim() : ""))
    .pipe(z.string().max(max))
    .transform((s) => s || undefined);

/** The walk-in form, validated (messages in Vietnamese: they are shown next to the field). */
export const walkInSchema = z
  .object({
    channel: z.enum(PAPER_CHANNELS, { message: "Chọn hình thức tiếp nhận" }),
    kind: z.enum(CASE_KINDS, { message: "Chọn loại đơn" }),
    topicId: z.string().min(1, "Chọn lĩnh vực"),
    placeId: optionalText(60),
    description: text(20_000).pipe(z.string().min(10, "Nội dung cần ít nhất 10 ký tự")),
    subject: optionalText(500),
    senderName: optionalText(200),
    senderAddress: optionalText(300),
    senderIdNumber: optionalText(20).refine(
      (s) => !s || /^[0-9A-Z]{6,20}$/i.test(s),
      "Số định danh không hợp lệ",
    ),
    senderPhone: optionalText(20).refine(
      (s) => !s || /^\+?[0-9 .-]{8,20}$/.test(s),
      "Số điện thoại không hợp lệ",
    ),
    anonymous: z.boolean().default(false),
    peopleCount: z.coerce.number().int("Số người phải là số nguyên").min(1).max(1000).default(1),
    presidedBy: optionalText(200),
    note: optionalText(1000),
    receivedAt: z.date().optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.kind === "khieu_nai" || v.kind === "to_cao") && !v.senderName)
      ctx.addIssue({
        code: "custom",
        path: ["senderName"],
        message:
          "Đơn khiếu nại, tố cáo phải ghi rõ họ tên người gửi (Luật Khiếu nại 2011 Điều 8, Luật Tố cáo 2018 Điều 23)",
      });
    if ((v.kind === "khieu_nai" || v.kind === "to_cao") && !v.senderAddress)
      ctx.addIssue({
        code: "custom",
        path: ["senderAddress"],
        message: "Đơn khiếu nại, tố cáo phải ghi rõ địa chỉ người gửi",
      });
    if (v.kind !== "pakn" && !v.subject)
      ctx.addIssue({
        code: "custom",
        path: ["subject"],
        message:
          v.kind === "khieu_nai"
            ? "Ghi quyết định, hành vi bị khiếu nại"
            : "Ghi người hoặc cơ quan bị tố cáo",
      });
  });
export type WalkInInput = z.input<typeof walkInSchema>;
export type WalkIn = z.output<typeof walkInSchema>;

export class WalkInError extends Error {
  override name = "WalkInError";
  constructor(readonly issues: { path: string; message: string }[]) {
    super(issues.map((i) => i.message).join("; "));
  }
}

export interface RecordedPetition {
  caseId: string;
  code: string;
  agencyName: string;
  acceptanceDueAt: Date;
  dueAt: Date;
  receivedAt: Date;
}

/** Validates the form against the schema and the reference data (known topic and commune). */
export function parseWalkIn(input: unknown, data: ReferenceData, now: Date): WalkIn {
  const r = walkInSchema.safeParse(input);
  const issues = r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  if (r.success) {
    if (!data.topicById.has(r.data.topicId))
      issues.push({ path: "topicId", message: "Lĩnh vực không có trong danh mục" });
    if (r.data.placeId && !data.communeById.has(r.data.placeId))
      issues.push({ path: "placeId", message: "Xã/phường không có trong danh mục" });
    if (r.data.receivedAt && r.data.receivedAt.getTime() > now.getTime() + 60_000)
      issues.push({ path: "receivedAt", message: "Ngày nhận không được ở tương lai" });
  }
  if (!r.success || issues.length) throw new WalkInError(issues);
  return r.data;
}

export function contactLine(
  v: Pick<WalkIn, "senderAddress" | "senderIdNumber" | "senderPhone">,
): string | undefined {
  const parts = [
    v.senderAddress ? `Địa chỉ: ${v.senderAddress}` : "",
    v.senderIdNumber ? `Số định danh: ${v.senderIdNumber}` : "",
    v.senderPhone ? `Điện thoại: ${v.senderPhone}` : "",
  ].filter(Boolean);
  return parts.length ? parts.join("; ") : undefined;
}

/**
 * Records the petition in one transaction: a citizen for the person (linked across visits by
 * phone number when given), the case through CaseStore.fileCase, the visit, and an event saying
 * which officer recorded it.
 */
export async function recordPetition(
  db: Client,
  cases: CaseStore,
  v: WalkIn,
  official: { id: string; agencyId: string },
  now: Date,
): Promise<RecordedPetition> {
  const receivedAt = v.receivedAt ?? now;
  const phone = v.senderPhone?.replace(/[^0-9+]/g, "");
  return withTx(db, async (tx) => {
    const externalId = phone ? `tel:${phone}` : `paper:${crypto.randomUUID()}`;
    const citizen = await tx.citizen.upsert({
      where: { channel_externalId: { channel: v.channel, externalId } },
      create: { channel: v.channel, externalId, displayName: null, phone: phone ?? null },
      update: {},
    });
    const contact = contactLine(v);
    const filed = await cases.fileCase(
      {
        citizenId: citizen.id,
        channel: v.channel,
        receivedAt,
        draft: {
          kind: v.kind,
          topicId: v.topicId,
          placeId: v.placeId ?? null,
          description: [v.description],
          photos: [],
          ...(v.subject ? { subject: v.subject } : {}),
          ...(v.senderName ? { senderName: v.senderName } : {}),
          ...(contact ? { senderContact: contact } : {}),
          anonymous: anonymityAllowed(v.kind) && v.anonymous,
        },
      },
      tx,
    );
    await tx.reception.create({
      data: {
        caseId: filed.caseId,
        agencyId: official.agencyId,
        officialId: official.id,
        channel: v.channel,
        receivedAt,
        peopleCount: v.peopleCount,
        presidedBy: v.presidedBy ?? null,
        note: v.note ?? null,
      },
    });
    await tx.caseEvent.create({
      data: {
        caseId: filed.caseId,
        type: "recorded",
        actorType: "official",
        actorId: official.id,
        data: { channel: v.channel, agencyId: official.agencyId, peopleCount: v.peopleCount },
        createdAt: now,
      },
    });
    return {
      caseId: filed.caseId,
      code: filed.code,
      agencyName: filed.agencyName,
      acceptanceDueAt: filed.acceptanceDueAt,
      dueAt: filed.dueAt,
      receivedAt,
    };
  });
}
