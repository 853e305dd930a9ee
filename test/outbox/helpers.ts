/** Test doubles for the outbox and inbound suites: a clock tests move by hand, a recording sender. */
import type { ChannelSender, OutgoingMessage, SentMessage } from "../../src/channels/sender.ts";
import type { ChannelName } from "../../src/intake/types.ts";
import type { Clock, Logger } from "../../src/outbox/support.ts";

/**
 * A frozen clock. Rows get their first due time from the database clock, so call `sync()` after
 * writing them to bring the test clock just past real time; then move it with `advance()`.
 */
export class TestClock implements Clock {
  private t: number;
  constructor(start = Date.now()) {
    this.t = start;
  }
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
  sync(aheadMs = 5): void {
    this.t = Math.max(this.t, Date.now() + aheadMs);
  }
}

type Behaviour = (message: OutgoingMessage, call: number) => SentMessage | Promise<SentMessage>;

/** Records every call; by default succeeds with externalMessageId = the call's number. */
export class RecordingSender implements ChannelSender {
  readonly calls: OutgoingMessage[] = [];
  behaviour: Behaviour | undefined;
  constructor(
    readonly channel: ChannelName,
    behaviour?: Behaviour,
  ) {
    this.behaviour = behaviour;
  }
  async send(message: OutgoingMessage): Promise<SentMessage> {
    this.calls.push(message);
    const n = this.calls.length;
    if (this.behaviour) return this.behaviour(message, n);
    return { externalMessageId: `ext-${n}` };
  }
  texts(chatId?: string): string[] {
    return this.calls.filter((c) => chatId === undefined || c.chatId === chatId).map((c) => c.text);
  }
}

export interface LogEntry {
  level: "info" | "warn" | "error";
  obj: object;
  msg: string | undefined;
}

export function memoryLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return {
    entries,
    info: (obj, msg) => void entries.push({ level: "info", obj, msg }),
    warn: (obj, msg) => void entries.push({ level: "warn", obj, msg }),
    error: (obj, msg) => void entries.push({ level: "error", obj, msg }),
  };
}

/** Polls `condition` until true (fails after `timeoutMs`). */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
