/** Exporting topic corrections for training, on PGlite and PostgreSQL. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectCorrections } from "../../src/classify/corrections.ts";
import { dbKinds } from "../support/db.ts";
import { type Harness, harness } from "../support/harness.ts";

const kinds = await dbKinds();

describe.each(kinds)("corrections export (%s)", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(kind);
  });
  afterAll(async () => {
    await h.close();
  });

  const file = async (text: string, topicId: string, extra: Record<string, unknown>, external: string) => {
    const citizen = await h.opened.db.citizen.create({ data: { channel: "web", externalId: external } });
    return h.cases.fileCase({
      citizenId: citizen.id,
      channel: "web",
      receivedAt: h.clock.now,
      draft: { description: [text], photos: [], kind: "pakn", topicId, placeId: "hai-chau", ...extra },
    });
  };

  it("exports officials' changes and citizens' picks, masked, and leaves out what no person chose", async () => {
    const byClassifier = await file(
      "Đèn đường kiệt 5 hỏng cả tháng",
      "transport_infrastructure",
      { topicSource: "classifier", topicConfidence: 0.9 },
      `corr-a-${kind}`,
    );
    const picked = await file(
      "Đường trước nhà hư, con tôi chưa được nhận vào trường, gọi 0905 123 456",
      "education",
      { topicSource: "citizen", topicSuggested: "education" },
      `corr-b-${kind}`,
    );
    await h.cases.changeTopic(byClassifier.caseId, "environment", { type: "official", id: "off-1" });
    await h.cases.changeTopic(byClassifier.caseId, "transport_infrastructure", {
      type: "official",
      id: "off-1",
    });
    const corrections = await collectCorrections(h.opened.db);
    const mine = corrections.filter((c) => [byClassifier.code, picked.code].includes(c.caseCode));
    expect(mine).toHaveLength(2);
    // The official's last change wins; the classifier's own choice is not a correction.
    expect(mine).toContainEqual(
      expect.objectContaining({
        caseCode: byClassifier.code,
        topic: "transport_infrastructure",
        suggested: "environment",
        source: "official",
        change: "corrected",
      }),
    );
    expect(mine).toContainEqual(
      expect.objectContaining({
        caseCode: picked.code,
        topic: "education",
        source: "citizen",
        change: "confirmed",
        text: expect.stringContaining("[số điện thoại]"),
      }),
    );
  });
});
