import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TrainedModel, trainModel } from "../../scripts/model/lib/pipeline.ts";
import { createClassifier } from "../../src/classify/classifier.ts";
import { readContainer, writeContainer } from "../../src/classify/container.ts";
import { TINY_TRAINING, tinyCorpus, writeTinyExamples } from "./fixtures.ts";

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const topicsFile = path.resolve(import.meta.dirname, "../../data/topics.json");

let dir: string;
let first: TrainedModel;
let second: TrainedModel;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "classify-train-"));
  const examplesDir = await writeTinyExamples(dir);
  const cfg = { corpus: { documents: tinyCorpus() }, examplesDir, topicsFile, ...TINY_TRAINING };
  first = await trainModel(cfg);
  second = await trainModel(cfg);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("training", () => {
  it("is reproducible: the same data and seed give byte-identical files and manifest", () => {
    expect(sha256(second.embedder)).toBe(sha256(first.embedder));
    expect(sha256(second.head)).toBe(sha256(first.head));
    expect(JSON.stringify(second.manifest)).toBe(JSON.stringify(first.manifest));
    expect(first.manifest.files.embedder.sha256).toBe(sha256(first.embedder));
    expect(first.manifest.files.head.sha256).toBe(sha256(first.head));
  });

  it("records the training data and parameters, and calibration chosen on the training examples", () => {
    const m = first.manifest;
    expect(m.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect((m.data.examples as { total: number }).total).toBe(60);
    expect(m.training.embedding).toMatchObject({ dim: 16 });
    expect(m.classifier.temperature).toBeGreaterThan(0);
    expect(m.classifier.threshold).toBeGreaterThanOrEqual(0.3);
    expect(m.classifier.threshold).toBeLessThan(1);
  });

  it("refuses to read the held-out examples, the realistic and published held-out sets included", async () => {
    for (const examplesDir of [
      path.join(dir, "examples", "heldout"),
      path.join(dir, "examples", "heldout-real"),
      path.join(dir, "examples", "heldout-published"),
    ]) {
      await expect(
        trainModel({ corpus: { documents: tinyCorpus() }, examplesDir, topicsFile }),
      ).rejects.toThrow(/held-out/);
    }
    await expect(
      trainModel({
        corpus: { documents: tinyCorpus() },
        examplesDir: path.join(dir, "examples", "train"),
        correctionsFile: path.join(dir, "examples", "heldout-real", "land.jsonl"),
        topicsFile,
      }),
    ).rejects.toThrow(/held-out/);
  });

  it("learns from exported corrections (--with-corrections): the corrected text moves to its new topic", async () => {
    const text = "Cái cống đầu ngõ bị vỡ nắp, đêm tối người đi dễ sụp chân";
    const file = path.join(dir, "corrections.jsonl");
    const lines = [
      // As `npm run corrections:export` writes them; the official's later choice wins.
      {
        text,
        topic: "environment",
        kind: "pakn",
        suggested: "land",
        source: "citizen",
        caseCode: "AAAAAAAAA",
      },
      { text, topic: "transport_infrastructure", kind: "pakn", suggested: "environment", source: "official" },
      { text: "Trường tôi thu thêm tiền", topic: "no_such_topic", kind: "pakn" },
    ];
    await writeFile(file, `${lines.map((l) => JSON.stringify(l)).join("\n")}\nnot json\n`);
    const corrected = await trainModel({
      corpus: { documents: tinyCorpus() },
      examplesDir: path.join(dir, "examples", "train"),
      topicsFile,
      embedderBytes: first.embedder,
      correctionsFile: file,
      ...TINY_TRAINING,
    });
    expect(corrected.manifest.data.corrections).toMatchObject({
      file: "corrections.jsonl",
      examples: 1,
      skipped: 2,
    });
    expect((corrected.manifest.data.examples as { total: number }).total).toBe(61);
    const p = async (m: TrainedModel) => {
      const c = createClassifier({ manifest: m.manifest, embedder: m.embedder, head: m.head });
      return (await c.classify(text)).topics.find((t) => t.topic === "transport_infrastructure")!.confidence;
    };
    expect(await p(corrected)).toBeGreaterThan(await p(first));
  });

  it("records the weight CV gave the naive Bayes evidence, and a model with that evidence reads the words", async () => {
    const m = first.manifest;
    const chosen = (m.crossValidation.topic as { bayesWeight: number }).bayesWeight;
    expect(m.training.head).toMatchObject({ bayesWeightGrid: [0, 0.25, 0.5, 0.75, 1, 1.5, 2] });
    expect(m.classifier.bayesWeight).toBe(chosen);
    expect(readContainer(first.head).has("topic.bayes")).toBe(chosen > 0);

    const base = {
      corpus: { documents: tinyCorpus() },
      examplesDir: path.join(dir, "examples", "train"),
      topicsFile,
    };
    const withWeight = async (w: number) =>
      trainModel({
        ...base,
        embedderBytes: first.embedder,
        ...TINY_TRAINING,
        head: { ...TINY_TRAINING.head, bayesWeightGrid: [w] },
      });
    const [off, on] = [await withWeight(0), await withWeight(2)];
    expect(readContainer(off.head).has("topic.bayes")).toBe(false);
    expect(readContainer(on.head).has("topic.bayes")).toBe(true);
    expect(on.manifest.classifier.bayesWeight).toBe(2);
    const text = "Nhà tôi bị thu hồi đất mà chưa được bồi thường";
    const classifierOf = (t: TrainedModel, manifest = t.manifest) =>
      createClassifier({ manifest, embedder: t.embedder, head: t.head });
    // The same file read with the weight set to 0: the linear head alone, at the same temperature.
    const plain = classifierOf(on, {
      ...on.manifest,
      classifier: { ...on.manifest.classifier, bayesWeight: 0 },
    });
    const land = async (c: ReturnType<typeof classifierOf>) =>
      (await c.classify(text)).topics.find((x) => x.topic === "land")!.confidence;
    // Only the added evidence differs between these two.
    expect(await land(classifierOf(on))).not.toBeCloseTo(await land(plain), 3);
    // Weight 0 ranks the topics exactly as a model trained without the evidence.
    expect((await plain.classify(text)).topics.map((t) => t.topic)).toEqual(
      (await classifierOf(off).classify(text)).topics.map((t) => t.topic),
    );
  });

  it("produces a model the classifier loads, with probabilities over every topic summing to 1", async () => {
    const c = createClassifier({ manifest: first.manifest, embedder: first.embedder, head: first.head });
    const r = await c.classify("Nhà tôi bị thu hồi đất mà chưa được bồi thường");
    expect(r.topics).toHaveLength(15);
    expect(r.topics.reduce((s, t) => s + t.confidence, 0)).toBeCloseTo(1, 6);
  });
});

describe("model file container", () => {
  it("round-trips typed arrays and string lists, unaligned input included", () => {
    const bytes = writeContainer(
      "test",
      { a: 1 },
      {
        names: ["đất", "dat", ""],
        v: Float32Array.from([1.5, -2]),
        q: Int8Array.from([-127, 0, 127]),
      },
    );
    const shifted = new Uint8Array(bytes.byteLength + 1);
    shifted.set(bytes, 1);
    for (const input of [bytes, shifted.subarray(1)]) {
      const c = readContainer<{ a: number }>(input, "test");
      expect(c.meta).toEqual({ a: 1 });
      expect(c.lines("names")).toEqual(["đất", "dat", ""]);
      expect([...c.f32("v")]).toEqual([1.5, -2]);
      expect([...c.i8("q")]).toEqual([-127, 0, 127]);
    }
    expect(() => readContainer(new Uint8Array(20))).toThrow(/magic/);
  });
});
