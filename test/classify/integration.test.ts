/** The shipped classifier inside the product: the dialogue, corrections, similar cases, the CLI router. */
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Classifier } from "../../src/classify/classifier.ts";
import { collectCorrections, maskPersonalData } from "../../src/classify/corrections.ts";
import { loadClassifier } from "../../src/classify/node-loader.ts";
import { dialogueClassifier } from "../../src/classify/port.ts";
import { findSimilarCases } from "../../src/classify/similar.ts";
import { PlaceIndex } from "../../src/intake/places.ts";
import { IntakeService } from "../../src/intake/service.ts";
import { citizen, codeIn, type Harness, harness } from "../support/harness.ts";

let h: Harness;
let classifier: Classifier;
let intake: IntakeService;
beforeAll(async () => {
  h = await harness("pglite");
  classifier = await loadClassifier();
  intake = new IntakeService({
    db: h.opened.db,
    data: h.data,
    places: new PlaceIndex(h.data.communes),
    cases: h.cases,
    now: () => h.clock.now,
    classify: dialogueClassifier(classifier),
  });
});
afterAll(async () => {
  await h?.close();
});

let n = 0;
const chat = () => citizen({ intake }, `cls-${++n}-${Math.random().toString(36).slice(2, 7)}`);

/** The kind is asked only when the model does not see a plain PAKN: answer it when asked. */
async function pakn(c: ReturnType<typeof chat>, reply: string) {
  return reply.includes("muốn gửi loại nào") ? c.say("pakn") : reply;
}

async function fileUpToSummary(c: ReturnType<typeof chat>, text: string) {
  await c.say("/gui");
  await c.say(text);
  return pakn(c, await c.say("yes"));
}

describe("the classifier in the dialogue", () => {
  it("sets the topic of a clear message itself and lets the citizen correct it, which is recorded", async () => {
    const c = chat();
    const afterKind = await fileUpToSummary(
      c,
      "Nhà tôi ở thôn 3 xã Hòa Vang bị thu hồi đất làm đường mà đến nay vẫn chưa được bồi thường, hỗ trợ tái định cư",
    );
    expect(afterKind).not.toContain("lĩnh vực nào");
    const summary = await c.say("Nguyễn Văn An, 0905 111 222");
    expect(summary).toContain("• Lĩnh vực: Đất đai");
    expect(c.choices).toEqual(["send", "edit", "change_topic", "cancel"]);
    expect(await c.say("change_topic")).toContain("lĩnh vực nào");
    await c.say("topic:transport_infrastructure");
    const code = codeIn(await c.say("send"));
    const row = await h.opened.db.case.findUniqueOrThrow({ where: { code }, include: { events: true } });
    expect(row.topicId).toBe("transport_infrastructure");
    expect(row.topicSource).toBe("citizen");
    expect(row.events.find((e) => e.type === "classified")?.data).toMatchObject({
      topicId: "transport_infrastructure",
      suggested: "land",
    });
    const corrections = await collectCorrections(h.opened.db);
    expect(corrections).toContainEqual(
      expect.objectContaining({
        caseCode: code,
        topic: "transport_infrastructure",
        suggested: "land",
        source: "citizen",
        change: "corrected",
      }),
    );
  });

  it("suggests the kind from the wording", async () => {
    const c = chat();
    await c.say("/gui");
    await c.say(
      "Tôi làm đơn khiếu nại quyết định xử phạt vi phạm hành chính số 45/QĐ-XPVPHC của UBND phường đối với gia đình tôi",
    );
    const kindQ = await c.say("city_wide");
    expect(kindQ).toContain("đây có vẻ là «Khiếu nại»");
    // The list keeps its printed order whatever is suggested: "2" is always Khiếu nại.
    expect(c.choices).toEqual(["pakn", "khieu_nai", "to_cao"]);
  });

  it("abstains on a message between two topics and asks the citizen to choose, best guesses first", async () => {
    const c = chat();
    await c.say("/gui");
    await c.say("Đường trước nhà hư hỏng, con tôi chưa được nhận vào trường");
    const q = await pakn(c, await c.say("city_wide"));
    expect(q).toContain("Tôi chưa chắc nội dung thuộc lĩnh vực nào");
    expect(c.choices).toHaveLength(15);
    // The two topics the message is torn between come first.
    expect(c.choices.slice(0, 3)).toEqual(
      expect.arrayContaining(["topic:transport_infrastructure", "topic:education"]),
    );
    // The citizen's pick labels a text the model was unsure of: exported even when it is the
    // topic the classifier ranked first.
    const picked = c.choices[0]!;
    await c.say(picked);
    await c.say("Nguyễn Văn An, 0905 111 222");
    const code = codeIn(await c.say("send"));
    expect(await collectCorrections(h.opened.db)).toContainEqual(
      expect.objectContaining({
        caseCode: code,
        topic: picked.slice("topic:".length),
        suggested: picked.slice("topic:".length),
        source: "citizen",
        change: "confirmed",
      }),
    );
  });

  it("masks phone numbers and e-mail addresses in exported corrections", () => {
    expect(maskPersonalData("gọi 0905 123 456 hoặc a.b@gmail.com")).toBe("gọi [số điện thoại] hoặc [email]");
  });
});

