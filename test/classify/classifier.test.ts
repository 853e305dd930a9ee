/** The shipped model (model/): its manifest, and the classifier's behaviour on clear cases. */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ALTERNATIVE_MIN, type Classifier } from "../../src/classify/classifier.ts";
import type { ModelManifest } from "../../src/classify/manifest.ts";
import { DEFAULT_MODEL_DIR, loadClassifier } from "../../src/classify/node-loader.ts";
import { stripDiacritics } from "../../src/classify/normalize.ts";

let classifier: Classifier;
let manifest: ModelManifest;

beforeAll(async () => {
  manifest = JSON.parse(
    await readFile(path.join(DEFAULT_MODEL_DIR, "manifest.json"), "utf8"),
  ) as ModelManifest;
  classifier = await loadClassifier();
});

const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe("shipped model artifact", () => {
  it("matches the sha256 and sizes in its manifest, and stays small", async () => {
    let total = 0;
    for (const entry of Object.values(manifest.files)) {
      const bytes = await readFile(path.join(DEFAULT_MODEL_DIR, entry.path));
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(entry.sha256);
      expect(bytes.byteLength).toBe(entry.bytes);
      total += bytes.byteLength;
    }
    expect(total).toBeLessThan(15 * 1024 * 1024);
    expect(manifest.classifier.focusWeight).toBeGreaterThan(0);
    expect(manifest.calibration).toMatchObject({
      sets: expect.arrayContaining(["data/examples/heldout-real"]),
    });
    expect(manifest.classifier.topics).toHaveLength(15);
    expect(manifest.classifier.threshold).toBeGreaterThan(0);
  });
});

describe("embedder", () => {
  it("gives unit vectors, zeros for empty text, and nearly the same vector with or without diacritics", async () => {
    const e = classifier.embedder;
    const text = "Nhà tôi bị thu hồi đất nhưng chưa được bồi thường thỏa đáng";
    const [a, b, empty, other] = await e.embed([
      text,
      stripDiacritics(text),
      "",
      "Trường thu quá nhiều khoản tiền",
    ]);
    expect(a).toHaveLength(e.dim);
    expect(cos(a!, a!)).toBeCloseTo(1, 4);
    expect(empty!.every((x) => x === 0)).toBe(true);
    expect(cos(a!, b!)).toBeGreaterThan(0.85);
    expect(cos(a!, b!)).toBeGreaterThan(cos(a!, other!) + 0.3);
    expect(e.id).toBe(`vi-static@${manifest.version}`);
  });
});

describe("classifier", () => {
  it("returns calibrated probabilities over every topic that sum to 1, best first", async () => {
    const r = await classifier.classify("Con đường vào thôn bị hư hỏng nặng, nhiều ổ gà");
    expect(r.topics).toHaveLength(15);
    expect(r.topics.reduce((s, t) => s + t.confidence, 0)).toBeCloseTo(1, 6);
    for (let i = 1; i < r.topics.length; i++)
      expect(r.topics[i - 1]!.confidence).toBeGreaterThanOrEqual(r.topics[i]!.confidence);
    expect(r.topic).toBe(r.topics[0]!.topic);
    expect(r.confidence).toBe(r.topics[0]!.confidence);
  });

  it.each([
    ["Nhà tôi bị thu hồi đất mà chưa được bồi thường, đề nghị xem xét", "land"],
    ["nha toi bi thu hoi dat ma chua dc boi thuong, de nghi xem xet", "land"],
    ["duong vao xom nhieu o ga wa, troi mua ko di dc", "transport_infrastructure"],
    ["Nhà máy xả nước thải ra sông bốc mùi hôi thối", "environment"],
    ["truong thu qua nhieu khoan tien cua hoc sinh ngoai hoc phi", "education"],
  ])("classifies %j as %s", async (text, topic) => {
    const r = await classifier.classify(text);
    expect(r.topic).toBe(topic);
    expect(r.abstained).toBe(false);
  });

  it.each(["", "   ", "asdkjh qwzx bnmv", "xzqk wwrt pplk zzvb"])(
    "abstains on empty or gibberish input %j",
    async (text) => {
      const r = await classifier.classify(text);
      expect(r.abstained).toBe(true);
      expect(r.topics.reduce((s, t) => s + t.confidence, 0)).toBeCloseTo(1, 6);
    },
  );

  it.each([
    [
      "Tôi làm đơn khiếu nại quyết định số 123/QĐ-UBND thu hồi đất của ủy ban huyện vì không đúng quy định",
      "khieu_nai",
    ],
    ["Tôi tố cáo ông Nguyễn Văn Hải, cán bộ địa chính xã, đã nhận tiền của dân để làm sổ đỏ", "to_cao"],
    ["Đề nghị xã sửa lại đèn đường ở thôn 3 vì đã hỏng cả tháng nay", "pakn"],
  ])("hints the kind of %j (with and without diacritics)", async (text, kind) => {
    expect((await classifier.classify(text)).kind.kind).toBe(kind);
    expect((await classifier.classify(stripDiacritics(text))).kind.kind).toBe(kind);
  });

  // Published petitions: the frame (who writes, which officials were asked) is not the topic.
  it.each([
    [
      "Kính gửi UBND xã. Tôi là Trần Văn Bình, trú tại thôn 6. Gia đình tôi đã nhiều lần trình bày với cán bộ xã và được trưởng thôn ghi nhận. " +
        "Sau trận mưa lớn tuần trước, ta luy dương trên con đường liên thôn bị sạt, đất đá tràn xuống lấp nửa mặt đường. " +
        "Đề nghị xã sớm cho dọn đất đá và sửa lại mặt đường để bà con đi lại.",
      "transport_infrastructure",
    ],
    [
      "Người dân tổ 4 phản ánh quán karaoke trong hẻm hát đến 1 giờ sáng, loa lớn ầm ĩ, người già và trẻ nhỏ không ngủ được. Đề nghị xử lý tiếng ồn.",
      "environment",
    ],
  ])("reads a published petition by its matter: %j", async (text, topic) => {
    const r = await classifier.classify(text);
    expect(r.topic).toBe(topic);
  });

  it("reads a long letter by its parts and names a close second topic", async () => {
    const letter = await classifier.classify(
      "Kính gửi UBND phường. Tôi tên là Lê Thị Hoa. Tôi sống ở đây đã 20 năm. Đề nghị phường sửa đèn đường ở kiệt 12 đã hỏng cả tháng.",
    );
    expect(letter.focused).toBe(true);
    expect((await classifier.classify("Đèn đường hỏng")).focused).toBe(false);
    const torn = await classifier.classify("Đường trước nhà hư hỏng, con tôi chưa được nhận vào trường");
    expect(torn.alternative).not.toBeNull();
    expect([torn.topic, torn.alternative!.topic].sort()).toEqual(["education", "transport_infrastructure"]);
    expect(torn.alternative!.confidence).toBeGreaterThanOrEqual(ALTERNATIVE_MIN);
    expect(
      (await classifier.classify("Nhà máy xả nước thải ra sông bốc mùi hôi thối")).alternative,
    ).toBeNull();
  });
});
