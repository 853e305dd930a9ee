/**
 * Opens the database: PGlite (embedded PostgreSQL in a data folder) by default, a PostgreSQL
 * server when a URL is given. One Prisma schema and one migration history serve both.
 */
import { access, mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "../generated/prisma/client.ts";
import { applyMigrations, type MigrationPaths, pendingMigrationNames } from "./migrate.ts";
import { migrateInChild } from "./migrate-child.ts";

export type Db = PrismaClient;

export interface DbOptions {
  /** postgres://… for a server; otherwise the embedded database is used. */
  databaseUrl?: string | undefined;
  /** Data folder of the embedded database; "memory://" keeps it in memory (tests). */
  dataDir?: string;
  migrate?: boolean;
  /**
   * Where pending migrations run: "process" (default) here; "child" in a short-lived child
   * process (src/store/migrate-child.ts), so the schema engine's and a new data folder's initdb
   * memory leaves with it — the long-running product. An in-memory database always migrates here.
   */
  migrateIn?: "process" | "child";
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

/** PGlite's own start parameters (`PGlite.defaultStartParams` in 0.4), kept as they are. */
const PGLITE_START_PARAMS: string[] = (PGlite as unknown as { defaultStartParams: string[] })
  .defaultStartParams;

/** True unless every migration folder is recorded as finished (or the table is missing). */
async function migrationsPending(db: Db): Promise<boolean> {
  let applied: Array<{ migration_name: string }>;
  try {
    applied = await db.$queryRawUnsafe<Array<{ migration_name: string }>>(
      `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
  } catch {
    return true; // a new database: no table yet
  }
  const pending = await pendingMigrationNames(
    defaultMigrationPaths.migrationsDir,
    applied.map((r) => r.migration_name),
  );
  return pending.length > 0;
}

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

/**
 * PGlite runs each protocol step synchronously and resolves its promise at once, so a dialogue turn
 * — dozens of statements, each a chain of resolved promises — would hold the event loop from its
 * first statement to its last: webhooks, /healthz and the chat wait the whole turn. Here a step
 * first lets the event loop poll for I/O (setImmediate) when it has not done so for `everyMs`, so
 * no stretch of database work holds Node's I/O much longer than that.
 */
export function yieldToIo(client: PGlite, everyMs = 2): void {
  const step = client.execProtocolStream.bind(client);
  let polled = performance.now();
  client.execProtocolStream = async (...args: Parameters<PGlite["execProtocolStream"]>) => {
    if (performance.now() - polled >= everyMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      polled = performance.now();
    }
    return step(...args);
  };
}

export async function openDb(options: DbOptions): Promise<OpenDb> {
  const migrate = options.migrate !== false;
  const dataDir = options.dataDir ?? "./.data";
  const inChild =
    migrate &&
    options.migrateIn === "child" &&
    (Boolean(options.databaseUrl) || !dataDir.startsWith("memory://"));
  const target = { databaseUrl: options.databaseUrl, dataDir };
  let appliedMigrations: string[] = [];
  // A new data folder: initdb and every migration in the child, then open what it built.
  if (inChild && !options.databaseUrl && !(await exists(path.join(dataDir, "PG_VERSION"))))
    appliedMigrations = await migrateInChild(target);
  let opened = await connect(options);
  if (migrate && (await migrationsPending(opened.db))) {
    if (inChild) {
      // The embedded database has one process at a time: close it while the child migrates.
      if (opened.kind === "pglite") await opened.close();
      appliedMigrations = [...appliedMigrations, ...(await migrateInChild(target))];
      if (opened.kind === "pglite") opened = await connect(options);
    } else {
      appliedMigrations = await applyMigrations(opened.factory, defaultMigrationPaths);
    }
  }
  return { ...opened, appliedMigrations };
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** The Prisma client on its driver: PostgreSQL server or PGlite. */
async function connect(options: DbOptions): Promise<Omit<OpenDb, "appliedMigrations">> {
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
    const client = new PGlite(dataDir, {
      extensions: PGLITE_EXTENSIONS,
      // PostgreSQL's default 128 MB of shared buffers is resident in the WebAssembly memory of an
      // embedded database that holds one office's cases; 16 MB keeps ~110 MB of RAM free (the
      // operating system still caches the data files).
      startParams: [...PGLITE_START_PARAMS, "-c", "shared_buffers=16MB"],
    });
    await client.waitReady;
    yieldToIo(client);
    factory = new PrismaPGliteWithExtensions(client);
    closeDriver = () => client.close();
  }
  const db = new PrismaClient({ adapter: factory });
  return {
    db,
    kind,
    factory,
    async close() {
      await db.$disconnect();
      await closeDriver();
    },
  };
}
