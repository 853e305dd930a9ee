import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCode } from "../../src/case/code.ts";
import { loadReferenceData } from "../../src/data/index.ts";
import { PlaceIndex } from "../../src/intake/places.ts";
import { IntakeService } from "../../src/intake/service.ts";
import { CaseStore } from "../../src/store/cases.ts";
import { openDb } from "../../src/store/db.ts";
import { syncReferenceData } from "../../src/store/reference.ts";
import { citizen, codeIn, type Harness, harness } from "../support/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await harness("pglite");
});
afterAll(async () => {
  await h?.close();
});

let n = 0;
const chat = () => citizen(h, `chat-${++n}-${Math.random().toString(36).slice(2, 8)}`);

async function filePakn(
  c: ReturnType<typeof chat>,
  text = "Đèn đường trên đường Trần Phú, phường Hải Châu bị hỏng cả tháng nay, tối đi rất nguy hiểm",
) {
  await c.say("/start");
  await c.say("file");
  await c.say(text); // enough to go on: the place found in the text is proposed
  await c.say("yes");
  await c.say("pakn");
  await c.say("topic:transport_infrastructure");
  await c.say("Nguyễn Văn An, 0905 111 222");
  return codeIn(await c.say("send"));
}

describe("intake dialogue — filing", () => {
  it("greets with a menu and files a PAKN end to end, with code, agency, first-response date and deadline", async () => {
    const c = chat();
    const hello = await c.say("/start");
    expect(hello).toContain("Xin chào");
    expect(c.choices).toEqual(["file", "lookup", "help"]);
    expect(await c.say("file")).toContain("mô tả sự việc");
    const place = await c.say("Đèn đường trên đường Trần Phú, phường Hải Châu bị hỏng cả tháng nay");
    expect(place).toContain("Đã ghi nhận");
    expect(place).toContain("tại phường Hải Châu, đúng không");
    // More of the story at the place question is kept as description.
    expect(await c.say("Tối đi rất nguy hiểm, đã có người té xe ở đoạn này rồi.")).toContain("Đã ghi thêm");
    const kindQ = await c.say("phường Hải Châu");
    expect(kindQ).toContain("Ghi nhận địa bàn: phường Hải Châu");
    expect(kindQ).toContain("2. Khiếu nại — đề nghị xem xét lại");
    expect(await c.say("1")).toContain("lĩnh vực nào");
    expect(c.labels).toContain("Giao thông và hạ tầng");
    const identity = await c.say("Giao thông và hạ tầng");
    expect(identity).toContain("họ tên và số điện thoại");
    expect(c.labels).toContain("Ẩn danh");
    const summary = await c.say("Nguyễn Văn Hùng, 0905 214 377");
    expect(summary).toContain("• Loại: Phản ánh, kiến nghị");
    expect(summary).toContain("• Địa bàn: phường Hải Châu");
    expect(summary).toContain("té xe");
    expect(summary).toContain("• Người gửi: Nguyễn Văn Hùng");
    expect(summary).not.toContain("bí mật");
    const done = await c.say("send");
    const code = codeIn(done);
    expect(done).toContain("Ủy ban nhân dân phường Hải Châu");
    expect(done).toContain("Phản hồi lần đầu: trước hết ngày 26/11/2026");
    expect(done).toContain("Hạn trả lời: trước hết ngày 07/12/2026");
    const row = await h.opened.db.case.findUniqueOrThrow({
      where: { code },
      include: { events: true, messages: true, sender: true },
    });
    expect(row.status).toBe("routed");
    expect(row.description).toContain("té xe");
    expect(row.description).not.toContain("Nguyễn Văn Hùng");
    expect(row.sender?.name).toBe("Nguyễn Văn Hùng");
    expect(row.sender?.contact).toBe("0905214377");
    expect(row.events.map((e) => e.type)).toEqual(["created", "classified", "routed"]);
    expect(row.routingExplanation).toContain("quy tắc #5");
    expect(row.messages.length).toBeGreaterThan(5);
  });

  it("takes a first message that describes the problem as the description and goes on", async () => {
    const c = chat();
    const r = await c.say("nha toi o xa hoa vang bi thu hoi dat ma chua duoc den bu gi ca");
    expect(r).toContain("Đã ghi nhận nội dung");
    expect(r).toContain("xã Hòa Vang");
  });

  it("asks a khiếu nại what Art. 8 needs, checks the 90-day limit, and routes to the issuer", async () => {
    const c = chat();
    await c.say("/gui");
    expect(await c.say("Tôi không đồng ý với quyết định thu hồi đất của gia đình tôi ở thôn 2")).toContain(
      "xã, phường nào",
    );
    const kind = await c.say("Hòa Vang");
    expect(kind).toContain("xã Hòa Vang");
    expect(await c.say("2")).toContain("số, ngày của quyết định");
    expect(await c.say("Quyết định số 123/QĐ-UBND ngày 01/10/2026 của UBND xã Hòa Vang")).toContain(
      "lần đầu",
    );
    expect(c.choices).toEqual(["round:1", "round:2", "court"]);
    expect(await c.say("lần đầu")).toContain("từ ngày nào");
    const date = await c.say("05/10/2026");
    expect(date).toContain("Còn trong thời hạn khiếu nại (49/90 ngày)");
    expect(date).toContain("đề nghị cơ quan giải quyết thế nào");
    expect(await c.say("Đề nghị hủy quyết định thu hồi")).toContain("lĩnh vực");
    const identity = await c.say("topic:land");
    expect(identity).toContain("không thể ẩn danh");
    expect(c.choices).not.toContain("anonymous");
    expect(await c.say("gửi ẩn danh được không?")).toContain("Khiếu nại không gửi ẩn danh được");
    expect(await c.say("Lê")).toContain("họ tên");
    const summary = await c.say("Lê Văn Tám, thôn 2, xã Hòa Vang, 0905 123 456");
    expect(summary).toContain("• Quyết định/việc bị khiếu nại: Quyết định số 123/QĐ-UBND");
    expect(summary).toContain("• Cơ quan, người ban hành: Ủy ban nhân dân xã Hòa Vang");
    expect(summary).toContain("• Khiếu nại lần: đầu");
    expect(summary).toContain("• Đề nghị: Đề nghị hủy quyết định thu hồi");
    expect(summary).toContain("• Người gửi: Lê Văn Tám");
    expect(summary).toContain("• Địa chỉ: thôn 2, xã Hòa Vang");
    expect(summary).not.toContain("bí mật"); // no secrecy is promised for a khiếu nại
    expect(summary).not.toContain("Ẩn danh");
    const code = codeIn(await c.say("send"));
    const row = await h.opened.db.case.findUniqueOrThrow({ where: { code }, include: { sender: true } });
    expect(row.kind).toBe("khieu_nai");
    expect(row.subject).toContain("123/QĐ-UBND");
    // The identity is kept apart from the case.
    expect(row.sender?.name).toBe("Lê Văn Tám");
    expect(row.sender?.address).toBe("thôn 2, xã Hòa Vang");
    expect(row.sender?.contact).toBe("0905123456");
    expect(JSON.stringify(row).match(/Lê Văn Tám/g)).toHaveLength(1);
    expect(row.anonymous).toBe(false);
    expect(row.agencyId).toBe("ubnd-hoa-vang");
    expect(row.details).toMatchObject({
      issuer: "Ủy ban nhân dân xã Hòa Vang",
      second: false,
      request: "Đề nghị hủy quyết định thu hồi",
      daysSinceKnown: 49,
    });
    expect(JSON.stringify(row.details)).not.toContain("Lê Văn Tám");
  });

  it("keeps a denouncer's identity secret by law and routes a commune official's tố cáo to the commune chairman", async () => {
    const c = chat();
    await c.say("/gui");
    await c.say("Cán bộ địa chính xã đòi tiền mới làm hồ sơ cấp sổ đỏ cho dân");
    await c.say("Điện Bàn Bắc");
    await c.say("to_cao");
    expect(await c.say("Ông Nguyễn Văn B, cán bộ địa chính xã Điện Bàn Bắc")).toContain("lĩnh vực");
    const identity = await c.say("topic:officials_conduct");
    expect(identity).toContain("người tố cáo phải ghi họ tên, địa chỉ");
    expect(identity).toContain("giữ bí mật");
    expect(c.choices).toContain("unnamed");
    const summary = await c.say("Trần Thị C, tổ 5 phường Hải Châu");
    expect(summary).toContain("• Người gửi: Trần Thị C (được giữ bí mật theo Luật Tố cáo)");
    const done = await c.say("send");
    expect(done).toContain("Ủy ban nhân dân phường Điện Bàn Bắc");
    expect(done).toContain("Hạn thụ lý");
    const row = await h.opened.db.case.findUniqueOrThrow({ where: { code: codeIn(done) } });
    expect(row.identityProtected).toBe(true);
    expect(row.anonymous).toBe(false);
    expect(row.routingExplanation).toContain("theo thẩm quyền");
  });

  it("lets the citizen pick among places whose names collide without diacritics", async () => {
    const c = chat();
    await c.say("/gui");
    await c.say("Ống nước thải của xưởng đổ thẳng ra ruộng gây mùi hôi thối");
    expect(await c.say("tam thanh")).toContain("Có vài nơi");
    expect(c.labels.slice(0, 3).sort()).toEqual(["phường Quảng Phú", "xã Tây Hồ", "xã Đức Phú"]);
    const picked = c.choices.indexOf("place:duc-phu") + 1;
    expect(await c.say(String(picked))).toContain("Ghi nhận địa bàn: xã Đức Phú.");
  });

  it("accepts photos with captions while drafting", async () => {
    const c = chat();
    await c.say("/gui");
    expect(
      await c.say("", {
        photo: { ref: "file-1" },
        text: "Rác đổ trộm ở bãi đất trống kiệt 12 Nguyễn Tri Phương",
      }),
    ).toContain("Đã nhận ảnh (1 ảnh)");
    expect(await c.say("", { photo: { ref: "file-2" } })).toContain("(2 ảnh)");
    await c.say("next");
    await c.say("Thanh Khê");
    await c.say("pakn");
    const next = await c.say("topic:environment");
    expect(next).toContain("ẩn danh");
    await c.say("an danh nha");
    const code = codeIn(await c.say("send"));
    const row = await h.opened.db.case.findUniqueOrThrow({ where: { code } });
    expect(row.attachments).toEqual([{ ref: "file-1" }, { ref: "file-2" }]);
    expect(row.anonymous).toBe(true);
    expect(row.identityProtected).toBe(true);
  });
});

