/**
 * The real e5 loading path (transformers.js + onnxruntime-node + the real e5 tokenizer), exercised
 * with a tiny ONNX model built at test time by scripts/model/build-tiny-onnx.ts:
 *   last_hidden_state[b, s] = table[id mod rows] + maskShift * mask[b, s] + typeShift * type[b, s]
 * Expected vectors are computed here independently from the tokenizer and the known table.
 * Nothing is downloaded: remote models are off and every fetch throws.
 */
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { AutoTokenizer, env, type PreTrainedTokenizer } from "@huggingface/transformers";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { buildTinyOnnx, tinyEmbeddingTable, tinyOnnxSpec } from "../../scripts/model/build-tiny-onnx.js";
import {
  E5_MODEL_ID,
  E5_REVISION,
  E5_SUPPORT_FILES,
  E5_WEIGHTS_FILE,
  E5_WEIGHTS_SHA256,
  E5Embedder,
  E5Error,
} from "../../src/classify/e5/index.js";
import type { Embedder } from "../../src/classify/embedder.js";
import { embedderConfigFromEnv, loadEmbedder } from "../../src/classify/select.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SUPPORT = Object.keys(E5_SUPPORT_FILES);
// The tokenizer lives next to the checkout (../shared/models); a checkout made elsewhere (a CI
// clone in a scratch folder) finds it at the machine's shared folder.
const candidates = process.env.SHARED_MODELS_DIR
  ? [resolve(repoRoot, process.env.SHARED_MODELS_DIR)]
  : [resolve(repoRoot, "../shared/models"), "/work/shared/models"];
const e5Dir = (models: string) => join(models, ...E5_MODEL_ID.split("/"));
const sharedModels =
  candidates.find((dir) => SUPPORT.every((f) => existsSync(join(e5Dir(dir), f)))) ?? candidates[0]!;
const sharedE5 = e5Dir(sharedModels);
const haveTokenizer = SUPPORT.every((f) => existsSync(join(sharedE5, f)));
if (!haveTokenizer) {
  console.warn(
    `[e5.test] SKIPPED: the e5 tokenizer files are not in ${sharedE5} ` +
      "(set SHARED_MODELS_DIR to the folder holding Xenova/multilingual-e5-small/{tokenizer.json,...})",
  );
}

// ---- no network, ever -------------------------------------------------------------------------
const networkCalls: string[] = [];
const refuseNetwork = (input: unknown): Promise<Response> => {
  networkCalls.push(String(input));
  return Promise.reject(new Error(`network access in a test: ${String(input)}`));
};
env.allowRemoteModels = false;
env.fetch = refuseNetwork;
vi.stubGlobal("fetch", refuseNetwork);

// ---- fixtures ---------------------------------------------------------------------------------
const spec = tinyOnnxSpec();
const table = tinyEmbeddingTable(spec);
const tinyBytes = buildTinyOnnx(spec);
const tinySha = createHash("sha256").update(tinyBytes).digest("hex");
let tmpRoot = "";

/** A MODEL_DIR with the real tokenizer files and (optionally) some weights bytes. */
function makeModelDir(name: string, weights: Uint8Array | null, supportFiles = SUPPORT): string {
  const dir = join(tmpRoot, name);
  const folder = join(dir, ...E5_MODEL_ID.split("/"));
  mkdirSync(join(folder, "onnx"), { recursive: true });
  for (const f of supportFiles) {
    try {
      symlinkSync(join(sharedE5, f), join(folder, f));
    } catch {
      copyFileSync(join(sharedE5, f), join(folder, f));
    }
  }
  if (weights) writeFileSync(join(folder, E5_WEIGHTS_FILE), weights);
  return dir;
}

// ---- independent reference ------------------------------------------------------------------
let refTokenizer: PreTrainedTokenizer;

/** Mean of the tiny model's hidden states over the given tokens, L2-normalised, in float64. */
function referenceVector(ids: readonly number[], includeShift = true): number[] {
  const v = new Array<number>(spec.hidden).fill(0);
  for (const id of ids) {
    const row = id % spec.rows;
    for (let d = 0; d < spec.hidden; d++)
      v[d]! += table[row * spec.hidden + d]! + (includeShift ? spec.maskShift : 0);
  }
  const mean = v.map((x) => x / ids.length);
  const norm = Math.hypot(...mean);
  return mean.map((x) => x / norm);
}
const expectedFor = (text: string): number[] => referenceVector(refTokenizer.encode(`query: ${text}`));

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
const norm = (v: ArrayLike<number>) => Math.hypot(...Array.from(v));

