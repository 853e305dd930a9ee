/**
 * Reading real petitions: the focus part of long letters, genre frames for training, and the
 * abstention threshold chosen on realistic held-out text. Our own sentences, not from any corpus.
 */
import { describe, expect, it } from "vitest";
import { augmentExamples, frame } from "../../scripts/model/lib/augment.ts";
import { chooseThreshold, crossFit, type Scored } from "../../scripts/model/lib/calibration.ts";
import { Prng } from "../../scripts/model/lib/prng.ts";
import { focusText, splitSentences } from "../../src/classify/focus.ts";
import { stripDiacritics } from "../../src/classify/normalize.ts";

const LETTER =
  "Kính gửi UBND xã. Tôi tên là Lê Văn A, trú tại thôn 2. Gia đình tôi sống ở đây đã 30 năm, cán bộ xã luôn quan tâm. " +
  "Con đường trước nhà bị sạt lở một đoạn sau mưa lũ, xe không qua được. Đề nghị xã sớm sửa chữa con đường. " +
  "Trao đổi với phóng viên, lãnh đạo UBND xã cho biết sẽ kiểm tra.";

describe("focusText", () => {
  it("keeps the sentences that raise the matter or make the request, not the background or an official's answer", () => {
    const f = focusText(LETTER);
    expect(f).toBe("Đề nghị xã sớm sửa chữa con đường.");
    expect(f).not.toContain("cán bộ");
    expect(f).not.toContain("phóng viên");
  });

  it("works on text typed without diacritics", () => {
    expect(focusText(stripDiacritics(LETTER))).toBe("De nghi xa som sua chua con duong.");
  });

  it("reads short texts whole, and texts where every sentence is the matter whole", () => {
    expect(focusText("Đường hư hỏng. Đề nghị sửa.")).toBeNull();
    expect(focusText("Cử tri phản ánh A. Cử tri đề nghị B. Mong sớm có C.")).toBeNull();
    expect(focusText("Một. Hai. Ba. Bốn.")).toBeNull();
  });

  it("splits sentences on end marks and line breaks", () => {
    expect(splitSentences("Một câu. Hai câu!\nBa câu? …")).toEqual(["Một câu.", "Hai câu!", "Ba câu?"]);
  });
});

describe("genre frames (training augmentation)", () => {
  const examples = [
    {
      text: "Đường vào thôn 3 hư hỏng nặng, đề nghị sửa chữa",
      topic: "transport_infrastructure",
      kind: "pakn",
    },
    { text: "duong vao thon hu hong, de nghi sua", topic: "transport_infrastructure", kind: "pakn" },
    { text: "Tôi tố cáo cán bộ địa chính nhận tiền của dân", topic: "officials_conduct", kind: "to_cao" },
    { text: `Quán karaoke hát đến khuya. ${"Rất ồn. ".repeat(100)}`, topic: "environment", kind: "pakn" },
  ];

  it("wraps a text in a frame that keeps it whole", () => {
    const prng = new Prng(1);
    for (let i = 0; i < 20; i++) {
      const f = frame("Đường vào thôn 3 hư hỏng nặng, đề nghị sửa chữa", prng);
      expect(f.toLowerCase()).toContain("đường vào thôn 3 hư hỏng nặng, đề nghị sửa chữa.");
      expect(f.length).toBeGreaterThan(60);
    }
  });

  it("is seeded, keeps topic and kind, and skips texts without diacritics and long texts", () => {
    const a = augmentExamples(examples, { fraction: 1, seed: 3, maxChars: 500 });
    const b = augmentExamples(examples, { fraction: 1, seed: 3, maxChars: 500 });
    expect(a).toEqual(b);
    expect(a.map((x) => x.source)).toEqual([0, 2]);
    expect(a[1]!.example).toMatchObject({ topic: "officials_conduct", kind: "to_cao" });
    expect(augmentExamples(examples, { fraction: 0, seed: 3, maxChars: 500 })).toEqual([]);
  });
});

describe("threshold on realistic text", () => {
  // Confidence i/10 for i = 1..9 (four texts each, two per topic); the lowest three are wrong.
  const items: Scored[] = [];
  for (let i = 1; i <= 9; i++) {
    for (const g of [0, 1, 2, 3]) {
      items.push({
        group: i * 4 + g,
        topic: g < 2 ? "a" : "b",
        confidence: i / 10,
        correct: i > 3,
        unknown: false,
      });
    }
  }

  it("is the lowest threshold from which the answered texts are right often enough", () => {
    expect(chooseThreshold(items, 0.95)).toEqual({ threshold: 0.31, coverage: 12 / 18, precision: 1 });
    // 4 wrong among 28 answered at 0.21 is 85.7 %: allowed at a 0.85 target.
    expect(chooseThreshold(items, 0.85).threshold).toBe(0.21);
  });

  it("does not take a lucky dip: precision must hold at every higher threshold", () => {
    const dip = [...items, { group: 99, topic: "a", confidence: 0.95, correct: false, unknown: false }];
    expect(chooseThreshold(dip, 0.95).threshold).toBe(0.96);
  });

  it("never counts texts abstained for unknown words as answered", () => {
    const withUnknown = [
      ...items,
      { group: 98, topic: "a", confidence: 0.99, correct: false, unknown: true },
    ];
    expect(chooseThreshold(withUnknown, 0.95).coverage).toBeCloseTo(24 / 37);
  });

  it("estimates by cross-fitting what the choice gives on text it was not chosen on", () => {
    const cf = crossFit(items, 0.95);
    expect(cf.thresholds).toEqual([0.31, 0.31]);
    expect(cf.precision).toBe(1);
    expect(cf.coverage).toBeCloseTo(12 / 18);
  });
});