describe("intake dialogue — cancel, restart and bad input", () => {
  const story = "Cống thoát nước bị vỡ gây ngập cả khu dân cư";
  const steps: Array<[string, string[]]> = [
    ["describe", ["/gui"]],
    ["place", ["/gui", story]],
    ["kind", ["/gui", story, "city_wide"]],
    ["subject", ["/gui", story, "city_wide", "khieu_nai"]],
    ["topic", ["/gui", story, "city_wide", "pakn"]],
    ["identity", ["/gui", story, "city_wide", "pakn", "topic:transport_infrastructure"]],
    ["confirm", ["/gui", story, "city_wide", "pakn", "topic:transport_infrastructure", "anonymous"]],
  ];
  for (const [step, script] of steps) {
    it(`cancels at the ${step} step and forgets the draft`, async () => {
      const c = chat();
      for (const line of script) await c.say(line);
      expect(await c.say("hủy")).toContain("Đã hủy");
      expect(c.choices).toEqual(["file", "lookup", "help"]);
      expect(await c.say("/gui")).toContain("mô tả sự việc");
    });
  }

  it("cancels with /huy too, and says so when there is nothing to cancel", async () => {
    const c = chat();
    expect(await c.say("/huy")).toContain("không có thao tác");
  });

  it("keeps the conversation across a restart of the process and its database", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "hopthu-restart-"));
    const data = loadReferenceData();
    const start = async () => {
      const opened = await openDb({ dataDir: dir });
      await syncReferenceData(opened.db, data);
      const intake = new IntakeService({
        db: opened.db,
        data,
        places: new PlaceIndex(data.communes),
        cases: new CaseStore(opened.db, data),
      });
      return { opened, c: citizen({ intake }, "restart-chat") };
    };
    try {
      let run = await start();
      await run.c.say("/gui");
      expect(await run.c.say("Karaoke hát đến 2 giờ sáng ở kiệt 30 Lê Duẩn, phường Thanh Khê")).toContain(
        "phường Thanh Khê",
      );
      await run.opened.close();

      run = await start();
      await run.c.say("yes");
      await run.c.say("pakn");
      await run.c.say("topic:culture_tourism");
      await run.c.say("anonymous");
      const code = codeIn(await run.c.say("send"));
      await run.opened.close();

      run = await start();
      const view = await run.c.say(code.toLowerCase().replace("-", " "));
      expect(view).toContain(`Hồ sơ ${code}`);
      expect(view).toContain("Karaoke hát đến 2 giờ sáng");
      await run.opened.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("answers empty, emoji-only, over-long and spam-like messages politely without changing the step", async () => {
    const c = chat();
    await c.say("/gui");
    expect(await c.say("   ")).toContain("chưa nhận được nội dung");
    expect(await c.say("😀😀🙏")).toContain("chưa hiểu");
    expect(await c.say("a".repeat(5001))).toContain("Tin nhắn quá dài (5.001 ký tự)");
    expect(await c.say("http://x.vn http://y.vn http://z.vn mua ngay")).toContain("không phải nội dung");
    expect(await c.say("Xe tải chở cát làm rơi vãi khắp đường Hoàng Sa")).toContain("Đã ghi nhận");
    expect(c.choices).toEqual(["city_wide", "cancel"]);
  });

  it("asks for more when the description is too short", async () => {
    const c = chat();
    await c.say("/gui");
    expect(await c.say("ngập")).toContain("mô tả rõ hơn");
    expect(await c.say("next")).toContain("mô tả rõ hơn");
  });

  it("handles odd Unicode: decomposed diacritics, zero-width and RTL characters", async () => {
    const c = chat();
    await c.say("/gui");
    expect(await c.say("Đường ở phường Hải Châu bị sụt lún".normalize("NFD"))).toContain("phường Hải Châu");
    expect(await citizen(h, "odd-1").say("\u200b\u202e\u200d")).toContain("chưa hiểu");
  });

  it("answers a greeting or an unknown short text with the menu", async () => {
    const c = chat();
    expect(await c.say("alo")).toContain("Xin chào");
    expect(await c.say("gì vậy")).toContain("Ông/bà cần gì");
    expect(await c.say("/trogiup")).toContain("Hướng dẫn sử dụng");
  });
});

