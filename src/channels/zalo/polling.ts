/** getUpdates long polling for local runs: each update is stored before the next poll. */
import type { ZaloBotClient } from "./client.ts";
import { ZaloApiError } from "./client.ts";
import type { ParsedZaloUpdate } from "./types.ts";

export interface ZaloPollingOptions {
  client: ZaloBotClient;
  onUpdate(update: Exclude<ParsedZaloUpdate, { kind: "invalid" }>): Promise<void>;
  signal: AbortSignal;
  timeoutSeconds?: number;
  logger?: { warn(obj: unknown, msg?: string): void };
}

export async function startZaloPolling(o: ZaloPollingOptions): Promise<void> {
  let delay = 1000;
  while (!o.signal.aborted) {
    try {
      const updates = await o.client.getUpdates({ timeout: o.timeoutSeconds ?? 30 }, { signal: o.signal });
      for (const u of updates) if (u.kind !== "invalid") await o.onUpdate(u);
      delay = 1000;
    } catch (e) {
      if (o.signal.aborted) return;
      if (e instanceof ZaloApiError && !e.retryable) throw e;
      o.logger?.warn({ err: e instanceof Error ? e.message : String(e) }, "zalo polling failed; retrying");
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 30_000);
    }
  }
}
