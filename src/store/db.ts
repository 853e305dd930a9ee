/**
 * Opens the database: PGlite (embedded PostgreSQL in a data folder) by default, a PostgreSQL
 * server when a URL is given. One Prisma schema and one migration history serve both.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
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

/**
 * The PostgreSQL extensions the schema uses (schema.prisma's `extensions`), loaded into every
 * embedded database: PGlite ships contrib extensions as separate modules.
 */
export const PGLITE_EXTENSIONS = { pg_trgm };

/** The PGlite driver adapter whose shadow database (db:diff) has the extensions too. */
export class PrismaPGliteWithExtensions extends PrismaPGlite {
  override connectToShadowDb() {
    return new PrismaPGlite(new PGlite("memory://", { extensions: PGLITE_EXTENSIONS })).connect();
  }
}

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
    const client = new PGlite(dataDir, { extensions: PGLITE_EXTENSIONS });
    await client.waitReady;
    factory = new PrismaPGliteWithExtensions(client);
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
