import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, stat, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { E5_MODEL_ID, E5_REVISION, E5_SUPPORT_FILES, E5_WEIGHTS_FILE, HF_HUB_HOST } from "./constants.js";

export type E5ErrorCode = "absent" | "mismatch" | "download-failed" | "load-failed";

/** Every refusal of the e5 path carries one of these codes, so callers can tell them apart. */
export class E5Error extends Error {
  readonly code: E5ErrorCode;
  constructor(code: E5ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "E5Error";
    this.code = code;
  }
}

export type WeightsStatus =
  | { state: "absent"; path: string }
  | { state: "verified"; path: string; sha256: string }
  | { state: "mismatch"; path: string; sha256: string; expected: string };

/** `<modelDir>/<modelId>` */
export function modelFolder(modelDir: string, modelId = E5_MODEL_ID): string {
  return join(modelDir, ...modelId.split("/"));
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
}

/** Looks for the weights file and checks its sha256. Never throws for a missing file. */
export async function checkWeights(weightsPath: string, expectedSha256: string): Promise<WeightsStatus> {
  if (!(await isFile(weightsPath))) return { state: "absent", path: weightsPath };
  const sha256 = await sha256File(weightsPath);
  const expected = expectedSha256.toLowerCase();
  return sha256 === expected
    ? { state: "verified", path: weightsPath, sha256 }
    : { state: "mismatch", path: weightsPath, sha256, expected };
}

export function mismatchError(s: Extract<WeightsStatus, { state: "mismatch" }>): E5Error {
  return new E5Error(
    "mismatch",
    `e5 weights refused: sha256 of ${s.path} is ${s.sha256}, expected ${s.expected}. ` +
      "The file is corrupt, truncated or not the expected model; replace it with the verified file or remove it.",
  );
}

export interface DownloadOptions {
  modelDir: string;
  modelId?: string;
  revision?: string;
  /** sha256 the weights must have. */
  expectedSha256: string;
  /** sha256 of the other files of the folder, checked when they are downloaded. */
  supportFiles?: Readonly<Record<string, string>>;
  weightsFile?: string;
  hubHost?: string;
  fetch?: typeof fetch;
}

/**
 * Downloads the files of the model folder that are missing, from the hub at a pinned revision.
 * Each file is streamed to a temporary name next to its destination, hashed while it streams,
 * and only renamed into place when its sha256 matches; otherwise it is deleted and an
 * {@link E5Error} "mismatch" is thrown. Files already present are left alone (the caller checks
 * the weights afterwards). Only called when the deployer opted in (`allowDownload`).
 */
export async function downloadMissingFiles(opts: DownloadOptions): Promise<string[]> {
  const modelId = opts.modelId ?? E5_MODEL_ID;
  const folder = modelFolder(opts.modelDir, modelId);
  const files: [string, string][] = [
    ...Object.entries(opts.supportFiles ?? E5_SUPPORT_FILES),
    [opts.weightsFile ?? E5_WEIGHTS_FILE, opts.expectedSha256],
  ];
  const doFetch = opts.fetch ?? globalThis.fetch;
  const host = (opts.hubHost ?? HF_HUB_HOST).replace(/\/+$/, "");
  const revision = opts.revision ?? E5_REVISION;
  const fetched: string[] = [];
  for (const [file, sha] of files) {
    const dest = join(folder, ...file.split("/"));
    if (await isFile(dest)) continue;
    const url = `${host}/${modelId}/resolve/${encodeURIComponent(revision)}/${file}`;
    await downloadVerified(doFetch, url, dest, sha.toLowerCase());
    fetched.push(file);
  }
  return fetched;
}

async function downloadVerified(
  doFetch: typeof fetch,
  url: string,
  dest: string,
  sha: string,
): Promise<void> {
  let res: Response;
  try {
    res = await doFetch(url, { redirect: "follow" });
  } catch (err) {
    throw new E5Error("download-failed", `e5 download of ${url} failed: ${String(err)}`, { cause: err });
  }
  if (!res.ok || !res.body) {
    throw new E5Error("download-failed", `e5 download of ${url} failed: HTTP ${res.status}`);
  }
  await mkdir(dirname(dest), { recursive: true });
  const tmp = `${dest}.part-${process.pid}-${randomBytes(4).toString("hex")}`;
  const hash = createHash("sha256");
  const out = createWriteStream(tmp);
  try {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      hash.update(value);
      if (!out.write(value)) await new Promise<void>((ok) => out.once("drain", ok));
    }
    await new Promise<void>((ok, fail) => out.end((err?: Error | null) => (err ? fail(err) : ok())));
    const got = hash.digest("hex");
    if (got !== sha) {
      throw new E5Error(
        "mismatch",
        `e5 download refused: sha256 of ${url} is ${got}, expected ${sha}; nothing was written to ${dest}.`,
      );
    }
    await rename(tmp, dest);
  } catch (err) {
    out.destroy();
    await unlink(tmp).catch(() => {});
    if (err instanceof E5Error) throw err;
    throw new E5Error("download-failed", `e5 download of ${url} failed: ${String(err)}`, { cause: err });
  }
}
