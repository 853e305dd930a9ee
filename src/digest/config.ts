/**
 * The digest's settings from the environment (merged into src/config.ts). Every one is optional:
 * without DIGEST_TOKEN the page is off; without DIGEST_CHATS nothing is pushed; without
 * DIGEST_LLM_PROVIDER the summary is written from a template.
 */
import { z } from "zod";

const optional = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] as const;

export interface PushSchedule {
  /** 0 = Sunday … 6 = Saturday (Việt Nam time). */
  weekday: number;
  /** Minutes after local midnight. */
  minute: number;
}

export interface DigestChat {
  channel: "telegram" | "zalo";
  chatId: string;
}

export const digestConfigShape = {
  /** Token that opens /digest (header `Authorization: Bearer …`, or `?token=` once, then a cookie). */
  DIGEST_TOKEN: optional.pipe(z.string().min(16, "at least 16 characters").optional()),
  /** Leaders' chats for the weekly push: "telegram:123456,zalo:abcdef". */
  DIGEST_CHATS: optional.transform((v, ctx): DigestChat[] => {
    if (!v) return [];
    const chats: DigestChat[] = [];
    for (const part of v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)) {
      const m = /^(telegram|zalo):(\S+)$/.exec(part);
      if (!m) {
        ctx.addIssue({ code: "custom", message: `"${part}" is not telegram:<chat id> or zalo:<chat id>` });
        return z.NEVER;
      }
      chats.push({ channel: m[1] as DigestChat["channel"], chatId: m[2]! });
    }
    return chats;
  }),
  /** When the weekly push goes out, Việt Nam time: "MON 07:30" (the week just ended). */
  DIGEST_SCHEDULE: z
    .string()
    .default("MON 07:30")
    .transform((v, ctx): PushSchedule => {
      const m = /^(SUN|MON|TUE|WED|THU|FRI|SAT)\s+([01]\d|2[0-3]):([0-5]\d)$/i.exec(v.trim());
      if (!m) {
        ctx.addIssue({ code: "custom", message: 'looks like "MON 07:30"' });
        return z.NEVER;
      }
      return {
        weekday: WEEKDAYS.indexOf(m[1]!.toUpperCase() as (typeof WEEKDAYS)[number]),
        minute: Number(m[2]) * 60 + Number(m[3]),
      };
    }),
  /** Scope of the push: city, agency:<id> or commune:<id>. */
  DIGEST_PUSH_SCOPE: z
    .string()
    .regex(/^(city|agency:[\w-]+|commune:[\w-]+)$/)
    .default("city"),
  /** Hot spots: cosine similarity to join a group, cases to make a hot spot, days looked back. */
  DIGEST_HOTSPOT_MIN_SIMILARITY: z.coerce.number().min(0).max(1).default(0.8),
  DIGEST_HOTSPOT_MIN_CASES: z.coerce.number().int().min(2).default(3),
  DIGEST_HOTSPOT_WINDOW_DAYS: z.coerce.number().int().min(1).max(366).default(14),
  /** Narrative summary: openai (any OpenAI-compatible endpoint) or ollama; unset = template. */
  DIGEST_LLM_PROVIDER: optional.pipe(z.enum(["openai", "ollama"]).optional()),
  DIGEST_LLM_BASE_URL: optional.pipe(z.url().optional()),
  DIGEST_LLM_MODEL: optional,
  DIGEST_LLM_API_KEY: optional,
  DIGEST_LLM_TIMEOUT_MS: z.coerce.number().int().min(1000).default(20_000),
};

export const digestConfigSchema = z.object(digestConfigShape);
export type DigestConfig = z.infer<typeof digestConfigSchema>;

/** The digest settings with their defaults (tests and the CLI start from these). */
export function digestConfig(env: Record<string, string | undefined> = {}): DigestConfig {
  return digestConfigSchema.parse(env);
}
