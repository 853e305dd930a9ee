/**
 * Issue 9 — the citizen dialogue, round 2: one scripted conversation per defect and per legal
 * rule, through the production intake service on the embedded database. Where the wording
 * differs by channel, the same conversation runs through each channel's decoder: Telegram
 * (buttons: the callback_data the keyboard sends), Zalo (the numbered list it prints; the
 * citizen types the number), and the web chat (free text).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callbackDataFor } from "../../src/channels/telegram/keyboard.ts";
import { renderChoices } from "../../src/channels/zalo/adapter.ts";
import type { Classification } from "../../src/intake/dialogue.ts";
import { isIdentityStep } from "../../src/intake/dialogue.ts";
import { PlaceIndex } from "../../src/intake/places.ts";
import { IntakeService } from "../../src/intake/service.ts";
import type { IncomingMessage, Reply } from "../../src/intake/types.ts";
import { decodeTelegram, decodeZalo } from "../../src/messaging/decoders.ts";
import { citizen, codeIn, type Harness, harness } from "../support/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await harness("pglite");
});
afterAll(async () => {
  await h?.close();
});

type Channel = "web" | "telegram" | "zalo";
let seq = 0;

/**
 * A citizen on one channel. `type` sends typed text; `pick` acts on the last offered choice the
 * way that channel does it: a Telegram button (its callback_data), the number Zalo printed in front
 * of the label, the label's words on the web chat.
 */
function on(channel: Channel, intake: IntakeService = h.intake) {
  const id = `r2-${channel}-${++seq}-${Math.random().toString(36).slice(2, 7)}`;
  let last: Reply[] = [];
  let update = 1000 * seq;
  const send = async (msg: IncomingMessage) => {
    const out = await intake.handle(msg);
    last = out.replies;
    return out.replies.map((r) => r.text).join("\n---\n");
  };
  const viaTelegram = (payload: unknown) => {
    const d = decodeTelegram(payload);
    if (d.kind !== "message") throw new Error(`telegram decoded ${d.kind}`);
    return send(d.message);
  };
  const viaZalo = (text: string) => {
    const d = decodeZalo({
      event_name: "message.text.received",
      message: {
        message_id: `m-${++update}`,
        date: Date.now(),
        chat: { id, chat_type: "PRIVATE" },
        from: { id, display_name: "Trần Thị B" },
        text,
      },
    });
    if (d.kind !== "message") throw new Error(`zalo decoded ${d.kind}`);
    return send(d.message);
  };
  const chat = { id: Number(seq), type: "private", first_name: "An" };
  const from = { id: Number(seq), is_bot: false, first_name: "An" };
  return {
    get choices() {
      return last.at(-1)?.choices ?? [];
    },
    get printed() {
      const r = last.at(-1);
      return r ? renderChoices(r.text, r.choices) : "";
    },
    type(text: string): Promise<string> {
      if (channel === "telegram")
        return viaTelegram({
          update_id: ++update,
          message: { message_id: update, date: 1_763_866_800, chat, from, text },
        });
      if (channel === "zalo") return viaZalo(text);
      return send({ channel: "web", chatId: id, userId: id, text });
    },
    /** Picks the offered choice with this label. */
    pick(label: string): Promise<string> {
      const choices = last.at(-1)?.choices ?? [];
      const i = choices.findIndex((c) => c.label === label);
      if (i < 0) throw new Error(`no choice «${label}» among ${choices.map((c) => c.label).join(" | ")}`);
      if (channel === "telegram")
        return viaTelegram({
          update_id: ++update,
          callback_query: {
            id: `cb-${update}`,
            from,
            chat_instance: "ci",
            data: callbackDataFor(choices[i]!.id, i),
            message: { message_id: update - 1, date: 1_763_866_800, chat, text: "…" },
          },
        });
      if (channel === "zalo") {
        // Zalo prints "n. Label": the citizen types the number they read.
        expect(this.printed).toContain(`${i + 1}. ${label}`);
        return viaZalo(String(i + 1));
      }
      return send({ channel: "web", chatId: id, userId: id, text: label });
    },
  };
}

