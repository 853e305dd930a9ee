import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defaultMigrationPaths, openDb } from "../../src/store/db.ts";
import { pendingMigrationNames } from "../../src/store/migrate.ts";

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
