/**
 * Tracking codes: 8 random characters + 1 check character, shown as "XXXX-XXXXC" (e.g. "HK7R-2MQ9X").
 *
 * Alphabet: 31 symbols (digits 2–9 and letters without I, L, O — nothing that reads like 0/1/O/I/L).
 * 31 is prime, so a weighted sum mod 31 with weights 3^k (3 is a primitive root mod 31, so
 * neighbouring weights always differ) catches every single wrong character and every swap of two
 * neighbours (ISO 7064-style pure system). Random part: 31^8 ≈ 8.5e11 codes — not guessable.
 */
export const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const MOD = CODE_ALPHABET.length; // 31, prime
const BODY_LENGTH = 8;

function weight(position: number): number {
  let w = 1;
  for (let i = 0; i < position; i++) w = (w * 3) % MOD;
  return w;
}

/** Check character for a body so that the weighted sum of body + check is 0 mod 31. */
export function checkCharacter(body: string): string {
  let sum = 0;
  // The check sits at position 0 (weight 1); the body's last character at position 1, and so on.
  for (let i = 0; i < body.length; i++) {
    const value = CODE_ALPHABET.indexOf(body[body.length - 1 - i]!);
    if (value < 0) throw new Error(`Invalid code character: ${body[body.length - 1 - i]}`);
    sum = (sum + value * weight(i + 1)) % MOD;
  }
  return CODE_ALPHABET[(MOD - sum) % MOD]!;
}

/** Generates a new random code from a source of random bytes (Web Crypto by default). */
export function generateCode(randomBytes: (n: number) => Uint8Array = defaultRandomBytes): string {
  let body = "";
  while (body.length < BODY_LENGTH) {
    for (const byte of randomBytes(16)) {
      // Rejection sampling keeps the distribution uniform: 248 = 8 × 31.
      if (byte < 248 && body.length < BODY_LENGTH) body += CODE_ALPHABET[byte % MOD];
    }
  }
  return formatCode(body + checkCharacter(body));
}

function defaultRandomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** "HK7R2MQ9X" → "HK7R-2MQ9X". */
export function formatCode(compact: string): string {
  return `${compact.slice(0, 4)}-${compact.slice(4)}`;
}

export type ParsedCode = { ok: true; code: string } | { ok: false; reason: "length" | "character" | "check" };

/**
 * Reads what a citizen typed: case, spaces, dashes and dots are ignored; "#" and a leading
 * "mã"/"ma" word are tolerated. Returns the canonical code or why it is not one.
 */
export function parseCode(input: string): ParsedCode {
  const text = input.normalize("NFC");
  // A code may itself begin with "MA": read the text as a whole first, then without the prefix.
  const whole = parseCompact(text);
  if (whole.ok) return whole;
  const prefixed = /^\s*(?:mã|ma)\s*(?:số|so)?\s*[:#]?(.*)$/isu.exec(text);
  return prefixed ? parseCompact(prefixed[1]!) : whole;
}

function parseCompact(text: string): ParsedCode {
  const compact = text.toUpperCase().replace(/[\s\-–—._#:]/g, "");
  if (compact.length !== BODY_LENGTH + 1) return { ok: false, reason: "length" };
  for (const ch of compact) if (!CODE_ALPHABET.includes(ch)) return { ok: false, reason: "character" };
  const body = compact.slice(0, BODY_LENGTH);
  if (checkCharacter(body) !== compact[BODY_LENGTH]) return { ok: false, reason: "check" };
  return { ok: true, code: formatCode(compact) };
}

/** True when the text looks like an attempt to type a code (for the dialogue to offer a look-up). */
export function looksLikeCode(input: string): boolean {
  // A valid code may be all letters ("AFKE-MRDYQ"); a mistyped one is recognised by its mix of
  // letters and digits.
  if (parseCode(input).ok) return true;
  const compact = input.toUpperCase().replace(/[\s\-–—._#:]/g, "");
  return /^[0-9A-Z]{9}$/.test(compact) && /\d/.test(compact) && /[A-Z]/.test(compact);
}
