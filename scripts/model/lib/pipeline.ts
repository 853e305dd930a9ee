/**
 * The whole training run: corpus (+ training examples' text) → vi-static embedder;
 * training examples → topic and kind heads (cross-validated) → model files + manifest.
 * Never reads the held-out examples.
 */
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { ModelManifest } from "../../../src/classify/manifest.ts";
import { StaticEmbedder } from "../../../src/classify/static-embedder.ts";
import { CorpusEncoder, type EncodedCorpus, readCorpus } from "./corpus.ts";
import { DEFAULT_EMBEDDING_OPTIONS, type EmbeddingOptions, trainEmbedding } from "./embeddings.ts";
import { DEFAULT_HEAD_OPTIONS, type Example, type HeadOptions, trainHeads } from "./head-train.ts";

export interface TrainConfig {
  /** Corpus shards folder, or in-memory documents (tests). */
  corpus: { dir: string; fraction?: number; groups?: string[] } | { documents: string[] };
  examplesDir: string;
  topicsFile: string;
  embedding?: Partial<EmbeddingOptions>;
  head?: Partial<HeadOptions>;
  /** Reuse this embedder instead of training one (fast iteration on the heads). */
  embedderBytes?: Uint8Array;
  /**
   * Topic corrections exported by `npm run corrections:export` (JSON lines with text, topic,
   * kind): officials' re-classifications and citizens' choices, added to the training examples.
   */
  correctionsFile?: string;
  log?: (m: string) => void;
}

export interface TrainedModel {
  embedder: Uint8Array;
  head: Uint8Array;
  manifest: ModelManifest;
  files: { embedder: string; head: string };
}

const sha256 = (b: Uint8Array | string) => createHash("sha256").update(b).digest("hex");

export interface ExampleFile {
  name: string;
  sha256: string;
  examples: Example[];
}

/** Reads <dir>/*.jsonl example files ({"text","topic","kind"} per line). */
export async function readExampleFiles(dir: string): Promise<ExampleFile[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith(".jsonl")).sort();
  } catch {
    return [];
  }
  const out: ExampleFile[] = [];
  for (const name of names) {
    const raw = await readFile(path.join(dir, name), "utf8");
    const examples: Example[] = [];
    raw.split("\n").forEach((line, i) => {
      if (!line.trim()) return;
      let e: Example;
      try {
        e = JSON.parse(line) as Example;
      } catch {
        throw new Error(`${name}:${i + 1}: not JSON`);
      }
      if (typeof e.text !== "string" || typeof e.topic !== "string")
        throw new Error(`${name}:${i + 1}: needs text and topic`);
      examples.push({
        text: e.text,
        topic: e.topic,
        ...(typeof e.kind === "string" ? { kind: e.kind } : {}),
      });
    });
    out.push({ name, sha256: sha256(raw), examples });
  }
  return out;
}

/** A held-out folder: data/examples/heldout, data/examples/heldout-real, … */
const HELDOUT = /(^|[\\/])heldout[^\\/]*([\\/]|$)/;

/**
 * Reads exported corrections as training examples. Lines that are not JSON, lack a text, or name
 * a topic that no longer exists are skipped (and counted); when one text was corrected several
 * times, the last label wins.
 */
export async function readCorrections(
  file: string,
  topics: readonly string[],
): Promise<{ examples: Example[]; skipped: number; sha256: string }> {
  const raw = await readFile(file, "utf8");
  const byText = new Map<string, Example>();
  let skipped = 0;
  for (const line of raw.split("\n")) {
    if (!line.trim()) continue;
    let e: Partial<Example>;
    try {
      e = JSON.parse(line) as Partial<Example>;
    } catch {
      skipped++;
      continue;
    }
    if (
      typeof e.text !== "string" ||
      !e.text.trim() ||
      typeof e.topic !== "string" ||
      !topics.includes(e.topic)
    ) {
      skipped++;
      continue;
    }
    const key = e.text.normalize("NFC").trim();
    byText.delete(key);
    byText.set(key, { text: key, topic: e.topic, ...(typeof e.kind === "string" ? { kind: e.kind } : {}) });
  }
  return { examples: [...byText.values()], skipped, sha256: sha256(raw) };
}

interface TopicsFile {
  topics: { id: string; name: string; description: string; keywords: string[] }[];
}

