/**
 * Tracking codes cannot be guessed without limit: look-ups are limited per conversation and per
 * address, and failed guesses are answered but not stored as conversation history.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCode } from "../../src/case/code.ts";
import { LookupGuard } from "../../src/guard/lookups.ts";
import { guardStrings } from "../../src/i18n/guard.ts";
import { PlaceIndex } from "../../src/intake/places.ts";
import { IntakeService } from "../../src/intake/service.ts";
import { dbKinds } from "../support/db.ts";
import { citizen, codeIn, type Harness, harness } from "../support/harness.ts";

const kinds = await dbKinds();
const limitedPrefix = guardStrings.lookupLimited(1).slice(0, 40);

describe.each(kinds)("tracking-code look-ups on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  const messagesOf = (chatId: string) =>
    h.opened.db.message.count({ where: { conversation: { channel: "web", chatId } } });

  it("stops guessing in one conversation after 10 look-ups and stores no failed guess", async () => {
    const chatId = "guess-conv-1";
    const address = "198.51.100.7";
    const answers: string[] = [];
    for (let i = 0; i < 14; i++) {
      const out = await h.intake.handle({
        channel: "web",
        chatId,
        userId: chatId,
        text: generateCode(),
        address,
      });
      answers.push(out.replies.map((r) => r.text).join("\n"));
    }
    expect(answers.slice(0, 10).every((a) => a.includes("Không tìm thấy hồ sơ"))).toBe(true);
    expect(answers.slice(10).every((a) => a.startsWith(limitedPrefix))).toBe(true);
    expect(await messagesOf(chatId)).toBe(0);
  });

  it("limits look-ups per address across conversations", async () => {
    const address = "203.0.113.9";
    let limited = 0;
    for (let i = 0; i < 40; i++) {
      const chatId = `guess-addr-${i}`;
      const out = await h.intake.handle({
        channel: "web",
        chatId,
        userId: chatId,
        text: generateCode(),
        address,
      });
      if (out.replies[0]!.text.startsWith(limitedPrefix)) limited++;
    }
    expect(limited).toBe(10); // 30 allowed at once from one address
    // Another address is not affected.
    const other = await h.intake.handle({
      channel: "web",
      chatId: "guess-addr-other",
      userId: "guess-addr-other",
      text: generateCode(),
      address: "203.0.113.10",
    });
    expect(other.replies[0]!.text).toContain("Không tìm thấy hồ sơ");
  });

  it("still finds a real case, keeps that exchange in the history, and lets the citizen in again later", async () => {
    let t = 0;
    const guard = new LookupGuard({}, () => t);
    const intake = new IntakeService({
      db: h.opened.db,
      data: h.data,
      places: new PlaceIndex(h.data.communes),
      cases: h.cases,
      lookups: guard,
      now: () => h.clock.now,
    });
    const c = citizen({ intake }, "lookup-real-1");
    await c.say("/start");
    await c.say("nộp");
    const filed = await c.say(
      "Đèn đường trên đường Nguyễn Văn Linh, phường Thanh Khê bị hỏng cả tuần nay, buổi tối rất nguy hiểm",
    );
    // Walk the dialogue until a code is given (answer its questions with "bỏ qua"/"1").
    let text = filed;
    for (let i = 0; i < 8 && !/Mã hồ sơ: /.test(text); i++) {
      const next = c.choices[0];
      text = await c.say(next ?? "Không");
    }
    const code = codeIn(text);
    const before = await messagesOf("lookup-real-1");
    for (let i = 0; i < 10; i++) await c.say(generateCode());
    expect(await messagesOf("lookup-real-1")).toBe(before);
    expect(await c.say(code)).toMatch(new RegExp(`^${limitedPrefix.slice(0, 20)}`));
    t += 61_000; // a minute later one more look-up is allowed
    const found = await c.say(code);
    expect(found).toContain(code);
    expect(found).not.toContain("Không tìm thấy");
    expect(await messagesOf("lookup-real-1")).toBeGreaterThan(before);
  });
});
