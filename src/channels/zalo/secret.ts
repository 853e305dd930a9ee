/**
 * Checks the `X-Bot-Api-Secret-Token` header Zalo sends with every webhook request.
 *
 * Pure TypeScript (TextEncoder only, no `node:crypto`) so it runs unchanged on Node and on
 * Cloudflare Workers. The comparison touches every byte of the expected secret whatever the
 * input, so its running time does not depend on where the first difference is; only the length
 * of the configured secret can be learned from timing, which is public anyway (8–256 chars).
 */

/** The header Zalo sets to the `secret_token` given to `setWebhook`. */
export const ZALO_SECRET_HEADER = "X-Bot-Api-Secret-Token";

const encoder = new TextEncoder();

/**
 * Constant-time string equality over the UTF-8 bytes. The loop runs over `expected`'s length
 * regardless of `received`, and a length difference is folded into the result, not returned early.
 */
export function timingSafeEqual(received: string, expected: string): boolean {
  const a = encoder.encode(received);
  const b = encoder.encode(expected);
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) {
    // Missing bytes of a shorter `received` read as 0; the length mismatch is already in `diff`.
    diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  }
  return diff === 0;
}

/**
 * True only when the header is present and equals the configured secret. An empty or absent
 * configured secret never matches (a misconfiguration must not open the webhook to everyone).
 */
export function verifySecretToken(
  received: string | null | undefined,
  expected: string | undefined,
): boolean {
  if (typeof expected !== "string" || expected.length === 0) return false;
  if (typeof received !== "string" || received.length === 0) return false;
  return timingSafeEqual(received, expected);
}

/** Reads the header from a Fetch `Request` / `Headers` (header names are case-insensitive there). */
export function verifySecretHeader(source: Request | Headers, expected: string | undefined): boolean {
  const headers = source instanceof Headers ? source : source.headers;
  return verifySecretToken(headers.get(ZALO_SECRET_HEADER), expected);
}
