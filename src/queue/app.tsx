/**
 * The officials' web queue as a Hono app: public sign-in and assets, then the session middleware
 * (session, forced password change, CSRF), then every page — the list, the case page and the
 * routes other modules add (`extraRoutes`, registered after the middleware, so they are protected
 * the same way). Mounted at "/" by the runtime; every path starts with /queue.
 */
import { type Context, Hono } from "hono";
import type { SimilarCase } from "../classify/similar.ts";
import type { ReferenceData } from "../data/index.ts";
import { q, qList } from "../i18n/queue.ts";
import type { Db } from "../store/db.ts";
import { type CaseActions, ForbiddenError, NotFoundError } from "./actions.ts";
import { type AuthOptions, publicAuthRoutes, requireSession, sessionRoutes } from "./auth.tsx";
import { caseRoutes } from "./case-routes.tsx";
import type { QueueEnv, QueueRoutes, SessionOfficial } from "./context.ts";
import { parseFilters, QueueQuery } from "./list.ts";
import { photoRoutes, type TelegramPhotoSource } from "./photos.tsx";
import { SessionStore } from "./sessions.ts";
import { QUEUE_CSS, QUEUE_JS } from "./static.ts";
import { countUnprocessed } from "./unprocessed.ts";
import { Flash, Layout } from "./views/layout.tsx";
import { QueuePage, QueueResults } from "./views/queue-page.tsx";

export interface QueueLogger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export interface QueueDeps {
  db: Db;
  data: ReferenceData;
  actions: CaseActions;
  logger: QueueLogger;
  now?: () => Date;
  /** The most similar open cases (runtime.similarCases). */
  similarCases?: (caseId: string) => Promise<SimilarCase[]>;
  /** Secure cookies even on http requests (set when the public URL is https). */
  secureCookies?: boolean;
  /** How often the list checks for new cases (ms). */
  pollMs?: number;
  /** Routes added by other modules, registered after the session middleware. */
  extraRoutes?: QueueRoutes[];
  /** Fetches citizens' Telegram photos (the production TelegramSender); absent: placeholders. */
  telegramPhotos?: TelegramPhotoSource | undefined;
}

/** The same answer for a case that does not exist and one of another agency (nothing to learn by probing). */
export function notFound(c: Context<QueueEnv>) {
  return c.req.path.startsWith("/queue/api/")
    ? c.json({ error: q.errors.notFound }, 404)
    : c.html(
        <Layout title={q.errors.notFound} official={c.get("official")} csrfToken={c.get("csrfToken")}>
          <Flash kind="error" text={q.errors.notFound} />
          <p>
            <a href="/queue">← {q.nav.queue}</a>
          </p>
        </Layout>,
        404,
      );
}

export function createQueueApp(deps: QueueDeps): Hono<QueueEnv> {
  const now = deps.now ?? (() => new Date());
  const app = new Hono<QueueEnv>();
  const sessions = new SessionStore(deps.db, now);
  const auth: AuthOptions = {
    db: deps.db,
    sessions,
    now,
    ...(deps.secureCookies ? { secureCookies: true } : {}),
  };
  const query = new QueueQuery(deps.db, deps.data);
  const pollMs = deps.pollMs ?? 15_000;

  const asset = (body: string, type: string) => () =>
    new Response(body, { headers: { "content-type": type, "cache-control": "public, max-age=300" } });
  app.get("/queue/static/queue.css", asset(QUEUE_CSS, "text/css; charset=utf-8"));
  app.get("/queue/static/queue.js", asset(QUEUE_JS, "text/javascript; charset=utf-8"));

  publicAuthRoutes(app, auth);
  app.use("/queue", requireSession(auth));
  app.use("/queue/*", requireSession(auth));
  app.use("/queue/*", async (c, next) => {
    await next();
    // Pages carry cases and identities: never cached by the browser or a proxy.
    if (!c.res.headers.has("cache-control")) c.res.headers.set("cache-control", "no-store");
  });
  sessionRoutes(app, auth);

  const agencyName = (o: SessionOfficial) => deps.data.agencyById.get(o.agencyId)?.name;
  const colleagues = (o: SessionOfficial) =>
    deps.db.official.findMany({
      where: {
        active: true,
        ...(o.role === "leader" || o.role === "admin" ? {} : { agencyId: o.agencyId }),
        role: { in: ["officer", "supervisor"] },
      },
      select: { id: true, displayName: true },
      orderBy: { displayName: "asc" },
      take: 500,
    });

  app.get("/queue", async (c) => {
    const o = c.get("official");
    const filters = parseFilters(c.req.query(), deps.data);
    const at = now();
    const fragment = Boolean(c.req.query("fragment"));
    const [rows, counts, officials, unprocessed] = await Promise.all([
      query.page(o, filters, at),
      query.counts(o, filters, at),
      colleagues(o),
      o.role === "admin" && !fragment ? countUnprocessed(deps.db) : undefined,
    ]);
    const { total, stamp } = counts;
    const props = {
      official: o,
      csrfToken: c.get("csrfToken"),
      agencyName: agencyName(o),
      data: deps.data,
      filters,
      rows,
      total,
      counts,
      officials,
      stamp,
      now: at,
      pollMs,
      flash: c.req.query("changed") ? qList.changed : undefined,
      unprocessed,
    };
    if (fragment) return c.html(<QueueResults {...props} />);
    return c.html(<QueuePage {...props} />);
  });

  app.get("/queue/api/stamp", async (c) => c.json({ stamp: await query.stamp(c.get("official")) }));

  /** The filtered list as JSON (same filters and the same agency confinement as the page). */
  app.get("/queue/api/cases", async (c) => {
    const o = c.get("official");
    const filters = parseFilters(c.req.query(), deps.data);
    const { rows, total } = await query.list(o, filters, now());
    return c.json({
      total,
      page: filters.page,
      cases: rows.map((r) => ({
        id: r.id,
        code: r.code,
        kind: r.kind,
        status: r.status,
        topicId: r.topicId,
        placeId: r.placeId,
        agencyId: r.agencyId,
        assigneeId: r.assigneeId,
        receivedAt: r.receivedAt,
        dueAt: r.dueAt,
        description: r.description,
      })),
    });
  });

  caseRoutes(app, {
    db: deps.db,
    data: deps.data,
    actions: deps.actions,
    now,
    similarCases: deps.similarCases,
    photoPreview: (channel) => channel === "telegram" && Boolean(deps.telegramPhotos),
  });
  photoRoutes(app, { db: deps.db, logger: deps.logger, telegram: deps.telegramPhotos });

  const services = { db: deps.db, data: deps.data, actions: deps.actions, now, logger: deps.logger };
  for (const register of deps.extraRoutes ?? []) register(app, services);

  // Anything else under /queue: a page (or JSON) that says so, behind the session like the rest.
  app.all("/queue/*", (c) => notFound(c));
  app.onError((err, c) => {
    if (err instanceof ForbiddenError || err instanceof NotFoundError) return notFound(c);
    deps.logger.error({ err, path: c.req.path }, "queue request failed");
    return c.req.path.startsWith("/queue/api/")
      ? c.json({ error: q.errors.unavailable }, 503)
      : c.html(
          <Layout title={q.errors.unavailable} official={c.get("official")} csrfToken={c.get("csrfToken")}>
            <Flash kind="error" text={q.errors.unavailable} />
          </Layout>,
          503,
        );
  });
  return app;
}