const TEXTS = [
  "Đường Nguyễn Trãi bị ngập sâu sau mưa, xe máy chết máy hàng loạt.",
  "Rác thải chưa được thu gom ở tổ 5, phường Hòa Khánh.",
  "đèn đường hỏng",
  "Xin hỏi thủ tục cấp lại giấy khai sinh cần những gì?",
  "Tiếng ồn từ quán karaoke kéo dài đến 1 giờ sáng mỗi đêm, rất mong chính quyền xử lý.",
  "x",
  "Cây xanh đổ chắn ngang đường",
  "Cảm ơn cán bộ phường đã hỗ trợ nhiệt tình.",
  "Nước sinh hoạt có mùi lạ",
  "Hố ga không có nắp rất nguy hiểm cho trẻ em",
];

describe.skipIf(!haveTokenizer)("E5Embedder with a tiny ONNX model and the real e5 tokenizer", () => {
  let embedder: E5Embedder;
  let loadMs = 0;

  beforeAll(async () => {
    tmpRoot = mkdtempSync(join(tmpdir(), "e5-test-"));
    const modelDir = makeModelDir("main", tinyBytes);
    const t0 = performance.now();
    embedder = await E5Embedder.load({ modelDir, expectedSha256: tinySha, batchSize: 3 });
    loadMs = performance.now() - t0;
    console.info(
      `[e5.test] tiny model (${tinyBytes.length} bytes) + real tokenizer loaded in ${loadMs.toFixed(0)} ms`,
    );
    // The reference tokenizer is loaded by path, straight from the shared folder.
    refTokenizer = await AutoTokenizer.from_pretrained(sharedE5, { local_files_only: true });
  });

  afterAll(async () => {
    await embedder?.dispose();
    if (tmpRoot) rmSync(tmpRoot, { recursive: true, force: true });
  });

  it("builds a small, deterministic model", () => {
    expect(tinyBytes.length).toBeLessThan(50_000);
    expect(Buffer.from(buildTinyOnnx(spec)).equals(Buffer.from(tinyBytes))).toBe(true);
  });

  it("loads offline from MODEL_DIR", () => {
    expect(embedder.dim).toBe(spec.hidden);
    expect(embedder.weightsSha256).toBe(tinySha);
    expect(embedder.id).toBe(`e5-small@${tinySha.slice(0, 8)}`);
    expect(env.allowRemoteModels).toBe(false);
    expect(env.useFSCache).toBe(false);
    expect(networkCalls).toEqual([]);
    expect(loadMs).toBeGreaterThan(0);
  });

  it('prefixes every input with "query: "', async () => {
    const [got] = await embedder.embed(["x"]);
    const withPrefix = expectedFor("x");
    const withoutPrefix = referenceVector(refTokenizer.encode("x"));
    // sanity: the two candidates really differ, so this test can tell them apart
    expect(maxAbsDiff(withPrefix, withoutPrefix)).toBeGreaterThan(0.05);
    expect(maxAbsDiff(got!, withPrefix)).toBeLessThan(1e-5);
    // the tokenizer really splits the prefix into its own tokens ahead of the text
    const prefixIds = refTokenizer.encode("query: x");
    expect(prefixIds.length).toBeGreaterThan(refTokenizer.encode("x").length);
  });

  it("matches mean pooling of the known table over the real tokenization", async () => {
    const got = await embedder.embed(TEXTS);
    TEXTS.forEach((t, i) => {
      expect(maxAbsDiff(got[i]!, expectedFor(t)), t).toBeLessThan(1e-5);
    });
  });

  it("feeds attention_mask and zero token_type_ids to the model", async () => {
    // without the maskShift term (mask not fed) or with a typeShift term (type ids ≠ 0) the vector differs
    const [got] = await embedder.embed([TEXTS[2]!]);
    const ids = refTokenizer.encode(`query: ${TEXTS[2]}`);
    expect(maxAbsDiff(got!, referenceVector(ids, false))).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(got!, referenceVector(ids, true))).toBeLessThan(1e-5);
  });

  it("mean pooling respects the attention mask: padding does not change a vector", async () => {
    const short = "đèn đường hỏng";
    const long = TEXTS[4]!;
    const [alone] = await embedder.embed([short]);
    const [inBatch, longInBatch] = await embedder.embed([short, long]);
    expect(maxAbsDiff(inBatch!, alone!)).toBeLessThan(1e-6);
    expect(maxAbsDiff(longInBatch!, expectedFor(long))).toBeLessThan(1e-5);
    // sanity: pooling over the padded row (pad tokens included) would give a different vector
    const shortIds = refTokenizer.encode(`query: ${short}`);
    const padded = [
      ...shortIds,
      ...new Array(refTokenizer.encode(`query: ${long}`).length - shortIds.length).fill(
        refTokenizer.pad_token_id,
      ),
    ];
    expect(maxAbsDiff(referenceVector(padded), alone!)).toBeGreaterThan(1e-3);
  });

  it("returns unit vectors, and zeros for empty text", async () => {
    const got = await embedder.embed([...TEXTS, "", "   "]);
    for (const v of got.slice(0, TEXTS.length)) expect(Math.abs(norm(v) - 1)).toBeLessThan(1e-5);
    expect(Array.from(got[TEXTS.length]!)).toEqual(new Array(spec.hidden).fill(0));
    expect(Array.from(got[TEXTS.length + 1]!)).toEqual(new Array(spec.hidden).fill(0));
    expect(await embedder.embed([])).toEqual([]);
  });

  it("batches more texts than the batch size and keeps the input order", async () => {
    expect(embedder.batchSize).toBe(3);
    const reversed = [...TEXTS].reverse();
    const got = await embedder.embed(reversed);
    expect(got).toHaveLength(reversed.length);
    reversed.forEach((t, i) => {
      expect(got[i]).toHaveLength(spec.hidden);
      expect(maxAbsDiff(got[i]!, expectedFor(t)), t).toBeLessThan(1e-5);
    });
    // duplicates and interleaved empties keep their places too
    const mixed = [TEXTS[0]!, "", TEXTS[1]!, TEXTS[0]!, TEXTS[5]!, "", TEXTS[3]!];
    const got2 = await embedder.embed(mixed);
    mixed.forEach((t, i) => {
      if (t === "") expect(norm(got2[i]!)).toBe(0);
      else expect(maxAbsDiff(got2[i]!, expectedFor(t))).toBeLessThan(1e-5);
    });
  });

  it("truncates texts longer than the model's 512 tokens", async () => {
    const long = Array.from({ length: 400 }, (_, i) => `phường ${i}`).join(" ");
    expect(refTokenizer.encode(`query: ${long}`).length).toBeGreaterThan(512);
    const [got] = await embedder.embed([long]);
    // like the Python tokenizer e5 was trained with: first 511 tokens, then </s>
    const truncated = refTokenizer.encode(`query: ${long}`).slice(0, 511);
    truncated.push(refTokenizer.sep_token_id);
    expect(truncated.at(-1)).toBe(2);
    expect(maxAbsDiff(got!, referenceVector(truncated))).toBeLessThan(1e-5);
  });

  it("refuses weights whose sha256 does not match, with a clear error", async () => {
    const modelDir = join(tmpRoot, "main");
    const err = await E5Embedder.load({ modelDir }).catch((e: unknown) => e); // default = real e5 hash
    expect(err).toBeInstanceOf(E5Error);
    expect((err as E5Error).code).toBe("mismatch");
    expect((err as E5Error).message).toContain(tinySha);
    expect((err as E5Error).message).toContain(E5_WEIGHTS_SHA256);

    // one flipped byte is enough
    const tampered = Uint8Array.from(tinyBytes);
    tampered[tampered.length - 1]! ^= 1;
    const tamperedDir = makeModelDir("tampered", tampered);
    await expect(E5Embedder.load({ modelDir: tamperedDir, expectedSha256: tinySha })).rejects.toMatchObject({
      code: "mismatch",
    });
    // the selector does not quietly fall back on a bad file either
    const fallback = vi.fn(fakeFallback);
    await expect(loadEmbedder({ modelDir: tamperedDir, expectedSha256: tinySha }, fallback)).rejects.toThrow(
      /sha256/,
    );
    expect(fallback).not.toHaveBeenCalled();
  });

  it("loadEmbedder picks e5 when verified weights are present", async () => {
    const fallback = vi.fn(fakeFallback);
    const choice = await loadEmbedder({ modelDir: join(tmpRoot, "main"), expectedSha256: tinySha }, fallback);
    expect(choice.kind).toBe("e5");
    expect(fallback).not.toHaveBeenCalled();
    const [v] = await choice.embedder.embed([TEXTS[0]!]);
    expect(maxAbsDiff(v!, expectedFor(TEXTS[0]!))).toBeLessThan(1e-5);
    await (choice.embedder as E5Embedder).dispose();
  });

  it("loadEmbedder falls back when the weights are missing (and downloads are not allowed)", async () => {
    const noWeights = makeModelDir("no-weights", null);
    const fallback = vi.fn(fakeFallback);
    const fetchSpy = vi.fn(refuseNetwork);
    const choice = await loadEmbedder(
      { modelDir: noWeights, expectedSha256: tinySha, fetch: fetchSpy },
      fallback,
    );
    expect(choice).toMatchObject({ kind: "fallback", embedder: { id: "fake@1" } });
    expect(choice.kind === "fallback" && choice.reason).toMatch(/not found/);
    expect(fallback).toHaveBeenCalledTimes(1);
    expect(fetchSpy).not.toHaveBeenCalled();

    const unset = await loadEmbedder({ modelDir: undefined }, fallback);
    expect(unset).toMatchObject({ kind: "fallback", reason: "MODEL_DIR is not set" });
    const missingDir = await loadEmbedder({ modelDir: join(tmpRoot, "does-not-exist") }, fallback);
    expect(missingDir.kind).toBe("fallback");
  });

  it("a verified model whose folder is incomplete is a load error, not a silent fallback", async () => {
    const noTokenizer = makeModelDir("no-tokenizer", tinyBytes, ["config.json"]);
    const fallback = vi.fn(fakeFallback);
    await expect(
      loadEmbedder({ modelDir: noTokenizer, expectedSha256: tinySha }, fallback),
    ).rejects.toMatchObject({
      code: "load-failed",
    });
    expect(fallback).not.toHaveBeenCalled();
  });

  it("reads its settings from the environment", () => {
    expect(embedderConfigFromEnv({})).toEqual({ modelDir: undefined, allowDownload: false });
    expect(
      embedderConfigFromEnv({
        MODEL_DIR: "/srv/models",
        E5_ALLOW_DOWNLOAD: "true",
        E5_BATCH_SIZE: "8",
        E5_THREADS: "2",
      }),
    ).toEqual({ modelDir: "/srv/models", allowDownload: true, batchSize: 8, numThreads: 2 });
    expect(() => embedderConfigFromEnv({ E5_BATCH_SIZE: "0" })).toThrow(/E5_BATCH_SIZE/);
  });

  it("with allowDownload, fetches missing files from the pinned revision and verifies them first", async () => {
    const dir = join(tmpRoot, "download");
    const served = new Map<string, Uint8Array>([
      [E5_WEIGHTS_FILE, tinyBytes],
      ...SUPPORT.map((f) => [f, readFileSync(join(sharedE5, f))] as [string, Uint8Array]),
    ]);
    const hub = "https://hub.invalid";
    const fakeHub = vi.fn(async (input: string | URL | Request) => {
      const url = String(input);
      const prefix = `${hub}/${E5_MODEL_ID}/resolve/${E5_REVISION}/`;
      const body = url.startsWith(prefix) ? served.get(url.slice(prefix.length)) : undefined;
      return body ? new Response(new Uint8Array(body)) : new Response("not found", { status: 404 });
    });
    const e = await E5Embedder.load({
      modelDir: dir,
      expectedSha256: tinySha,
      allowDownload: true,
      hubHost: hub,
      fetch: fakeHub as unknown as typeof fetch,
    });
    expect(fakeHub).toHaveBeenCalledTimes(SUPPORT.length + 1);
    const [v] = await e.embed([TEXTS[1]!]);
    expect(maxAbsDiff(v!, expectedFor(TEXTS[1]!))).toBeLessThan(1e-5);
    await e.dispose();

    // second start: everything is local, nothing fetched
    fakeHub.mockClear();
    const again = await E5Embedder.load({
      modelDir: dir,
      expectedSha256: tinySha,
      allowDownload: true,
      fetch: fakeHub,
    });
    expect(fakeHub).not.toHaveBeenCalled();
    await again.dispose();

    // a download with the wrong bytes is refused and leaves nothing behind
    const badDir = makeModelDir("download-bad", null);
    const wrong = vi.fn(async () => new Response(new Uint8Array([1, 2, 3])));
    await expect(
      E5Embedder.load({ modelDir: badDir, expectedSha256: tinySha, allowDownload: true, fetch: wrong }),
    ).rejects.toMatchObject({ code: "mismatch" });
    const onnxDir = join(badDir, ...E5_MODEL_ID.split("/"), "onnx");
    expect(readdirSync(onnxDir)).toEqual([]);

    // an unreachable hub with allowDownload → the selector falls back
    const fallback = vi.fn(fakeFallback);
    const unreachable = vi.fn(async () => {
      throw new TypeError("fetch failed");
    });
    const choice = await loadEmbedder(
      {
        modelDir: makeModelDir("download-offline", null),
        expectedSha256: tinySha,
        allowDownload: true,
        fetch: unreachable,
      },
      fallback,
    );
    expect(unreachable).toHaveBeenCalledTimes(1);
    expect(choice).toMatchObject({ kind: "fallback", reason: expect.stringMatching(/download/) });
    expect(fallback).toHaveBeenCalledTimes(1);
  });

  it("never touched the network through transformers.js or global fetch", () => {
    expect(networkCalls).toEqual([]);
  });
});

function fakeFallback(): Embedder {
  return { id: "fake@1", dim: 4, embed: async (texts) => texts.map(() => new Float32Array(4)) };
}
