/**
 * The Node flags `npm start` gives the product (package.json's start script: the options between
 * `tsx` and the entry), so benches that fork the product measure it as it runs.
 */
import { readFileSync } from "node:fs";

export function productNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    scripts: { start: string };
  };
  const words = pkg.scripts.start.split(/\s+/);
  return words.slice(words.indexOf("tsx") + 1).filter((w) => w.startsWith("--"));
}
