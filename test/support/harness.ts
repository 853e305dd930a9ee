/** A product wired on a test database, with a web-chat-like helper to talk to it. */
import { loadReferenceData } from "../../src/data/index.ts";
import { PlaceIndex } from "../../src/intake/places.ts";
import { IntakeService } from "../../src/intake/service.ts";
import type { IncomingMessage, Reply } from "../../src/intake/types.ts";
import { CaseStore } from "../../src/store/cases.ts";
import { syncReferenceData } from "../../src/store/reference.ts";
import { openTestDb, type TestDb } from "./db.ts";

export interface Harness {
  opened: TestDb;
  intake: IntakeService;
  cases: CaseStore;
  data: ReturnType<typeof loadReferenceData>;
  clock: { now: Date };
  close(): Promise<void>;
}

export async function harness(
  kind: "pglite" | "postgres",
  now = new Date("2026-11-23T03:00:00Z"),
): Promise<Harness> {
  const opened = await openTestDb(kind);
  const data = loadReferenceData();
  await syncReferenceData(opened.db, data);
  const clock = { now };
  const cases = new CaseStore(opened.db, data);
  const intake = new IntakeService({
    db: opened.db,
    data,
    places: new PlaceIndex(data.communes),
    cases,
    now: () => clock.now,
  });
  return { opened, intake, cases, data, clock, close: () => opened.close() };
}

/** A citizen in a chat: `say` sends a text and returns the replies' texts joined, `last` the last reply. */
export function citizen(
  h: Pick<Harness, "intake">,
  chatId: string,
  channel: IncomingMessage["channel"] = "web",
) {
  let lastReplies: Reply[] = [];
  return {
    async say(text: string, extra: Partial<IncomingMessage> = {}): Promise<string> {
      const out = await h.intake.handle({ channel, chatId, userId: chatId, text, ...extra });
      lastReplies = out.replies;
      return out.replies.map((r) => r.text).join("\n---\n");
    },
    get choices(): string[] {
      return lastReplies.at(-1)?.choices?.map((c) => c.id) ?? [];
    },
    get labels(): string[] {
      return lastReplies.at(-1)?.choices?.map((c) => c.label) ?? [];
    },
  };
}

export function codeIn(text: string): string {
  const m = /Mã hồ sơ: ([2-9A-Z]{4}-[2-9A-Z]{5})/.exec(text);
  if (!m) throw new Error(`no tracking code in: ${text}`);
  return m[1]!;
}
