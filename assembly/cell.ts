// Pieces shared by the LSTM, GRU and RNN kernels (lstm.ts, gru.ts, rnn.ts): partial-row loads,
// weight packing and the input projection, variable-length rows, and the layout of the backward
// dgates scratch with the products and bias sums that read it. Each cell file keeps only its own
// gate arithmetic. Nothing here allocates; every buffer comes from the caller's plan.
import { f4, load_partial, store_partial, zero_f32, copy_f32 } from "./simd";
import { gemm_nn, gemm_tn, gemm_packed, pack_panels, gemm_nn_d4, gemm_tn_d4, d4_at } from "./gemm";

// n = 4: full v128 loads/stores; n in 1..3: the tail of a row, lanes [0, n) only. Inlined with a
// constant 4 in the main loops, so the branches fold away there.
// @ts-ignore: decorator
@inline export function ld(p: usize, n: i32): v128 { return n == 4 ? v128.load(p) : load_partial(p, n); }
// @ts-ignore: decorator
@inline export function st(p: usize, v: v128, n: i32): void { if (n == 4) v128.store(p, v); else store_partial(p, v, n); }

// ---------------------------------------------------------------------------------------------
// Forward

// w_t = [w_ihᵀ (I, G) | w_hhᵀ (H, G)], each packed in contiguous panels of 8 gate columns
// (gemm.ts pack_panels): a register tile of gates is then a row of v128 loads of the weights against
// one broadcast input value, streamed from one contiguous block. Returns the address of the w_hh part.
export function pack_weights(w_t: usize, w_ih: usize, w_hh: usize, G: i32, I: i32, H: i32): usize {
  pack_panels(w_t, w_ih, G, I);
  pack_panels(w_t + f4(G * I), w_hh, G, H);
  return w_t + f4(G * I);
}

// Every row of dst (R, G) = b1 + b2 (b2 = 0: b1 alone). Any G: v128 columns, then a scalar tail.
export function bias_rows(dst: usize, b1: usize, b2: usize, R: i32, G: i32): void {
  const Gv = G & ~3;
  for (let r = 0; r < R; r++) {
    const d = dst + f4(r * G);
    for (let j = 0; j < Gv; j += 4) {
      const o = f4(j);
      const v = v128.load(b1 + o);
      v128.store(d + o, b2 != 0 ? f32x4.add(v, v128.load(b2 + o)) : v);
    }
    for (let j = Gv; j < G; j++) {                                    // tail
      const o = f4(j);
      store<f32>(d + o, b2 != 0 ? load<f32>(b1 + o) + load<f32>(b2 + o) : load<f32>(b1 + o));
    }
  }
}

// Input projection for all rows at once: dst (rows, G) = b1 + b2 + x·w_ihᵀ, w_ihᵀ packed (wt_ih).
export function project_input(dst: usize, x: usize, b1: usize, b2: usize, wt_ih: usize,
                              rows: i32, G: i32, I: i32): void {
  bias_rows(dst, b1, b2, rows, G);
  gemm_packed(dst, x, wt_ih, rows, G, I, G, I);
}

// Variable lengths (kernels.h): row b takes part in step t iff t < lengths[b]; lengths = 0 means
// every row has length T.
// @ts-ignore: decorator
@inline export function is_active(lengths: usize, t: i32, b: i32): bool {
  return lengths == 0 || t < load<i32>(lengths + f4(b));
}

// A padded step carries the state: dst (n floats) = prev, or zeros when prev is the null h0/c0.
// @ts-ignore: decorator
@inline export function carry_row(dst: usize, prev: usize, n: i32): void {
  if (prev != 0) copy_f32(dst, prev, n); else zero_f32(dst, n);
}

