/**
 * Wires the product from its parts: services, messengers, the inbound processor, the outbox and
 * the Hono app. Portable: it uses Web APIs only (no file system, no embedded database, no logger
 * transport), so the Node shell (src/runtime.ts) and the Workers entry (src/worker.ts) share it.
 * The host opens the database, loads the reference data and the model, and hands them in.
 */
import type { Hono } from "hono";
import { createApp, type Logger } from "./app.ts";
import type { ChannelSender } from "./channels/sender.ts";
import {
  chatIdOf,
  createTelegramBot,
  registerCommands,
  startPolling,
  TelegramSender,
} from "./channels/telegram/index.ts";
import { telegramWebhookRoute } from "./channels/telegram/webhook.ts";
import { pullWebMessages } from "./channels/web/inbox.ts";
import { ZaloSender } from "./channels/zalo/adapter.ts";
import { ZaloBotClient } from "./channels/zalo/client.ts";
import { startZaloPolling } from "./channels/zalo/polling.ts";
import type { ParsedZaloUpdate } from "./channels/zalo/types.ts";
import { zaloUpdateKey } from "./channels/zalo/update.ts";
import { zaloWebhookRoutes } from "./channels/zalo/webhook.ts";
import type { Classifier } from "./classify/classifier.ts";
import type { Embedder } from "./classify/embedder.ts";
import { dialogueClassifier } from "./classify/port.ts";
import { findSimilarCases, type SimilarOptions } from "./classify/similar.ts";
import type { Config } from "./config.ts";
import type { ReferenceData } from "./data/index.ts";
import { InboundProcessor } from "./inbound/index.ts";
import { PlaceIndex } from "./intake/places.ts";
import { IntakeService } from "./intake/service.ts";
import type { ChannelName } from "./intake/types.ts";
import { decodeTelegram, decodeZalo } from "./messaging/decoders.ts";
import { createUpdateHandler } from "./messaging/handler.ts";
import { type AckJournal, createIngest } from "./messaging/ingest.ts";
import { type OutboxPolicy, OutboxWorker, type RateLimits } from "./outbox/index.ts";
import { CaseActions } from "./queue/actions.ts";
import { createQueueApp } from "./queue/app.tsx";
import type { QueueRoutes } from "./queue/context.ts";
import { queueExtensions } from "./queue/extensions.ts";
import { CaseStore } from "./store/cases.ts";
import type { Db } from "./store/db.ts";
import { DbHealth } from "./store/health.ts";
import { appSecret } from "./store/secrets.ts";

export type RuntimeConfig = Pick<Config, "DATA_DIR" | "DATABASE_URL" | "LOG_LEVEL"> &
  Partial<
    Pick<
      Config,
      | "PUBLIC_URL"
      | "TELEGRAM_BOT_TOKEN"
      | "TELEGRAM_WEBHOOK_SECRET"
      | "TELEGRAM_API_ROOT"
      | "ZALO_BOT_TOKEN"
      | "ZALO_WEBHOOK_SECRET"
      | "ZALO_API_BASE"
      | "INBOUND_LEASE_MS"
      | "INBOUND_JOURNAL"
      | "OUTBOX_LOCK_MS"
      | "MODEL_DIR"
      | "E5_ALLOW_DOWNLOAD"
    >
  >;

export interface RuntimeOptions {
  now?: () => Date;
  /** Outbox retry policy (tests shorten the delays). */
  outboxPolicy?: OutboxPolicy;
  /** Messenger rate limits merged over the defaults (tests raise the per-chat rate); false disables them. */
  rateLimits?: RateLimits | false;
  /** Folder of the own model (default model/). */
  classifierDir?: string;
  /** false: run without the classifier (the citizen picks the topic). */
  classifier?: false;
  /** Telegram bot info, so no getMe call is needed at start. */
  telegramBotInfo?: { id: number; is_bot: true; first_name: string; username: string } & Record<
    string,
    unknown
  >;
  /** Per-call HTTP timeout of the Telegram client in seconds (default 60; tests shorten it). */
  telegramTimeoutSeconds?: number;
  /** Per-call HTTP timeout of the Zalo client in ms (default 10 000; tests shorten it). */
  zaloTimeoutMs?: number;
  /** More officials' queue routes (after src/queue/extensions.ts), behind its session middleware. */
  queueRoutes?: QueueRoutes[];
  /** How often the queue page checks for new cases (ms; default 15 000). */
  queuePollMs?: number;
  /** Where log lines go (Node shell; default stdout); tests read them. */
  logDestination?: { write(line: string): void };
  /** false: no flood limits on the web chat (bench:intake measures the product's own speed). */
  webFloodLimits?: false;
}

