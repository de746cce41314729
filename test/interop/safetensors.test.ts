// The safetensors reader and writer: round trips, the dtypes read by conversion, and every kind of
// malformed file giving an InteropError that names the tensor.
import { describe, expect, it } from 'vitest';
import { readSafetensors, writeSafetensors } from '../../src/interop/safetensors.js';
import { halfToFloat } from '../../src/interop/dtypes.js';
import { InteropError } from '../../src/interop/errors.js';

/** A file from a raw header object and data bytes, as another writer would make it. */
function rawFile(header: unknown, data: Uint8Array, headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function errorOf(f: () => unknown): InteropError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InteropError);
    return e as InteropError;
  }
  throw new Error('expected an InteropError');
}

describe('safetensors', () => {
  it('round-trips float32 tensors, order and metadata, with the data 8-byte aligned', () => {
    const tensors = {
      'rnn.weight_ih_l0': { shape: [4, 3], data: Float32Array.from({ length: 12 }, (_, i) => i / 7 - 0.5) },
      scalar: { shape: [], data: Float32Array.of(-1.25) },
      empty: { shape: [0, 5], data: new Float32Array(0) },
      'head.bias': { shape: [2], data: Float32Array.of(Math.fround(1e-30), -3e38) },
    };
    const bytes = writeSafetensors(tensors, { format: 'pt' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const back = readSafetensors(bytes);
    expect(Object.keys(back.tensors)).toEqual(Object.keys(tensors));
    for (const [k, t] of Object.entries(tensors)) {
      expect(back.tensors[k].shape).toEqual(t.shape);
      expect(back.tensors[k].data).toEqual(t.data);
      expect(back.tensors[k].dtype).toBe('F32');
    }
    expect(back.metadata).toEqual({ format: 'pt' });
    expect(back.notes).toEqual([]);
  });

  it('reads F64, F16 and BF16 as float32 and says so in notes', () => {
    const data = new Uint8Array(16 + 4 + 4);
    const v = new DataView(data.buffer);
    v.setFloat64(0, 0.1, true);
    v.setFloat64(8, -2.5, true);
    v.setUint16(16, 0x3c00, true); // 1.0
    v.setUint16(18, 0xc000, true); // -2.0
    v.setUint16(20, 0x3f80, true); // bf16 1.0
    v.setUint16(22, 0x4049, true); // bf16 3.140625
    const file = readSafetensors(rawFile({
      a: { dtype: 'F64', shape: [2], data_offsets: [0, 16] },
      b: { dtype: 'F16', shape: [2], data_offsets: [16, 20] },
      c: { dtype: 'BF16', shape: [2], data_offsets: [20, 24] },
    }, data));
    expect(Array.from(file.tensors.a.data)).toEqual([Math.fround(0.1), -2.5]);
    expect(Array.from(file.tensors.b.data)).toEqual([1, -2]);
    expect(Array.from(file.tensors.c.data)).toEqual([1, 3.140625]);
    expect(file.tensors.b.dtype).toBe('F16');
    expect(file.notes).toEqual(['a: F64 rounded to float32', 'b: F16 widened to float32 (exact)', 'c: BF16 widened to float32 (exact)']);
  });

  it('converts half-precision edge values exactly', () => {
    expect(halfToFloat(0x0001)).toBe(2 ** -24); // smallest subnormal
    expect(halfToFloat(0x7bff)).toBe(65504); // largest finite
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(halfToFloat(0xfc00)).toBe(-Infinity);
    expect(halfToFloat(0x7e00)).toBeNaN();
    expect(Object.is(halfToFloat(0x8000), -0)).toBe(true);
  });

  it('refuses a header length beyond the file, before allocating', () => {
    const good = writeSafetensors({ w: { shape: [2], data: Float32Array.of(1, 2) } });
    const bad = good.slice();
    new DataView(bad.buffer).setBigUint64(0, BigInt(good.length), true);
    const e = errorOf(() => readSafetensors(bad));
    expect(e.problem).toBe('truncated');
    expect(e.message).toMatch(/header length \d+ reaches beyond the end of the file/);
    new DataView(bad.buffer).setBigUint64(0, 2n ** 60n, true);
    expect(errorOf(() => readSafetensors(bad)).problem).toBe('header-too-large');
    expect(errorOf(() => readSafetensors(good.subarray(0, 5))).message).toBe('safetensors: the file has 5 bytes, fewer than the 8-byte header length');
  });

  it('refuses a truncated file, naming the tensor whose data is cut off', () => {
    const good = writeSafetensors({ a: { shape: [2], data: Float32Array.of(1, 2) }, b: { shape: [3], data: Float32Array.of(1, 2, 3) } });
    const e = errorOf(() => readSafetensors(good.subarray(0, good.length - 4)));
    expect(e.tensor).toBe('b');
    expect(e.message).toBe("safetensors: tensor 'b' data_offsets [8, 20] reach beyond the 16 data bytes; the file is truncated or corrupted");
  });

  it('refuses overlapping offsets, holes, trailing bytes and a shape × dtype size mismatch', () => {
    const data = new Uint8Array(16);
    let e = errorOf(() => readSafetensors(rawFile({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 12] }, b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } }, data)));
    expect(e.problem).toBe('invalid-offsets');
    expect(e.tensor).toBe('b');
    expect(e.message).toBe("safetensors: tensor 'b' data_offsets [8, 16] overlap tensor 'a', which ends at 12");
    e = errorOf(() => readSafetensors(rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } }, data)));
    expect(e.message).toBe("safetensors: bytes [4, 8) before tensor 'b' belong to no tensor");
    e = errorOf(() => readSafetensors(rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, data)));
    expect(e.message).toBe('safetensors: the data has 16 bytes but the tensors cover only the first 8; trailing bytes belong to no tensor');
    e = errorOf(() => readSafetensors(rawFile({ 'rnn.weight_hh_l0': { dtype: 'F32', shape: [2, 3], data_offsets: [0, 16] } }, data)));
    expect(e.tensor).toBe('rnn.weight_hh_l0');
    expect(e.message).toBe("safetensors: tensor 'rnn.weight_hh_l0' of shape [2, 3] and dtype F32 needs 6 × 4 = 24 bytes, but data_offsets [0, 16] hold 16");
    e = errorOf(() => readSafetensors(rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, data)));
    expect(e.message).toBe("safetensors: tensor 'a' data_offsets [8, 0] end before they begin");
  });

  it('refuses bad JSON, a bad structure and dtypes it cannot convert, naming the tensor', () => {
    expect(errorOf(() => readSafetensors(rawFile(null, new Uint8Array(0), '{"a": {'))).message).toMatch(/^safetensors: the header is not valid JSON \(/);
    expect(errorOf(() => readSafetensors(rawFile([1, 2], new Uint8Array(0)))).message).toBe('safetensors: the header must be a JSON object of tensors, got an array');
    let e = errorOf(() => readSafetensors(rawFile({ idx: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8))));
    expect(e.problem).toBe('unsupported-dtype');
    expect(e.message).toBe('safetensors: tensor \'idx\' has dtype "I64"; readable dtypes are F32, F64, F16, BF16');
    e = errorOf(() => readSafetensors(rawFile({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4))));
    expect(e.message).toBe("safetensors: tensor 'w' shape must be an array of non-negative integers, got [-1]");
    e = errorOf(() => readSafetensors(rawFile({ w: { dtype: 'F32', shape: [1] } }, new Uint8Array(4))));
    expect(e.message).toBe("safetensors: tensor 'w' data_offsets must be [begin, end] non-negative integers, got undefined");
    e = errorOf(() => readSafetensors(rawFile({ __metadata__: { n: 3 } }, new Uint8Array(0))));
    expect(e.message).toBe('safetensors: __metadata__.n must be a string, got number');
    const invalidUtf8 = rawFile(null, new Uint8Array(0), '{}');
    invalidUtf8[9] = 0xff;
    expect(errorOf(() => readSafetensors(invalidUtf8)).message).toBe('safetensors: the header is not valid UTF-8');
  });

  it('refuses to write a tensor whose data does not fill its shape', () => {
    expect(() => writeSafetensors({ w: { shape: [2, 2], data: new Float32Array(3) } })).toThrow("writeSafetensors: tensor 'w' of shape [2, 2] needs 4 elements, got 3");
  });
});
