/**
 * Prisma's schema engine as WebAssembly (`@prisma/schema-engine-wasm`), driven through a driver
 * adapter. The native engine cannot be downloaded on offline machines; this one ships in npm.
 * Node cannot import the package's ESM entry (it imports a `.wasm` file), so it is instantiated here.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";

type Bg = typeof import("@prisma/schema-engine-wasm/schema_engine_bg");
export type SchemaEngine = import("@prisma/schema-engine-wasm/schema_engine_bg").SchemaEngine;

let bgPromise: Promise<Bg> | undefined;

async function loadBg(): Promise<Bg> {
  const require = createRequire(import.meta.url);
  const pkgDir = path.dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg"));
  const bg = (await import("@prisma/schema-engine-wasm/schema_engine_bg")) as Bg & {
    __wbg_set_wasm(exports: WebAssembly.Exports): void;
  };
  const bytes = await readFile(path.join(pkgDir, "schema_engine_bg.wasm"));
  const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": bg as never });
  bg.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
  return bg;
}

export async function openSchemaEngine(
  factory: SqlMigrationAwareDriverAdapterFactory,
  schema: { path: string; content: string },
): Promise<SchemaEngine> {
  bgPromise ??= loadBg();
  const bg = await bgPromise;
  const log = (_msg: string) => {};
  return bg.SchemaEngine.new(
    { datamodels: [[schema.path, schema.content]] },
    log,
    bindMigrationAwareSqlAdapterFactory(factory),
  );
}