// ---------------------------------------------------------------------------------------------
// Backward: the dgates scratch of one step is an (R, G) matrix (R = B rows, G gate columns) kept in
// one of two private layouts, chosen per call by the flag d4:
// - d4 = true: the D4 layout of gemm.ts (G/4 column blocks of R x 4 contiguous floats), which both
//   the per-step dgates·w_hh and the weight gradients dgatesᵀ·[x | h] read contiguously. Needs every
//   gate block that a product splits off to start on a multiple of 4: always true for the LSTM
//   (G = 4H), and for GRU / RNN when H % 4 == 0.
// - d4 = false: plain row-major (R, G), read by gemm_nn / gemm_tn with lda = G (GRU / RNN with
//   H % 4 != 0, where the gate blocks straddle D4 blocks).
// Both hold exactly R*G floats per step, the size kernels.h plans (for a chunk of steps: below).

// Stores lanes [0, n) of v as columns col .. col+n-1 of row r. In D4 with col % 4 == 0 a full group
// is one aligned v128 store; otherwise lanes may straddle D4 blocks and go one at a time.
// @ts-ignore: decorator
@inline export function dg_store(base: usize, R: i32, G: i32, r: i32, col: i32, v: v128, n: i32, d4: bool): void {
  if (!d4) {
    st(base + f4(r * G + col), v, n);
  } else if (n == 4 && (col & 3) == 0) {
    v128.store(d4_at(base, R, r, col), v);
  } else {
    store<f32>(d4_at(base, R, r, col), f32x4.extract_lane(v, 0));
    if (n > 1) store<f32>(d4_at(base, R, r, col + 1), f32x4.extract_lane(v, 1));
    if (n > 2) store<f32>(d4_at(base, R, r, col + 2), f32x4.extract_lane(v, 2));
    if (n > 3) store<f32>(d4_at(base, R, r, col + 3), f32x4.extract_lane(v, 3));
  }
}

// Row r of a step's dgates = 0 (a padded step: no gradient reaches the gates or the weights).
export function dg_zero_row(base: usize, R: i32, G: i32, r: i32, d4: bool): void {
  if (!d4) { zero_f32(base + f4(r * G), G); return; }
  const z = f32x4.splat(0);
  for (let j = 0; j < G; j += 4) v128.store(d4_at(base, R, r, j), z);   // G % 4 == 0 in D4
}

// forward: a = ... + b_ih + b_hh (broadcast over rows)  =>  db = column sums of da
// db1[0, G) += column sums of one step's dgates (R, G); db2[0, M2) += the same sums of its first M2
// columns (db2 = 0: none). One pass, so the LSTM adds the same sums to db_ih and db_hh.
export function dg_colsum(db1: usize, db2: usize, A: usize, R: i32, G: i32, M2: i32, d4: bool): void {
  const Gv = d4 ? G : G & ~3;
  for (let j = 0; j < Gv; j += 4) {
    let acc = f32x4.splat(0);
    if (d4) {
      let p = A + f4(j * R);                                          // block j/4: R consecutive v128
      for (let r = 0; r < R; r++) { acc = f32x4.add(acc, v128.load(p)); p += 16; }
    } else {
      let p = A + f4(j);
      for (let r = 0; r < R; r++) { acc = f32x4.add(acc, v128.load(p)); p += f4(G); }
    }
    const o = f4(j);
    v128.store(db1 + o, f32x4.add(v128.load(db1 + o), acc));
    if (j + 4 <= M2) {
      v128.store(db2 + o, f32x4.add(v128.load(db2 + o), acc));
    } else if (j < M2) {                                              // row-major only: M2 inside this group
      st(db2 + o, f32x4.add(ld(db2 + o, M2 - j), acc), M2 - j);
    }
  }
  for (let j = Gv; j < G; j++) {                                      // row-major scalar tail
    let s: f32 = 0;
    for (let r = 0; r < R; r++) s += load<f32>(A + f4(r * G + j));
    const o = f4(j);
    store<f32>(db1 + o, load<f32>(db1 + o) + s);
    if (j < M2) store<f32>(db2 + o, load<f32>(db2 + o) + s);
  }
}

// C (R, N) += A[:, :K] · W (K, N): one step of dgates (R, G) times the first K rows of a row-major
// W (ldw). The per-step dh_prev = dgates_t · w_hh (w_hh is (G, H): no transpose).
export function dg_mul(C: usize, A: usize, W: usize, R: i32, N: i32, K: i32, G: i32,
                       ldc: i32, ldw: i32, d4: bool): void {
  if (d4) gemm_nn_d4(C, A, W, R, N, K, ldc, ldw);
  else gemm_nn(C, A, W, R, N, K, ldc, G, ldw);
}

