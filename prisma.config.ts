import { defineConfig } from "prisma/config";

// The Prisma CLI is used here only for `prisma generate` (offline). Migrations are created and
// applied by the project's own scripts through Prisma's WebAssembly schema engine
// (scripts/db.ts, src/store/migrate.ts), because the native engine cannot be downloaded here.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
