/**
 * Node-only loader: reads the shipped model (model/manifest.json and the files it lists) from disk
 * and checks their sha256. Workers read the same files from their static assets (src/worker.ts).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readArtifact, readClassifier } from "./artifact-loader.ts";
import type { Classifier, ClassifierArtifact } from "./classifier.ts";

/** The repository's model folder. */
export const DEFAULT_MODEL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../model");

const reader = (modelDir: string) => async (relativePath: string) =>
  new Uint8Array(await readFile(path.join(modelDir, relativePath)));

export async function loadArtifact(
  modelDir = DEFAULT_MODEL_DIR,
  opts: { verify?: boolean } = {},
): Promise<ClassifierArtifact> {
  return readArtifact(reader(modelDir), opts);
}

export async function loadClassifier(modelDir = DEFAULT_MODEL_DIR): Promise<Classifier> {
  return readClassifier(reader(modelDir));
}