describe("intake dialogue — look-up, several cases, rating", () => {
  it("lists the citizen's open cases and shows a case by code, private details only to its sender", async () => {
    const c = chat();
    const first = await filePakn(c);
    const second = await filePakn(
      c,
      "Rác thải ùn ứ ở chợ phường Hòa Khánh, bốc mùi cả tuần nay không ai thu gom",
    );
    expect(first).not.toBe(second);
    const listed = await c.say("/tracuu");
    expect(listed).toContain("hồ sơ đang xử lý");
    expect(c.choices).toEqual(expect.arrayContaining([first, second]));
    const own = await c.say(second);
    expect(own).toContain("Tình trạng: Đã chuyển cơ quan có thẩm quyền");
    expect(own).toContain("Rác thải ùn ứ");

    const stranger = chat();
    const seen = await stranger.say(second);
    expect(seen).toContain(`Hồ sơ ${second}`);
    expect(seen).toContain("Cơ quan xử lý: Ủy ban nhân dân phường Hòa Khánh");
    expect(seen).not.toContain("Rác thải ùn ứ");
  });

  it("catches a mistyped code and says when a valid code does not exist", async () => {
    const c = chat();
    const code = await filePakn(c);
    const last = code.at(-1)!;
    const typo = code.slice(0, -1) + (last === "X" ? "Y" : "X");
    await c.say("/tracuu");
    expect(await c.say(typo)).toContain("gõ nhầm một ký tự");
    let other = generateCode();
    while (other === code) other = generateCode();
    expect(await c.say(other)).toContain("Không tìm thấy hồ sơ");
    expect(await c.say("12")).toContain("9 ký tự");
  });

  it("asks for a 1–5 rating and an optional comment once a case is closed", async () => {
    const c = chat();
    const code = await filePakn(c);
    const row = await h.opened.db.case.findUniqueOrThrow({ where: { code } });
    const replies = await h.intake.askRating(row.conversationId!, row.id, code);
    expect(replies[0]!.text).toContain(`Hồ sơ ${code} đã kết thúc`);
    expect(await c.say("9")).toContain("từ 1 đến 5");
    expect(await c.say("4")).toContain("góp ý");
    expect(await c.say("Cán bộ phường xử lý nhanh, cảm ơn")).toContain("Cảm ơn ông/bà đã đánh giá");
    const rated = await h.opened.db.case.findUniqueOrThrow({ where: { code }, include: { events: true } });
    expect(rated.rating).toBe(4);
    expect(rated.ratingComment).toBe("Cán bộ phường xử lý nhanh, cảm ơn");
    expect(rated.events.map((e) => e.type)).toContain("rated");
  });
});
