// safetensors (https://huggingface.co/docs/safetensors), the format PyTorch and Keras 3 users share
// weights in: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
// `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: { string: string } }`,
// then the raw little-endian tensor bytes, offsets relative to the end of the header.
// Written by hand: the format is a page long, and there is no well-kept JavaScript library made for
// it (the Hugging Face crate is Rust/Python only), so a dependency would cost more than it saves.
// The reader trusts nothing: every size is checked before anything is allocated or read, and each
// failure is an InteropError naming the tensor.
import type { NamedTensor } from '../model/recurrent.js';
import { decodeToFloat32, DTYPE_BYTES, isReadableDtype, type SafetensorsDtype } from './dtypes.js';
import { InteropError } from './errors.js';

/** The reference implementation refuses headers over 100 MB; so do we, before allocating. */
export const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsTensor extends NamedTensor {
  /** The dtype stored in the file; `data` is always float32. */
  dtype: SafetensorsDtype;
}

export interface SafetensorsFile {
  /** In the header's order. */
  tensors: Record<string, SafetensorsTensor>;
  metadata: Record<string, string>;
  /** What the reader changed, one line per tensor: F64 rounded to float32, F16/BF16 widened. */
  notes: string[];
}

const fail = (problem: ConstructorParameters<typeof InteropError>[0], message: string, tensor: string | null = null): never => {
  throw new InteropError(problem, `safetensors: ${message}`, tensor);
};

function parseHeader(bytes: Uint8Array): { header: Record<string, unknown>; dataStart: number } {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`safetensors: bytes must be a Uint8Array (or Buffer), got ${(bytes as object)?.constructor?.name ?? typeof bytes}`);
  if (bytes.length < 8) fail('truncated', `the file has ${bytes.length} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) fail('header-too-large', `the header length ${n} is over the ${MAX_HEADER_BYTES}-byte limit; this is not a safetensors file or it is corrupted`);
  const headerLength = Number(n);
  if (8 + headerLength > bytes.length)
    fail('truncated', `the header length ${headerLength} reaches beyond the end of the file (${bytes.length - 8} bytes after the length); the file is truncated or not safetensors`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    return fail('invalid-header', 'the header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return fail('invalid-header', `the header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    fail('invalid-header', `the header must be a JSON object of tensors, got ${Array.isArray(header) ? 'an array' : typeof header}`);
  return { header: header as Record<string, unknown>, dataStart: 8 + headerLength };
}

function parseMetadata(raw: unknown): Record<string, string> {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('invalid-header', '__metadata__ must be an object of strings');
  for (const [k, v] of Object.entries(raw))
    if (typeof v !== 'string') fail('invalid-header', `__metadata__.${k} must be a string, got ${typeof v}`);
  return { ...(raw as Record<string, string>) };
}

/** Reads every tensor of a safetensors file into float32. */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  const { header, dataStart } = parseHeader(bytes);
  const dataLength = bytes.length - dataStart;
  const metadata = parseMetadata(header.__metadata__);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: Array<{ name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }> = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) fail('invalid-header', `tensor '${name}' must be an object { dtype, shape, data_offsets }`, name);
    if (!isReadableDtype(e.dtype))
      fail('unsupported-dtype', `tensor '${name}' has dtype ${JSON.stringify(e.dtype)}; readable dtypes are ${Object.keys(DTYPE_BYTES).join(', ')}`, name);
    const dtype = e.dtype as SafetensorsDtype;
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      fail('invalid-header', `tensor '${name}' shape must be an array of non-negative integers, got ${JSON.stringify(e.shape)}`, name);
    const shape = e.shape as number[];
    const o = e.data_offsets;
    if (!Array.isArray(o) || o.length !== 2 || !o.every((d) => Number.isSafeInteger(d) && d >= 0))
      fail('invalid-header', `tensor '${name}' data_offsets must be [begin, end] non-negative integers, got ${JSON.stringify(o)}`, name);
    const [begin, end] = o as number[];
    if (end < begin) fail('invalid-offsets', `tensor '${name}' data_offsets [${begin}, ${end}] end before they begin`, name);
    if (end > dataLength)
      fail('invalid-offsets', `tensor '${name}' data_offsets [${begin}, ${end}] reach beyond the ${dataLength} data bytes; the file is truncated or corrupted`, name);
    const elements = shape.reduce((a, b) => a * b, 1);
    const want = elements * DTYPE_BYTES[dtype];
    if (end - begin !== want)
      fail('invalid-offsets', `tensor '${name}' of shape [${shape.join(', ')}] and dtype ${dtype} needs ${elements} × ${DTYPE_BYTES[dtype]} = ${want} bytes, but data_offsets [${begin}, ${end}] hold ${end - begin}`, name);
    entries.push({ name, dtype, shape, begin, end });
  }
  // The format requires the data to be covered exactly once: no overlaps and no holes.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: string | null = null;
  for (const e of sorted) {
    if (e.begin < covered)
      fail('invalid-offsets', `tensor '${e.name}' data_offsets [${e.begin}, ${e.end}] overlap tensor '${previous}', which ends at ${covered}`, e.name);
    if (e.begin > covered) fail('invalid-offsets', `bytes [${covered}, ${e.begin}) before tensor '${e.name}' belong to no tensor`, e.name);
    covered = e.end;
    previous = e.name;
  }
  if (covered !== dataLength) fail('invalid-offsets', `the data has ${dataLength} bytes but the tensors cover only the first ${covered}; trailing bytes belong to no tensor`);

  const tensors: Record<string, SafetensorsTensor> = {};
  const notes: string[] = [];
  for (const e of entries) {
    const count = e.shape.reduce((a, b) => a * b, 1);
    tensors[e.name] = { dtype: e.dtype, shape: e.shape, data: decodeToFloat32(view, dataStart + e.begin, count, e.dtype) };
    if (e.dtype === 'F64') notes.push(`${e.name}: F64 rounded to float32`);
    else if (e.dtype !== 'F32') notes.push(`${e.name}: ${e.dtype} widened to float32 (exact)`);
  }
  return { tensors, metadata, notes };
}

/**
 * Writes float32 tensors (in the given order) as one safetensors file. The header is padded with
 * spaces so the data starts 8-byte aligned, as the reference writer does.
 */
export function writeSafetensors(tensors: Record<string, NamedTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata))
      if (typeof v !== 'string') throw new TypeError(`writeSafetensors: metadata.${k} must be a string, got ${typeof v}; safetensors metadata holds strings only`);
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (name === '__metadata__') throw new RangeError("writeSafetensors: '__metadata__' is reserved and cannot name a tensor");
    if (!(t?.data instanceof Float32Array)) throw new TypeError(`writeSafetensors: tensor '${name}' data must be a Float32Array`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw new RangeError(`writeSafetensors: tensor '${name}' shape must be non-negative integers, got ${JSON.stringify(t.shape)}`);
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length)
      throw new RangeError(`writeSafetensors: tensor '${name}' of shape [${t.shape.join(', ')}] needs ${count} elements, got ${t.data.length}`);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * count] };
    offset += 4 * count;
  }
  let json = JSON.stringify(header);
  const encoder = new TextEncoder();
  let headerBytes = encoder.encode(json);
  const padded = Math.ceil(headerBytes.length / 8) * 8;
  json += ' '.repeat(padded - headerBytes.length);
  headerBytes = encoder.encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let p = 8 + headerBytes.length;
  for (const t of Object.values(tensors)) {
    for (let i = 0; i < t.data.length; i++, p += 4) view.setFloat32(p, t.data[i], true);
  }
  return out;
}
