/**
 * Issue 3, Telegram: a citizen files a case with inline buttons over the webhook, looks it up,
 * answers an official's request for information, is told of a transfer, receives the answer and
 * rates the case — all through the production runtime and a loopback Bot API stand-in, on the
 * embedded database and on PostgreSQL. Then the same bot in long-polling mode.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inlineKeyboard } from "../../src/channels/telegram/keyboard.ts";
import { vi } from "../../src/i18n/vi.ts";
import { ForbiddenError } from "../../src/queue/actions.ts";
import { dbKinds } from "../support/db.ts";
import {
  type Bots,
  codeIn,
  deliveredAll,
  official,
  PUBLIC_URL,
  processed,
  startBots,
  TELEGRAM_SECRET,
  TELEGRAM_TOKEN,
  telegramCitizen,
  telegramPhoto,
  uniqueNumber,
  until,
} from "../support/messengers.ts";
import { tg } from "../support/standins.ts";

const kinds = await dbKinds();

describe.each(kinds)("Telegram over the webhook, on %s", (kind) => {
  let bots: Bots;
  beforeAll(async () => {
    bots = await startBots(kind);
  });
  afterAll(async () => {
    await bots?.close();
  });

  it("registers its webhook (with the secret) and its command menu at start, and never calls getUpdates", () => {
    const [hook] = bots.telegram.of("setWebhook");
    expect(hook?.token).toBe(TELEGRAM_TOKEN);
    expect(hook?.body).toMatchObject({
      url: `${PUBLIC_URL}/webhooks/telegram`,
      secret_token: TELEGRAM_SECRET,
    });
    const commands = (bots.telegram.of("setMyCommands")[0]?.body.commands ?? []) as { command: string }[];
    expect(commands.map((c) => c.command)).toEqual(["start", "gui", "tracuu", "huy", "trogiup"]);
    expect(bots.telegram.of("getUpdates")).toHaveLength(0);
  });

  it("files a case with buttons, looks it up, supplements it, is told of a transfer, gets the answer and rates it", async () => {
    const { rt, telegram } = bots;
    const c = telegramCitizen(bots);
    let t = await c.say("/start");
    expect(t.text).toContain("Xin chào Nguyễn Văn A");
    expect(t.choices.map((x) => x.id)).toEqual(["file", "lookup", "help"]);
    expect((await c.tap("file")).text).toContain("mô tả sự việc");
    expect(
      (
        await c.say(
          "Đèn đường trên đường Trần Phú, phường Hải Châu bị hỏng cả tháng nay, tối đi rất nguy hiểm",
        )
      ).text,
    ).toContain("tại phường Hải Châu, đúng không");
    expect((await c.tap(vi.choice.yes)).text).toContain("Ghi nhận địa bàn: phường Hải Châu");
    expect((await c.tap("pakn")).text).toContain("lĩnh vực nào");
    expect((await c.tap("topic:transport_infrastructure")).text).toContain("ẩn danh");
    expect((await c.say("Nguyễn Văn A, 0905 000 111")).text).toContain("• Địa bàn: phường Hải Châu");
    const code = codeIn((await c.tap("send")).text);

    // The tracking code reaches the citizen through the Bot API, with the menu as inline buttons.
    await telegram.waitFor(() => telegram.deliveredTo(c.chatId).some((x) => x.includes(`Mã hồ sơ: ${code}`)));
    const filedCall = telegram
      .of("sendMessage")
      .find((x) => String(x.body.text).includes(`Mã hồ sơ: ${code}`))!;
    expect(filedCall.body.chat_id).toBe(c.chatId);
    expect(filedCall.body.reply_markup).toEqual(inlineKeyboard(c.last.choices));
    expect(filedCall.body.parse_mode).toBeUndefined();

    const row = await rt.db.case.findUniqueOrThrow({ where: { code } });
    expect(row).toMatchObject({
      channel: "telegram",
      status: "routed",
      agencyId: "ubnd-hai-chau",
      kind: "pakn",
    });
    expect(row.description).toContain("Trần Phú");

    // /tracuu lists the citizen's own open cases; tapping one shows it with the private details.
    t = await c.say("/tracuu");
    expect(t.text).toContain(vi.yourOpenCases);
    expect(t.choices.map((x) => x.id)).toEqual([code, "cancel"]);
    t = await c.tap(code);
    expect(t.text).toContain(`Hồ sơ ${code}`);
    expect(t.text).toContain("Tình trạng: Đã chuyển cơ quan có thẩm quyền");
    expect(t.text).toContain("Nội dung ông/bà đã gửi: Đèn đường trên đường Trần Phú");
    // Someone else's /tracuu lists nothing of theirs; by code they see the public facts only.
    const stranger = telegramCitizen(bots);
    expect((await stranger.say("/tracuu")).choices.map((x) => x.id)).toEqual(["cancel"]);
    t = await stranger.say(code);
    expect(t.text).toContain(`Hồ sơ ${code}`);
    expect(t.text).not.toContain("Trần Phú");

    // The official asks for more; the citizen's next message attaches to the case.
    const hai = official(row.agencyId!);
    const question = "Xin cho biết cột đèn hỏng ở trước số nhà nào?";
    await rt.actions.requestInfo(row.id, hai, question);
    await telegram.waitFor(() => telegram.deliveredTo(c.chatId).some((x) => x.includes(question)));
    expect((await rt.db.case.findUniqueOrThrow({ where: { id: row.id } })).status).toBe("waiting_citizen");
    t = await c.say("Cột đèn trước nhà số 25 Trần Phú, gần ngã tư Lê Duẩn");
    expect(t.text).toContain(vi.supplemented(code));
    const afterSupplement = await rt.db.case.findUniqueOrThrow({
      where: { id: row.id },
      include: { events: true },
    });
    expect(afterSupplement.status).toBe("in_progress");
    const supplement = afterSupplement.events.find((e) => e.type === "citizen_message");
    expect(supplement?.data).toMatchObject({ text: "Cột đèn trước nhà số 25 Trần Phú, gần ngã tư Lê Duẩn" });
    const inbound = await rt.db.message.findFirstOrThrow({
      where: { direction: "in", text: { startsWith: "Cột đèn trước nhà số 25" } },
    });
    expect(inbound.caseId).toBe(row.id);

    // Transferred to the agency in charge of street lighting: the citizen is told, with the new deadline.
    await rt.actions.transfer(row.id, hai, "so-xay-dung", "Đèn chiếu sáng công cộng do Sở quản lý");
    await telegram.waitFor(() =>
      telegram
        .deliveredTo(c.chatId)
        .some((x) => x.includes(`Hồ sơ ${code} đã được chuyển đến Sở Xây dựng thành phố Đà Nẵng`)),
    );
    const transferred = await rt.db.case.findUniqueOrThrow({ where: { id: row.id } });
    expect(transferred).toMatchObject({ agencyId: "so-xay-dung", status: "routed" });

    // The old agency can no longer act on it; the new one answers and closes.
    const xd = official("so-xay-dung");
    await expect(rt.actions.answer(row.id, hai, "…")).rejects.toBeInstanceOf(ForbiddenError);
    await rt.actions.answer(row.id, xd, "Đã thay bóng đèn và sửa dây ngày 25/11/2026.");
    await rt.actions.close(row.id, xd);
    await telegram.waitFor(() => telegram.deliveredTo(c.chatId).some((x) => x === vi.askRating(code)));
    const answerIndex = telegram
      .deliveredTo(c.chatId)
      .findIndex((x) => x.includes(`Kết quả giải quyết hồ sơ ${code}`));
    expect(answerIndex).toBeGreaterThan(-1);
    expect(telegram.deliveredTo(c.chatId)[answerIndex]).toContain("Đã thay bóng đèn");
    expect(telegram.deliveredTo(c.chatId).indexOf(vi.askRating(code))).toBeGreaterThan(answerIndex);

    // The rating question carries five buttons; the citizen taps 5 and adds a comment.
    t = await c.lastReceived();
    expect(t.choices.map((x) => x.id)).toEqual(["rate:1", "rate:2", "rate:3", "rate:4", "rate:5"]);
    expect((await c.tap("rate:5")).text).toContain(vi.askRatingComment);
    expect((await c.say("Đèn sáng rồi, cảm ơn các anh")).text).toContain(vi.ratingThanks);
    const rated = await rt.db.case.findUniqueOrThrow({ where: { id: row.id }, include: { events: true } });
    expect(rated).toMatchObject({
      status: "closed",
      rating: 5,
      ratingComment: "Đèn sáng rồi, cảm ơn các anh",
    });
    expect(rated.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(["info_requested", "citizen_message", "replied", "rated"]),
    );

    // Every queued reply and notice reached the chat exactly once, in order, buttons included.
    const { rows, expected, delivered } = await deliveredAll(bots, "telegram", c.chatId);
    expect(rows.every((r) => r.status === "sent")).toBe(true);
    expect(delivered).toEqual(expected);
    const calls = telegram.of("sendMessage").filter((x) => x.body.chat_id === c.chatId && !x.failure);
    for (const [i, r] of rows.entries()) {
      const markup = inlineKeyboard(Array.isArray(r.choices) ? (r.choices as never) : undefined);
      expect(calls[i]!.body.reply_markup).toEqual(markup);
    }
    const turns = await rt.db.message.count({
      where: { direction: "in", conversation: { chatId: String(c.chatId) } },
    });
    expect(turns).toBe(13); // one row per message or tap of the citizen, no more
    // Every button tap was answered once (the spinner stops).
    expect(c.taps).toHaveLength(7);
    await telegram.waitFor(() => {
      const answered = telegram.of("answerCallbackQuery").map((x) => String(x.body.callback_query_id));
      return c.taps.every((id) => answered.filter((a) => a === id).length === 1);
    });
  });

  it("keeps photos sent while drafting as the case's attachments (the largest size)", async () => {
    const { rt } = bots;
    const c = telegramCitizen(bots);
    await c.say("/gui");
    expect(
      (await c.photo("AgACAgUAAxkBAAIB-photo-1", "Rác đổ trộm ở bãi đất trống kiệt 12 Nguyễn Tri Phương"))
        .text,
    ).toContain("Đã nhận ảnh (1 ảnh)");
    expect((await c.photo("AgACAgUAAxkBAAIB-photo-2")).text).toContain("(2 ảnh)");
    expect((await c.tap("next")).text).toContain("xã, phường nào");
    expect((await c.say("Thanh Khê")).text).toContain("Ghi nhận địa bàn: phường Thanh Khê");
    await c.tap("pakn");
    expect((await c.tap("topic:environment")).text).toContain("ẩn danh");
    expect((await c.tap("anonymous")).text).toContain("• Ảnh kèm theo: 2");
    const code = codeIn((await c.tap("send")).text);
    const row = await rt.db.case.findUniqueOrThrow({ where: { code } });
    expect(row.attachments).toEqual([
      { ref: "AgACAgUAAxkBAAIB-photo-1" },
      { ref: "AgACAgUAAxkBAAIB-photo-2" },
    ]);
    expect(row.description).toContain("Rác đổ trộm");
    const { delivered, expected } = await deliveredAll(bots, "telegram", c.chatId);
    expect(delivered).toEqual(expected);
  });
});

describe.each(kinds)("Telegram in long-polling mode (no PUBLIC_URL), on %s", (kind) => {
  let bots: Bots;
  beforeAll(async () => {
    bots = await startBots(kind, { webhook: false });
  });
  afterAll(async () => {
    await bots?.close();
  });

  it("mounts no webhook, and processes and answers the updates getUpdates hands out", async () => {
    const { rt, telegram } = bots;
    expect(telegram.of("setWebhook")).toHaveLength(0);
    const res = await rt.app.request("/webhooks/telegram", {
      method: "POST",
      headers: { "content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "anything" },
      body: JSON.stringify(tg.text(1, 1, "/start")),
    });
    expect(res.status).toBe(404);

    const chatId = uniqueNumber();
    const first = uniqueNumber();
    telegram.pushUpdates(tg.text(first, chatId, "/start"));
    await telegram.waitFor(() => telegram.deliveredTo(chatId).some((x) => x.includes("Xin chào")));
    const second = uniqueNumber();
    const third = uniqueNumber();
    const photo = uniqueNumber();
    telegram.pushUpdates(
      tg.callback(second, chatId, "file"),
      tg.text(third, chatId, "Cống thoát nước trước chợ Cồn bị vỡ, nước thải tràn ra đường"),
      telegramPhoto(photo, chatId, "polled-photo"),
    );
    await telegram.waitFor(() => telegram.deliveredTo(chatId).some((x) => x.includes("Đã nhận ảnh (1 ảnh)")));
    const texts = telegram.deliveredTo(chatId);
    expect(texts).toHaveLength(5);
    expect(texts[1]).toContain("mô tả sự việc");
    expect(texts[2]).toContain("Đã ghi nhận");
    expect(texts[3]).toContain("xã, phường nào");
    // The click was answered, and the poller confirmed the updates (offset past the last one).
    await telegram.waitFor(() =>
      telegram.of("answerCallbackQuery").some((x) => x.body.callback_query_id === `cb${second}`),
    );
    await telegram.waitFor(() => telegram.of("getUpdates").some((x) => x.body.offset === photo + 1));
    for (const id of [first, second, third, photo])
      expect((await processed(bots, "telegram", id)).status).toBe("processed");
    const conversation = await until(
      () =>
        rt.db.conversation
          .findFirst({ where: { channel: "telegram", chatId: String(chatId) } })
          .then((x) => x ?? undefined),
      "the conversation",
    );
    expect(conversation.state).toMatchObject({
      step: "place",
      draft: { photos: [{ ref: "polled-photo" }] },
    });
  });

  it("does not stall on an update the database cannot hold as is (a NUL character): it and the next are answered", async () => {
    const { telegram } = bots;
    const chatId = uniqueNumber();
    const odd = uniqueNumber();
    const next = uniqueNumber();
    telegram.pushUpdates(tg.text(odd, chatId, "xin\u0000chào"), tg.text(next, chatId, "/trogiup"));
    await telegram.waitFor(() => telegram.deliveredTo(chatId).length === 2);
    expect(telegram.deliveredTo(chatId)[1]).toContain("Hướng dẫn sử dụng");
    await telegram.waitFor(() => telegram.of("getUpdates").some((x) => x.body.offset === next + 1));
  });
});
