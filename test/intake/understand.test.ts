/** Reading chat Vietnamese: intents, non-answers, names, dates, several matters (issue 9). */
import { describe, expect, it } from "vitest";
import { loadReferenceData } from "../../src/data/index.ts";
import { PlaceIndex } from "../../src/intake/places.ts";
import {
  isCancel,
  isInformationQuestion,
  isNonAnswer,
  isQuestion,
  isSend,
  isYes,
  kindCorrection,
  parseDate,
  parseIdentity,
  splitMatters,
  statedIntent,
  wantsAnonymity,
} from "../../src/intake/understand.ts";

const ORDER = ["pakn", "khieu_nai", "to_cao"] as const;

describe("intents", () => {
  it("cancel, send and yes, with or without diacritics and politeness", () => {
    for (const t of ["thôi, không gửi nữa", "thôi khỏi", "thoi", "thôi nhé", "Hủy", "ko gui nua"])
      expect(isCancel(t), t).toBe(true);
    for (const t of ["thôi việc", "đường Thôi Hữu"]) expect(isCancel(t), t).toBe(false);
    for (const t of ["gui", "gui di", "Gửi hồ sơ", "ok", "dạ gửi giúp tôi"]) expect(isSend(t), t).toBe(true);
    for (const t of ["Dạ đúng ạ", "uk", "ừ đúng rồi", "vâng"]) expect(isYes(t), t).toBe(true);
    for (const t of ["ko co", "không có ạ", "khong biet", "chưa có"]) expect(isNonAnswer(t), t).toBe(true);
  });
  it("a kind stated in words, and what follows it", () => {
    expect(statedIntent("tôi muốn khiếu nại")).toEqual({ kind: "khieu_nai", rest: "" });
    expect(statedIntent("khieu nai")?.kind).toBe("khieu_nai");
    expect(statedIntent("phản ánh")?.kind).toBe("pakn");
    expect(statedIntent("muon to cao can bo xa an tien")).toEqual({
      kind: "to_cao",
      rest: "can bo xa an tien",
    });
    expect(statedIntent("đường nhà tôi bị ngập")).toBeUndefined();
  });
  it("a protest or correction of the kind, numbers read against the printed list", () => {
    expect(kindCorrection("ko phai khieu nai, toi chon so 3 la to cao ma", ORDER)).toBe("to_cao");
    expect(kindCorrection("sai rồi, loại phải là tố cáo", ORDER)).toBe("to_cao");
    expect(kindCorrection("tôi chọn số 2", ORDER)).toBe("khieu_nai");
    expect(kindCorrection("Đề nghị chính quyền hỗ trợ tu sửa ngôi đình", ORDER)).toBeUndefined();
    expect(kindCorrection("khiếu nại", ORDER)).toBeUndefined();
  });
  it("questions, and questions that ask for information rather than report a problem", () => {
    expect(isQuestion("e ko mun de ten dc ko a? gui an danh dc ko")).toBe(true);
    expect(isQuestion("Nguyễn Văn An")).toBe(false);
    expect(isInformationQuestion("cho hỏi xin trợ cấp xã hội cho mẹ già ở đâu")).toBe(true);
    expect(isInformationQuestion("Xin hỏi mất điện thì báo ở đâu?")).toBe(true);
    expect(isInformationQuestion("Đường nhà tôi ngập sao không ai xử lý?")).toBe(false);
    expect(wantsAnonymity("an danh nha")).toBe(true);
    expect(wantsAnonymity("e ko mun de ten")).toBe(true);
    expect(wantsAnonymity("Nguyễn Văn An")).toBe(false);
  });
});

describe("the sender's identity in one answer", () => {
  it("splits name, address and phone; never takes a question or an address for a name", () => {
    expect(parseIdentity("Nguyễn Văn An, 12 Lê Lợi, phường Hải Châu, 0905123456")).toEqual({
      name: "Nguyễn Văn An",
      address: "12 Lê Lợi, phường Hải Châu",
      phone: "0905123456",
    });
    expect(parseIdentity("tôi là Trần Thị Bích ở thôn 2 xã Hòa Vang sđt 0912 345 678")).toEqual({
      name: "Trần Thị Bích",
      address: "thôn 2 xã Hòa Vang",
      phone: "0912345678",
    });
    expect(parseIdentity("Phan Thị Hồng 0935 246 135").name).toBe("Phan Thị Hồng");
    expect(parseIdentity("tran van minh").name).toBe("tran van minh");
    expect(parseIdentity("e ko mun de ten dc ko a").name).toBeUndefined();
    expect(parseIdentity("thôn Đông Yên, xã Núi Thành").name).toBeUndefined();
  });
});

describe("dates", () => {
  const now = new Date("2026-12-04T03:00:00Z");
  it("reads the ways people write a date", () => {
    const iso = (t: string) => parseDate(t, now)?.toISOString().slice(0, 10);
    expect(iso("12/3/2026")).toBe("2026-03-12");
    expect(iso("ngày 5 tháng 10")).toBe("2026-10-05");
    expect(iso("hôm qua")).toBe("2026-12-03");
    expect(iso("2 thang truoc")).toBe("2026-10-05");
    expect(iso("tháng 3/2026")).toBe("2026-03-01");
    expect(iso("25/12")).toBe("2025-12-25"); // a day still ahead this year means last year
    expect(iso("không nhớ")).toBeUndefined();
  });
});

describe("several matters in one letter", () => {
  it("splits a numbered list, keeping the intro as context, and not a house number or a date", () => {
    const parts = splitMatters(
      "Tôi xin kiến nghị 3 việc ở tổ 5: 1. Đường kiệt 12 bị ngập mỗi khi mưa lớn. 2. Đèn đường hỏng cả tháng. 3. Quán karaoke hát đến 1 giờ sáng.",
    );
    expect(parts).toHaveLength(3);
    expect(parts[0]).toBe("Đường kiệt 12 bị ngập mỗi khi mưa lớn (Tôi xin kiến nghị 3 việc ở tổ 5)");
    expect(splitMatters("Đèn đường số 12 trên đường 2/9 hỏng từ ngày 1. 10 hôm nay vẫn chưa sửa")).toEqual(
      [],
    );
  });
});

describe("former districts", () => {
  const index = new PlaceIndex(loadReferenceData().communes);
  it("'huyện Đại Lộc' is five communes; with one of them named it is that one; a street is not a commune", () => {
    const m = index.findIn("Đường vào thôn ở huyện Đại Lộc bị sạt lở");
    expect(m.kind === "ambiguous" && m.district).toBe("huyện Đại Lộc");
    expect(m.kind === "ambiguous" && m.candidates.map((c) => c.id).sort()).toEqual([
      "dai-loc",
      "ha-nha",
      "phu-thuan",
      "thuong-duc",
      "vu-gia",
    ]);
    const one = index.findIn("đường ở xã Hà Nha, huyện Đại Lộc bị hư");
    expect(one.kind === "unique" && one.commune.id).toBe("ha-nha");
    expect(index.match("Đại Lộc").kind).toBe("unique");
    expect(index.findIn("Xe tải làm rơi cát khắp đường Hoàng Sa").kind).toBe("none");
    const typed = index.findIn("nhà em ở kiệt 88 Núi Thành phường Hòa Cường");
    expect(typed.kind === "unique" && typed.commune.id).toBe("hoa-cuong");
  });
});
