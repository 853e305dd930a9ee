/**
 * Citizens' photos for officials, served from our own origin (the page's CSP allows img-src 'self').
 *
 * A Telegram photo is stored as a file reference (file_id): the server asks the Bot API for its
 * path (getFile, through the production grammY bot) and streams the file back. The download URL
 * holds the bot token, so it never leaves the server: not in the page, not in a redirect, not in a
 * log. Reads are confined like the case page (another agency's case answers 404).
 *
 * - Only JPEG, PNG and WebP are served, recognised by their first bytes (the upstream's
 *   content-type is not trusted); anything else answers 415.
 * - At most `maxBytes` (default 20 MB, the Bot API's own download limit): a larger declared size
 *   answers 413; a body that grows past it is cut off.
 * - Telegram not configured, a file Telegram no longer has, a timeout: a polite 404 page.
 * - Zalo and web photos are https URLs the page links to directly (no route needed).
 */
import type { Context } from "hono";
import { qCase } from "../i18n/queue.ts";
import type { Db } from "../store/db.ts";
import { NotFoundError } from "./actions.ts";
import type { QueueLogger } from "./app.tsx";
import { caseFor } from "./case-routes.tsx";
import type { QueueApp, QueueEnv } from "./context.ts";
import { Flash, Layout } from "./views/layout.tsx";

/** Resolves a Telegram file reference to a download URL (TelegramSender.fetchPhotoUrl). */
export interface TelegramPhotoSource {
  fetchPhotoUrl(fileId: string, signal?: AbortSignal): Promise<string>;
}

export interface PhotoRouteDeps {
  db: Db;
  logger: QueueLogger;
  telegram?: TelegramPhotoSource | undefined;
  maxBytes?: number;
  timeoutMs?: number;
}

export const PHOTO_MAX_BYTES = 20 * 1024 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The image type from the first bytes; undefined for anything but JPEG, PNG and WebP. */
export function sniffImageType(b: Uint8Array): "image/jpeg" | "image/png" | "image/webp" | undefined {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image/jpeg";
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (b.length >= 8 && png.every((x, i) => b[i] === x)) return "image/png";
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  if (b.length >= 12 && ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return "image/webp";
  return undefined;
}

function attachmentAt(items: unknown, n: string): { ref?: unknown } | undefined {
  if (!/^[1-9]\d{0,2}$/.test(n) || !Array.isArray(items)) return undefined;
  const item = items[Number(n) - 1] as unknown;
  return item && typeof item === "object" ? (item as { ref?: unknown }) : undefined;
}

function unavailable(c: Context<QueueEnv>, status: 404 | 413 | 415, text: string) {
  return c.html(
    <Layout title={text} official={c.get("official")} csrfToken={c.get("csrfToken")}>
      <Flash kind="error" text={text} />
    </Layout>,
    status,
  );
}

export function photoRoutes(app: QueueApp, deps: PhotoRouteDeps) {
  const maxBytes = deps.maxBytes ?? PHOTO_MAX_BYTES;
  const timeoutMs = deps.timeoutMs ?? 30_000;

  const serve = async (c: Context<QueueEnv>, channel: string, item: { ref?: unknown } | undefined) => {
    if (!item) throw new NotFoundError();
    const ref = typeof item.ref === "string" ? item.ref : "";
    if (!deps.telegram || channel !== "telegram" || !ref) return unavailable(c, 404, qCase.photoUnavailable);
    const signal = AbortSignal.timeout(timeoutMs);
    let upstream: Response;
    try {
      const url = await deps.telegram.fetchPhotoUrl(ref, signal);
      upstream = await fetch(url, { signal, redirect: "error" });
    } catch (e) {
      // DeliveryError messages carry no token; a fetch error is reduced to its name (its cause may hold the URL).
      deps.logger.warn(
        { err: e instanceof Error && e.name === "DeliveryError" ? e.message : (e as Error)?.name },
        "queue: photo unavailable",
      );
      return unavailable(c, 404, qCase.photoUnavailable);
    }
    if (!upstream.ok || !upstream.body) {
      await upstream.body?.cancel().catch(() => {});
      deps.logger.warn({ status: upstream.status }, "queue: photo download refused");
      return unavailable(c, 404, qCase.photoUnavailable);
    }
    const declared = Number(upstream.headers.get("content-length") ?? Number.NaN);
    if (Number.isFinite(declared) && declared > maxBytes) {
      await upstream.body.cancel().catch(() => {});
      return unavailable(c, 413, qCase.photoTooLarge);
    }
    // Read enough bytes to recognise the format, then stream the rest under the cap.
    const reader = upstream.body.getReader();
    let head: Uint8Array = new Uint8Array(0);
    let done = false;
    try {
      while (head.length < 12 && !done) {
        const r = await reader.read();
        if (r.done) done = true;
        else head = concat(head, r.value);
      }
    } catch {
      return unavailable(c, 404, qCase.photoUnavailable);
    }
    const type = sniffImageType(head);
    if (!type || head.length > maxBytes) {
      await reader.cancel().catch(() => {});
      return type ? unavailable(c, 413, qCase.photoTooLarge) : unavailable(c, 415, qCase.photoUnsupported);
    }
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        sent = head.length;
        controller.enqueue(head);
        if (done) controller.close();
      },
      async pull(controller) {
        try {
          const r = await reader.read();
          if (r.done) return controller.close();
          sent += r.value.length;
          if (sent > maxBytes) {
            await reader.cancel().catch(() => {});
            return controller.error(new Error("photo over the size cap"));
          }
          controller.enqueue(r.value);
        } catch (e) {
          controller.error(e);
        }
      },
      cancel: () => reader.cancel().catch(() => {}),
    });
    const headers = new Headers({
      "content-type": type,
      "cache-control": "private, max-age=300",
      "x-content-type-options": "nosniff",
      "content-disposition": "inline",
    });
    if (Number.isFinite(declared)) headers.set("content-length", String(declared));
    return new Response(body, { status: 200, headers });
  };

  app.get("/queue/cases/:id/photos/:n", async (c) => {
    const row = await caseFor(deps.db, c.get("official"), c.req.param("id"));
    return serve(c, row.channel, attachmentAt(row.attachments, c.req.param("n")));
  });

  app.get("/queue/cases/:id/messages/:mid/photos/:n", async (c) => {
    const row = await caseFor(deps.db, c.get("official"), c.req.param("id"));
    const mid = c.req.param("mid");
    if (!UUID.test(mid)) throw new NotFoundError();
    const m = await deps.db.message.findFirst({
      where: { id: mid, caseId: row.id, direction: "in" },
      select: { attachments: true, identity: true },
    });
    // A message that holds the sender's identity is never served here (the page redacts it).
    if (!m || m.identity) throw new NotFoundError();
    return serve(c, row.channel, attachmentAt(m.attachments, c.req.param("n")));
  });
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
