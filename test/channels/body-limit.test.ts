/**
 * The webhooks' and web chat's body limit, over real HTTP (@hono/node-server on loopback): a
 * declared length over the limit is refused before the body is read, a chunked body is counted as
 * it arrives, and a body within the limit reaches the handler whole.
 */
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { limitBody } from "../../src/channels/body-limit.ts";

let server: ReturnType<typeof serve>;
let port: number;
let handled = 0;

beforeAll(async () => {
  const app = new Hono();
  app.post(
    "/in",
    limitBody({ maxSize: 1000, onError: (c) => c.json({ error: "quá lớn" }, 413) }),
    async (c) => {
      handled += 1;
      const text = await c.req.text();
      return c.json({ length: text.length, last: text.slice(-3) });
    },
  );
  server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await once(server, "listening");
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A raw request: `chunks` written one by one; chunked encoding unless a length is declared. */
function post(chunks: string[], declaredLength?: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/in",
        headers: declaredLength === undefined ? {} : { "content-length": String(declaredLength) },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe("limitBody", () => {
  it("passes a body within the limit whole, declared or chunked", async () => {
    const body = `${"ạ".repeat(300)}end`; // 903 bytes
    const declared = await post([body], Buffer.byteLength(body));
    expect(declared.status).toBe(200);
    expect(JSON.parse(declared.body)).toEqual({ length: 303, last: "end" });
    const chunked = await post([body.slice(0, 100), body.slice(100)]);
    expect(chunked.status).toBe(200);
    expect(JSON.parse(chunked.body)).toEqual({ length: 303, last: "end" });
  });

  it("refuses a declared length over the limit with the route's answer, without running the handler", async () => {
    const before = handled;
    const res = await post(["x".repeat(1001)], 1001);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({ error: "quá lớn" });
    expect(handled).toBe(before);
  });

  it("counts a chunked body as it arrives and refuses it past the limit", async () => {
    const before = handled;
    const res = await post(["x".repeat(600), "y".repeat(600)]);
    expect(res.status).toBe(413);
    expect(handled).toBe(before);
  });
});
