/**
 * Runs the Worker (src/worker.ts, wrangler.toml) in local workerd through `wrangler dev`: offline,
 * no login, metrics off, on the Node that scripts/wrangler.ts picks (≥ 22.12, for wrangler only).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { root, wranglerCli, wranglerEnv, wranglerNode } from "../../scripts/wrangler.ts";
import { freePort } from "./process.ts";

export { root };

export interface LocalWorker {
  url: string;
  /** Everything wrangler and the Worker (console) printed so far. */
  output(): string;
  /** Runs the Cron Trigger once (wrangler's --test-scheduled endpoint). */
  scheduled(cron?: string): Promise<Response>;
  /** Milliseconds from spawning wrangler to the first answered /healthz. */
  readyMs: number;
  /** Milliseconds of the first request the new isolate answered (model and database opened on it). */
  firstRequestMs: number;
  stop(): Promise<void>;
}

/**
 * Starts `wrangler dev` on a free loopback port with `vars` as the Worker's vars and secrets
 * (written to a temporary env file, as `.dev.vars` would be), persistence in a temporary folder.
 */
export async function startLocalWorker(
  vars: Record<string, string>,
  timeoutMs = 120_000,
): Promise<LocalWorker> {
  const started = Date.now();
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const dir = await mkdtemp(path.join(tmpdir(), "hopthu-workerd-"));
  const envFile = path.join(dir, "worker.env");
  await writeFile(
    envFile,
    Object.entries(vars)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join("\n"),
    {
      mode: 0o600,
    },
  );
  const child: ChildProcess = spawn(
    wranglerNode(),
    [
      wranglerCli(),
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspectorPort),
      "--persist-to",
      path.join(dir, "state"),
      "--env-file",
      envFile,
      "--test-scheduled",
      "--show-interactive-dev-session=false",
      "--live-reload=false",
    ],
    {
      cwd: root,
      env: wranglerEnv({ WRANGLER_LOG_PATH: path.join(dir, "logs"), CI: "true" }),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {}
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {}
      }, 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  let firstRequestMs: number | undefined;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`wrangler dev exited early:\n${out}`);
    }
    if (/Ready on/.test(out)) {
      const t0 = performance.now();
      try {
        const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(30_000) });
        firstRequestMs ??= performance.now() - t0;
        if (res.ok) break;
      } catch {}
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the Worker did not answer /healthz in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    output: () => out,
    readyMs: Date.now() - started,
    firstRequestMs: firstRequestMs ?? Number.NaN,
    scheduled: (cron = "* * * * *") => fetch(`${url}/__scheduled?cron=${encodeURIComponent(cron)}`),
    stop,
  };
}