const CHANNELS: Channel[] = ["web", "telegram", "zalo"];
const row = (code: string) =>
  h.opened.db.case.findUniqueOrThrow({ where: { code }, include: { sender: true } });

/** A stub model that always proposes this kind (the real one is tested elsewhere). */
function withKindHint(kind: "khieu_nai" | "pakn" | "to_cao", topicId = "officials_conduct") {
  const classify = async (): Promise<Classification> => ({
    topicId,
    confidence: 0.95,
    abstained: false,
    ranked: [topicId],
    kind,
  });
  return new IntakeService({
    db: h.opened.db,
    data: h.data,
    places: new PlaceIndex(h.data.communes),
    cases: h.cases,
    now: () => h.clock.now,
    classify,
  });
}

describe("defect 1 — a number typed means what the printed list says", () => {
  for (const channel of CHANNELS) {
    it(`"3" is Tố cáo even when the model suggests khiếu nại (${channel})`, async () => {
      const c = on(channel, withKindHint("khieu_nai"));
      await c.type("Chủ tịch phường Hòa Khánh ký giấy tờ sai cho người quen để lấy đất công");
      const kindQ = await c.pick("Đúng");
      expect(kindQ).toContain("3. Tố cáo");
      expect(kindQ).toContain("có vẻ là «Khiếu nại»");
      expect(c.choices.map((x) => x.id)).toEqual(["pakn", "khieu_nai", "to_cao"]);
      const next = channel === "telegram" ? await c.pick("Tố cáo") : await c.type("3");
      expect(next).toContain("Ông/bà tố cáo ai");
    });
  }
});

describe("defect 2 — any field can be corrected at the summary", () => {
  const toSummary = async (c: ReturnType<typeof on>) => {
    await c.type("Cán bộ một cửa phường Sơn Trà đòi 200 nghìn mới nhận hồ sơ đăng ký thường trú");
    await c.pick("Đúng");
    await c.pick("Phản ánh, kiến nghị");
    await c.pick("Cán bộ, công chức");
    return c.type("Nguyễn Văn Phúc, 0905 135 790");
  };
  it("free words: 'sai rồi, loại phải là tố cáo' changes the kind and asks what a tố cáo needs (web)", async () => {
    const c = on("web");
    expect(await toSummary(c)).toContain("• Loại: Phản ánh, kiến nghị");
    const next = await c.type("sai rồi, loại phải là tố cáo");
    expect(next).toContain("Đã đổi loại thành «Tố cáo»");
    expect(next).toContain("Ông/bà tố cáo ai");
  });
  it("without diacritics, on Zalo: 'sai roi loai phai la to cao'", async () => {
    const c = on("zalo");
    await toSummary(c);
    expect(await c.type("sai roi loai phai la to cao")).toContain("Ông/bà tố cáo ai");
  });
  it("with buttons, on Telegram: Sửa thông tin → Loại → Tố cáo; then the place, then it files", async () => {
    const c = on("telegram");
    await toSummary(c);
    expect(await c.pick("Sửa thông tin")).toContain("muốn sửa mục nào");
    await c.pick("Loại");
    await c.pick("Tố cáo");
    await c.type("Ông Lê Văn Hải, cán bộ một cửa phường Sơn Trà");
    const summary = await c.type("tổ 20 phường Sơn Trà");
    expect(summary).toContain("• Loại: Tố cáo");
    await c.pick("Sửa thông tin");
    await c.pick("Địa bàn");
    await c.type("An Hải");
    const done = await c.pick("Gửi hồ sơ");
    const r = await row(codeIn(done));
    expect(r.kind).toBe("to_cao");
    expect(r.placeId).toBe("an-hai");
    expect(r.sender?.name).toBe("Nguyễn Văn Phúc");
    expect(r.sender?.address).toBe("tổ 20 phường Sơn Trà");
  });
  it("the place, in words: 'sai dia ban, o phuong lien chieu chu'", async () => {
    const c = on("web");
    await toSummary(c);
    expect(await c.type("sai dia ban, o phuong lien chieu chu")).toContain("• Địa bàn: phường Liên Chiểu");
  });
});

