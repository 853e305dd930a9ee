/**
 * The database on Cloudflare Workers: a PostgreSQL server (directly or through a Hyperdrive
 * binding) via Prisma's pg adapter. No embedded database, and no migrations here: the schema
 * engine does not run at request time; `npm run db:migrate` against DATABASE_URL before deploy.
 *
 * Workers forbid using one request's sockets in another, so the Worker opens a client per
 * request (or cron run) and closes it when that work ends; Hyperdrive pools the connections.
 */
import { PrismaPg } from "@prisma/adapter-pg";
// The same schema, generated for workerd: its query compiler is a .wasm module (see schema.prisma).
import { PrismaClient } from "../generated/prisma-workers/client.ts";
import type { Db } from "./db.ts";

export interface ServerDb {
  db: Db;
  kind: "postgres";
  close(): Promise<void>;
}

export function openServerDb(connectionString: string, options: { maxConnections?: number } = {}): ServerDb {
  const adapter = new PrismaPg({ connectionString, max: options.maxConnections ?? 5 });
  // Both clients are generated from one schema; only their query-compiler loading differs.
  const db = new PrismaClient({ adapter }) as unknown as Db;
  return { db, kind: "postgres", close: () => db.$disconnect() };
}
