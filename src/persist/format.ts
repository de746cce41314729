// The seqcast model file: one self-describing, versioned, checksummed binary file holding a model's
// options, every weight, and optionally the fitted data pipeline and free-form metadata.
//
//   offset  size  field
//   0       8     magic "SEQCAST\0"
//   8       4     format version, u32 little-endian (FORMAT_VERSION)
//   12      4     header length H in bytes, u32 LE (at most MAX_HEADER_BYTES)
//   16      8     data length D in bytes, u64 LE
//   24      4     CRC-32 of every byte of the file except these four (crc32.ts)
//   28      4     reserved, 0
//   32      H     header: UTF-8 JSON (ModelFileHeader)
//   32+H    ...   zero padding up to the next multiple of 64
//   S       D     data: float32 little-endian tensors, each starting at a multiple of 64 bytes;
//                 S = align64(32 + H), and the file is exactly S + D bytes long
//
// Tensor offsets in the header are relative to S. Everything a reader allocates is bounded by the
// file's own size, checked before allocating: the preamble's lengths must add up to the file size,
// and tensors must lie inside the data without overlapping. Loading parses JSON and copies floats;
// nothing in a file is ever executed.
import type { PipelineJSON } from '../data/pipeline.js';
import type { CellKind } from '../layout/cells.js';
import { paramLayout } from '../layout/params.js';
import type { Nonlinearity } from '../backend/types.js';
import type { InitScheme } from '../model/init.js';
import { crc32 } from './crc32.js';
import { ModelFileError } from './errors.js';
import { packageVersion } from './version.js';

/** "SEQCAST" and a NUL: text editors show the name, and the NUL marks the file as binary. */
export const MAGIC = Uint8Array.of(0x53, 0x45, 0x51, 0x43, 0x41, 0x53, 0x54, 0x00);
/** The newest format this release writes and reads; older versions stay readable when it changes. */
export const FORMAT_VERSION = 1;
export const PREAMBLE_BYTES = 32;
export const CHECKSUM_OFFSET = 24;
export const ALIGN_BYTES = 64;
/** Headers are a few KiB (a pipeline's statistics included); anything over this is corruption. */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;
export const HEADER_FORMAT = 'seqcast-model';

export const align64 = (n: number): number => Math.ceil(n / ALIGN_BYTES) * ALIGN_BYTES;

/** One tensor of the data section. */
export interface TensorEntry {
  /** State-dict key: `rnn.weight_ih_l0`, `head.weight`, ... */
  name: string;
  shape: number[];
  dtype: 'f32';
  /** Byte offset from the start of the data section, a multiple of 64. */
  offset: number;
  /** Bytes: 4 * the product of shape. */
  length: number;
}

/** The model options a file stores: SequenceModelOptions with every default written out. */
export interface SavedModelOptions {
  cell: CellKind;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  dropout: number;
  /** Plain RNN cells only. */
  nonlinearity?: Nonlinearity;
  seed: number;
  init: InitScheme;
  heads: Array<{ name: string; outputs: number; on: 'last' | 'all' }>;
}

export interface ModelFileHeader {
  format: typeof HEADER_FORMAT;
  formatVersion: number;
  /** The seqcast version that wrote the file. */
  packageVersion: string;
  /** ISO 8601 time of writing. */
  created: string;
  model: SavedModelOptions;
  tensors: TensorEntry[];
  pipeline: PipelineJSON | null;
  metadata: Record<string, unknown> | null;
}

/** Names and shapes of every parameter a model with these options has, in state-dict order. */
export function expectedTensors(m: SavedModelOptions): Array<{ name: string; shape: number[] }> {
  const layout = paramLayout({
    cell: m.cell, inputSize: m.inputSize, hiddenSize: m.hiddenSize, numLayers: m.numLayers, bidirectional: m.bidirectional,
  });
  const width = (m.bidirectional ? 2 : 1) * m.hiddenSize;
  return [
    ...layout.entries.map((e) => ({ name: `rnn.${e.name}`, shape: [...e.shape] })),
    ...m.heads.flatMap((h) => [
      { name: `${h.name}.weight`, shape: [h.outputs, width] },
      { name: `${h.name}.bias`, shape: [h.outputs] },
    ]),
  ];
}

/** e.g. LSTM(inputSize=3, hiddenSize=8, numLayers=2, bidirectional=true) + heads head[1, last]. */
export function describeModel(m: SavedModelOptions): string {
  return (
    `${m.cell.toUpperCase()}(inputSize=${m.inputSize}, hiddenSize=${m.hiddenSize}, numLayers=${m.numLayers}, ` +
    `bidirectional=${m.bidirectional}) with heads ${m.heads.slice(0, 4).map((h) => `${h.name.slice(0, 40)}[${h.outputs}, ${h.on}]`).join(', ')}` +
    // A corrupted header can list thousands of heads; the message stays one line.
    (m.heads.length > 4 ? ` and ${m.heads.length - 4} more` : '')
  );
}

const LITTLE_ENDIAN_HOST = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** Writes `src` as float32 little-endian at `dst[offset..]`. */
export function writeF32LE(dst: Uint8Array, offset: number, src: Float32Array): void {
  if (LITTLE_ENDIAN_HOST) {
    dst.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength), offset);
    return;
  }
  const view = new DataView(dst.buffer, dst.byteOffset + offset, src.byteLength);
  for (let i = 0; i < src.length; i++) view.setFloat32(4 * i, src[i], true);
}