describe("defect 3 — answers are checked for being answers", () => {
  it("a protest at the decision question changes the kind instead of being stored", async () => {
    const c = on("zalo");
    await c.type("Chủ quán nhậu ở phường Hòa Cường lấn chiếm vỉa hè, cán bộ phường nhận tiền rồi làm ngơ");
    await c.type("1");
    await c.type("2");
    const next = await c.type("ko phai khieu nai, toi chon so 3 la to cao ma");
    expect(next).toContain("Đã đổi loại thành «Tố cáo»");
    await c.type("cán bộ trật tự đô thị phường Hòa Cường");
    await c.type("8"); // Khác
    const summary = await c.type("Đinh Văn Lâm, 15 Núi Thành, phường Hòa Cường");
    expect(summary).not.toContain("ko phai khieu nai");
    const r = await row(codeIn(await c.type("1")));
    expect(r.kind).toBe("to_cao");
    expect(r.subject).toBe("cán bộ trật tự đô thị phường Hòa Cường");
    expect(r.description).not.toContain("ko phai");
  });
  for (const channel of CHANNELS) {
    it(`a question at the identity step is answered, never saved as the name (${channel})`, async () => {
      const c = on(channel);
      await c.type("tố cáo trưởng thôn 5 xã Hòa Vang ăn chặn tiền hỗ trợ lũ lụt của dân");
      await c.pick("Đúng");
      await c.type("trưởng thôn 5, ông Lê Văn Ty");
      await c.pick("Cán bộ, công chức");
      const answer = await c.type("e ko mun de ten dc ko a? gui an danh dc ko");
      expect(answer).toContain("nội dung chỉ được nhận như một tin báo");
      expect(answer).not.toContain("• Người gửi");
      const summary = await c.pick("Gửi không ghi tên (tin báo)");
      expect(summary).toContain("tin báo không ghi tên");
      const r = await row(codeIn(await c.pick("Gửi hồ sơ")));
      expect(r.sender).toBeNull();
      expect(r.kind).toBe("pakn");
      expect(r.anonymous).toBe(true);
      expect(r.details).toMatchObject({ unnamedReport: true });
    });
  }
  it("'ko co' is not appended to the description, and an opening question is not the description", async () => {
    const c = on("web");
    await c.type("/gui");
    expect(await c.type("ko co")).toContain("chưa ghi câu này");
    const q = on("web");
    const first = await q.type("cho hỏi muốn phản ánh việc đường hư thì làm sao ạ?");
    expect(first).not.toContain("Đã ghi nhận nội dung");
    expect(await q.pick("Gửi phản ánh, kiến nghị")).toContain("mô tả sự việc");
    await q.type("Mặt đường Trường Sa đoạn qua phường Ngũ Hành Sơn lún thành nhiều ổ gà lớn");
    await q.pick("Đúng");
    await q.pick("Giao thông và hạ tầng");
    await q.pick("Ẩn danh");
    const r = await row(codeIn(await q.type("gửi")));
    expect(r.description).toBe("Mặt đường Trường Sa đoạn qua phường Ngũ Hành Sơn lún thành nhiều ổ gà lớn");
  });
});

describe("defect 4 — a stated intent is understood", () => {
  it("'tôi muốn khiếu nại' and 'khieu nai' start a khiếu nại", async () => {
    expect(await on("web").type("tôi muốn khiếu nại")).toContain("trình bày việc khiếu nại");
    expect(await on("zalo").type("khieu nai")).toContain("trình bày việc khiếu nại");
  });
  it("'cho toi tra cuu ho so' looks up", async () => {
    expect(await on("zalo").type("cho toi tra cuu ho so")).toContain("Xin nhập mã hồ sơ");
  });
  it("'phản ánh' typed at the kind question files a PAKN", async () => {
    const c = on("telegram");
    await c.type(
      "Khói bụi từ xưởng gỗ ở xã Điện Bàn Tây bay vào nhà dân cả ngày, đã báo mà chính quyền làm ngơ",
    );
    await c.pick("Đúng");
    expect(await c.type("phản ánh")).toContain("lĩnh vực nào");
  });
});

