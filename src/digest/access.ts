/**
 * Who may read the digest: leaders and administrators. Until the officials' queue accounts land,
 * one admin token from config (DIGEST_TOKEN) opens it; with no token configured the digest is
 * off (403 with an explanation), never open. Everything goes through `authorizeDigest`, so
 * switching to the queue's session (roles leader, admin) changes this file only.
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
  | { ok: false; reason: "disabled" | "forbidden" }
  /** A valid ?token= : set the cookie and redirect to `location`. */
  | { ok: false; reason: "redirect"; location: string };

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function authorizeDigest(c: Context, token: string | undefined): DigestAccess {
  if (!token) return { ok: false, reason: "disabled" };
  const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
  if (bearer !== undefined) return same(bearer, token) ? { ok: true } : { ok: false, reason: "forbidden" };
  const cookie = getCookie(c, DIGEST_COOKIE);
  if (cookie !== undefined && same(cookie, token)) return { ok: true };
  const query = c.req.query("token");
  if (query !== undefined && same(query, token)) {
    const url = new URL(c.req.url);
    url.searchParams.delete("token");
    return { ok: false, reason: "redirect", location: `${url.pathname}${url.search}` };
  }
  return { ok: false, reason: "forbidden" };
}
