// The safetensors dtypes this package reads, and their conversion to float32 (the only precision the
// kernels run in). F64 is rounded to the nearest float32; F16 and BF16 widen exactly.

export type SafetensorsDtype = 'F32' | 'F64' | 'F16' | 'BF16';

/** Bytes per element of each readable dtype. */
export const DTYPE_BYTES: Record<SafetensorsDtype, number> = { F32: 4, F64: 8, F16: 2, BF16: 2 };

export function isReadableDtype(d: unknown): d is SafetensorsDtype {
  return typeof d === 'string' && Object.hasOwn(DTYPE_BYTES, d);
}

/** IEEE 754 binary16 bits to a number (exact: every half is a float32). */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** bfloat16 bits are the upper half of a float32's bits. */
export function bfloat16ToFloat(bits: number, scratch: DataView): number {
  scratch.setUint32(0, (bits & 0xffff) << 16, true);
  return scratch.getFloat32(0, true);
}

/** `count` little-endian elements of `dtype` starting at `byteOffset` of `view`, as float32. */
export function decodeToFloat32(view: DataView, byteOffset: number, count: number, dtype: SafetensorsDtype): Float32Array {
  const out = new Float32Array(count);
  const scratch = new DataView(new ArrayBuffer(4));
  const step = DTYPE_BYTES[dtype];
  for (let i = 0, p = byteOffset; i < count; i++, p += step) {
    switch (dtype) {
      case 'F32':
        out[i] = view.getFloat32(p, true);
        break;
      case 'F64':
        out[i] = view.getFloat64(p, true);
        break;
      case 'F16':
        out[i] = halfToFloat(view.getUint16(p, true));
        break;
      case 'BF16':
        out[i] = bfloat16ToFloat(view.getUint16(p, true), scratch);
        break;
    }
  }
  return out;
}
