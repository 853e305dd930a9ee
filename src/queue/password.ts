/**
 * Password hashing with scrypt (Node's crypto; memory-hard, no native add-on, also available on
 * Workers with nodejs_compat). Stored as "scrypt$N$r$p$salt$hash" (base64url), so the cost can be
 * raised later and old hashes still verify.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from "node:crypto";

const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function scrypt(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password.normalize("NFC"), salt, KEY_LENGTH, { N: n, r, p, maxmem: 256 * n * r }, (e, key) =>
      e ? reject(e) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const parts = stored?.split("$");
  if (parts?.length !== 6 || parts[0] !== "scrypt") return false;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (!(n >= 2 ** 10 && n <= 2 ** 20 && r >= 1 && r <= 32 && p >= 1 && p <= 16)) return false;
  const expected = Buffer.from(parts[5]!, "base64url");
  const key = await scrypt(password, Buffer.from(parts[4]!, "base64url"), n, r, p);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash that verifies nothing, to spend the same time on unknown usernames. */
export const DUMMY_HASH =
  "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/** A one-time password an administrator hands over (or the console prints): 20 readable characters. */
export function oneTimePassword(): string {
  const alphabet = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ";
  const bytes = randomBytes(40);
  let out = "";
  for (const b of bytes) {
    if (b < 54 * 4 && out.length < 20) out += alphabet[b % 54];
  }
  while (out.length < 20) out += alphabet[randomBytes(1)[0]! % 54];
  return `${out.slice(0, 5)}-${out.slice(5, 10)}-${out.slice(10, 15)}-${out.slice(15)}`;
}

/** Why a new password is not acceptable, or null. */
export function passwordProblem(password: string, username: string): "short" | "long" | "username" | null {
  if (password.length < 10) return "short";
  if (password.length > 200) return "long";
  if (password.toLowerCase().includes(username.toLowerCase())) return "username";
  return null;
}
