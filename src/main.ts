/** Node entry: `npm start`. Runs the product on its embedded defaults. */
import { serve } from "@hono/node-server";
import { ConfigError, loadConfig } from "./config.ts";
import { q } from "./i18n/queue.ts";
import { ensureAdministrator } from "./queue/bootstrap.ts";
import { createRuntime } from "./runtime.ts";

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
}

const runtime = await createRuntime(config);
await runtime.start();
// A fresh database gets its first administrator, with a one-time password shown here only.
const firstAdmin = await ensureAdministrator(runtime.db);
const server = serve({ fetch: runtime.app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
  const where = `http://${info.address.includes(":") ? `[${info.address}]` : info.address}:${info.port}/`;
  runtime.logger.info(
    { url: where, database: runtime.dbKind },
    `Hộp thư dân đang chạy: mở ${where} để trò chuyện thử; cán bộ đăng nhập tại ${where}queue`,
  );
  if (firstAdmin) console.log(q.bootstrap.created(firstAdmin.username, firstAdmin.password, `${where}queue`));
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  runtime.logger.info({ signal }, "shutting down");
  server.close();
  await runtime.close().catch((e) => runtime.logger.error({ err: e }, "error while closing the database"));
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
