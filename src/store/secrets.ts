/**
 * A secret the server makes for itself: random on first use, then kept in the database so that
 * restarts and every process sharing the database use the same one. Portable (Web Crypto).
 */
import type { DbClient } from "../outbox/support.ts";

export async function appSecret(db: DbClient, name: string): Promise<string> {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const value = btoa(String.fromCharCode(...bytes)).replace(
    /[+/=]/g,
    (ch) => ({ "+": "-", "/": "_", "=": "" })[ch]!,
  );
  await db.appSecret.createMany({ data: [{ name, value }], skipDuplicates: true });
  const row = await db.appSecret.findUniqueOrThrow({ where: { name } });
  return row.value;
}
