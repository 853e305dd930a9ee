/**
 * Databases for tests: the embedded PGlite (always) and, when reachable, a scratch database on the
 * PostgreSQL server (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres),
 * created per test file and dropped afterwards. With REQUIRE_POSTGRES=1 (CI) an unreachable server fails
 * the run; otherwise its suites are skipped and say so.
 */
import pg from "pg";
import { type OpenDb, openDb } from "../../src/store/db.ts";

const adminUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

let reachable: Promise<boolean> | undefined;

export function postgresReachable(): Promise<boolean> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query("select 1");
      return true;
    } catch {
      if (process.env.REQUIRE_POSTGRES === "1") {
        throw new Error(`PostgreSQL is required (REQUIRE_POSTGRES=1) but unreachable at ${adminUrl}`);
      }
      console.warn(
        `PostgreSQL unreachable at ${adminUrl}: the server suites are SKIPPED (embedded database only).`,
      );
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return reachable;
}

export interface TestDb extends OpenDb {
  url?: string;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface ScratchDatabase {
  /** postgres://… of the new, empty database (the product migrates it when it opens it). */
  url: string;
  /** Drops the database (closing any connection still open to it). */
  drop(): Promise<void>;
}

/**
 * Creates an empty scratch database on the test PostgreSQL server, for code that opens its own
 * connections from a DATABASE_URL (e.g. createRuntime). Call `drop()` when done.
 */
export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const name = `hopthu_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await admin((c) => c.query(`create database ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => {}),
  };
}

/** Opens a fresh, migrated database of the given kind. Call `close()` to drop it. */
export async function openTestDb(kind: "pglite" | "postgres"): Promise<TestDb> {
  if (kind === "pglite") return openDb({ dataDir: "memory://" });
  const name = `hopthu_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await admin((c) => c.query(`create database ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const opened = await openDb({ databaseUrl: url.toString() });
  return {
    ...opened,
    url: url.toString(),
    async close() {
      await opened.close();
      await admin((c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}

/** The database kinds to run a suite against: PGlite always, PostgreSQL when reachable. */
export async function dbKinds(): Promise<Array<"pglite" | "postgres">> {
  return (await postgresReachable()) ? ["pglite", "postgres"] : ["pglite"];
}
