// Moving rows between the layouts the facade uses: batch-first (B, T, W) at the API, time-major
// (T, B, W) in the kernels, and the reverse direction's own step order. O(T*B*W) copies, once per
// call and never per step.

/**
 * Where the reverse direction reads real time t of row b: each row is reversed within its own
 * length (PyTorch's packed semantics), and padding steps stay in place. The map sends a time-major
 * row index (t*B + b) to its partner and is its own inverse.
 */
export function reverseRowMap(T: number, B: number, lengths: Int32Array | null): Int32Array {
  const map = new Int32Array(T * B);
  for (let b = 0; b < B; b++) {
    const len = lengths ? lengths[b] : T;
    for (let t = 0; t < T; t++) map[t * B + b] = (t < len ? len - 1 - t : t) * B + b;
  }
  return map;
}

/**
 * Batch-first bf (B, T, W) to time-major tm (T, B, W) (toBatch false) or back (toBatch true).
 * With lengths, steps t >= lengths[b] are written as zeros in the destination: padded outputs are
 * zero as in PyTorch's pad_packed_sequence, and padded upstream gradients do not flow.
 */
export function convertLayout(
  tm: Float32Array,
  bf: Float32Array,
  B: number,
  T: number,
  W: number,
  toBatch: boolean,
  lengths: Int32Array | null = null,
): void {
  for (let b = 0; b < B; b++) {
    const len = lengths ? lengths[b] : T;
    for (let t = 0; t < T; t++) {
      const ti = (t * B + b) * W;
      const bi = (b * T + t) * W;
      if (t >= len) (toBatch ? bf : tm).fill(0, toBatch ? bi : ti, (toBatch ? bi : ti) + W);
      else if (toBatch) bf.set(tm.subarray(ti, ti + W), bi);
      else tm.set(bf.subarray(bi, bi + W), ti);
    }
  }
}

/** dst row r = src row map[r], rows of W floats (dst and src time-major). */
export function gatherRows(dst: Float32Array, src: Float32Array, map: Int32Array, W: number): void {
  for (let r = 0; r < map.length; r++) dst.set(src.subarray(map[r] * W, map[r] * W + W), r * W);
}

/** dst row map[r] += src row r. */
export function scatterAddRows(dst: Float32Array, src: Float32Array, map: Int32Array, W: number): void {
  for (let r = 0; r < map.length; r++) {
    const d = map[r] * W;
    const s = r * W;
    for (let k = 0; k < W; k++) dst[d + k] += src[s + k];
  }
}

/**
 * Direction d's h (T, B, H), in its own step order `map` (null: identity), into columns
 * [d*H, (d+1)*H) of the layer output (T, B, 2H).
 */
export function interleaveDirection(out: Float32Array, h: Float32Array, map: Int32Array | null, H: number, d: number): void {
  const rows = h.length / H;
  for (let r = 0; r < rows; r++) {
    const t = map ? map[r] : r;
    out.set(h.subarray(r * H, r * H + H), t * 2 * H + d * H);
  }
}

/** The inverse of interleaveDirection, for gradients: dh (T, B, H) from columns of dout (T, B, 2H). */
export function deinterleaveDirection(dh: Float32Array, dout: Float32Array, map: Int32Array | null, H: number, d: number): void {
  const rows = dh.length / H;
  for (let r = 0; r < rows; r++) {
    const s = (map ? map[r] : r) * 2 * H + d * H;
    dh.set(dout.subarray(s, s + H), r * H);
  }
}

/** Row b of dst (B, W) = time-major src (T, B, W) at row b's last valid step. */
export function gatherLastSteps(dst: Float32Array, src: Float32Array, B: number, T: number, W: number, lengths: Int32Array | null): void {
  for (let b = 0; b < B; b++) {
    const s = (((lengths ? lengths[b] : T) - 1) * B + b) * W;
    dst.set(src.subarray(s, s + W), b * W);
  }
}

/** The inverse of gatherLastSteps for gradients: time-major dst at row b's last valid step = src row b. */
export function scatterLastSteps(dst: Float32Array, src: Float32Array, B: number, T: number, W: number, lengths: Int32Array | null): void {
  for (let b = 0; b < B; b++) dst.set(src.subarray(b * W, b * W + W), (((lengths ? lengths[b] : T) - 1) * B + b) * W);
}
