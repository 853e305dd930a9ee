/** `npm run --silent digest` gives the same digest as the page, as JSON, HTML or PDF. */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadReferenceData } from "../../src/data/index.ts";
import { openDb } from "../../src/store/db.ts";
import { syncReferenceData } from "../../src/store/reference.ts";
import { seedFixture } from "./fixture.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "hopthu-digest-cli-"));
  const opened = await openDb({ dataDir: dir });
  await syncReferenceData(opened.db, loadReferenceData());
  await seedFixture(opened.db);
  await opened.close();
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

const run = (...args: string[]) =>
  spawnSync("npx", ["tsx", "src/digest/cli.ts", ...args], {
    env: { ...process.env, DATA_DIR: dir, DATABASE_URL: "", LOG_LEVEL: "silent" },
    maxBuffer: 64 * 1024 * 1024,
  });

describe("digest CLI", () => {
  it("JSON for a date range, PDF, and a clear usage error", () => {
    const json = run("--from", "2026-11-23", "--to", "2026-11-29", "--format", "json");
    expect(json.status, json.stderr.toString()).toBe(0);
    const report = JSON.parse(json.stdout.toString()) as {
      digest: { period: { key: string }; totals: { received: { current: number }; overdueAtEnd: number } };
    };
    expect(report.digest.period.key).toBe("2026-W48");
    expect(report.digest.totals.received.current).toBe(12);
    expect(report.digest.totals.overdueAtEnd).toBe(1);

    const pdf = run("--period", "2026-W48", "--scope", "commune:hoa-vang", "--format", "pdf");
    expect(pdf.status, pdf.stderr.toString()).toBe(0);
    expect(pdf.stdout.subarray(0, 5).toString()).toBe("%PDF-");

    const bad = run("--from", "2026-11-23", "--format", "docx");
    expect(bad.status).toBe(2);
    expect(bad.stderr.toString()).toContain("Usage: npm run --silent digest");
  }, 400_000);
});