export async function trainModel(cfg: TrainConfig): Promise<TrainedModel> {
  const log = cfg.log;
  for (const p of [cfg.examplesDir, cfg.correctionsFile ?? ""]) {
    if (HELDOUT.test(path.resolve(p))) throw new Error("training must never read the held-out examples");
  }
  const embOpts: EmbeddingOptions = { ...DEFAULT_EMBEDDING_OPTIONS, ...cfg.embedding };
  const headOpts: HeadOptions = { ...DEFAULT_HEAD_OPTIONS, version: embOpts.version, ...cfg.head };
  const topicsRaw = await readFile(cfg.topicsFile, "utf8");
  const topicsJson = JSON.parse(topicsRaw) as TopicsFile;
  const exampleFiles = await readExampleFiles(cfg.examplesDir);
  const examples = exampleFiles.flatMap((f) => f.examples);
  const corrections = cfg.correctionsFile
    ? await readCorrections(
        cfg.correctionsFile,
        topicsJson.topics.map((t) => t.id),
      )
    : null;
  if (corrections) {
    examples.push(...corrections.examples);
    log?.(
      `corrections: ${corrections.examples.length} examples from ${cfg.correctionsFile} (${corrections.skipped} lines skipped)`,
    );
  }
  if (!examples.length) throw new Error(`no training examples in ${cfg.examplesDir}`);

  let embedderBytes = cfg.embedderBytes;
  let corpusInfo: Record<string, unknown> = { reused: true };
  let embeddingStats: Record<string, number> = {};
  if (!embedderBytes) {
    let corpus: EncodedCorpus;
    if ("documents" in cfg.corpus) {
      const enc = new CorpusEncoder();
      for (const d of cfg.corpus.documents) enc.addDocument(d);
      for (const e of examples) enc.addDocument(e.text);
      corpus = enc.finish([
        { name: "(in-memory)", sha256: sha256(cfg.corpus.documents.join("\n")), bytes: 0 },
      ]);
    } else {
      corpus = await readCorpus({ ...cfg.corpus, log, extraDocuments: examples.map((e) => e.text) });
    }
    log?.(`corpus: ${corpus.docs} documents, ${corpus.length} tokens`);
    const trained = trainEmbedding(corpus, embOpts, log);
    embedderBytes = trained.bytes;
    embeddingStats = trained.stats;
    corpusInfo = {
      fraction: "dir" in cfg.corpus ? (cfg.corpus.fraction ?? 1) : 1,
      groups: "dir" in cfg.corpus ? (cfg.corpus.groups ?? "all") : "in-memory",
      documents: corpus.docs,
      characters: corpus.chars,
      tokens: corpus.length,
      shards: corpus.files,
    };
  }
  const embedder = StaticEmbedder.fromBytes(embedderBytes);
  const topicList = topicsJson.topics.map((t) => ({
    id: t.id,
    text: [t.name, t.description, t.keywords.join(", ")].filter(Boolean).join(". "),
  }));
  const heads = trainHeads(embedder, examples, topicList, headOpts, log);

  const files = {
    embedder: `vi-static-${embOpts.version}.bin`,
    head: `vi-classifier-${embOpts.version}.bin`,
  };
  const manifest: ModelManifest = {
    name: "vi-static",
    version: embOpts.version,
    files: {
      embedder: { path: files.embedder, bytes: embedderBytes.byteLength, sha256: sha256(embedderBytes) },
      head: { path: files.head, bytes: heads.bytes.byteLength, sha256: sha256(heads.bytes) },
    },
    classifier: heads.settings,
    training: {
      command: "npm run model:train",
      embedding: embOpts,
      embeddingStats,
      head: headOpts,
      lexicalFeatures: heads.features,
    },
    data: {
      corpus: corpusInfo,
      examples: {
        dir: "data/examples/train",
        files: exampleFiles.map((f) => ({ name: f.name, sha256: f.sha256, examples: f.examples.length })),
        total: examples.length,
      },
      ...(corrections
        ? {
            corrections: {
              file: path.basename(cfg.correctionsFile!),
              sha256: corrections.sha256,
              examples: corrections.examples.length,
              skipped: corrections.skipped,
            },
          }
        : {}),
      topics: { file: "data/topics.json", sha256: sha256(topicsRaw) },
    },
    crossValidation: heads.crossValidation,
  };
  return { embedder: embedderBytes, head: heads.bytes, manifest, files };
}
