/**
 * npm run bench:workers — the Worker's size and start against Cloudflare's limits:
 *  1. the script bundle as `wrangler deploy` would upload it (raw and gzip; limits: 3 MiB gzip on
 *     the free plan, 10 MiB on paid) and the CPU time of its startup phase (`wrangler check
 *     startup`, local workerd; limit 1 s);
 *  2. the model files shipped as static assets (limit: 25 MiB per file);
 *  3. in local workerd on a scratch PostgreSQL database: time to ready, the first request of a new
 *     isolate (model read from the assets, database opened) and warm request latency.
 * Local figures on a shared machine: compare them with each other, not with Cloudflare's edge.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { root, wranglerCli, wranglerEnv, wranglerNode } from "../scripts/wrangler.ts";
import { createScratchDatabase, postgresReachable } from "../test/support/db.ts";
import { startLocalWorker } from "../test/support/workerd.ts";

const run = promisify(execFile);
const MiB = 1024 * 1024;
const WARM_REQUESTS = Number(process.env.BENCH_REQUESTS ?? 40);

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

console.log(
  `load average at start: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")} (2 cores, shared)`,
);

// 1. Bundle and startup CPU.
const dir = await mkdtemp(path.join(tmpdir(), "hopthu-bench-workers-"));
try {
  const profile = path.join(dir, "startup.cpuprofile");
  const { stdout, stderr } = await run(
    wranglerNode(),
    [wranglerCli(), "check", "startup", "--outfile", profile],
    { cwd: root, env: wranglerEnv({ WRANGLER_LOG_PATH: path.join(dir, "logs") }), maxBuffer: 16 * MiB },
  );
  const text = stdout + stderr;
  const bundle = /Bundle: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(text);
  const active = /Active: ([\d.]+) ms/.exec(text);
  if (!bundle || !active) throw new Error(`unexpected output of wrangler check startup:\n${text}`);
  const gzipMiB = Number(bundle[2]) / 1024;
  console.log(
    `script bundle: ${(Number(bundle[1]) / 1024).toFixed(2)} MiB, gzip ${gzipMiB.toFixed(2)} MiB ` +
      `(${((gzipMiB / 3) * 100).toFixed(0)} % of the free plan's 3 MiB, ${((gzipMiB / 10) * 100).toFixed(0)} % of the paid plan's 10 MiB)`,
  );
  console.log(`startup phase CPU (local workerd): ${active[1]} ms active of the 1 000 ms limit`);
} finally {
  await rm(dir, { recursive: true, force: true });
}

// 2. Model assets.
const manifest = JSON.parse(await readFile(path.join(root, "model/manifest.json"), "utf8")) as {
  files: Record<string, { path: string }>;
};
for (const f of Object.values(manifest.files)) {
  const { size } = await stat(path.join(root, "model", f.path));
  console.log(`static asset model/${f.path}: ${(size / MiB).toFixed(2)} MiB (limit 25 MiB per file)`);
}

// 3. Cold start and latency in local workerd.
if (!(await postgresReachable())) {
  console.log("PostgreSQL unreachable at 127.0.0.1:5432: cold start and latency not measured.");
  process.exit(0);
}
const scratch = await createScratchDatabase();
try {
  await run(process.execPath, ["--import", "tsx", path.join(root, "scripts/db.ts"), "migrate"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: scratch.url },
  });
  const worker = await startLocalWorker({ DATABASE_URL: scratch.url, LOG_LEVEL: "warn" });
  try {
    console.log(`wrangler dev ready (bundling + workerd start): ${fmt(worker.readyMs)}`);
    console.log(
      `first request of a new isolate (GET /healthz: model from the assets, sha256, database): ${fmt(worker.firstRequestMs)}`,
    );
    const measure = async (label: string, send: (i: number) => Promise<Response>) => {
      const times: number[] = [];
      for (let i = 0; i < WARM_REQUESTS; i++) {
        const t0 = performance.now();
        const res = await send(i);
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`${label}: HTTP ${res.status}`);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      console.log(
        `${label}, warm, ${WARM_REQUESTS} sequential: p50 ${fmt(percentile(times, 50))}, p99 ${fmt(percentile(times, 99))}`,
      );
    };
    await measure("GET /healthz (client + connection per request)", () => fetch(`${worker.url}/healthz`));
    const stamp = Date.now().toString(36);
    await measure("POST /api/chat/messages '/start'", (i) =>
      fetch(`${worker.url}/api/chat/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ conversationId: `bench-${stamp}-${i}`, text: "/start" }),
      }),
    );
    await measure("POST /api/chat/messages, a petition classified", (i) =>
      fetch(`${worker.url}/api/chat/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          conversationId: `bench-${stamp}-${i}`,
          text: "Rác thải đổ trộm ven sông Hàn bốc mùi hôi thối nhiều ngày nay",
        }),
      }),
    );
  } finally {
    await worker.stop();
  }
} finally {
  await scratch.drop();
}
console.log(
  `load average at end: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);
