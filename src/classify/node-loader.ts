/**
 * Node-only loader: reads the shipped model (model/manifest.json and the files it lists) from disk
 * and checks their sha256. Workers import the files as bytes and call createClassifier directly.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Classifier, type ClassifierArtifact, createClassifier } from "./classifier.ts";
import { type ModelManifest, sha256Hex } from "./manifest.ts";

/** The repository's model folder. */
export const DEFAULT_MODEL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../model");

export async function loadArtifact(
  modelDir = DEFAULT_MODEL_DIR,
  opts: { verify?: boolean } = {},
): Promise<ClassifierArtifact> {
  const manifest = JSON.parse(await readFile(path.join(modelDir, "manifest.json"), "utf8")) as ModelManifest;
  const read = async (entry: ModelManifest["files"]["embedder"]) => {
    const bytes = new Uint8Array(await readFile(path.join(modelDir, entry.path)));
    if (opts.verify !== false) {
      const sum = await sha256Hex(bytes);
      if (sum !== entry.sha256)
        throw new Error(`model file ${entry.path} does not match its manifest sha256`);
    }
    return bytes;
  };
  return { manifest, embedder: await read(manifest.files.embedder), head: await read(manifest.files.head) };
}

export async function loadClassifier(modelDir = DEFAULT_MODEL_DIR): Promise<Classifier> {
  return createClassifier(await loadArtifact(modelDir));
}
