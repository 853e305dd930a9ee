/**
 * The binary container of the model files: a small JSON header followed by aligned typed arrays.
 *
 *   bytes 0..3  "HTDM"   4..7  format version (u32 LE)   8..11  header length H (u32 LE)
 *   12..12+H    header JSON (UTF-8): { type, meta, sections: { name: { dtype, offset, length } } }
 *   then each section at its absolute `offset` (8-byte aligned); `length` counts elements.
 *
 * Pure and deterministic (no Node APIs): the same input always gives the same bytes.
 */

const MAGIC = [0x48, 0x54, 0x44, 0x4d]; // "HTDM"
const FORMAT_VERSION = 1;

export type SectionData = Float32Array | Int8Array | Uint8Array | Uint32Array | readonly string[];

type DType = "f32" | "i8" | "u8" | "u32" | "lines";

interface SectionInfo {
  dtype: DType;
  offset: number;
  length: number;
}

export interface ContainerHeader<M> {
  type: string;
  meta: M;
  sections: Record<string, SectionInfo>;
}

function dtypeOf(data: SectionData): DType {
  if (data instanceof Float32Array) return "f32";
  if (data instanceof Int8Array) return "i8";
  if (data instanceof Uint8Array) return "u8";
  if (data instanceof Uint32Array) return "u32";
  return "lines";
}

function sectionBytes(data: SectionData): Uint8Array {
  if (Array.isArray(data)) {
    for (const s of data as readonly string[]) {
      if (s.includes("\n")) throw new Error(`a line section entry contains a newline: ${JSON.stringify(s)}`);
    }
    return new TextEncoder().encode((data as readonly string[]).join("\n"));
  }
  const typed = data as Float32Array | Int8Array | Uint8Array | Uint32Array;
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}

const align8 = (n: number) => (n + 7) & ~7;

/** Serialises a container. Sections are written in the order of `sections`' keys. */
export function writeContainer<M>(type: string, meta: M, sections: Record<string, SectionData>): Uint8Array {
  const names = Object.keys(sections);
  const payloads = names.map((n) => sectionBytes(sections[n]!));
  // The header size depends on the offsets it holds: iterate until it is stable.
  let headerLen = 0;
  let header: ContainerHeader<M> = { type, meta, sections: {} };
  let headerBytes = new Uint8Array(0);
  for (let iter = 0; iter < 8; iter++) {
    let offset = align8(12 + headerLen);
    const infos: Record<string, SectionInfo> = {};
    names.forEach((n, i) => {
      const data = sections[n]!;
      const dtype = dtypeOf(data);
      // "lines" sections count bytes; typed sections count elements.
      const length = dtype === "lines" ? payloads[i]!.byteLength : (data as Float32Array).length;
      infos[n] = { dtype, offset, length };
      offset = align8(offset + payloads[i]!.byteLength);
    });
    header = { type, meta, sections: infos };
    headerBytes = new TextEncoder().encode(JSON.stringify(header));
    if (headerBytes.byteLength === headerLen) break;
    headerLen = headerBytes.byteLength;
  }
  const last = names.length ? header.sections[names[names.length - 1]!]! : null;
  const total = last ? last.offset + payloads[payloads.length - 1]!.byteLength : 12 + headerLen;
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, FORMAT_VERSION, true);
  view.setUint32(8, headerLen, true);
  out.set(headerBytes, 12);
  names.forEach((n, i) => {
    out.set(payloads[i]!, header.sections[n]!.offset);
  });
  return out;
}

export interface Container<M> {
  readonly type: string;
  readonly meta: M;
  f32(name: string): Float32Array;
  i8(name: string): Int8Array;
  u8(name: string): Uint8Array;
  u32(name: string): Uint32Array;
  lines(name: string): string[];
  has(name: string): boolean;
}

/** Reads a container without copying its arrays when they are aligned. */
export function readContainer<M>(input: ArrayBuffer | Uint8Array, expectedType?: string): Container<M> {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (bytes.byteLength < 12 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new Error("not a model file (bad magic bytes)");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== FORMAT_VERSION) throw new Error(`unsupported model file format version ${version}`);
  const headerLen = view.getUint32(8, true);
  const header = JSON.parse(
    new TextDecoder().decode(bytes.subarray(12, 12 + headerLen)),
  ) as ContainerHeader<M>;
  if (expectedType && header.type !== expectedType) {
    throw new Error(`expected a "${expectedType}" model file, got "${header.type}"`);
  }
  const info = (name: string, dtype: DType): SectionInfo => {
    const s = header.sections[name];
    if (!s) throw new Error(`model file has no section "${name}"`);
    if (s.dtype !== dtype) throw new Error(`section "${name}" is ${s.dtype}, not ${dtype}`);
    if (s.offset + s.length * (dtype === "f32" || dtype === "u32" ? 4 : 1) > bytes.byteLength) {
      throw new Error(`section "${name}" is truncated`);
    }
    return s;
  };
  const typed = <T>(
    name: string,
    dtype: DType,
    size: number,
    make: (b: ArrayBuffer, o: number, n: number) => T,
  ): T => {
    const s = info(name, dtype);
    const abs = bytes.byteOffset + s.offset;
    if (abs % size === 0) return make(bytes.buffer as ArrayBuffer, abs, s.length);
    const copy = bytes.slice(s.offset, s.offset + s.length * size);
    return make(copy.buffer, 0, s.length);
  };
  return {
    type: header.type,
    meta: header.meta,
    has: (name) => name in header.sections,
    f32: (name) => typed(name, "f32", 4, (b, o, n) => new Float32Array(b, o, n)),
    u32: (name) => typed(name, "u32", 4, (b, o, n) => new Uint32Array(b, o, n)),
    i8: (name) => typed(name, "i8", 1, (b, o, n) => new Int8Array(b, o, n)),
    u8: (name) => typed(name, "u8", 1, (b, o, n) => new Uint8Array(b, o, n)),
    lines: (name) => {
      const s = info(name, "lines");
      const text = new TextDecoder().decode(bytes.subarray(s.offset, s.offset + s.length));
      return text.length === 0 ? [] : text.split("\n");
    },
  };
}

/** Per-row symmetric int8 quantisation: row r ≈ q[r] * scale[r]. */
export function quantizeRows(
  values: Float32Array,
  rows: number,
  dim: number,
): { q: Int8Array; scale: Float32Array } {
  const q = new Int8Array(rows * dim);
  const scale = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let j = 0; j < dim; j++) max = Math.max(max, Math.abs(values[r * dim + j]!));
    const s = max > 0 ? max / 127 : 1;
    scale[r] = s;
    for (let j = 0; j < dim; j++) q[r * dim + j] = Math.round(values[r * dim + j]! / s);
  }
  return { q, scale };
}
