/**
 * Builds a tiny ONNX model with the same interface as `Xenova/multilingual-e5-small`
 * (inputs `input_ids`, `attention_mask`, `token_type_ids`: int64 [batch, seq];
 * output `last_hidden_state`: float [batch, seq, hidden]) so the real e5 loading code
 * (transformers.js + onnxruntime-node + the real tokenizer) can be tested without the
 * 118 MB weights, which cannot reach these machines.
 *
 * Graph (opset 13):
 *   last_hidden_state[b, s, :] = table[input_ids[b, s] mod rows, :]
 *                               + maskShift * attention_mask[b, s]
 *                               + typeShift * token_type_ids[b, s]
 *
 * `table` is a small seeded pseudo-random float32 table; `mod rows` lets it cover the whole
 * 250k-token vocabulary in a few kilobytes. The two shifts make every input matter: padded
 * positions keep a non-zero hidden state (so pooling that ignores the mask gives a different
 * vector), and any non-zero token type would show up in the output.
 *
 * The ONNX protobuf schema is a minimal subset of onnx.proto3 (same field numbers), embedded
 * below and parsed with protobufjs.
 *
 * CLI: npx tsx scripts/model/build-tiny-onnx.ts <out.onnx> [rows] [hidden] [seed]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";
import { Prng } from "./lib/prng.ts";

/** Minimal subset of https://github.com/onnx/onnx/blob/main/onnx/onnx.proto3 (field numbers unchanged). */
export const ONNX_PROTO_SUBSET = `
syntax = "proto3";
package onnx;

message AttributeProto {
  enum AttributeType {
    UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5;
    FLOATS = 6; INTS = 7; STRINGS = 8; TENSORS = 9; GRAPHS = 10;
  }
  string name = 1;
  float f = 2;
  int64 i = 3;
  bytes s = 4;
  TensorProto t = 5;
  repeated float floats = 7;
  repeated int64 ints = 8;
  string doc_string = 13;
  AttributeType type = 20;
}

message ValueInfoProto {
  string name = 1;
  TypeProto type = 2;
  string doc_string = 3;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  string name = 3;
  string op_type = 4;
  repeated AttributeProto attribute = 5;
  string doc_string = 6;
  string domain = 7;
}

message ModelProto {
  int64 ir_version = 1;
  string producer_name = 2;
  string producer_version = 3;
  string domain = 4;
  int64 model_version = 5;
  string doc_string = 6;
  GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
}

message GraphProto {
  repeated NodeProto node = 1;
  string name = 2;
  repeated TensorProto initializer = 5;
  string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}

message TensorProto {
  enum DataType {
    UNDEFINED = 0; FLOAT = 1; UINT8 = 2; INT8 = 3; UINT16 = 4; INT16 = 5; INT32 = 6; INT64 = 7;
  }
  repeated int64 dims = 1;
  int32 data_type = 2;
  repeated float float_data = 4 [packed = true];
  repeated int32 int32_data = 5 [packed = true];
  repeated int64 int64_data = 7 [packed = true];
  string name = 8;
  bytes raw_data = 9;
  string doc_string = 12;
}

message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    }
    string denotation = 3;
  }
  repeated Dimension dim = 1;
}

message TypeProto {
  message Tensor {
    int32 elem_type = 1;
    TensorShapeProto shape = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
  }
  string denotation = 6;
}

message OperatorSetIdProto {
  string domain = 1;
  int64 version = 2;
}
`;

const FLOAT = 1;
const INT64 = 7;
const ATTR_INT = 2;

export interface TinyOnnxOptions {
  /** Rows of the embedding table; token ids are taken modulo this. Default 97. */
  rows?: number;
  /** Hidden size (vector dimension). Default 8. */
  hidden?: number;
  /** Seed of the table's pseudo-random values. Default 20240601. */
  seed?: number;
  /** Added to every hidden unit where attention_mask = 1. Default 0.25. */
  maskShift?: number;
  /** Added to every hidden unit times token_type_ids. Default 0.5. */
  typeShift?: number;
}

export interface TinyOnnxSpec {
  rows: number;
  hidden: number;
  seed: number;
  maskShift: number;
  typeShift: number;
}

export function tinyOnnxSpec(opts: TinyOnnxOptions = {}): TinyOnnxSpec {
  const spec = {
    rows: opts.rows ?? 97,
    hidden: opts.hidden ?? 8,
    seed: opts.seed ?? 20240601,
    maskShift: opts.maskShift ?? 0.25,
    typeShift: opts.typeShift ?? 0.5,
  };
  if (!Number.isInteger(spec.rows) || spec.rows < 2) throw new Error(`rows must be an integer >= 2`);
  if (!Number.isInteger(spec.hidden) || spec.hidden < 1) throw new Error(`hidden must be an integer >= 1`);
  return spec;
}

