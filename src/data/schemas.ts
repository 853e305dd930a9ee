/** The shapes of the editable data in data/, validated when loaded. */
import { z } from "zod";
import { deadlineRulesSchema } from "../case/deadline.ts";
import { CASE_KINDS } from "../case/kind.ts";

const nfc = z.string().refine((s) => s === s.normalize("NFC"), "text must be NFC-normalised");

export const TOPIC_IDS = [
  "land",
  "environment",
  "social_policy",
  "construction_urban",
  "transport_infrastructure",
  "health",
  "education",
  "security_order",
  "admin_procedures",
  "officials_conduct",
  "disasters",
  "ethnic_religion",
  "agriculture",
  "culture_tourism",
  "other",
] as const;
export type TopicId = (typeof TOPIC_IDS)[number];

export const topicsSchema = z.object({
  topics: z
    .array(z.object({ id: z.string().min(1), name: nfc, description: nfc, keywords: z.array(nfc) }))
    .min(1),
});

export const placesSchema = z.object({
  source: z.string(),
  /** Where the `remote` flags come from. */
  remoteSource: z.string().optional(),
  province: z.object({ id: z.string(), name: nfc, type: z.string() }),
  communes: z
    .array(
      z.object({
        id: z.string().regex(/^[a-z0-9-]+$/),
        name: nfc,
        type: z.enum(["phuong", "xa", "dac_khu"]),
        formerUnits: z.array(nfc).default([]),
        formerDistrict: nfc.optional(),
        aliases: z.array(nfc).default([]),
        /** "Vùng sâu, vùng xa đi lại khó khăn" (Luật Khiếu nại 2011, Điều 28, 37): longer periods. */
        remote: z.boolean().default(false),
      }),
    )
    .min(1),
});

export const agenciesSchema = z.object({
  source: z.string(),
  agencies: z
    .array(
      z.object({
        id: z.string().regex(/^[a-z0-9-]+$/),
        name: nfc,
        shortName: nfc,
        level: z.enum(["province", "commune"]),
        kind: z.string(),
        communeId: z.string().optional(),
        handles: z.array(z.string()).optional(),
      }),
    )
    .min(1),
});

export const routingRulesSchema = z.object({
  rules: z
    .array(
      z.object({
        id: z.number().int().positive(),
        name: nfc,
        kinds: z.array(z.enum(CASE_KINDS)).optional(),
        topics: z.array(z.string()).optional(),
        scope: z.enum(["commune", "province", "any"]),
        /** Matches only when the case's text contains one of these (diacritics and case ignored). */
        keywords: z.array(nfc).optional(),
        /** Matches only in these communes. */
        places: z.array(z.string()).optional(),
        agency: z.string(),
      }),
    )
    .min(1),
});

const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
export const holidaysSchema = z.object({
  timeZone: z.literal("Asia/Ho_Chi_Minh"),
  coversThrough: localDate,
  holidays: z.array(z.object({ date: localDate, name: nfc, provisional: z.boolean().optional() })),
  workingWeekends: z.array(z.object({ date: localDate, name: nfc, provisional: z.boolean().optional() })),
});

export { deadlineRulesSchema };

/** Answers to common questions (data/faq.json): the question path of the dialogue. */
export const faqSchema = z.object({
  entries: z
    .array(
      z.object({
        id: z.string().regex(/^[a-z0-9-]+$/),
        question: nfc,
        /** Phrases that identify the question; each is matched without diacritics. */
        keywords: z.array(nfc).min(1),
        answer: nfc,
        topicId: z.string(),
        source: nfc,
      }),
    )
    .min(1),
});
