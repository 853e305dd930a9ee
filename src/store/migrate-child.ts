/**
 * Migrations in a child process: the product's start runs Prisma's schema engine (WebAssembly,
 * ~150 MB never released) and, for a new data folder, PGlite's initdb in a short-lived process
 * that exits, so a first start or an upgrade leaves the server with the memory of a plain restart.
 * The child opens the database as openDb does (migrations in its own process), reports the names
 * it applied and exits; a failure there fails the parent's start with the child's message.
 */
import { fork } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

export interface ChildMigration {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
}

type Report = { applied: string[] } | { error: string };

const self = fileURLToPath(import.meta.url);

/** Applies pending migrations (initialising a new data folder) in a child process; the names applied. */
export async function migrateInChild(target: ChildMigration): Promise<string[]> {
  // The child runs this TypeScript file through tsx, whichever loader the parent uses (npm start,
  // vitest).
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  const child = fork(self, ["--migrate-child"], {
    execArgv: ["--import", tsx],
    env: { ...process.env, HOPTHU_MIGRATE: JSON.stringify(target) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise<string[]>((resolve, reject) => {
    let report: Report | undefined;
    child.on("message", (m: Report) => {
      report = m;
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (report && "applied" in report && code === 0) resolve(report.applied);
      else
        reject(
          new Error(
            report && "error" in report
              ? `database migration failed: ${report.error}`
              : `database migration process exited (${signal ?? code}) without a report`,
          ),
        );
    });
  });
}

async function runChild(): Promise<void> {
  const send = (m: Report) =>
    new Promise<void>((resolve) => {
      process.send!(m, () => resolve());
    });
  try {
    const target = JSON.parse(process.env.HOPTHU_MIGRATE ?? "{}") as ChildMigration;
    const { openDb } = await import("./db.ts");
    const opened = await openDb({ ...target, migrateIn: "process" });
    await opened.close();
    await send({ applied: opened.appliedMigrations });
    process.exit(0);
  } catch (e) {
    await send({ error: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  }
}

// Not awaited: db.ts imports this module, so a top-level await here would wait on itself.
if (process.argv[1] === self && process.argv.includes("--migrate-child") && process.send) void runChild();
