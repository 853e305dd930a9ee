/**
 * Reads the shipped model through a host-given file reader (Node: the model/ folder; Workers: the
 * static assets): the manifest, then the files it lists, each checked against its sha256.
 */
import type { Classifier, ClassifierArtifact } from "./classifier.ts";
import { createClassifier } from "./classifier.ts";
import { type ModelManifest, sha256Hex } from "./manifest.ts";

/** The bytes of a file of the model folder, by its path relative to the folder. */
export type ModelFileReader = (relativePath: string) => Promise<Uint8Array>;

export async function readArtifact(
  read: ModelFileReader,
  opts: { verify?: boolean } = {},
): Promise<ClassifierArtifact> {
  const manifest = JSON.parse(new TextDecoder().decode(await read("manifest.json"))) as ModelManifest;
  const file = async (entry: ModelManifest["files"]["embedder"]) => {
    const bytes = await read(entry.path);
    if (opts.verify !== false) {
      const sum = await sha256Hex(bytes);
      if (sum !== entry.sha256)
        throw new Error(`model file ${entry.path} does not match its manifest sha256`);
    }
    return bytes;
  };
  return { manifest, embedder: await file(manifest.files.embedder), head: await file(manifest.files.head) };
}

export async function readClassifier(read: ModelFileReader): Promise<Classifier> {
  return createClassifier(await readArtifact(read));
}
