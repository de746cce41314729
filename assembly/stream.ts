// The streaming step (batch 1, one time step, state carried): mirrors stream_pack / stream_step of
// native/kernels/stream_impl.h (contract in native/include/seqcast/kernels.h). The weights are packed
// once by stream_pack; each stream_step runs every layer and the dense head in one call, with the
// same arithmetic as lstm_forward / gru_forward / rnn_forward at T = B = 1 followed by linear_forward
// (bias rows, products in gemm.ts's order, the cells' own passes), so the results equal theirs bit
// for bit.
import { f4, copy_f32 } from "./simd";
import { pack_weights, bias_rows } from "./cell";
import { gemm_nn } from "./gemm";
import { linear_forward } from "./linear";
import { lstm_cell_forward } from "./lstm";
import { gru_cell_forward } from "./gru";
import { rnn_cell_forward } from "./rnn";

// kernels.h STREAM_*
const STREAM_LSTM = 0, STREAM_GRU = 1, STREAM_RNN_RELU = 3;

const KC: i32 = 256; // gemm.ts's K blocking, so every sum is added in the same order as there

// Four panels (32 columns) of one row: C[0, 32) += a (K) · the panels at p (K x 8 floats each), with
// gemm.ts's nn_1x8 arithmetic per column (per KC block: a sum from 0, k ascending, then added to C).
// Four at once so eight add chains overlap: at batch 1 nn_1x8's two chains wait on each other.
// @ts-ignore: decorator
@inline function row_4x8(c: usize, a: usize, p: usize, K: i32): void {
  const pstride = <usize>K * 32;                                     // one panel: K rows of 8 floats
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
    let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
    let pa = a + f4(k0), pb = p + <usize>k0 * 32;
    for (let k = 0; k < kc; k++) {
      const s = v128.load32_splat(pa);
      c00 = f32x4.add(c00, f32x4.mul(s, v128.load(pb)));
      c01 = f32x4.add(c01, f32x4.mul(s, v128.load(pb, 16)));
      c10 = f32x4.add(c10, f32x4.mul(s, v128.load(pb + pstride)));
      c11 = f32x4.add(c11, f32x4.mul(s, v128.load(pb + pstride, 16)));
      c20 = f32x4.add(c20, f32x4.mul(s, v128.load(pb + 2 * pstride)));
      c21 = f32x4.add(c21, f32x4.mul(s, v128.load(pb + 2 * pstride, 16)));
      c30 = f32x4.add(c30, f32x4.mul(s, v128.load(pb + 3 * pstride)));
      c31 = f32x4.add(c31, f32x4.mul(s, v128.load(pb + 3 * pstride, 16)));
      pa += 4; pb += 32;
    }
    v128.store(c, f32x4.add(v128.load(c), c00)); v128.store(c, f32x4.add(v128.load(c, 16), c01), 16);
    v128.store(c, f32x4.add(v128.load(c, 32), c10), 32); v128.store(c, f32x4.add(v128.load(c, 48), c11), 48);
    v128.store(c, f32x4.add(v128.load(c, 64), c20), 64); v128.store(c, f32x4.add(v128.load(c, 80), c21), 80);
    v128.store(c, f32x4.add(v128.load(c, 96), c30), 96); v128.store(c, f32x4.add(v128.load(c, 112), c31), 112);
  }
}

// C (G) += a (K) · Wᵀ with Wᵀ packed by pack_panels: gemm_packed at M = 1, bit for bit, with four
// full panels at a time and gemm_packed's own per-panel call for the rest.
function gemv_packed(C: usize, a: usize, P: usize, G: i32, K: i32): void {
  let j0 = 0;
  for (; j0 + 32 <= G; j0 += 32) row_4x8(C + f4(j0), a, P + f4(j0 * K), K);
  for (; j0 < G; j0 += 8) {
    const nr = min(8, G - j0);
    gemm_nn(C + f4(j0), a, P + f4(j0 * K), 1, nr, K, G, K, nr);
  }
}

// @ts-ignore: decorator
@inline function gate_blocks(cell: i32): i32 {
  return cell == STREAM_LSTM ? 4 : cell == STREAM_GRU ? 3 : 1;
}

// w_p (G*(I+H) floats) = [packed w_ihᵀ | packed w_hhᵀ], as the forward kernels pack w_t.
export function stream_pack(w_p: usize, w_ih: usize, w_hh: usize, cell: i32, I: i32, H: i32): void {
  pack_weights(w_p, w_ih, w_hh, gate_blocks(cell) * H, I, H);
}

// layers: L records of six 32-bit words: w_p, b_ih, b_hh, h, c (0 unless LSTM), I. Every layer's h
// (and c) advances one step on x (layer 0) or the layer below's new h; then y (O) = head(h of the top
// layer). scratch: 2*G*H + 2*H floats.
export function stream_step(y: usize, x: usize, layers: usize, head_w: usize, head_b: usize, scratch: usize,
                            cell: i32, L: i32, H: i32, O: i32): void {
  const G = gate_blocks(cell) * H;
  const gates = scratch, gh = scratch + f4(G), hnew = scratch + f4(2 * G), hn = hnew + f4(H);
  let v = x;
  for (let l = 0; l < L; l++) {
    const rec = layers + <usize>l * 24;
    const w_p = <usize>load<u32>(rec), b_ih = <usize>load<u32>(rec, 4), b_hh = <usize>load<u32>(rec, 8);
    const h = <usize>load<u32>(rec, 12), c = <usize>load<u32>(rec, 16), I = load<i32>(rec, 20);
    const wt_hh = w_p + f4(G * I);
    if (cell == STREAM_LSTM) {
      bias_rows(gates, b_ih, b_hh, 1, G);                           // gates = b_ih + b_hh + x·w_ihᵀ
      gemv_packed(gates, v, w_p, G, I);
      gemv_packed(gates, h, wt_hh, G, H);                           //       + h_prev·w_hhᵀ
      lstm_cell_forward(hnew, c, gates, h, c, 0, 0, 1, H);          // c in place: read, then written
    } else if (cell == STREAM_GRU) {
      bias_rows(gates, b_ih, 0, 1, G);                              // gi = b_ih + x·w_ihᵀ
      gemv_packed(gates, v, w_p, G, I);
      bias_rows(gh, b_hh, 0, 1, G);                                 // gh = b_hh + h_prev·w_hhᵀ
      gemv_packed(gh, h, wt_hh, G, H);
      gru_cell_forward(hnew, gates, hn, gh, h, 0, 0, 1, H);
    } else {
      bias_rows(hnew, b_ih, b_hh, 1, H);                            // a = b_ih + b_hh + x·w_ihᵀ
      gemv_packed(hnew, v, w_p, H, I);
      gemv_packed(hnew, h, wt_hh, H, H);
      rnn_cell_forward(hnew, h, 0, 0, 1, H, cell == STREAM_RNN_RELU);
    }
    copy_f32(h, hnew, H);
    v = h;
  }
  linear_forward(y, v, head_w, head_b, 1, H, O);
}
