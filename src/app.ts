/**
 * The Hono app factory. It takes its dependencies and imports nothing Node-only, so the same app
 * runs under Node (src/main.ts) and on Workers.
 */
import { type Context, Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { webChatRoutes } from "./channels/web/routes.ts";
import { webStrings } from "./channels/web/strings.ts";
import type { IntakeService } from "./intake/service.ts";
import type { Reply } from "./intake/types.ts";

export interface Logger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export interface AppDeps {
  intake: Pick<IntakeService, "handle">;
  /** Web chat messages waiting in the outbox (the page polls for them). */
  pullWeb?: (conversationId: string) => Promise<Reply[]>;
  /** Resolves when the database answers. */
  checkDatabase(): Promise<{ kind: string }>;
  logger: Logger;
  /** false: no flood limits on the web chat (benchmarks of the product's own speed). */
  webFloodLimits?: false;
  /** Signs the web chat's conversation cookie (runtime: kept in the database); random when absent. */
  webSessionSecret?: string;
  /** Extra routes (messenger webhooks, queue) mounted by the entry point. */
  mount?: (app: Hono) => void;
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const nonce = pooledNonce();
  // Every answer: CSP (inline script/style only with this response's nonce, no framing), nosniff,
  // no referrer, HSTS, and the rest of Hono's secure defaults.
  app.use(
    "*",
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", nonce],
        styleSrc: ["'self'", nonce],
        // style="" attributes (server-rendered layout tweaks, the charts' SVG) cannot run code.
        styleSrcAttr: ["'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      xFrameOptions: "DENY",
      referrerPolicy: "no-referrer",
    }),
  );

  app.get("/healthz", async (c) => {
    try {
      const { kind } = await deps.checkDatabase();
      return c.json({ status: "ok", database: { status: "ok", kind } });
    } catch (e) {
      deps.logger.error({ err: e }, "health check: database unavailable");
      return c.json({ status: "error", database: { status: "error" } }, 503);
    }
  });

  app.route(
    "/",
    webChatRoutes({
      handle: (msg) => deps.intake.handle(msg),
      pull: deps.pullWeb ?? (async () => []),
      sessionSecret: deps.webSessionSecret ?? randomSecret(),
      ...(deps.webFloodLimits === false ? { flood: false as const } : {}),
    }),
  );
  deps.mount?.(app);

  app.notFound((c) => c.json({ error: webStrings.notFound }, 404));
  app.onError((err, c) => {
    deps.logger.error({ err, path: c.req.path }, "request failed");
    return c.json({ error: webStrings.unavailable }, 503);
  });
  return app;
}

function randomSecret(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
}

/**
 * Hono's `NONCE` for the CSP, drawing its 16 random bytes from a pool filled 256 nonces at a time
 * (one `getRandomValues` per response was 2 % of Node's time per webhook acknowledgement under
 * load). Each response still gets its own unpredictable nonce, kept where Hono's pages read it
 * (`secureHeadersNonce`).
 */
function pooledNonce(): (c: Context) => string {
  const pool = new Uint8Array(16 * 256);
  let next = pool.length;
  return (c) => {
    let value = c.get("secureHeadersNonce" as never) as string | undefined;
    if (!value) {
      if (next >= pool.length) {
        crypto.getRandomValues(pool);
        next = 0;
      }
      value = btoa(String.fromCharCode(...pool.subarray(next, next + 16)));
      next += 16;
      c.set("secureHeadersNonce" as never, value as never);
    }
    return `'nonce-${value}'`;
  };
}
