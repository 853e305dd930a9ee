/**
 * Issue 3, Zalo: a citizen files a case by answering numbered choices over the webhook, looks it
 * up, answers an official's request for information with a photo, is told of a transfer, receives
 * the answer and rates the case — through the production runtime and a loopback Zalo Bot API
 * stand-in, on the embedded database and on PostgreSQL. Then the same bot in long-polling mode.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { vi } from "../../src/i18n/vi.ts";
import { dbKinds } from "../support/db.ts";
import {
  type Bots,
  codeIn,
  deliveredAll,
  official,
  PUBLIC_URL,
  processed,
  startBots,
  uniqueNumber,
  until,
  ZALO_SECRET,
  ZALO_TOKEN,
  zaloCitizen,
} from "../support/messengers.ts";
import { zalo } from "../support/standins.ts";

const kinds = await dbKinds();

describe.each(kinds)("Zalo over the webhook, on %s", (kind) => {
  let bots: Bots;
  beforeAll(async () => {
    bots = await startBots(kind);
  });
  afterAll(async () => {
    await bots?.close();
  });

  it("registers its webhook with the secret at start, and never calls getUpdates", () => {
    const [hook] = bots.zalo.of("setWebhook");
    expect(hook?.token).toBe(ZALO_TOKEN);
    expect(hook?.body).toEqual({ url: `${PUBLIC_URL}/webhooks/zalo`, secret_token: ZALO_SECRET });
    expect(bots.zalo.of("getUpdates")).toHaveLength(0);
  });

  it("files a case with numbered answers, looks it up, supplements it with a photo, is told of a transfer, gets the answer and rates it", async () => {
    const { rt, zalo: api } = bots;
    const c = zaloCitizen(bots);
    let t = await c.say("Xin chào");
    expect(t.text).toContain("Xin chào Trần Thị B");
    // Zalo has no buttons: the menu arrives as numbered lines, and the citizen answers "1".
    await api.waitFor(() => api.deliveredTo(c.chatId).length === 1);
    const menu = api.deliveredTo(c.chatId)[0]!;
    expect(menu).toContain(`1. ${vi.choice.file}\n2. ${vi.choice.lookup}\n3. ${vi.choice.help}`);
    expect(menu).toContain("(Trả lời bằng số thứ tự)");
    expect(c.numberOf("file")).toBe("1");
    expect((await c.say("1")).text).toContain("mô tả sự việc");
    expect(
      (await c.say("Hố ga trên đường Lê Duẩn, phường Hải Châu bị mất nắp, xe máy sụp bánh mấy lần rồi")).text,
    ).toContain("tại phường Hải Châu, đúng không");
    expect((await c.pick(vi.choice.yes)).text).toContain("Ghi nhận địa bàn: phường Hải Châu");
    // The words of a choice work as well as its number.
    expect((await c.say("phản ánh, kiến nghị")).text).toContain("lĩnh vực nào");
    expect((await c.pick("topic:transport_infrastructure")).text).toContain("ẩn danh");
    expect((await c.say("Trần Thị B 0905 222 333")).text).toContain("• Loại: Phản ánh, kiến nghị");
    const code = codeIn((await c.pick("send")).text);

    await api.waitFor(() => api.deliveredTo(c.chatId).some((x) => x.includes(`Mã hồ sơ: ${code}`)));
    const row = await rt.db.case.findUniqueOrThrow({ where: { code } });
    expect(row).toMatchObject({ channel: "zalo", status: "routed", agencyId: "ubnd-hai-chau", kind: "pakn" });

    // /tracuu lists the citizen's own open cases, numbered; "1" opens the first.
    t = await c.say("/tracuu");
    expect(t.text).toContain(vi.yourOpenCases);
    expect(t.choices.map((x) => x.id)).toEqual([code, "cancel"]);
    t = await c.pick(code);
    expect(t.text).toContain(`Hồ sơ ${code}`);
    expect(t.text).toContain("Nội dung ông/bà đã gửi: Hố ga trên đường Lê Duẩn");
    const stranger = zaloCitizen(bots);
    expect((await stranger.say("tra cứu")).choices.map((x) => x.id)).toEqual(["cancel"]);

    // The official asks for more; the citizen answers with a photo and a caption.
    const hai = official(row.agencyId!);
    const question = "Xin ông/bà gửi ảnh chụp hố ga.";
    await rt.actions.requestInfo(row.id, hai, question);
    await api.waitFor(() => api.deliveredTo(c.chatId).some((x) => x.includes(question)));
    expect((await rt.db.case.findUniqueOrThrow({ where: { id: row.id } })).status).toBe("waiting_citizen");
    const photoUrl = "https://photo-zalo.example/hoga-le-duan.jpg";
    t = await c.image(photoUrl, "Ảnh chụp sáng nay");
    expect(t.text).toContain(vi.supplemented(code));
    const supplemented = await rt.db.case.findUniqueOrThrow({
      where: { id: row.id },
      include: { events: true },
    });
    expect(supplemented.status).toBe("in_progress");
    expect(supplemented.attachments).toEqual([{ ref: photoUrl, url: photoUrl }]);
    expect(supplemented.events.find((e) => e.type === "citizen_message")?.data).toMatchObject({
      text: "Ảnh chụp sáng nay",
      photo: { ref: photoUrl },
    });

    // Transfer, then the new agency answers and closes.
    await rt.actions.transfer(row.id, hai, "so-xay-dung", "Hạ tầng giao thông do Sở quản lý");
    await api.waitFor(() =>
      api
        .deliveredTo(c.chatId)
        .some((x) => x.includes(`Hồ sơ ${code} đã được chuyển đến Sở Xây dựng thành phố Đà Nẵng`)),
    );
    const xd = official("so-xay-dung");
    await rt.actions.answer(row.id, xd, "Đã lắp nắp hố ga mới.");
    await rt.actions.close(row.id, xd, "Đã xử lý xong");
    await api.waitFor(() => api.deliveredTo(c.chatId).some((x) => x.startsWith(vi.askRating(code))));
    const rating = api.deliveredTo(c.chatId).find((x) => x.startsWith(vi.askRating(code)))!;
    expect(rating).toContain("5. 5 — Rất hài lòng");

    // "5", then "Bỏ qua" (the words of the skip choice).
    await c.lastReceived();
    expect((await c.say("5")).text).toContain(vi.askRatingComment);
    expect((await c.say("Bỏ qua")).text).toContain(vi.ratingThanks);
    const rated = await rt.db.case.findUniqueOrThrow({ where: { id: row.id } });
    expect(rated).toMatchObject({ status: "closed", rating: 5, ratingComment: null });

    // Everything queued reached the chat exactly once, in order, rendered with its numbered choices.
    const { rows, expected, delivered } = await deliveredAll(bots, "zalo", c.chatId);
    expect(rows.every((r) => r.status === "sent")).toBe(true);
    expect(delivered).toEqual(expected);
    const inbound = await rt.db.message.count({
      where: { direction: "in", conversation: { chatId: c.chatId } },
    });
    expect(inbound).toBe(13); // one row per message the citizen sent, no more
  });

  it("keeps images sent while drafting as the case's attachments", async () => {
    const { rt } = bots;
    const c = zaloCitizen(bots);
    await c.say("/gui");
    const first = "https://photo-zalo.example/rac-1.jpg";
    const second = "https://photo-zalo.example/rac-2.jpg";
    expect((await c.image(first, "Rác đổ trộm ở bãi đất trống kiệt 12 Nguyễn Tri Phương")).text).toContain(
      "Đã nhận ảnh (1 ảnh)",
    );
    expect((await c.image(second)).text).toContain("(2 ảnh)");
    expect((await c.pick("next")).text).toContain("xã, phường nào");
    await c.say("Thanh Khê");
    await c.pick("pakn");
    expect((await c.pick("topic:environment")).text).toContain("ẩn danh");
    await c.pick("anonymous");
    const code = codeIn((await c.pick("send")).text);
    const row = await rt.db.case.findUniqueOrThrow({ where: { code } });
    expect(row.attachments).toEqual([
      { ref: first, url: first },
      { ref: second, url: second },
    ]);
    expect(row).toMatchObject({ anonymous: true, agencyId: "ubnd-thanh-khe" });
    const { delivered, expected } = await deliveredAll(bots, "zalo", c.chatId);
    expect(delivered).toEqual(expected);
  });
});

describe.each(kinds)("Zalo in long-polling mode (no PUBLIC_URL), on %s", (kind) => {
  let bots: Bots;
  beforeAll(async () => {
    bots = await startBots(kind, { webhook: false });
  });
  afterAll(async () => {
    await bots?.close();
  });

  it("mounts no webhook, and processes and answers the updates getUpdates hands out", async () => {
    const { rt, zalo: api } = bots;
    expect(api.of("setWebhook")).toHaveLength(0);
    const res = await rt.app.request("/webhooks/zalo", {
      method: "POST",
      headers: { "content-type": "application/json", "X-Bot-Api-Secret-Token": "anything-at-all" },
      body: JSON.stringify(zalo.text("x", "y", "hi")),
    });
    expect(res.status).toBe(404);

    const chatId = `zp${uniqueNumber().toString(36)}`;
    const ids = ["a", "b", "c", "d"].map((s) => `${s}${uniqueNumber().toString(16)}`);
    // getUpdates answers bare updates (no envelope per update).
    api.pushUpdates(zalo.text(ids[0]!, chatId, "/start").result);
    await api.waitFor(() => api.deliveredTo(chatId).some((x) => x.includes("Xin chào")));
    api.pushUpdates(
      zalo.text(ids[1]!, chatId, "1").result,
      zalo.text(ids[2]!, chatId, "Cây xanh trên đường Bạch Đằng bị nghiêng, sắp đổ vào nhà dân").result,
      zalo.image(ids[3]!, chatId, "https://photo-zalo.example/cay.jpg").result,
    );
    await api.waitFor(() => api.deliveredTo(chatId).some((x) => x.includes("Đã nhận ảnh (1 ảnh)")));
    const texts = api.deliveredTo(chatId);
    expect(texts).toHaveLength(5);
    expect(texts[1]).toContain("mô tả sự việc");
    expect(texts[2]).toContain("Đã ghi nhận");
    expect(texts[3]).toContain("xã, phường nào");
    for (const id of ids) expect((await processed(bots, "zalo", id)).status).toBe("processed");
    const conversation = await until(
      () => rt.db.conversation.findFirst({ where: { channel: "zalo", chatId } }).then((x) => x ?? undefined),
      "the conversation",
    );
    expect(conversation.state).toMatchObject({
      step: "place",
      draft: { photos: [{ ref: "https://photo-zalo.example/cay.jpg" }] },
    });
    // getUpdates asks for a 30-second long poll, as a string.
    expect(api.of("getUpdates")[0]?.body).toEqual({ timeout: "30" });
  });
});
