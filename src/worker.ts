/**
 * Cloudflare Workers entry (wrangler.toml): the same product as `npm start`, wired by
 * src/wiring.ts, on a PostgreSQL server.
 *
 *  - fetch: the web chat, the Telegram and Zalo webhooks and the health check. A webhook stores the
 *    update before it answers; the processing (dialogue, replies into the outbox, delivery) runs
 *    after the answer through `ctx.waitUntil`.
 *  - scheduled (Cron Trigger, every minute): whatever is due — updates whose processing failed or
 *    was cut short, messages waiting for a retry — so nothing acknowledged is left behind.
 *
 * Configuration: the variables of `npm start` (src/config.ts) as Worker vars, the tokens and
 * webhook secrets as Worker secrets; DATABASE_URL or a Hyperdrive binding named HYPERDRIVE. The
 * model files are static assets (binding ASSETS), read once per isolate.
 */
import pino from "pino";
import type { Logger } from "./app.ts";
import { webStrings } from "./channels/web/strings.ts";
import { readClassifier } from "./classify/artifact-loader.ts";
import type { Classifier } from "./classify/classifier.ts";
import { type Config, ConfigError, loadConfig } from "./config.ts";
import { loadReferenceData, type ReferenceData } from "./data/index.ts";
import { openServerDb } from "./store/db-workers.ts";
import { loadClassifierOrNone, type WiredRuntime, wireRuntime } from "./wiring.ts";

/** The parts of the Workers runtime API used here (see @cloudflare/workers-types). */
interface Fetcher {
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>;
}
export interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}
export interface ScheduledController {
  readonly scheduledTime: number;
  readonly cron: string;
}

export interface Env {
  /** The model folder (model/) as static assets. */
  ASSETS?: Fetcher;
  /** Optional Hyperdrive binding in front of the PostgreSQL server; wins over DATABASE_URL. */
  HYPERDRIVE?: { connectionString: string };
  /** Vars and secrets: the variables of src/config.ts. */
  [name: string]: unknown;
}

/** How long the work after a request may take (Workers grant about 30 s after the response). */
const AFTER_REQUEST_BUDGET_MS = 20_000;
/** How long one cron run delivers (it runs every minute). */
const SCHEDULED_BUDGET_MS = 50_000;
/** A messenger call must end well within the time the host grants the delivery. */
const MESSENGER_TIMEOUT_SECONDS = 10;

/** pino's browser build, writing one JSON line per entry to the console (Workers Logs). */
function workerLogger(level: Config["LOG_LEVEL"]): Logger {
  return pino({
    level,
    browser: {
      asObject: true,
      serialize: true,
      write: (entry) => console.log(JSON.stringify(entry, redact)),
    },
  });
}

function redact(key: string, value: unknown): unknown {
  return key === "token" || key === "secret" ? "[Redacted]" : value;
}

function workerConfig(env: Env): Config {
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === "string") vars[k] = v;
  if (env.HYPERDRIVE?.connectionString) vars.DATABASE_URL = env.HYPERDRIVE.connectionString;
  const config = loadConfig(vars);
  if (!config.DATABASE_URL)
    throw new ConfigError(
      "Invalid configuration:\n  DATABASE_URL: required on Workers (or a HYPERDRIVE binding)",
    );
  return config;
}

async function modelFile(assets: Fetcher, relativePath: string): Promise<Uint8Array> {
  const res = await assets.fetch(new URL(relativePath, "https://assets.invalid/"));
  if (!res.ok) throw new Error(`model asset ${relativePath}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * What an isolate keeps between requests: read-only values, never an I/O object (Workers forbid
 * using one request's connections in another).
 */
let isolate: Promise<{ data: ReferenceData; classifier: Classifier | undefined }> | undefined;

function isolateParts(env: Env, logger: Logger) {
  isolate ??= (async () => {
    const data = loadReferenceData();
    const assets = env.ASSETS;
    const classifier = await loadClassifierOrNone(async () => {
      if (!assets) throw new Error("no ASSETS binding with the model files");
      return readClassifier((p) => modelFile(assets, p));
    }, logger);
    return { data, classifier };
  })();
  return isolate;
}

/** The product wired for one request or cron run, on its own database connections. */
async function wire(env: Env): Promise<WiredRuntime> {
  const config = workerConfig(env);
  const logger = workerLogger(config.LOG_LEVEL);
  const { data, classifier } = await isolateParts(env, logger);
  const opened = openServerDb(config.DATABASE_URL!);
  return wireRuntime({ logger, data, opened, classifier }, config, {
    telegramTimeoutSeconds: MESSENGER_TIMEOUT_SECONDS,
    zaloTimeoutMs: MESSENGER_TIMEOUT_SECONDS * 1000,
  });
}

function startupError(e: unknown): Response {
  console.error(
    JSON.stringify({
      level: 50,
      msg: "worker: cannot start",
      err: e instanceof ConfigError ? e.message : e instanceof Error ? `${e.name}: ${e.message}` : String(e),
    }),
  );
  return Response.json({ error: webStrings.unavailable }, { status: 503 });
}

/** Runs the due work, logs its outcome and closes the request's database connections. */
async function runDueAndClose(rt: WiredRuntime, budgetMs: number, trigger: string): Promise<void> {
  try {
    const r = await rt.runDue(budgetMs);
    if (r.updates.claimed || r.messages.sent || r.messages.retried || r.messages.failed)
      rt.logger.info({ trigger, ...r }, "worker: background work done");
  } catch (err) {
    rt.logger.error({ err, trigger }, "worker: background work failed; the cron run takes it up");
  } finally {
    await rt.close().catch(() => {});
  }
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    let rt: WiredRuntime;
    try {
      rt = await wire(env);
    } catch (e) {
      return startupError(e);
    }
    const response = await rt.app.fetch(request);
    // A POST may have stored an update or queued a message: process and deliver after the answer.
    ctx.waitUntil(
      request.method === "POST"
        ? runDueAndClose(rt, AFTER_REQUEST_BUDGET_MS, "request")
        : rt.close().catch(() => {}),
    );
    return response;
  },

  async scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
    let rt: WiredRuntime;
    try {
      rt = await wire(env);
    } catch (e) {
      startupError(e);
      return;
    }
    ctx.waitUntil(runDueAndClose(rt, SCHEDULED_BUDGET_MS, `cron ${controller.cron}`));
  },
};