describe("defect 5 — natural cancel and send words", () => {
  for (const words of ["thôi, không gửi nữa", "thôi khỏi", "thoi"]) {
    it(`'${words}' at the place question cancels`, async () => {
      const c = on("zalo");
      await c.type("gui phan anh");
      await c.type("nhà hàng xóm xây lấn sang đất nhà tôi hơn nửa mét");
      expect(await c.type(words)).toContain("Đã hủy");
    });
  }
  for (const words of ["gui", "gui di"]) {
    it(`'${words}' at the summary sends, and 'an danh nha' means anonymous`, async () => {
      const c = on("zalo");
      await c.type("Cột điện nghiêng sắp đổ trước nhà số 5 kiệt 20 Tôn Đản phường Cẩm Lệ");
      await c.type("u");
      await c.type("1");
      await c.type("5"); // Giao thông và hạ tầng
      expect(await c.type("an danh nha")).toContain("• Ẩn danh: Có");
      const r = await row(codeIn(await c.type(words)));
      expect(r.anonymous).toBe(true);
      expect(r.agencyId).toBe("dien-luc-da-nang");
    });
  }
});

describe("defect 6 — a text never promises a button it does not show", () => {
  it("every «…» a reply tells the citizen to choose is among that reply's buttons", async () => {
    const c = on("telegram");
    const check = (text: string) => {
      for (const m of text.matchAll(/chọn «([^»]+)»/g))
        expect(
          c.choices.map((x) => x.label),
          `«${m[1]}» in: ${text.slice(0, 80)}`,
        ).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^${m[1]}`))]));
    };
    check(await c.type("/start"));
    check(await c.pick("Gửi phản ánh, kiến nghị, khiếu nại, tố cáo"));
    check(await c.type("Đường kiệt 45 Hoàng Diệu bị ngập mỗi khi mưa lớn, nước tràn vào nhà"));
    check(await c.type("Hải Châu"));
    check(await c.pick("Phản ánh, kiến nghị"));
    check(await c.pick("Giao thông và hạ tầng"));
    check(await c.type("Ngô Văn Lộc"));
    check(await c.pick("Ẩn danh"));
    check(await c.pick("Sửa thông tin"));
  });
});

describe("defect 7 — a former district is several communes: ask which", () => {
  for (const channel of CHANNELS) {
    it(`'huyện Đại Lộc' offers its five communes (${channel})`, async () => {
      const c = on(channel);
      const r = await c.type("Đường vào thôn Hoằng Phước ở huyện Đại Lộc bị sạt lở sau trận mưa lớn");
      expect(r).toContain("Huyện Đại Lộc cũ nay thuộc 5 xã/phường");
      expect(c.choices.map((x) => x.id)).toEqual(
        expect.arrayContaining([
          "place:dai-loc",
          "place:ha-nha",
          "place:thuong-duc",
          "place:vu-gia",
          "place:phu-thuan",
        ]),
      );
      expect(await c.pick("xã Hà Nha")).toContain("Ghi nhận địa bàn: xã Hà Nha");
    });
  }
});

describe("defect 8 — a question has its own lighter path", () => {
  it("answers trợ cấp xã hội from the FAQ, with its source, and files nothing", async () => {
    const c = on("zalo");
    const a = await c.type("cho hỏi xin trợ cấp xã hội cho mẹ già 82 tuổi thì nộp ở đâu ạ");
    expect(a).toContain("Ủy ban nhân dân xã/phường nơi ông/bà cư trú");
    expect(a).toContain("Căn cứ: Nghị định 20/2021/NĐ-CP");
    expect(await c.pick("Đã rõ, cảm ơn")).toContain("Cảm ơn");
  });
  it("hands an unanswered question to the agency with a 5-working-day answer date, no identity asked", async () => {
    const c = on("web");
    expect(
      await c.type("Cho tôi hỏi con tôi vừa xuất ngũ thì có được hỗ trợ học nghề miễn phí không?"),
    ).toContain("chưa có câu trả lời sẵn");
    await c.pick("Gửi câu hỏi cho cơ quan");
    await c.type("Hòa Khánh");
    const summary = await c.pick("Giáo dục");
    expect(summary).toContain("Câu hỏi gửi cơ quan");
    const done = await c.pick("Gửi hồ sơ");
    expect(done).toContain("Dự kiến trả lời: trước hết ngày 30/11/2026");
    const r = await row(codeIn(done));
    expect(r.details).toMatchObject({ question: true });
    expect(r.agencyId).toBe("ubnd-hoa-khanh");
  });
});

describe("law: PAKN needs a name and a way to reach the sender unless anonymous", () => {
  it("asks the contact when only a name is given", async () => {
    const c = on("web");
    await c.type("Nước máy ở khu dân cư tổ 12 phường Hòa Xuân rất yếu, buổi tối gần như không có nước");
    await c.pick("Đúng");
    await c.pick("Phản ánh, kiến nghị");
    await c.pick("Giao thông và hạ tầng");
    expect(await c.type("Bùi Văn Tâm")).toContain("số điện thoại hoặc địa chỉ");
    expect(await c.type("0905 345 678")).toContain("• Liên hệ: 0905345678");
  });
});

describe("law: khiếu nại", () => {
  const start = async (c: ReturnType<typeof on>, text: string, decision: string) => {
    await c.type("khiếu nại");
    await c.type(text);
    await c.pick("Đúng");
    return c.type(decision);
  };
  it("a department's decision goes to the department, not the commune", async () => {
    const c = on("web");
    await start(
      c,
      "Sở Xây dựng xử phạt gia đình tôi vì sửa nhà ở phường Hải Châu",
      "Quyết định xử phạt số 85/QĐ-XPHC ngày 20/10/2026 của Sở Xây dựng",
    );
    await c.pick("Khiếu nại lần đầu");
    await c.type("25/10/2026");
    await c.type("Hủy quyết định xử phạt");
    await c.pick("Xây dựng và trật tự đô thị");
    await c.type("Trần Văn Bình, 45 Lê Lợi, phường Hải Châu");
    const r = await row(codeIn(await c.type("gửi")));
    expect(r.agencyId).toBe("so-xay-dung");
    expect(r.routingExplanation).toContain("theo thẩm quyền");
  });
  it("past the 90-day thời hiệu: explains it, records the reason, still files", async () => {
    const c = on("zalo");
    await start(c, "Phường Cẩm Lệ tháo dỡ mái che trước nhà tôi làm hư hỏng tài sản", "không có");
    await c.type("UBND phường Cẩm Lệ");
    await c.type("1");
    const late = await c.type("tháng 3/2026");
    expect(late).toContain("Thời hiệu khiếu nại là 90 ngày");
    expect(late).toContain("ốm đau, thiên tai");
    await c.type("tôi nằm viện điều trị từ tháng 4 đến tháng 10");
    await c.type("Bồi thường thiệt hại mái tôn");
    await c.type("4"); // Xây dựng và trật tự đô thị
    await c.type("Huỳnh Thị Hoa, 17 Ông Ích Đường, phường Cẩm Lệ");
    const r = await row(codeIn(await c.type("gui")));
    expect(r.details).toMatchObject({
      late: true,
      lateReason: "tôi nằm viện điều trị từ tháng 4 đến tháng 10",
    });
    expect(r.agencyId).toBe("ubnd-cam-le");
  });
  it("a second complaint gets the Art. 37 period (45 days from acceptance)", async () => {
    const c = on("telegram");
    await start(
      c,
      "Tôi không đồng ý quyết định giải quyết khiếu nại lần đầu của Chủ tịch UBND phường An Khê",
      "Quyết định số 12/QĐ-UBND ngày 30/10/2026 của Chủ tịch UBND phường An Khê",
    );
    await c.pick("Khiếu nại lần hai");
    await c.type("05/11/2026");
    await c.type("Cấp giấy chứng nhận quyền sử dụng đất");
    await c.pick("Đất đai");
    await c.type("Phạm Quốc Việt, 9 Hà Huy Tập, phường An Khê");
    const r = await row(codeIn(await c.pick("Gửi hồ sơ")));
    expect(r.details).toMatchObject({ second: true });
    // received Mon 23/11; acceptance due 03/12 (10 days); settlement 45 days later: 17/01/2027 (Sun) → Mon 18/01.
    expect(r.dueAt?.toISOString()).toBe("2027-01-18T16:59:59.999Z");
  });
  it("already in court: explains Art. 11 and lets the citizen stop", async () => {
    const c = on("zalo");
    await start(
      c,
      "Xã Điện Bàn Tây thu hồi 200m2 đất vườn nhà tôi, bồi thường thấp",
      "quyết định 77/QĐ-UBND ngày 01/11/2026",
    );
    expect(await c.type("3")).toContain("Tòa án thụ lý");
    expect(await c.type("thoi khoi")).toContain("Đã hủy");
  });
  it("a decision of the city goes to Ban Tiếp công dân", async () => {
    const c = on("web");
    await start(
      c,
      "khieu nai qd cua ubnd thanh pho ve boi thuong giai phong mat bang o phuong hoa xuan",
      "quyet dinh 3021/QD-UBND ngay 15/09/2026 cua UBND thanh pho Da Nang",
    );
    expect(await c.type("lan dau")).toContain("từ ngày nào");
  });
});

describe("law: tố cáo", () => {
  it("requires the address besides the name; a city-level official goes to the city inspectorate", async () => {
    const c = on("web");
    await c.type(
      "Tôi tố cáo ông Trần Văn Bảy, phó trưởng phòng của Sở Tài chính, nhận tiền của doanh nghiệp",
    );
    expect(await c.pick("Không rõ / chung toàn thành phố")).toContain("Ông/bà tố cáo ai");
    await c.type("Ông Trần Văn Bảy, phó trưởng phòng Sở Tài chính thành phố");
    await c.pick("Cán bộ, công chức");
    expect(await c.type("Nguyễn Minh Khoa")).toContain("địa chỉ của ông/bà");
    const summary = await c.type("21 Bạch Đằng, phường Hải Châu");
    expect(summary).toContain("được giữ bí mật theo Luật Tố cáo");
    const r = await row(codeIn(await c.type("gửi")));
    expect(r.agencyId).toBe("thanh-tra-thanh-pho");
    expect(r.sender?.address).toBe("21 Bạch Đằng, phường Hải Châu");
    expect(r.identityProtected).toBe(true);
  });
});

describe("routing by competence and the new bodies", () => {
  it("local security goes to the commune police", async () => {
    const c = on("web");
    await c.type(
      "Tối nào cũng có nhóm thanh niên đua xe, nẹt pô trên đường Nguyễn Tất Thành qua phường Thanh Khê",
    );
    await c.pick("Đúng");
    await c.pick("Phản ánh, kiến nghị");
    await c.pick("An ninh trật tự");
    await c.pick("Ẩn danh");
    const done = await c.pick("Gửi hồ sơ");
    expect(done).toContain("Công an phường Thanh Khê");
    expect((await row(codeIn(done))).agencyId).toBe("cong-an-thanh-khe");
  });
});

describe("identity steps for redaction", () => {
  it("isIdentityStep is true exactly for the steps that ask the sender's identity", () => {
    for (const s of ["identity", "identity_name", "identity_address", "identity_contact", "anonymity"])
      expect(isIdentityStep(s)).toBe(true);
    for (const s of ["describe", "place", "subject", "request", "confirm", "unnamed", "question", "idle"])
      expect(isIdentityStep(s)).toBe(false);
  });
  it("the sender's answers are received on an identity step and never copied into the case text", async () => {
    const c = citizen(h, `r2-id-${Math.random()}`);
    await c.say("Cây xanh trước số 20 Phan Chu Trinh phường Hội An nghiêng sắp đổ");
    await c.say("yes");
    await c.say("pakn");
    await c.say("topic:construction_urban");
    const conv = await h.opened.db.conversation.findFirstOrThrow({ orderBy: { updatedAt: "desc" } });
    expect(isIdentityStep(conv.step)).toBe(true);
    await c.say("Lâm Thị Xuân");
    await c.say("nhà số 22 Phan Chu Trinh");
    const r = await row(codeIn(await c.say("send")));
    expect(r.description).not.toContain("Lâm Thị Xuân");
    expect(r.description).not.toContain("22 Phan Chu Trinh");
    expect(r.sender?.address).toBe("nhà số 22 Phan Chu Trinh");
  });
});
