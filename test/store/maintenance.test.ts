/**
 * The embedded database has no autovacuum: the app's upkeep vacuums and analyses it, so the
 * planner has statistics and index-only scans (the queue's counts) skip the table.
 */
import { describe, expect, it } from "vitest";
import { seedDemoCases } from "../../scripts/lib/demo-cases.ts";
import { loadReferenceData } from "../../src/data/index.ts";
import { openDb } from "../../src/store/db.ts";
import { maintainEmbedded } from "../../src/store/maintenance.ts";
import { syncReferenceData } from "../../src/store/reference.ts";

describe("upkeep of the embedded database", () => {
  it("vacuums and analyses it shortly after start, then on its interval", async () => {
    const opened = await openDb({ dataDir: "memory://" });
    try {
      const data = loadReferenceData();
      await syncReferenceData(opened.db, data);
      await seedDemoCases(opened.db, data, { count: 200, seed: 3 });
      const stats = async () =>
        (
          await opened.db.$queryRaw<{ vacuums: bigint; analyses: bigint; live: bigint }[]>`
            SELECT vacuum_count AS vacuums, analyze_count AS analyses, n_live_tup AS live
            FROM pg_stat_user_tables WHERE relname = 'Case'`
        )[0]!;
      // Nothing does it by itself.
      await new Promise((r) => setTimeout(r, 200));
      expect(await stats()).toMatchObject({ vacuums: 0n, analyses: 0n });
      const upkeep = maintainEmbedded(opened.db, { firstDelayMs: 10, intervalMs: 300 });
      upkeep.start();
      const deadline = Date.now() + 10_000;
      while ((await stats()).vacuums < 2n && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      await upkeep.stop();
      const after = await stats();
      expect(after.vacuums).toBeGreaterThanOrEqual(2n);
      expect(after.analyses).toBeGreaterThanOrEqual(2n);
      expect(after.live).toBe(200n);
    } finally {
      await opened.close();
    }
  }, 30_000);
});
