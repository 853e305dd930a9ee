/** Configuration from environment variables, validated at start (see .env.example). */
import { z } from "zod";
import { digestConfigShape } from "./digest/config.ts";

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  /** Folder of the embedded database (PGlite). */
  DATA_DIR: z.string().default("./.data"),
  /** postgres://… switches to a PostgreSQL server. */
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must start with postgres://")
      .optional(),
  ),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Public base URL of this server (webhooks are registered under it when set). */
  PUBLIC_URL: optionalString.pipe(z.url().optional()),

  /** Telegram: the token from @BotFather. Webhook mode when PUBLIC_URL is set, long polling otherwise. */
  TELEGRAM_BOT_TOKEN: optionalString.pipe(
    z
      .string()
      .regex(/^\d+:[\w-]{20,}$/, "looks like 123456:ABC…")
      .optional(),
  ),
  /** Secret Telegram sends in X-Telegram-Bot-Api-Secret-Token (1–256 of A–Z a–z 0–9 _ -). */
  TELEGRAM_WEBHOOK_SECRET: optionalString.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,256}$/)
      .optional(),
  ),
  TELEGRAM_API_ROOT: z.url().default("https://api.telegram.org"),

  /** Zalo Bot Platform: the bot token "<bot_id>:<secret>". */
  ZALO_BOT_TOKEN: optionalString,
  /** Secret Zalo sends in X-Bot-Api-Secret-Token (8–256 characters). */
  ZALO_WEBHOOK_SECRET: optionalString.pipe(z.string().min(8).max(256).optional()),
  ZALO_API_BASE: z.url().default("https://bot-api.zaloplatforms.com"),

  /**
   * How long a claimed update / outbox message stays with the process that claimed it. After a
   * crash on PostgreSQL, its work is taken over when this runs out (PGlite takes it at once).
   */
  INBOUND_LEASE_MS: z.coerce.number().int().min(1000).default(60_000),
  /**
   * Acknowledge webhooks from a journal file in DATA_DIR/inbound-journal (flushed to disk, moved
   * into the database in the background, replayed at start) instead of waiting for the database.
   * auto = on with the embedded database; on = also with a PostgreSQL server, for one process per
   * DATA_DIR on a disk that outlives the process; off = never.
   */
  INBOUND_JOURNAL: z.enum(["auto", "on", "off"]).default("auto"),
  OUTBOX_LOCK_MS: z.coerce.number().int().min(1000).default(120_000),

  /**
   * Folder holding the e5 weights (`Xenova/multilingual-e5-small/...`). When they are there and
   * pass their sha256 check, e5 embeds cases for the similar-case search; otherwise the project's
   * own model does. E5_ALLOW_DOWNLOAD=1 lets a first start fetch them (the only network use).
   */
  MODEL_DIR: optionalString,
  E5_ALLOW_DOWNLOAD: z
    .enum(["", "0", "1", "false", "true"])
    .optional()
    .transform((v) => v === "1" || v === "true"),

  /** The leaders' digest (src/digest/config.ts). */
  ...digestConfigShape,
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const c = result.data;
  const problems: string[] = [];
  if (c.PUBLIC_URL && c.TELEGRAM_BOT_TOKEN && !c.TELEGRAM_WEBHOOK_SECRET)
    problems.push("  TELEGRAM_WEBHOOK_SECRET: required with PUBLIC_URL (webhook mode)");
  if (c.PUBLIC_URL && c.ZALO_BOT_TOKEN && !c.ZALO_WEBHOOK_SECRET)
    problems.push("  ZALO_WEBHOOK_SECRET: required with PUBLIC_URL (webhook mode)");
  if (problems.length) throw new ConfigError(`Invalid configuration:\n${problems.join("\n")}`);
  return c;
}
