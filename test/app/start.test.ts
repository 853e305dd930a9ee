import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Product, startProduct } from "../support/process.ts";

let dir = "";
let product: Product | undefined;
afterAll(async () => {
  await product?.stop("SIGKILL");
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Each conversation is a browser: it keeps the cookie the server issued (the server names it). */
const cookies = new Map<string, string>();
async function say(url: string, conversation: string, text: string) {
  const cookie = cookies.get(conversation);
  const res = await fetch(`${url}/api/chat/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ text }),
  });
  const issued = res.headers.get("set-cookie");
  if (issued) cookies.set(conversation, issued.split(";")[0]!);
  const raw = await res.text();
  expect(res.status, raw).toBe(200);
  const body = JSON.parse(raw) as { replies: { text: string }[] };
  return body.replies.map((r) => r.text).join("\n");
}

describe("npm start on the embedded database", () => {
  it("serves the chat page, files a case through the chat API, and finds it by code after a restart", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "hopthu-start-"));
    product = await startProduct({ DATA_DIR: dir });
    const page = await fetch(`${product.url}/`);
    expect(await page.text()).toContain("Hộp thư dân");
    const conv = "e2e-conversation-1";
    await say(product.url, conv, "/start");
    await say(product.url, conv, "file");
    await say(
      product.url,
      conv,
      "Nắp cống trước nhà số 10 đường Lê Lợi, phường Hải Châu bị vỡ, rất nguy hiểm",
    );
    let afterPlace = await say(product.url, conv, "yes");
    if (afterPlace.includes("muốn gửi loại nào")) afterPlace = await say(product.url, conv, "pakn");
    // The shipped classifier sets the topic; without it the citizen would be asked here.
    expect(afterPlace).not.toContain("lĩnh vực nào");
    expect(afterPlace).toContain("họ tên và số điện thoại");
    const summary = await say(product.url, conv, "anonymous");
    expect(summary).toContain("• Lĩnh vực: Giao thông và hạ tầng");
    const done = await say(product.url, conv, "send");
    const code = /Mã hồ sơ: (\S+)/.exec(done)?.[1];
    expect(code).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{5}$/);
    const exit = await product.stop();
    expect(exit, product.output()).toBe(0);
    expect(product.output()).toContain("Hộp thư dân đang chạy");

    product = await startProduct({ DATA_DIR: dir });
    const view = await say(product.url, conv, code!);
    expect(view).toContain(`Hồ sơ ${code}`);
    expect(view).toContain("Nắp cống trước nhà số 10");
    expect(view).toContain("Ủy ban nhân dân phường Hải Châu");
    const stranger = await say(product.url, "e2e-conversation-2", code!);
    expect(stranger).not.toContain("Nắp cống trước nhà số 10");
    // A second process on the same data folder stops before it touches the database, and says why.
    await expect(startProduct({ DATA_DIR: dir }, 60_000)).rejects.toThrow(/in use by process \d+/);
    expect(await say(product.url, conv, code!)).toContain(`Hồ sơ ${code}`);
  }, 120_000);

  it("refuses to start with an invalid configuration and says why", async () => {
    await expect(
      startProduct({ DATA_DIR: dir || tmpdir(), DATABASE_URL: "mysql://nope" }, 20_000),
    ).rejects.toThrow(/DATABASE_URL: must start with postgres/);
  }, 30_000);
});
