/**
 * /digest — the leaders' digest page (HTML, printable), ?format=pdf|json for the same digest as a
 * PDF or JSON; /digest/chart/<token>.png — the key chart of a push, fetched by Telegram and Zalo
 * (public by an unguessable token: aggregated figures only); /digest/assets/* — the page's font.
 *
 * Query: period=<key> (2026-W48, 2026-H1, 2026, 2026-11-01..2026-11-30), or kind=week|half|year|range
 * with from=/to= (YYYY-MM-DD); scope=city|agency:<id>|commune:<id>. Default: last week, city.
 */
import { readFileSync } from "node:fs";
import { type Context, Hono } from "hono";
import { setCookie } from "hono/cookie";
import type { ReferenceData } from "../data/index.ts";
import { digestStrings as S } from "../i18n/digest.ts";
import type { Db } from "../store/db.ts";
import { authorizeDigest, DIGEST_COOKIE } from "./access.ts";
import { FONT_FILES } from "./fonts.ts";
import {
  halfOf,
  localMidnight,
  type Period,
  parsePeriodKey,
  previousPeriod,
  rangePeriod,
  weekOf,
  yearOf,
} from "./period.ts";
import { renderDigest } from "./render.ts";
import { buildDigest, type DigestDeps, parseScope } from "./service.ts";

export interface DigestRouteDeps extends DigestDeps {
  token: string | undefined;
  /** The signed-in official of the request (the queue's session), if any. */
  sessionOf?: (c: Context) => Promise<{ role: string } | null>;
  db: Db;
  data: ReferenceData;
}

const MAX_DAYS = 732;

/** The period a request asks for (default: the last full week). Throws RangeError when invalid. */
export function periodFromQuery(q: (name: string) => string | undefined, now: Date): Period {
  const key = q("period");
  if (key) return parsePeriodKey(key);
  const from = q("from");
  const to = q("to");
  const kind = q("kind");
  if (from && (kind === "week" || kind === "half" || kind === "year")) {
    const at = localMidnight(from);
    return kind === "week" ? weekOf(at) : kind === "half" ? halfOf(at) : yearOf(at);
  }
  if (from && to) return rangePeriod(from, to);
  return previousPeriod(weekOf(now));
}

export function digestRoutes(deps: DigestRouteDeps): Hono {
  const app = new Hono();
  const fonts = new Map<string, Uint8Array>();
  const font = (name: keyof typeof FONT_FILES) => {
    let bytes = fonts.get(name);
    if (!bytes) {
      bytes = new Uint8Array(readFileSync(FONT_FILES[name]));
      fonts.set(name, bytes);
    }
    return bytes;
  };

  app.get("/digest/assets/:name{(regular|semibold|bold)\\.ttf}", (c) => {
    const name = c.req.param("name").replace(".ttf", "") as keyof typeof FONT_FILES;
    return c.body(font(name) as Uint8Array<ArrayBuffer>, 200, {
      "content-type": "font/ttf",
      "cache-control": "public, max-age=604800",
    });
  });

  app.get("/digest/chart/:file{[A-Za-z0-9_-]{20,100}\\.png}", async (c) => {
    const token = c.req.param("file").slice(0, -4);
    const push = await deps.db.digestPush.findUnique({
      where: { chartToken: token },
      select: { chart: true },
    });
    if (!push) return c.json({ error: S.notFound }, 404);
    return c.body(new Uint8Array(push.chart) as Uint8Array<ArrayBuffer>, 200, {
      "content-type": "image/png",
      "cache-control": "public, max-age=86400",
    });
  });

  app.get("/digest", async (c) => {
    const access = authorizeDigest(c, deps.token, (await deps.sessionOf?.(c)) ?? null);
    if (!access.ok) {
      if (access.reason === "redirect") {
        setCookie(c, DIGEST_COOKIE, deps.token!, {
          httpOnly: true,
          sameSite: "Strict",
          path: "/digest",
          secure: new URL(c.req.url).protocol === "https:",
          maxAge: 30 * 86_400,
        });
        return c.redirect(access.location, 303);
      }
      if (access.reason === "login") return c.redirect(access.location, 303);
      return c.html(errorPage(S.forbidden), 403);
    }
    const now = deps.now();
    let period: Period;
    let scope: ReturnType<typeof parseScope>;
    try {
      period = periodFromQuery((n) => c.req.query(n), now);
      if ((period.end.getTime() - period.start.getTime()) / 86_400_000 > MAX_DAYS)
        throw new RangeError("too long");
      scope = parseScope(c.req.query("scope") ?? "city", deps.data);
    } catch (e) {
      const message = e instanceof RangeError && e.message.startsWith("Phạm vi") ? e.message : S.badPeriod;
      return c.html(errorPage(message), 400);
    }
    const format = c.req.query("format") ?? "html";
    if (!["html", "pdf", "json"].includes(format)) return c.html(errorPage(S.badFormat), 400);
    const report = await buildDigest(deps, { period, scope });
    const scopeParam = scope.type === "city" ? "city" : `${scope.type}:${scope.id}`;
    const self = (params: Record<string, string>) =>
      `/digest?${new URLSearchParams({ period: period.key, scope: scopeParam, ...params })}`;
    const out = await renderDigest(report, format as "html" | "pdf" | "json", {
      data: deps.data,
      links: { self, scopeParam },
      now,
      nonce: c.get("secureHeadersNonce" as never) as string | undefined,
    });
    const headers: Record<string, string> = {
      "cache-control": "private, no-store",
      "content-type": out.contentType,
    };
    if (format === "pdf")
      headers["content-disposition"] = `inline; filename="ban-tin-${period.key.replace(/\.\./g, "_")}.pdf"`;
    return c.body(out.body as Uint8Array<ArrayBuffer>, 200, headers);
  });
  return app;
}

function errorPage(message: string): string {
  const esc = message.replace(
    /[&<>"]/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]!,
  );
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>${S.title}</title></head><body><h1>${S.title}</h1><p>${esc}</p></body></html>`;
}
