/**
 * A newcomer's `npm install` works offline with no variable set: onnxruntime-node's own install flag
 * comes from the project's .npmrc, and .ci/run exports nothing a newcomer would not have and runs
 * the linter. (The full fresh-clone install is what .ci/run itself does.)
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = new URL("../../", import.meta.url);

describe("fresh install", () => {
  it("npm hands onnxruntime-node its skip flag from the project's .npmrc, with no variable set", async () => {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/onnxruntime/i.test(k) && !k.startsWith("npm_")),
    );
    const { stdout } = await run("npm", ["run", "--silent", "env"], { cwd: root, env });
    expect(stdout).toMatch(/^npm_config_onnxruntime_node_install=skip$/m);
    const pkg = JSON.parse(await readFile(new URL("package.json", root), "utf8")) as {
      allowScripts?: Record<string, boolean>;
    };
    // npm ≥ 11.19 runs only the dependency install scripts listed here.
    expect(pkg.allowScripts?.["onnxruntime-node"]).toBe(false);
    expect(pkg.allowScripts?.["@prisma/engines"]).toBe(false);
  }, 60_000);

  it(".ci/run exports no variable a newcomer would not have, and runs the linter", async () => {
    const script = await readFile(new URL(".ci/run", root), "utf8");
    const exported = [...script.matchAll(/^\s*export\s+([A-Z_]+)=/gm)].map((m) => m[1]);
    expect(exported.sort()).toEqual(["CI", "REQUIRE_POSTGRES"]);
    expect(script).toMatch(/^npm run lint$/m);
    expect(script).toMatch(/^npm ci\b/m);
  });
});
