import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defaultMigrationPaths, openDb } from "../../src/store/db.ts";
import { pendingMigrationNames } from "../../src/store/migrate.ts";
import { createScratchDatabase, dbKinds } from "../support/db.ts";

const kinds = await dbKinds();

describe("opening the embedded database", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it("migrates a new data folder once; a restart applies nothing and keeps the data", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "hopthu-open-"));
    dirs.push(dir);
    const all = await pendingMigrationNames(defaultMigrationPaths.migrationsDir, []);
    expect(all.length).toBeGreaterThan(0);

    const first = await openDb({ dataDir: dir });
    expect(first.appliedMigrations).toEqual(all);
    await first.db.agency.create({
      data: {
        id: "test-agency",
        name: "Cơ quan thử",
        shortName: "CQT",
        level: "province",
        kind: "department",
      },
    });
    await first.close();

    const second = await openDb({ dataDir: dir });
    try {
      expect(second.appliedMigrations).toEqual([]);
      expect(await second.db.agency.count({ where: { id: "test-agency" } })).toBe(1);
      // The embedded server keeps a small buffer pool (resident memory), not PostgreSQL's 128 MB.
      const [row] = await second.db.$queryRawUnsafe<Array<{ shared_buffers: string }>>("SHOW shared_buffers");
      expect(row?.shared_buffers).toBe("16MB");
    } finally {
      await second.close();
    }
  });

  it("lists only the migrations a database has not finished", async () => {
    const all = await pendingMigrationNames(defaultMigrationPaths.migrationsDir, []);
    expect(await pendingMigrationNames(defaultMigrationPaths.migrationsDir, all.slice(0, -1))).toEqual(
      all.slice(-1),
    );
    expect(await pendingMigrationNames(defaultMigrationPaths.migrationsDir, all)).toEqual([]);
  });
});

// The product (createRuntime) migrates in a child process that exits, so the schema engine's
// memory and a new data folder's initdb do not stay with the server.
describe.each(kinds)("migrations in a child process on %s", (kind) => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  /** A new, empty target: a data folder that does not exist yet, or a new scratch database. */
  async function newTarget(): Promise<{ dataDir?: string; databaseUrl?: string }> {
    if (kind === "postgres") {
      const scratch = await createScratchDatabase();
      cleanup.push(() => scratch.drop());
      return { databaseUrl: scratch.url };
    }
    const dir = await mkdtemp(path.join(tmpdir(), "hopthu-open-child-"));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    return { dataDir: path.join(dir, "data") };
  }

  it("a first start builds and migrates the database, an upgrade applies the new migration, a failing one stops the start (PostgreSQL)", async () => {
    const all = await pendingMigrationNames(defaultMigrationPaths.migrationsDir, []);
    const last = all.at(-1)!;
    // The indexes the last migration creates (it is undone below to play an older database).
    const lastSql = await readFile(
      path.join(defaultMigrationPaths.migrationsDir, last, "migration.sql"),
      "utf8",
    );
    const created = [...lastSql.matchAll(/CREATE (?:UNIQUE )?INDEX "([^"]+)"/g)].map((m) => m[1]!);
    expect(created.length, `${last} should create an index for this test`).toBeGreaterThan(0);
    const target = await newTarget();

    const first = await openDb({ ...target, migrateIn: "child" });
    try {
      expect(first.appliedMigrations).toEqual(all);
      await first.db.agency.create({
        data: {
          id: "test-agency",
          name: "Cơ quan thử",
          shortName: "CQT",
          level: "province",
          kind: "department",
        },
      });
      // An older database: the last migration (its indexes) not applied yet.
      await first.db.$executeRawUnsafe(`DROP INDEX ${created.map((n) => `"${n}"`).join(", ")}`);
      await first.db.$executeRawUnsafe(`DELETE FROM "_prisma_migrations" WHERE migration_name = $1`, last);
    } finally {
      await first.close();
    }

    const upgraded = await openDb({ ...target, migrateIn: "child" });
    try {
      expect(upgraded.appliedMigrations).toEqual([last]);
      expect(await upgraded.db.agency.count({ where: { id: "test-agency" } })).toBe(1);
      const indexes = await upgraded.db.$queryRawUnsafe<Array<{ indexname: string }>>(
        `SELECT indexname FROM pg_indexes WHERE indexname = ANY($1)`,
        created,
      );
      expect(indexes).toHaveLength(created.length);
      // A migration that cannot apply (its index exists already): the start fails with the reason.
      // (Not on PGlite: its Prisma adapter reports a failing migration script as applied, in this
      // process as in a child — a fault of the adapter, not of where the migration runs.)
      if (kind === "postgres")
        await upgraded.db.$executeRawUnsafe(
          `DELETE FROM "_prisma_migrations" WHERE migration_name = $1`,
          last,
        );
    } finally {
      await upgraded.close();
    }
    if (kind === "postgres")
      await expect(openDb({ ...target, migrateIn: "child" })).rejects.toThrow(/database migration failed/);
  }, 180_000); // three starts, each with a child process (~10 s each on a loaded 2-core machine)
});
