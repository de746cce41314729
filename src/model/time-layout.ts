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
  const dst = toBatch ? bf : tm;
  const src = toBatch ? tm : bf;
  const rows = rowViews(src, W);
  for (let b = 0; b < B; b++) {
    const len = lengths ? lengths[b] : T;
    for (let t = 0; t < T; t++) {
      const ti = t * B + b;
      const bi = b * T + t;
      const d = (toBatch ? bi : ti) * W;
      if (t >= len) dst.fill(0, d, d + W);
      else copyRow(dst, d, src, rows, toBatch ? ti : bi, W);
    }
  }
}

/**
 * Rows shorter than this are copied float by float; longer ones with set() (a memcpy) from a view
 * of the row. A W=1 input row is a single float, where a set() call alone costs more than the copy.
 */
const SHORT_ROW = 16;

/**
 * One subarray view per row of an array, kept while the array lives. Creating a view is the
 * dearest part of copying a row (about two thirds of a 32-float row's set(src.subarray(...))), and
 * the arrays copied every training step are the same ones each call (the workspace, the model's
 * reused output and gradient arrays), so their views are made once.
 */
const viewCache = new WeakMap<Float32Array, { W: number; rows: Float32Array[] }>();

function rowViews(a: Float32Array, W: number): Float32Array[] | null {
  if (W < SHORT_ROW) return null;
  const cached = viewCache.get(a);
  if (cached && cached.W === W) return cached.rows;
  const rows: Float32Array[] = [];
  for (let r = 0; r + W <= a.length; r += W) rows.push(a.subarray(r, r + W));
  viewCache.set(a, { W, rows });
  return rows;
}

/** dst[d, d+W) = row r of src, from its view when it has one (rowViews). */
function copyRow(dst: Float32Array, d: number, src: Float32Array, rows: Float32Array[] | null, r: number, W: number): void {
  if (rows) dst.set(rows[r], d);
  else for (let k = 0, s = r * W; k < W; k++) dst[d + k] = src[s + k];
}

/** dst row r = src row map[r], rows of W floats (dst and src time-major). */
export function gatherRows(dst: Float32Array, src: Float32Array, map: Int32Array, W: number): void {
  const rows = rowViews(src, W);
  for (let r = 0; r < map.length; r++) copyRow(dst, r * W, src, rows, map[r], W);
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
  const rows = rowViews(h, H);
  const n = h.length / H;
  for (let r = 0; r < n; r++) {
    const t = map ? map[r] : r;
    copyRow(out, t * 2 * H + d * H, h, rows, r, H);
  }
}

/** The inverse of interleaveDirection, for gradients: dh (T, B, H) from columns of dout (T, B, 2H). */
export function deinterleaveDirection(dh: Float32Array, dout: Float32Array, map: Int32Array | null, H: number, d: number): void {
  // Row r of dh is H-row 2*map[r] + d of dout: one of the two halves of a (2H) row.
  const rows = rowViews(dout, H);
  const n = dh.length / H;
  for (let r = 0; r < n; r++) copyRow(dh, r * H, dout, rows, 2 * (map ? map[r] : r) + d, H);
}

/** Row b of dst (B, W) = time-major src (T, B, W) at row b's last valid step. */
export function gatherLastSteps(dst: Float32Array, src: Float32Array, B: number, T: number, W: number, lengths: Int32Array | null): void {
  const rows = rowViews(src, W);
  for (let b = 0; b < B; b++) copyRow(dst, b * W, src, rows, ((lengths ? lengths[b] : T) - 1) * B + b, W);
}

/** The inverse of gatherLastSteps for gradients: time-major dst at row b's last valid step = src row b. */
export function scatterLastSteps(dst: Float32Array, src: Float32Array, B: number, T: number, W: number, lengths: Int32Array | null): void {
  const rows = rowViews(src, W);
  for (let b = 0; b < B; b++) copyRow(dst, (((lengths ? lengths[b] : T) - 1) * B + b) * W, src, rows, b, W);
}