/** What the host hands in: everything that needs its file system, database driver or logger. */
export interface RuntimeParts<L extends Logger = Logger> {
  logger: L;
  data: ReferenceData;
  /**
   * Acknowledge webhooks from this journal (a file, Node only) instead of waiting for the
   * database; default: the database.
   */
  journal?: AckJournal | undefined;
  /** The opened (and migrated) database with its reference data in place. */
  opened: { db: Db; kind: "pglite" | "postgres"; close(): Promise<void> };
  /** The topic classifier; absent: the citizen picks the topic. */
  classifier?: Classifier | undefined;
  /** Embeddings for the similar-case search; default: the classifier's. */
  embedder?: Embedder | undefined;
}

/** Loads the topic classifier; when it cannot be loaded, the product runs without it (logged). */
export async function loadClassifierOrNone(
  load: () => Promise<Classifier>,
  logger: Logger,
): Promise<Classifier | undefined> {
  // The project's own Vietnamese model (model/); without it the citizen picks the topic.
  try {
    const classifier = await load();
    logger.info({ model: classifier.id }, "topic classifier loaded");
    return classifier;
  } catch (e) {
    logger.warn(
      { err: e instanceof Error ? e.message : String(e) },
      "no topic classifier: citizens will pick the topic",
    );
    return undefined;
  }
}

export type WiredRuntime<L extends Logger = Logger> = Awaited<ReturnType<typeof wireRuntime<L>>>;

