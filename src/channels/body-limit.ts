/**
 * Hono's `bodyLimit`, without its cost on the common request. `hono/body-limit` reads
 * `c.req.raw.body` first, which makes @hono/node-server build a full web `Request` (a
 * ReadableStream over the socket, an AbortSignal, header copies) for every request — about a tenth
 * of Node's time per webhook acknowledgement under load (bench:webhook profile). When the request
 * declares its length (every Telegram and Zalo delivery, every browser POST), that length decides
 * here, the same rule hono applies, and the body is then read by the server's direct path. A
 * request without a declared length (chunked) still goes through hono's `bodyLimit`, which counts
 * the bytes as they arrive.
 */
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";

export function limitBody(options: {
  maxSize: number;
  onError: (c: Context) => Response | Promise<Response>;
}): MiddlewareHandler {
  const counting = bodyLimit(options);
  return async (c, next) => {
    const length = c.req.header("content-length");
    if (length !== undefined && c.req.header("transfer-encoding") === undefined && /^\d+$/.test(length)) {
      if (Number(length) > options.maxSize) return options.onError(c);
      await next();
      return;
    }
    return counting(c, next);
  };
}
