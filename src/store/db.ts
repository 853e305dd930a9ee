/**
 * Opens the database: PGlite (embedded PostgreSQL in a data folder) by default, a PostgreSQL
 * server when a URL is given. One Prisma schema and one migration history serve both.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "../generated/prisma/client.ts";
import { applyMigrations, type MigrationPaths } from "./migrate.ts";

export type Db = PrismaClient;

export interface DbOptions {
  /** postgres://… for a server; otherwise the embedded database is used. */
  databaseUrl?: string | undefined;
  /** Data folder of the embedded database; "memory://" keeps it in memory (tests). */
  dataDir?: string;
  migrate?: boolean;
}

export interface OpenDb {
  db: Db;
  kind: "pglite" | "postgres";
  factory: SqlMigrationAwareDriverAdapterFactory;
  appliedMigrations: string[];
  close(): Promise<void>;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const defaultMigrationPaths: MigrationPaths = {
  schemaPath: path.join(root, "prisma/schema.prisma"),
  migrationsDir: path.join(root, "prisma/migrations"),
};

export async function openDb(options: DbOptions): Promise<OpenDb> {
  let factory: SqlMigrationAwareDriverAdapterFactory;
  let closeDriver: () => Promise<void>;
  let kind: OpenDb["kind"];
  if (options.databaseUrl) {
    kind = "postgres";
    const pg = new PrismaPg({ connectionString: options.databaseUrl, max: 10 });
    factory = pg;
    closeDriver = async () => {};
  } else {
    kind = "pglite";
    const dataDir = options.dataDir ?? "./.data";
    if (!dataDir.startsWith("memory://")) await mkdir(dataDir, { recursive: true });
    const client = new PGlite(dataDir);
    await client.waitReady;
    factory = new PrismaPGlite(client);
    closeDriver = () => client.close();
  }
  const appliedMigrations =
    options.migrate === false ? [] : await applyMigrations(factory, defaultMigrationPaths);
  const db = new PrismaClient({ adapter: factory });
  return {
    db,
    kind,
    factory,
    appliedMigrations,
    async close() {
      await db.$disconnect();
      await closeDriver();
    },
  };
}
