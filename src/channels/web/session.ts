/**
 * The web chat's identity is issued by the server, never chosen by the browser: a random
 * conversation id in a signed (HMAC-SHA256), HttpOnly, SameSite=Strict cookie. A request without a
 * valid cookie gets a new conversation; "new conversation" asks the server for a new cookie.
 */
import type { Context } from "hono";
import { getSignedCookie, setSignedCookie } from "hono/cookie";

export const CHAT_COOKIE = "hopthu_chat";
const MAX_AGE_SECONDS = 180 * 24 * 3600;
const ID = /^w-[A-Za-z0-9_-]{22,64}$/;

function newConversationId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return `w-${btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")}`;
}

/** The conversation id of this browser, if it holds a valid cookie. */
export async function readConversationId(c: Context, secret: string): Promise<string | undefined> {
  const value = await getSignedCookie(c, secret, CHAT_COOKIE);
  return typeof value === "string" && ID.test(value) ? value : undefined;
}

/** Issues a new conversation id to this browser (Set-Cookie) and returns it. */
export async function issueConversationId(c: Context, secret: string): Promise<string> {
  const id = newConversationId();
  await setSignedCookie(c, CHAT_COOKIE, id, secret, {
    httpOnly: true,
    sameSite: "Strict",
    path: "/",
    secure: new URL(c.req.url).protocol === "https:",
    maxAge: MAX_AGE_SECONDS,
  });
  return id;
}

/** The browser's conversation id, issuing one when it has none (or a forged one). */
export async function conversationId(c: Context, secret: string): Promise<string> {
  return (await readConversationId(c, secret)) ?? (await issueConversationId(c, secret));
}

/** The client's address: Cloudflare's header on Workers, the socket's peer under Node. */
export function clientAddress(c: Context): string {
  const cf = c.req.header("cf-connecting-ip");
  if (cf) return cf;
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? "unknown";
}