describe("similar open cases", () => {
  it("finds the cases about the same problem in the same ward, not other problems or other wards", async () => {
    const citizenRow = await h.opened.db.citizen.create({
      data: { channel: "web", externalId: "similar-1" },
    });
    const file = (text: string, placeId: string, topicId: string) =>
      h.cases.fileCase({
        citizenId: citizenRow.id,
        channel: "web",
        receivedAt: h.clock.now,
        draft: { description: [text], photos: [], kind: "pakn", topicId, placeId },
      });
    const a = await file(
      "Đường Lê Duẩn đoạn trước chợ bị ngập sâu mỗi khi mưa, cống thoát nước bị tắc",
      "thanh-khe",
      "transport_infrastructure",
    );
    const b = await file(
      "Mưa lớn là đường Lê Duẩn ngập nặng, nước tràn vào nhà dân vì cống tắc rác",
      "thanh-khe",
      "transport_infrastructure",
    );
    const c = await file("Quán karaoke hát to đến nửa đêm không ai ngủ được", "thanh-khe", "culture_tourism");
    const d = await file("Đường ngập nặng khi mưa vì cống tắc", "hai-chau", "transport_infrastructure");
    const similar = await findSimilarCases(h.opened.db, classifier.embedder, a.caseId, {
      minSimilarity: 0.3,
    });
    const codes = similar.map((s) => s.code);
    expect(codes[0]).toBe(b.code);
    expect(codes).not.toContain(d.code);
    const karaoke = similar.find((s) => s.code === c.code);
    if (karaoke) expect(karaoke.similarity).toBeLessThan(similar[0]!.similarity);
  });
});

describe("npm run classify", () => {
  it("routes through the production router: place from the field or from the text", () => {
    const input = [
      { id: "a", text: "Nhà tôi ở xã Hòa Vang bị thu hồi đất mà chưa được bồi thường" },
      { id: "b", text: "duong kiet 45 bi ngap nang moi khi mua, cong tac", place: "hai chau" },
      { id: "c", text: "Tôi tố cáo cán bộ địa chính đòi 5 triệu mới làm sổ đỏ" },
    ]
      .map((l) => JSON.stringify(l))
      .join("\n");
    const out = spawnSync("npm", ["run", "--silent", "classify"], { input: `${input}\n`, encoding: "utf8" });
    expect(out.status).toBe(0);
    const lines = out.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual(["a", "b", "c"]);
    expect(lines[0]).toMatchObject({ topic: "land", agency: "ubnd-hoa-vang" });
    expect(lines[1]).toMatchObject({ topic: "transport_infrastructure", agency: "ubnd-hai-chau" });
    expect(lines[2]).toMatchObject({
      topic: "officials_conduct",
      kind: "to_cao",
      agency: "thanh-tra-thanh-pho",
    });
  });
});