/** Reads `count` float32 little-endian values at `src[offset..]` into a new array. */
export function readF32LE(src: Uint8Array, offset: number, count: number): Float32Array {
  const out = new Float32Array(count);
  if (LITTLE_ENDIAN_HOST) {
    new Uint8Array(out.buffer).set(src.subarray(offset, offset + 4 * count));
    return out;
  }
  const view = new DataView(src.buffer, src.byteOffset + offset, 4 * count);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/** CRC-32 of the whole file except its checksum field. */
export function fileChecksum(file: Uint8Array): number {
  return crc32(file.subarray(CHECKSUM_OFFSET + 4), crc32(file.subarray(0, CHECKSUM_OFFSET)));
}

/**
 * Lays out a file from a header and the data section and fills in the checksum. `version` only
 * differs from FORMAT_VERSION in tests that build files this release must refuse.
 */
export function assembleFile(header: ModelFileHeader | string, data: Uint8Array, version = FORMAT_VERSION): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  if (json.length > MAX_HEADER_BYTES)
    throw new RangeError(
      `model file: the header would be ${json.length} bytes, over the limit of ${MAX_HEADER_BYTES} bytes; keep metadata and the pipeline small`,
    );
  const dataStart = align64(PREAMBLE_BYTES + json.length);
  const file = new Uint8Array(dataStart + data.length);
  const view = new DataView(file.buffer);
  file.set(MAGIC, 0);
  view.setUint32(8, version, true);
  view.setUint32(12, json.length, true);
  view.setUint32(16, data.length % 2 ** 32, true);
  view.setUint32(20, Math.floor(data.length / 2 ** 32), true);
  file.set(json, PREAMBLE_BYTES);
  file.set(data, dataStart);
  view.setUint32(CHECKSUM_OFFSET, fileChecksum(file), true);
  return file;
}

/** What the fixed-size preamble says, once checked against the file size. */
export interface Preamble {
  version: number;
  headerBytes: number;
  dataBytes: number;
  checksum: number;
  dataStart: number;
  totalBytes: number;
}

const AGAIN = 'copy the file again from its source, or save the model again';

function printable(bytes: Uint8Array): string {
  const hex = (b: number): string => `\\x${b.toString(16).padStart(2, '0')}`;
  return `"${Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : hex(b))).join('')}"`;
}

/**
 * Checks the preamble against the size of the whole file before anything is allocated or parsed.
 * `head` holds the first min(32, fileBytes) bytes of the file.
 */
export function readPreamble(head: Uint8Array, fileBytes: number, where: string): Preamble {
  const magicSeen = head.subarray(0, Math.min(MAGIC.length, head.length));
  const magicOk = magicSeen.every((b, i) => b === MAGIC[i]);
  if (fileBytes === 0)
    throw new ModelFileError('truncated', `${where}: the file is empty (0 bytes); a seqcast model file starts with a ${PREAMBLE_BYTES}-byte preamble: ${AGAIN}`);
  if (!magicOk)
    throw new ModelFileError(
      'not-a-model-file',
      `${where}: not a seqcast model file: expected the magic bytes "SEQCAST\\x00" at the start, got ${printable(magicSeen)}; ` +
        'load a file written by saveModel() or serializeModel()',
    );
  if (fileBytes < PREAMBLE_BYTES)
    throw new ModelFileError(
      'truncated',
      `${where}: the file is truncated: it has ${fileBytes} bytes, fewer than the ${PREAMBLE_BYTES}-byte preamble of a seqcast model file; ${AGAIN}`,
    );
  const view = new DataView(head.buffer, head.byteOffset, PREAMBLE_BYTES);
  const version = view.getUint32(8, true);
  if (version > FORMAT_VERSION)
    throw new ModelFileError(
      'unsupported-version',
      `${where}: the file has model format version ${version}, but seqcast ${packageVersion()} reads format versions up to ${FORMAT_VERSION}; ` +
        'upgrade seqcast to load it',
    );
  if (version < 1)
    throw new ModelFileError(
      'unsupported-version',
      `${where}: the file has model format version ${version}, which no seqcast release writes (versions 1 to ${FORMAT_VERSION} are readable); the file is corrupted: ${AGAIN}`,
    );
  const headerBytes = view.getUint32(12, true);
  if (headerBytes > MAX_HEADER_BYTES)
    throw new ModelFileError(
      'header-too-large',
      `${where}: the header length is ${headerBytes} bytes, over the limit of ${MAX_HEADER_BYTES} bytes (16 MiB); ` +
        `the file is corrupted or not a seqcast model file: ${AGAIN}`,
    );
  if (headerBytes === 0)
    throw new ModelFileError('invalid-header', `${where}: the header length is 0 bytes; the file is corrupted: ${AGAIN}`);
  if (PREAMBLE_BYTES + headerBytes > fileBytes)
    throw new ModelFileError(
      'truncated',
      `${where}: the file is truncated: its header length is ${headerBytes} bytes, but only ${fileBytes - PREAMBLE_BYTES} bytes follow the preamble; ${AGAIN}`,
    );
  const dataBytes = view.getUint32(16, true) + view.getUint32(20, true) * 2 ** 32;
  const dataStart = align64(PREAMBLE_BYTES + headerBytes);
  const totalBytes = dataStart + dataBytes;
  if (fileBytes < totalBytes)
    throw new ModelFileError(
      'truncated',
      `${where}: the file is truncated: its preamble describes ${totalBytes} bytes (header ${headerBytes}, data ${dataBytes}), ` +
        `but the file has ${fileBytes}; ${AGAIN}`,
    );
  if (fileBytes > totalBytes)
    throw new ModelFileError(
      'trailing-bytes',
      `${where}: the file has ${fileBytes - totalBytes} unexpected bytes after its end: its preamble describes ${totalBytes} bytes, ` +
        `the file has ${fileBytes}; the file is corrupted (two files joined, or a bad copy): ${AGAIN}`,
    );
  return { version, headerBytes, dataBytes, checksum: view.getUint32(CHECKSUM_OFFSET, true), dataStart, totalBytes };
}
