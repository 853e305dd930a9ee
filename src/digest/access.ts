/**
 * Who may read the digest: leaders and administrators, signed in to the officials' queue (their
 * session cookie); other roles get 403, and a visitor without a session is sent to the sign-in
 * page. A token from config (DIGEST_TOKEN) also opens it, for scripts and shared screens; without
 * one, only the queue's accounts do. Everything goes through `authorizeDigest`.
 *
 * The token is accepted as `Authorization: Bearer <token>`, as the `digest_token` cookie, or once
 * as `?token=` — which sets the cookie (HttpOnly, SameSite=Strict, path /digest) and redirects to
 * the same URL without it, so the token does not stay in the address bar or the history.
 */
import { timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import { getCookie } from "hono/cookie";

export const DIGEST_COOKIE = "digest_token";

export type DigestAccess =
  | { ok: true }
  | { ok: false; reason: "forbidden" }
  /** No session and no token: sign in first (`location` is the sign-in page). */
  | { ok: false; reason: "login"; location: string }
  /** A valid ?token= : set the cookie and redirect to `location`. */
  | { ok: false; reason: "redirect"; location: string };

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Roles of the queue's accounts that may read the digest. */
export const DIGEST_ROLES: readonly string[] = ["leader", "admin"];

export function authorizeDigest(
  c: Context,
  token: string | undefined,
  official: { role: string } | null = null,
): DigestAccess {
  if (official)
    return DIGEST_ROLES.includes(official.role) ? { ok: true } : { ok: false, reason: "forbidden" };
  const url = new URL(c.req.url);
  const login = {
    ok: false,
    reason: "login",
    location: `/queue/login?next=${encodeURIComponent(url.pathname + url.search)}`,
  } as const;
  if (!token) return login;
  const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
  if (bearer !== undefined) return same(bearer, token) ? { ok: true } : { ok: false, reason: "forbidden" };
  const cookie = getCookie(c, DIGEST_COOKIE);
  if (cookie !== undefined && same(cookie, token)) return { ok: true };
  const query = c.req.query("token");
  if (query !== undefined && same(query, token)) {
    url.searchParams.delete("token");
    return { ok: false, reason: "redirect", location: `${url.pathname}${url.search}` };
  }
  return c.req.header("authorization") || c.req.query("token") !== undefined
    ? { ok: false, reason: "forbidden" }
    : login;
}