// C (T*R, N) += dgates · W (G, N) over all T steps (dx += dgates·w_ih). Row-major dgates is one
// (T*R, G) matrix; D4 is one matrix per step.
export function dg_mul_steps(C: usize, A: usize, W: usize, T: i32, R: i32, N: i32, G: i32,
                             ldc: i32, ldw: i32, d4: bool): void {
  if (!d4) { gemm_nn(C, A, W, T * R, N, G, ldc, G, ldw); return; }
  for (let t = 0; t < T; t++) gemm_nn_d4(C + f4(t * R * ldc), A + f4(t * R * G), W, R, N, G, ldc, ldw);
}

// C (M, N) += sum over t in [0, T) of A_t[:, :M]ᵀ · Bm_t: the weight gradients dgatesᵀ·x over all
// steps, Bm_t the rows t*R .. t*R+R-1 of a row-major Bm (ldb).
export function dg_tmul(C: usize, A: usize, Bm: usize, T: i32, R: i32, G: i32, M: i32, N: i32,
                        ldc: i32, ldb: i32, d4: bool): void {
  if (d4) gemm_tn_d4(C, A, Bm, T, R, G, M, N, ldc, ldb);
  else gemm_tn(C, A, Bm, M, N, T * R, ldc, G, ldb);
}

// ---------------------------------------------------------------------------------------------
// Backward in chunks (native/include/seqcast/kernels.h backward_chunk_steps): dgates holds the
// steps of one chunk [t0, t0 + n), t0 a multiple of Tc, step t at offset t % Tc. When t reaches t0
// the chunk's weight gradients and dx are products over its n*R rows, and the buffer then takes
// the steps before. Tc steps of about 256 rows, at least 2, at most T (the same formula as
// kernels.h and src/layout/cells.ts, which plans the scratch).
export function backward_chunk_steps(T: i32, B: i32): i32 {
  if (T <= 2 || B <= 0) return T;
  const steps = B >= 256 ? 1 : (256 + B - 1) / B;                    // no i32 overflow at huge B
  return steps < 2 ? 2 : steps < T ? steps : T;
}

// forward: a = x·w_ihᵀ  =>  dw_ih (G, I) += dgatesᵀ·x,  dx += dgates·w_ih  (dx = 0: not wanted),
// over the chunk's steps t0 .. t0+n-1, whose dgates (R rows each) fill A from its start.
export function dg_input_backward(dw_ih: usize, dx: usize, A: usize, x: usize, w_ih: usize,
                                  t0: i32, n: i32, R: i32, G: i32, I: i32, d4: bool): void {
  const xc = f4(t0 * R * I);
  dg_tmul(dw_ih, A, x + xc, n, R, G, G, I, I, I, d4);
  if (dx != 0) dg_mul_steps(dx + xc, A, w_ih, n, R, I, G, I, I, d4);
}

// forward: a_t += h_{t-1}·w_hhᵀ  =>  dw_hh (M, H) += sum_t dgates_t[:, :M]ᵀ·h_{t-1} over the
// chunk's steps t0 .. t0+n-1 (A as above): h_{t-1} is step t-1 of h (T, R, H), and step 0 reads
// h0 (nothing when h0 is null = zeros).
export function dw_hh_backward(dw_hh: usize, A: usize, h: usize, h0: usize, t0: i32, n: i32, R: i32,
                               G: i32, M: i32, H: i32, d4: bool): void {
  if (t0 > 0) {
    dg_tmul(dw_hh, A, h + f4((t0 - 1) * R * H), n, R, G, M, H, H, H, d4);
    return;
  }
  dg_tmul(dw_hh, A + f4(R * G), h, n - 1, R, G, M, H, H, H, d4);
  if (h0 != 0) dg_tmul(dw_hh, A, h0, 1, R, G, M, H, H, H, d4);
}
