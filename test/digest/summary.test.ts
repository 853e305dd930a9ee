/**
 * The narrative summary: written by LangChain's fake chat model from the figures only (no
 * citizen's text, name, contact, comment or tracking code reaches the model); the template when
 * no model is configured, when the call fails or when it outlives the time limit.
 */
import type { BaseMessage } from "@langchain/core/messages";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MODEL_DIR, loadClassifier } from "../../src/classify/node-loader.ts";
import { loadReferenceData } from "../../src/data/index.ts";
import { digestConfig } from "../../src/digest/config.ts";
import { parsePeriodKey } from "../../src/digest/period.ts";
import { buildDigest, type DigestReport, parseScope } from "../../src/digest/service.ts";
import { chatModelFromConfig, createSummarizer, loadSummaryPrompt } from "../../src/digest/summary.ts";
import { syncReferenceData } from "../../src/store/reference.ts";
import { openTestDb, type TestDb } from "../support/db.ts";
import { NOW, ROWS, SECRET_COMMENT, SECRET_NAME, SECRET_PHONE, seedFixture } from "./fixture.ts";

const data = loadReferenceData();
let db: TestDb;
let report: DigestReport;

/** A fake chat model that records what it was sent. */
class RecordingModel extends FakeListChatModel {
  seen: BaseMessage[][] = [];
  override async invoke(input: never, options?: never) {
    this.seen.push(input as unknown as BaseMessage[]);
    return super.invoke(input, options);
  }
}

beforeAll(async () => {
  db = await openTestDb("pglite");
  await syncReferenceData(db.db, data);
  await seedFixture(db.db);
  const classifier = await loadClassifier(DEFAULT_MODEL_DIR);
  report = await buildDigest(
    { db: db.db, data, embedder: classifier.embedder, config: digestConfig(), now: () => NOW },
    { period: parsePeriodKey("2026-W48"), scope: parseScope("city", data) },
  );
}, 60_000);
afterAll(() => db?.close());

describe("digest summary", () => {
  it("the model writes it from the figures, and sees nothing a citizen wrote or who they are", async () => {
    const model = new RecordingModel({
      responses: [
        "Tuần 48 tiếp nhận 12 vụ việc, tăng mạnh so với tuần trước; cần chỉ đạo xử lý điểm nóng khai thác cát.",
      ],
    });
    const narrative = await createSummarizer({ model, timeoutMs: 5_000 }).summarize(report.digest);
    expect(narrative).toEqual({
      source: "model",
      text: "Tuần 48 tiếp nhận 12 vụ việc, tăng mạnh so với tuần trước; cần chỉ đạo xử lý điểm nóng khai thác cát.",
    });
    expect(model.seen).toHaveLength(1);
    const sent = model.seen[0]!.map((m) => String(m.content)).join("\n");
    // The figures are there…
    expect(sent).toContain('"ky_nay": 12');
    expect(sent).toContain("Môi trường");
    expect(sent).toContain("xã Hòa Vang");
    expect(sent).toContain("Ủy ban nhân dân phường Hải Châu");
    // …and nothing personal or raw: no description, name, phone, comment, nor tracking code.
    for (const secret of [
      SECRET_NAME,
      SECRET_PHONE,
      SECRET_COMMENT,
      "PRIVATE-COMMENT",
      "Giáng Nam",
      "karaoke",
    ])
      expect(sent).not.toContain(secret);
    for (const r of ROWS) {
      expect(sent).not.toContain(r.text.slice(0, 30));
      expect(sent).not.toMatch(new RegExp(`\\b${r.code}\\b`));
    }
  });

  it("the prompt comes from prompts/digest-summary.md", async () => {
    const messages = await (await loadSummaryPrompt()).formatMessages({ figures: "{}" });
    expect(messages).toHaveLength(2);
    expect(String(messages[0]!.content)).toContain("văn phong hành chính");
  });

  it("falls back to the template without a model, on an error, and after the time limit", async () => {
    const none = await createSummarizer({ timeoutMs: 1000 }).summarize(report.digest);
    expect(none.source).toBe("template");
    expect(none.text).toBe(
      "Tuần 48/2026 (23/11–29/11/2026), Thành phố Đà Nẵng tiếp nhận 12 vụ việc (tăng 300% so với kỳ trước), nhiều nhất về môi trường (7). " +
        "Đã giải quyết 3 vụ việc, đúng hạn 66,7%. Còn 1 vụ việc quá hạn trong 14 vụ việc đang giải quyết. " +
        "Phát hiện 1 điểm nóng, lớn nhất: môi trường tại xã Hòa Vang (4 vụ việc tương tự). Mức hài lòng trung bình 3/5 trên 2 đánh giá.",
    );

    const failing = new FakeListChatModel({ responses: ["x"] });
    failing.invoke = async () => {
      throw new Error("connection refused");
    };
    const errors: unknown[] = [];
    const failed = await createSummarizer({
      model: failing,
      timeoutMs: 1000,
      onError: (e) => errors.push(e),
    }).summarize(report.digest);
    expect(failed).toMatchObject({
      source: "template",
      fallbackReason: "the model call failed",
      text: none.text,
    });
    expect(errors).toHaveLength(1);

    const slow = new FakeListChatModel({
      responses: ["Một bản tóm tắt đến quá muộn, sau thời hạn cho phép."],
      sleep: 5_000,
    });
    const started = Date.now();
    const late = await createSummarizer({ model: slow, timeoutMs: 300 }).summarize(report.digest);
    expect(late).toMatchObject({ source: "template", fallbackReason: "timed out" });
    expect(Date.now() - started).toBeLessThan(3_000);

    const empty = new FakeListChatModel({ responses: [" "] });
    expect((await createSummarizer({ model: empty, timeoutMs: 1000 }).summarize(report.digest)).source).toBe(
      "template",
    );
  });

  it("the provider comes from the environment: none, an OpenAI-compatible endpoint, or Ollama", async () => {
    expect(await chatModelFromConfig(digestConfig())).toBeUndefined();
    const openai = await chatModelFromConfig(
      digestConfig({
        DIGEST_LLM_PROVIDER: "openai",
        DIGEST_LLM_MODEL: "qwen2.5-7b-instruct",
        DIGEST_LLM_BASE_URL: "http://127.0.0.1:9/v1",
      }),
    );
    expect(openai?.constructor.name).toBe("ChatOpenAI");
    const ollama = await chatModelFromConfig(
      digestConfig({ DIGEST_LLM_PROVIDER: "ollama", DIGEST_LLM_MODEL: "qwen2.5:7b" }),
    );
    expect(ollama?.constructor.name).toBe("ChatOllama");
  });
});