export async function wireRuntime<L extends Logger>(
  parts: RuntimeParts<L>,
  config: RuntimeConfig,
  options: RuntimeOptions = {},
) {
  const { logger, data, opened } = parts;
  const { db } = opened;
  const places = new PlaceIndex(data.communes);
  const { classifier } = parts;
  const embedder: Embedder | undefined = parts.embedder ?? classifier?.embedder;
  // Each filed case's text is embedded once, for the digest's hot spots (store/embeddings.ts).
  const cases = new CaseStore(db, data, undefined, embedder);
  const intake = new IntakeService({
    db,
    data,
    places,
    cases,
    ...(options.now ? { now: options.now } : {}),
    ...(classifier && options.classifier !== false ? { classify: dialogueClassifier(classifier) } : {}),
  });
  const exclusive = opened.kind === "pglite";

  // Messengers: a sender for the outbox, a decoder for stored updates, a webhook or a poller.
  const senders: Partial<Record<ChannelName, ChannelSender>> = {};
  const mounts: Array<(app: Hono) => void> = [];
  const starters: Array<(signal: AbortSignal) => Promise<void>> = [];
  let telegramUsername: string | undefined;
  /** Also fetches citizens' photos for the officials' case page. */
  let telegramSender: TelegramSender | undefined;

  // Built once the channels below have added their senders (the worker reads them at construction).
  let outbox: OutboxWorker | undefined;
  const ingest = createIngest({
    db,
    logger,
    journal: parts.journal,
    onStored: () => inbound.kick(),
    onQueued: () => outbox?.notify(),
  });
  // While updates arrive, processing takes about a fifth of Node's thread (PGlite runs its queries
  // on it too): bench:webhook, acknowledgements ≥ 1,000/s on PGlite with turns still going, where
  // processing at full speed had halved them. On PostgreSQL processing also waits while a write
  // of acknowledgements is in flight (at most 250 ms, so it still moves under a constant flood).
  const acksFirst = ingest.acksFirst(0.2, { first: () => ingest.writer.idle(exclusive ? undefined : 250) });
  const inbound = new InboundProcessor({
    db,
    logger,
    exclusive,
    // PGlite has one connection: one turn at a time. On PostgreSQL 6 at a time: a turn waits on
    // the server for about a tenth of its time, which 4 left idle (bench:webhook drain 319 → 367
    // turns/s at 8), while 8 raised the acknowledgements' p99 from 16 to 27–35 ms.
    concurrency: exclusive ? 1 : 6,
    yieldTo: acksFirst,
    ...(config.INBOUND_LEASE_MS ? { leaseMs: config.INBOUND_LEASE_MS } : {}),
    handle: createUpdateHandler({
      db,
      intake,
      decoders: { telegram: (p) => decodeTelegram(p, telegramUsername), zalo: decodeZalo },
      onQueued: () => outbox?.notify(),
    }),
  });
  const store = (channel: ChannelName, externalId: string, chatId: string | undefined, payload: unknown) =>
    ingest.store({ channel, externalId, chatId, payload });

  if (config.TELEGRAM_BOT_TOKEN) {
    const bot = createTelegramBot({
      token: config.TELEGRAM_BOT_TOKEN,
      ...(config.TELEGRAM_API_ROOT ? { apiRoot: config.TELEGRAM_API_ROOT } : {}),
      ...(options.telegramBotInfo ? { botInfo: options.telegramBotInfo as never } : {}),
      ...(options.telegramTimeoutSeconds
        ? { client: { timeoutSeconds: options.telegramTimeoutSeconds } }
        : {}),
    });
    telegramSender = new TelegramSender({ bot });
    senders.telegram = telegramSender;
    // Stored under its chat (edited messages and button clicks included), so that a chat's
    // updates are processed one at a time, in order.
    const onUpdate = async (u: { update_id: number }) => {
      await store("telegram", String(u.update_id), chatIdOf(u), u);
    };
    if (config.TELEGRAM_WEBHOOK_SECRET) {
      const route = telegramWebhookRoute({
        secretToken: config.TELEGRAM_WEBHOOK_SECRET,
        onUpdate,
        bot,
        logger,
      });
      mounts.push((app) => app.route("/", route));
    }
    starters.push(async (signal) => {
      if (!bot.isInited()) await bot.init();
      telegramUsername = bot.botInfo.username;
      await registerCommands(bot).catch((e) =>
        logger.warn({ err: String(e) }, "telegram: setMyCommands failed"),
      );
      if (config.PUBLIC_URL) {
        await bot.api.setWebhook(new URL("/webhooks/telegram", config.PUBLIC_URL).toString(), {
          secret_token: config.TELEGRAM_WEBHOOK_SECRET!,
        });
        logger.info("telegram: webhook registered");
      } else {
        logger.info("telegram: long polling");
        void startPolling({ bot, onUpdate, signal, logger }).catch((e) =>
          logger.error({ err: String(e) }, "telegram polling stopped"),
        );
      }
    });
  }

  if (config.ZALO_BOT_TOKEN) {
    const client = new ZaloBotClient({
      token: config.ZALO_BOT_TOKEN,
      ...(config.ZALO_API_BASE ? { baseUrl: config.ZALO_API_BASE } : {}),
      ...(options.zaloTimeoutMs ? { timeoutMs: options.zaloTimeoutMs } : {}),
    });
    senders.zalo = new ZaloSender(client);
    type Valid = Exclude<ParsedZaloUpdate, { kind: "invalid" }>;
    const asInput = (u: Valid) => ({
      channel: "zalo" as const,
      externalId: zaloUpdateKey(u),
      chatId: u.chat.id,
      payload: u.raw,
    });
    const onUpdate = (u: Valid) => ingest.store(asInput(u));
    if (config.ZALO_WEBHOOK_SECRET)
      mounts.push((app) =>
        app.route(
          "/",
          zaloWebhookRoutes({
            secret: config.ZALO_WEBHOOK_SECRET!,
            store: (updates) => ingest.storeMany(updates.map(asInput)),
            logger,
          }),
        ),
      );
    starters.push(async (signal) => {
      if (config.PUBLIC_URL) {
        await client.setWebhook({
          url: new URL("/webhooks/zalo", config.PUBLIC_URL).toString(),
          secret_token: config.ZALO_WEBHOOK_SECRET!,
        });
        logger.info("zalo: webhook registered");
      } else {
        logger.info("zalo: long polling");
        void startZaloPolling({ client, onUpdate, signal, logger }).catch((e) =>
          logger.error({ err: String(e) }, "zalo polling stopped"),
        );
      }
    });
  }

  outbox = new OutboxWorker({
    db,
    senders,
    logger,
    exclusive,
    policy: {
      // On the server, sends overlap more (each reply waits on the messenger's HTTP round trip).
      ...(exclusive ? {} : { batchSize: 50, concurrency: 16 }),
      ...(config.OUTBOX_LOCK_MS ? { lockMs: config.OUTBOX_LOCK_MS } : {}),
      ...options.outboxPolicy,
    },
    ...(options.rateLimits !== undefined ? { rateLimits: options.rateLimits } : {}),
  });
  const worker = outbox;
  const actions = new CaseActions({
    db,
    cases,
    intake,
    data,
    ...(options.now ? { now: options.now } : {}),
    onQueued: () => worker.notify(),
  });
  const similarCases = (caseId: string, opts?: SimilarOptions) =>
    embedder ? findSimilarCases(db, embedder, caseId, opts) : Promise.resolve([]);
  // The officials' web queue (/queue): sign-in, the list, the case page, and the extensions.
  mounts.push((a) =>
    a.route(
      "/",
      createQueueApp({
        db,
        data,
        actions,
        logger,
        similarCases: (caseId) => similarCases(caseId),
        secureCookies: Boolean(config.PUBLIC_URL?.startsWith("https:")),
        extraRoutes: [...queueExtensions, ...(options.queueRoutes ?? [])],
        telegramPhotos: telegramSender,
        ...(options.queuePollMs ? { pollMs: options.queuePollMs } : {}),
        ...(options.now ? { now: options.now } : {}),
      }),
    ),
  );
  const health = new DbHealth({ probe: () => db.$queryRaw`select 1` });
  const app = createApp({
    intake,
    logger,
    webSessionSecret: await appSecret(db, "web-session"),
    ...(options.webFloodLimits === false ? { webFloodLimits: false as const } : {}),
    pullWeb: (conversationId) => pullWebMessages(db, conversationId),
    async checkDatabase() {
      await health.check();
      return { kind: opened.kind };
    },
    mount: (a) => {
      for (const m of mounts) m(a);
    },
  });

  const abort = new AbortController();
  let started = false;
  return {
    app,
    db,
    dbKind: opened.kind,
    data,
    places,
    cases,
    intake,
    actions,
    classifier,
    embedder,
    /** The most similar open cases in the same commune and time window (duplicates, hot spots). */
    similarCases,
    outbox: worker,
    inbound,
    /** Updates acknowledged (in the journal) but not yet in the database. */
    journalWaiting: () => ingest.journal?.waiting ?? 0,
    logger,
    /**
     * One round of the background work, for hosts without long-running loops (Workers: after a
     * request through waitUntil, and from the Cron Trigger): processes the stored updates that are
     * due, then delivers the due messages until none is left or `budgetMs` has passed. Messages
     * that must wait for a retry stay for a later round.
     */
    async runDue(budgetMs = 20_000) {
      const deadline = Date.now() + budgetMs;
      const updates = await inbound.drain();
      const messages = { sent: 0, retried: 0, failed: 0 };
      while (Date.now() < deadline) {
        const r = await worker.runOnce();
        messages.sent += r.sent;
        messages.retried += r.retried;
        messages.failed += r.failed;
        if (r.claimed === 0 || r.sent === 0) break;
      }
      return { updates, messages };
    },
    /** Starts the workers (processing any backlog a crash left) and the messengers. */
    async start() {
      started = true;
      // What an earlier run acknowledged but did not get into the database comes first.
      await ingest.journal?.recover();
      worker.start();
      void inbound.start().catch((e) => logger.error({ err: String(e) }, "inbound processor stopped"));
      for (const s of starters) {
        // A messenger that cannot be reached must not take the web chat and the workers down.
        await s(abort.signal).catch((e) =>
          logger.error({ err: e instanceof Error ? e.message : String(e) }, "messenger start failed"),
        );
      }
    },
    async close() {
      abort.abort();
      if (started) await Promise.allSettled([inbound.stop(), worker.stop()]);
      // Moves what it can into the database; the rest stays on disk for the next start.
      await ingest.journal?.close();
      await opened.close();
    },
  };
}
