/**
 * Reads the Vietnamese corpus (JSONL shards {"id","source","text"}) into an integer token stream,
 * through exactly the tokenizer the product uses at inference time.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { tokenize } from "../../../src/classify/normalize.ts";

export const FLAG_BREAK = 1;
export const FLAG_DOC = 2;

export interface CorpusOptions {
  dir: string;
  /** Keep roughly this fraction of the documents (deterministic by document id). Default 1. */
  fraction?: number;
  /** Only shards whose file name starts with one of these prefixes. Default: every shard. */
  groups?: readonly string[];
  /** More documents to read after the shards (the training examples' text). */
  extraDocuments?: readonly string[];
  /** Progress messages. */
  log?: (msg: string) => void;
}

export interface EncodedCorpus {
  /** Token type per position. */
  ids: Int32Array;
  /** FLAG_BREAK / FLAG_DOC per position. */
  flags: Uint8Array;
  length: number;
  /** Per token type: canonical accented form, diacritic-free form id, count. */
  typeAcc: string[];
  typePlain: Int32Array;
  typeCount: Float64Array;
  plains: string[];
  plainCount: Float64Array;
  docs: number;
  chars: number;
  files: { name: string; sha256: string; bytes: number }[];
}

function keepDoc(id: string, fraction: number): boolean {
  if (fraction >= 1) return true;
  const h = createHash("sha1").update(id).digest();
  return h.readUInt32BE(0) / 4294967296 < fraction;
}

export async function listShards(dir: string, groups?: readonly string[]): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith(".jsonl")).sort();
  return groups?.length ? names.filter((n) => groups.some((g) => n.startsWith(g))) : names;
}

/** Encodes plain texts (used for tests and for the labelled examples). */
export class CorpusEncoder {
  private ids = new Int32Array(1 << 20);
  private flags = new Uint8Array(1 << 20);
  private length = 0;
  private typeIndex = new Map<string, number>();
  private typeAcc: string[] = [];
  private typePlainList: number[] = [];
  private typeCountList: number[] = [];
  private plainIndex = new Map<string, number>();
  private plains: string[] = [];
  docs = 0;
  chars = 0;

  addDocument(text: string): void {
    this.docs++;
    this.chars += text.length;
    let first = true;
    for (const t of tokenize(text)) {
      let id = this.typeIndex.get(t.acc);
      if (id === undefined) {
        id = this.typeAcc.length;
        this.typeIndex.set(t.acc, id);
        this.typeAcc.push(t.acc);
        let pid = this.plainIndex.get(t.plain);
        if (pid === undefined) {
          pid = this.plains.length;
          this.plainIndex.set(t.plain, pid);
          this.plains.push(t.plain);
        }
        this.typePlainList.push(pid);
        this.typeCountList.push(0);
      }
      this.typeCountList[id]!++;
      if (this.length === this.ids.length) {
        const ids = new Int32Array(this.ids.length * 2);
        ids.set(this.ids);
        this.ids = ids;
        const flags = new Uint8Array(this.flags.length * 2);
        flags.set(this.flags);
        this.flags = flags;
      }
      this.ids[this.length] = id;
      this.flags[this.length] = (t.breakBefore ? FLAG_BREAK : 0) | (first ? FLAG_DOC | FLAG_BREAK : 0);
      this.length++;
      first = false;
    }
  }

  finish(files: EncodedCorpus["files"] = []): EncodedCorpus {
    const typePlain = Int32Array.from(this.typePlainList);
    const typeCount = Float64Array.from(this.typeCountList);
    const plainCount = new Float64Array(this.plains.length);
    for (let i = 0; i < typePlain.length; i++) plainCount[typePlain[i]!]! += typeCount[i]!;
    return {
      ids: this.ids.subarray(0, this.length),
      flags: this.flags.subarray(0, this.length),
      length: this.length,
      typeAcc: this.typeAcc,
      typePlain,
      typeCount,
      plains: this.plains,
      plainCount,
      docs: this.docs,
      chars: this.chars,
      files,
    };
  }
}

export async function readCorpus(opts: CorpusOptions): Promise<EncodedCorpus> {
  const fraction = opts.fraction ?? 1;
  const names = await listShards(opts.dir, opts.groups);
  if (names.length === 0) throw new Error(`no corpus shards (*.jsonl) in ${opts.dir}`);
  const enc = new CorpusEncoder();
  const files: EncodedCorpus["files"] = [];
  for (const name of names) {
    const file = path.join(opts.dir, name);
    const raw = await readFile(file);
    files.push({ name, sha256: createHash("sha256").update(raw).digest("hex"), bytes: raw.byteLength });
    const rl = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
    for await (const line of rl) {
      if (!line.trim()) continue;
      const doc = JSON.parse(line) as { id: string; text: string };
      if (typeof doc.text !== "string" || !keepDoc(String(doc.id), fraction)) continue;
      enc.addDocument(doc.text);
    }
    opts.log?.(`corpus: ${name} read, ${enc.docs} docs so far`);
  }
  for (const d of opts.extraDocuments ?? []) enc.addDocument(d);
  return enc.finish(files);
}
