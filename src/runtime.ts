/**
 * The Node shell: opens the database (PGlite or a PostgreSQL server, migrated at start), loads the
 * reference data and the models from disk, logs with pino, then wires the product (src/wiring.ts,
 * shared with the Workers entry src/worker.ts).
 */
import path from "node:path";
import pino from "pino";
import { DEFAULT_MODEL_DIR, loadClassifier } from "./classify/node-loader.ts";
import { loadE5IfPresent } from "./classify/select.ts";
import { loadReferenceData } from "./data/index.ts";
import type { DigestConfig } from "./digest/config.ts";
import { createDigest } from "./digest/index.ts";
import { InboundJournal } from "./inbound/journal.ts";
import { sessionOfficial } from "./queue/auth.tsx";
import { SessionStore } from "./queue/sessions.ts";
import { openDb } from "./store/db.ts";
import { maintainEmbedded } from "./store/maintenance.ts";
import { syncReferenceData } from "./store/reference.ts";
import { liveCopy, reloadReference, seedEditableReference, watchReference } from "./store/reference-live.ts";
import { loadClassifierOrNone, type RuntimeConfig, type RuntimeOptions, wireRuntime } from "./wiring.ts";

export type { RuntimeConfig, RuntimeOptions } from "./wiring.ts";

export type Runtime = Awaited<ReturnType<typeof createRuntime>>;

export async function createRuntime(
  config: RuntimeConfig & Partial<DigestConfig>,
  options: RuntimeOptions & {
    /** Check interval of the digest push schedule (default one minute). */
    digestTickMs?: number;
    /**
     * How often a process on a PostgreSQL server checks whether another one changed the reference
     * data (agencies, routing rules, calendar, canned replies); default 3 s. The embedded database
     * has one process.
     */
    referencePollMs?: number;
  } = {},
) {
  const logger = options.logDestination
    ? pino({ level: config.LOG_LEVEL, redact: ["*.token", "*.secret"] }, options.logDestination)
    : pino({ level: config.LOG_LEVEL, redact: ["*.token", "*.secret"] });
  // A live copy: the database becomes its source (officials edit agencies, rules, holidays).
  const data = liveCopy(loadReferenceData());
  // Embeddings for the similar-case search: e5 when its verified weights are in MODEL_DIR, else
  // the own model. Weights that fail their check stop the start (a deployment fault) before the
  // database is opened.
  const e5 = await loadE5IfPresent({
    modelDir: config.MODEL_DIR,
    allowDownload: config.E5_ALLOW_DOWNLOAD ?? false,
  });
  // Webhook acknowledgements from a journal file (src/inbound/journal.ts) rather than the database.
  // Its lock is taken before the embedded database opens: a second process on the same data
  // folder stops here, before it could touch PGlite's files.
  const journalOn =
    (config.INBOUND_JOURNAL ?? "auto") === "auto"
      ? !config.DATABASE_URL && !config.DATA_DIR.startsWith("memory://")
      : config.INBOUND_JOURNAL === "on";
  const journal = journalOn
    ? await InboundJournal.open({ dir: path.join(config.DATA_DIR, "inbound-journal"), logger })
    : undefined;
  let opened: Awaited<ReturnType<typeof openDb>>;
  try {
    // Migrations (and a new data folder's initdb) run in a child process that exits: its memory
    // does not stay with the server (src/store/migrate-child.ts).
    opened = await openDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, migrateIn: "child" });
  } catch (e) {
    await journal?.close(0);
    throw e;
  }
  if (opened.appliedMigrations.length)
    logger.info({ migrations: opened.appliedMigrations }, "applied database migrations");
  await syncReferenceData(opened.db, data);
  await seedEditableReference(opened.db, data);
  await reloadReference(opened.db, data);
  const reference =
    opened.kind === "postgres"
      ? watchReference(opened.db, data, { logger, intervalMs: options.referencePollMs ?? 3_000 })
      : undefined;
  // PGlite has no autovacuum: the app vacuums and analyses it (src/store/maintenance.ts).
  const upkeep = opened.kind === "pglite" ? maintainEmbedded(opened.db, { logger }) : undefined;
  const classifier = await loadClassifierOrNone(
    () => loadClassifier(options.classifierDir ?? DEFAULT_MODEL_DIR),
    logger,
  );
  const embedder = e5.embedder ?? classifier?.embedder;
  logger.info(
    { embedder: embedder?.id ?? null, ...(e5.embedder ? {} : { e5: e5.reason }) },
    "embedding model for similar cases",
  );
  const wired = await wireRuntime({ logger, data, opened, classifier, embedder, journal }, config, options);
  // The leaders' digest (Node only: fonts, charts, PDF): /digest and the weekly push (src/digest/).
  const digest = await createDigest({
    db: opened.db,
    data,
    embedder,
    config,
    logger,
    onQueued: () => wired.outbox.notify(),
    ...(options.now ? { now: options.now } : {}),
    ...(options.digestTickMs ? { tickMs: options.digestTickMs } : {}),
    // Leaders and administrators read /digest with their queue account.
    sessionOf: (c) =>
      sessionOfficial(c, {
        db: opened.db,
        sessions: new SessionStore(opened.db, options.now),
        now: options.now ?? (() => new Date()),
        secureCookies: Boolean(config.PUBLIC_URL?.startsWith("https:")),
      }),
  });
  wired.app.route("/", digest.routes);
  return {
    ...wired,
    digest,
    /** Migrations this start applied (none when the database was up to date). */
    appliedMigrations: opened.appliedMigrations,
    /** Reloads the reference data now if another process changed it (tests; the loop does it too). */
    checkReference: () => reference?.check() ?? Promise.resolve(false),
    async start() {
      await wired.start();
      digest.scheduler.start();
      reference?.start();
      upkeep?.start();
    },
    async close() {
      await reference?.stop();
      await upkeep?.stop();
      await digest.scheduler.stop();
      await wired.close();
      await e5.embedder?.dispose();
    },
  };
}
