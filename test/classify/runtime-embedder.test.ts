/** The product picks its embedding model at start: e5 when verified weights are in MODEL_DIR, else its own. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { e5WeightsPath } from "../../src/classify/select.ts";
import { createRuntime } from "../../src/runtime.ts";

const scratch = mkdtempSync(join(tmpdir(), "hopthu-embedder-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("embedding model of the running product", () => {
  it("uses the own model when MODEL_DIR holds no e5 weights, and finds similar open cases with it", async () => {
    const empty = join(scratch, "empty");
    mkdirSync(empty);
    const rt = await createRuntime({ DATA_DIR: "memory://", LOG_LEVEL: "silent", MODEL_DIR: empty });
    try {
      expect(rt.embedder?.id).toMatch(/^vi-static/);
      const citizen = await rt.db.citizen.create({ data: { channel: "web", externalId: "rt-similar" } });
      const file = (text: string) =>
        rt.cases.fileCase({
          citizenId: citizen.id,
          channel: "web",
          receivedAt: new Date(),
          draft: {
            description: [text],
            photos: [],
            kind: "pakn",
            topicId: "environment",
            placeId: "son-tra",
          },
        });
      const a = await file("Bãi rác tự phát cạnh chợ bốc mùi hôi thối, ruồi nhặng bay vào nhà dân");
      const b = await file("Rác thải đổ trộm cạnh chợ hôi thối nhiều ngày, ruồi nhặng khắp nơi");
      await file("Đèn giao thông ở ngã tư bị hỏng hai ngày nay");
      const similar = await rt.similarCases(a.caseId, { minSimilarity: 0.3 });
      expect(similar[0]?.code).toBe(b.code);
    } finally {
      await rt.close();
    }
  });

  it("refuses to start on e5 weights that fail their sha256 check instead of quietly using them", async () => {
    const forged = join(scratch, "forged");
    const weights = e5WeightsPath(forged);
    mkdirSync(dirname(weights), { recursive: true });
    writeFileSync(weights, "not the real weights");
    await expect(
      createRuntime({ DATA_DIR: "memory://", LOG_LEVEL: "silent", MODEL_DIR: forged }),
    ).rejects.toThrow(/sha256|mismatch/i);
  });
});
