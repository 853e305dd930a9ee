import { describe, expect, it } from "vitest";
import { isMarkedText, stripDiacritics, syllableForms, tokenize } from "../../src/classify/normalize.ts";

describe("stripDiacritics", () => {
  it("removes tones and vowel marks, and maps đ/Đ to d/D", () => {
    expect(stripDiacritics("Nhà tôi bị thu hồi đất")).toBe("Nha toi bi thu hoi dat");
    expect(stripDiacritics("ĐƯỜNG ĐẤT đỏ")).toBe("DUONG DAT do");
    expect(stripDiacritics("Ủy ban nhân dân phường Hòa Cường")).toBe("Uy ban nhan dan phuong Hoa Cuong");
  });

  it("gives the same result for NFC and NFD input", () => {
    const nfc = "Bồi thường giải phóng mặt bằng, tái định cư".normalize("NFC");
    const nfd = nfc.normalize("NFD");
    expect(nfd).not.toBe(nfc);
    expect(stripDiacritics(nfd)).toBe(stripDiacritics(nfc));
    expect(stripDiacritics(nfd)).toBe("Boi thuong giai phong mat bang, tai dinh cu");
  });
});

describe("syllableForms", () => {
  it("keeps vowel marks, moves the tone to a digit, and ignores tone placement", () => {
    expect(syllableForms("đất")).toEqual({ acc: "đât1", plain: "dat", marked: true });
    expect(syllableForms("hòa").acc).toBe("hoa2");
    expect(syllableForms("hoà").acc).toBe("hoa2");
    expect(syllableForms("thuỷ").acc).toBe(syllableForms("thủy").acc);
    expect(syllableForms("ban")).toEqual({ acc: "ban", plain: "ban", marked: false });
  });
});

describe("tokenize", () => {
  it("lower-cases, normalises NFD input, folds digits and marks punctuation breaks", () => {
    const t = tokenize("Quyết định SỐ 123/QĐ-UBND, ngày 5".normalize("NFD"));
    expect(t.map((x) => x.plain)).toEqual([
      "quyet",
      "dinh",
      "so",
      "0",
      "qd",
      "uy",
      "ban",
      "nhan",
      "dan",
      "ngay",
      "0",
    ]);
    expect(t.map((x) => x.breakBefore)).toEqual([
      true,
      false,
      false,
      false,
      true,
      true,
      false,
      false,
      false,
      true,
      false,
    ]);
  });

  it("expands teencode and acronyms", () => {
    const plain = (s: string) =>
      tokenize(s)
        .map((x) => x.plain)
        .join(" ");
    expect(plain("nha toi ko dc boi thuong wa lau")).toBe("nha toi khong duoc boi thuong qua lau");
    expect(plain("Nhà tôi k đc cấp sổ đỏ")).toBe("nha toi khong duoc cap so do");
    expect(plain("ubnd xa chua tra loi j")).toBe("uy ban nhan dan xa chua tra loi gi");
    expect(plain("quaaaa lâuuuu")).toBe("qua lau");
    // "k" after a number is "thousand", not "không".
    expect(plain("mất 50 k")).toBe("mat 0 k");
  });

  it("tells text typed with diacritics from text typed without", () => {
    expect(isMarkedText(tokenize("Nhà tôi bị thu hồi đất"))).toBe(true);
    expect(isMarkedText(tokenize("nha toi bi thu hoi dat"))).toBe(false);
    expect(isMarkedText(tokenize(""))).toBe(false);
  });
});
