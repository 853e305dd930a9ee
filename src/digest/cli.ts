/**
 * The digest from the command line, through the same code as /digest:
 *   npm run --silent digest -- --from 2026-11-23 --to 2026-11-29 [--scope city|agency:<id>|commune:<id>]
 *                              [--format json|html|pdf] [--out file]
 * (or --period 2026-W48 | 2026-H1 | 2026). Without --from/--to/--period: last week. Uses
 * DATABASE_URL or DATA_DIR like the product; writes to stdout unless --out is given.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { DEFAULT_MODEL_DIR, loadClassifier } from "../classify/node-loader.ts";
import { loadE5IfPresent } from "../classify/select.ts";
import { ConfigError, loadConfig } from "../config.ts";
import { loadReferenceData } from "../data/index.ts";
import { openDb } from "../store/db.ts";
import { renderDigest } from "./render.ts";
import { periodFromQuery } from "./routes.ts";
import { buildDigest, parseScope } from "./service.ts";
import { chatModelFromConfig, createSummarizer } from "./summary.ts";

const usage =
  "Usage: npm run --silent digest -- --from YYYY-MM-DD --to YYYY-MM-DD [--scope city|agency:<id>|commune:<id>] [--format json|html|pdf] [--out file]";

async function main(): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      options: {
        from: { type: "string" },
        to: { type: "string" },
        period: { type: "string" },
        scope: { type: "string", default: "city" },
        format: { type: "string", default: "json" },
        out: { type: "string" },
        help: { type: "boolean" },
      },
    }).values;
  } catch (e) {
    console.error(`${e instanceof Error ? e.message : e}\n${usage}`);
    return 2;
  }
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const format = String(values.format);
  if (format !== "json" && format !== "html" && format !== "pdf") {
    console.error(`--format must be json, html or pdf\n${usage}`);
    return 2;
  }
  if (Boolean(values.from) !== Boolean(values.to)) {
    console.error(`--from and --to go together\n${usage}`);
    return 2;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (e) {
    console.error(e instanceof ConfigError ? e.message : e);
    return 2;
  }
  const data = loadReferenceData();
  const now = new Date();
  let period: ReturnType<typeof periodFromQuery>;
  let scope: ReturnType<typeof parseScope>;
  try {
    period = periodFromQuery((n) => values[n] as string | undefined, now);
    scope = parseScope(String(values.scope), data);
  } catch (e) {
    console.error(`${e instanceof Error ? e.message : e}\n${usage}`);
    return 2;
  }
  const e5 = await loadE5IfPresent({ modelDir: config.MODEL_DIR, allowDownload: config.E5_ALLOW_DOWNLOAD });
  const embedder = e5.embedder ?? (await loadClassifier(DEFAULT_MODEL_DIR).catch(() => undefined))?.embedder;
  const opened = await openDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    const model = await chatModelFromConfig(config);
    const report = await buildDigest(
      {
        db: opened.db,
        data,
        embedder,
        config,
        summarizer: createSummarizer({ model, timeoutMs: config.DIGEST_LLM_TIMEOUT_MS }),
        now: () => now,
      },
      { period, scope },
    );
    const scopeParam = scope.type === "city" ? "city" : `${scope.type}:${scope.id}`;
    const base = config.PUBLIC_URL?.replace(/\/+$/, "") ?? "";
    const out = await renderDigest(report, format, {
      data,
      now,
      links: {
        self: (p) => `${base}/digest?${new URLSearchParams({ period: period.key, scope: scopeParam, ...p })}`,
        scopeParam,
      },
    });
    if (values.out) writeFileSync(String(values.out), out.body);
    else
      await new Promise<void>((resolve, reject) =>
        process.stdout.write(out.body, (e) => (e ? reject(e) : resolve())),
      );
    return 0;
  } finally {
    await opened.close();
    await e5.embedder?.dispose();
  }
}

// A reader that stops early (`| head`) is not an error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});
process.exitCode = await main();
