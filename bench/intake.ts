/**
 * Benchmark of the intake path: messages per second through the chat API over real HTTP on
 * loopback, on the embedded database (or DATABASE_URL), with p50/p99 latency per message.
 * Each virtual citizen runs a whole filing conversation (10 messages) ending with a tracking code.
 *   npm run bench:intake -- [--citizens 40] [--concurrency 8]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { serve } from "@hono/node-server";
import { createRuntime } from "../src/runtime.ts";

const { values } = parseArgs({
  options: { citizens: { type: "string", default: "40" }, concurrency: { type: "string", default: "8" } },
});
const citizens = Number(values.citizens);
const concurrency = Number(values.concurrency);

const dir = await mkdtemp(path.join(tmpdir(), "hopthu-bench-"));
const runtime = await createRuntime(
  {
    DATA_DIR: dir,
    DATABASE_URL: process.env.DATABASE_URL,
    LOG_LEVEL: "silent",
  },
  { webFloodLimits: false },
);
const server = serve({ fetch: runtime.app.fetch, port: 0, hostname: "127.0.0.1" });
await new Promise((r) => server.once("listening", r));
const { port } = server.address() as { port: number };
const url = `http://127.0.0.1:${port}/api/chat/messages`;

const script = [
  "/start",
  "file",
  "Đèn đường trên đường Nguyễn Văn Linh, phường Thanh Khê bị hỏng cả tuần nay, buổi tối rất tối và nguy hiểm",
  "yes",
  "Nguyễn Văn An, 0905 111 222",
  "send",
];

const latencies: number[] = [];
let codes = 0;
async function converse(i: number) {
  void i;
  let cookie = ""; // the server names the conversation with the cookie it issues
  for (const text of script) {
    const t0 = performance.now();
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
      body: JSON.stringify({ text }),
    });
    cookie = res.headers.get("set-cookie")?.split(";")[0] ?? cookie;
    const body = (await res.json()) as { replies: { text: string }[] };
    latencies.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    if (body.replies.some((r) => r.text.includes("Mã hồ sơ:"))) codes++;
  }
}

// Warm-up: one conversation, not counted.
await converse(-1);
latencies.length = 0;
codes = 0;

const started = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < citizens) await converse(next++);
  }),
);
const seconds = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
console.log(
  `Intake benchmark — ${runtime.dbKind}, ${citizens} conversations × ${script.length} messages, concurrency ${concurrency}`,
);
console.log(`  messages:    ${latencies.length}`);
console.log(`  cases filed: ${codes}`);
console.log(`  throughput:  ${(latencies.length / seconds).toFixed(1)} messages/s`);
console.log(
  `  latency p50: ${q(0.5).toFixed(1)} ms   p99: ${q(0.99).toFixed(1)} ms   max: ${latencies.at(-1)!.toFixed(1)} ms`,
);
server.close();
await runtime.close();
await rm(dir, { recursive: true, force: true });
if (codes !== citizens) {
  console.error(`expected ${citizens} cases, got ${codes}`);
  process.exit(1);
}