/** The embedding table baked into the model: row-major [rows, hidden], values in [-1, 1). */
export function tinyEmbeddingTable(opts: TinyOnnxOptions = {}): Float32Array {
  const { rows, hidden, seed } = tinyOnnxSpec(opts);
  const prng = new Prng(seed);
  const rand = () => prng.next();
  const table = new Float32Array(rows * hidden);
  for (let i = 0; i < table.length; i++) table[i] = rand() * 2 - 1;
  return table;
}

function floatTensor(name: string, dims: number[], values: Float32Array) {
  const le = new Uint8Array(values.length * 4);
  const view = new DataView(le.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return { name, dims, data_type: FLOAT, raw_data: le };
}

function int64Tensor(name: string, dims: number[], values: number[]) {
  return { name, dims, data_type: INT64, int64_data: values };
}

function valueInfo(name: string, elemType: number, dims: (number | string)[]) {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: elemType,
        shape: { dim: dims.map((d) => (typeof d === "number" ? { dim_value: d } : { dim_param: d })) },
      },
    },
  };
}

function node(op_type: string, input: string[], output: string[], attribute: object[] = []) {
  return { op_type, input, output, name: output[0], attribute };
}

/** Serialises the tiny model to ONNX protobuf bytes. */
export function buildTinyOnnx(opts: TinyOnnxOptions = {}): Uint8Array {
  const spec = tinyOnnxSpec(opts);
  const root = protobuf.parse(ONNX_PROTO_SUBSET, { keepCase: true }).root;
  const ModelProto = root.lookupType("onnx.ModelProto");

  const castToFloat = [{ name: "to", type: ATTR_INT, i: FLOAT }];
  const graph = {
    name: "tiny_e5_like",
    doc_string: `tiny test model: table[id mod ${spec.rows}] + ${spec.maskShift}*mask + ${spec.typeShift}*type`,
    input: [
      valueInfo("input_ids", INT64, ["batch_size", "sequence_length"]),
      valueInfo("attention_mask", INT64, ["batch_size", "sequence_length"]),
      valueInfo("token_type_ids", INT64, ["batch_size", "sequence_length"]),
    ],
    output: [valueInfo("last_hidden_state", FLOAT, ["batch_size", "sequence_length", spec.hidden])],
    initializer: [
      floatTensor("embedding_table", [spec.rows, spec.hidden], tinyEmbeddingTable(spec)),
      int64Tensor("rows", [], [spec.rows]),
      floatTensor("mask_shift", [], new Float32Array([spec.maskShift])),
      floatTensor("type_shift", [], new Float32Array([spec.typeShift])),
      int64Tensor("last_axis", [1], [-1]),
    ],
    node: [
      node("Mod", ["input_ids", "rows"], ["row_ids"], [{ name: "fmod", type: ATTR_INT, i: 0 }]),
      node(
        "Gather",
        ["embedding_table", "row_ids"],
        ["token_vectors"],
        [{ name: "axis", type: ATTR_INT, i: 0 }],
      ),
      node("Cast", ["attention_mask"], ["mask_f"], castToFloat),
      node("Cast", ["token_type_ids"], ["type_f"], castToFloat),
      node("Mul", ["mask_f", "mask_shift"], ["mask_term"]),
      node("Mul", ["type_f", "type_shift"], ["type_term"]),
      node("Add", ["mask_term", "type_term"], ["shift"]),
      node("Unsqueeze", ["shift", "last_axis"], ["shift_3d"]),
      node("Add", ["token_vectors", "shift_3d"], ["last_hidden_state"]),
    ],
  };
  const model = {
    ir_version: 7,
    producer_name: "hop-thu-dan/build-tiny-onnx",
    producer_version: "1",
    model_version: 1,
    opset_import: [{ domain: "", version: 13 }],
    graph,
  };
  const err = ModelProto.verify(model);
  if (err) throw new Error(`invalid tiny ONNX model: ${err}`);
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}

/** Builds the model and writes it to `outFile` (parent folders are created). */
export function writeTinyOnnx(outFile: string, opts: TinyOnnxOptions = {}): Uint8Array {
  const bytes = buildTinyOnnx(opts);
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, bytes);
  return bytes;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [out, rows, hidden, seed] = process.argv.slice(2);
  if (!out) {
    console.error("usage: tsx scripts/model/build-tiny-onnx.ts <out.onnx> [rows] [hidden] [seed]");
    process.exit(2);
  }
  const opts: TinyOnnxOptions = {};
  if (rows) opts.rows = Number(rows);
  if (hidden) opts.hidden = Number(hidden);
  if (seed) opts.seed = Number(seed);
  const bytes = writeTinyOnnx(resolve(out), opts);
  console.log(`wrote ${out} (${bytes.length} bytes)`);
}
