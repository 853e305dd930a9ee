/**
 * Applies pending migrations from prisma/migrations, keeping `_prisma_migrations` exactly as
 * `prisma migrate deploy` does, and computes new migrations offline (db:diff).
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { openSchemaEngine } from "./schema-engine.ts";

export interface MigrationPaths {
  schemaPath: string;
  migrationsDir: string;
}

const noFilters = { externalTables: [], externalEnums: [] };

async function readSchema(schemaPath: string) {
  return { path: schemaPath, content: await readFile(schemaPath, "utf8") };
}

async function migrationsList(migrationsDir: string) {
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch(() => []);
  const dirs = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const migrationDirectories = await Promise.all(
    dirs.map(async (name) => {
      const file = path.join(migrationsDir, name, "migration.sql");
      const content = await readFile(file, "utf8").then(
        (value) => ({ tag: "ok" as const, value }),
        (e: Error) => ({ tag: "error" as const, value: e.message }),
      );
      return { path: name, migrationFile: { path: "migration.sql", content } };
    }),
  );
  const lockPath = path.join(migrationsDir, "migration_lock.toml");
  const lockContent = await readFile(lockPath, "utf8").catch(() => null);
  return {
    baseDir: migrationsDir,
    lockfile: { path: "migration_lock.toml", content: lockContent },
    shadowDbInitScript: "",
    migrationDirectories,
  };
}

/**
 * Names of the migrations in `migrationsDir` not yet finished in the database, read with a plain
 * query (`applied` = the finished names recorded in `_prisma_migrations`). Lets a start with
 * nothing to apply skip the schema engine, whose WebAssembly instance stays resident (~150 MB)
 * once loaded.
 */
export async function pendingMigrationNames(
  migrationsDir: string,
  applied: Iterable<string>,
): Promise<string[]> {
  const done = new Set(applied);
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory() && !done.has(e.name))
    .map((e) => e.name)
    .sort();
}

/** Applies every migration not yet recorded in `_prisma_migrations`; returns the names applied. */
export async function applyMigrations(
  factory: SqlMigrationAwareDriverAdapterFactory,
  paths: MigrationPaths,
): Promise<string[]> {
  const engine = await openSchemaEngine(factory, await readSchema(paths.schemaPath));
  try {
    const out = await engine.applyMigrations({
      migrationsList: await migrationsList(paths.migrationsDir),
      filters: noFilters,
    });
    return out.appliedMigrationNames;
  } finally {
    engine.free();
  }
}

/** SQL that takes a database built by the existing migrations to the current schema ("" if none). */
export async function diffMigrations(
  factory: SqlMigrationAwareDriverAdapterFactory,
  paths: MigrationPaths,
): Promise<string> {
  const schema = await readSchema(paths.schemaPath);
  const engine = await openSchemaEngine(factory, schema);
  try {
    const list = await migrationsList(paths.migrationsDir);
    const from = list.migrationDirectories.length
      ? { tag: "migrations" as const, ...list }
      : { tag: "empty" as const };
    const result = await engine.diff({
      from,
      to: { tag: "schemaDatamodel", files: [schema] },
      script: true,
      exitCode: null,
      filters: noFilters,
    });
    return (result as { stdout?: string }).stdout ?? "";
  } finally {
    engine.free();
  }
}
