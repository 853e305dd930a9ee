/** The leaders' digest wired for a runtime: its routes, its weekly push and its summarizer. */
import type { Embedder } from "../classify/embedder.ts";
import type { ReferenceData } from "../data/index.ts";
import type { Logger } from "../outbox/support.ts";
import type { Db } from "../store/db.ts";
import type { DigestConfig } from "./config.ts";
import { DigestScheduler } from "./push.ts";
import { type DigestRouteDeps, digestRoutes } from "./routes.ts";
import type { DigestDeps } from "./service.ts";
import { chatModelFromConfig, createSummarizer } from "./summary.ts";

export interface CreateDigestOptions {
  db: Db;
  data: ReferenceData;
  embedder?: Embedder | undefined;
  config: Partial<DigestConfig> & { PUBLIC_URL?: string | undefined };
  now?: () => Date;
  logger: Logger;
  /** Wake the outbox after a push was queued. */
  onQueued?: () => void;
  /** Check interval of the push schedule (default one minute). */
  tickMs?: number;
  /** The signed-in official of a request (the queue's session): leaders and admins read the digest. */
  sessionOf?: DigestRouteDeps["sessionOf"];
}

export async function createDigest(o: CreateDigestOptions) {
  const config = { ...digestDefaults(), ...stripUndefined(o.config) };
  const model = await chatModelFromConfig(config);
  const summarizer = createSummarizer({
    model,
    timeoutMs: config.DIGEST_LLM_TIMEOUT_MS,
    onError: (err) => o.logger.warn({ err: String(err) }, "digest summary: model call failed; template used"),
  });
  const deps: DigestDeps = {
    db: o.db,
    data: o.data,
    embedder: o.embedder,
    config,
    summarizer,
    now: o.now ?? (() => new Date()),
  };
  const scheduler = new DigestScheduler(
    {
      ...deps,
      chats: config.DIGEST_CHATS,
      schedule: config.DIGEST_SCHEDULE,
      scope: config.DIGEST_PUSH_SCOPE,
      publicUrl: o.config.PUBLIC_URL,
      logger: o.logger,
      ...(o.onQueued ? { onQueued: o.onQueued } : {}),
    },
    o.tickMs,
  );
  return {
    deps,
    scheduler,
    routes: digestRoutes({
      ...deps,
      token: config.DIGEST_TOKEN,
      ...(o.sessionOf ? { sessionOf: o.sessionOf } : {}),
    }),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function digestDefaults(): DigestConfig {
  return {
    DIGEST_TOKEN: undefined,
    DIGEST_CHATS: [],
    DIGEST_SCHEDULE: { weekday: 1, minute: 7 * 60 + 30 },
    DIGEST_PUSH_SCOPE: "city",
    DIGEST_HOTSPOT_MIN_SIMILARITY: 0.8,
    DIGEST_HOTSPOT_MIN_CASES: 3,
    DIGEST_HOTSPOT_WINDOW_DAYS: 14,
    DIGEST_LLM_PROVIDER: undefined,
    DIGEST_LLM_BASE_URL: undefined,
    DIGEST_LLM_MODEL: undefined,
    DIGEST_LLM_API_KEY: undefined,
    DIGEST_LLM_TIMEOUT_MS: 20_000,
  };
}
