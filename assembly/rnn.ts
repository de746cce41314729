// Plain (Elman) RNN forward and backpropagation through time. Mirrors rnn_forward / rnn_backward in
// native/kernels/*.cpp function for function; the contract (shapes, argument order, accumulation,
// null = zeros / not wanted, variable lengths) is native/include/seqcast/kernels.h. Pointers are byte
// addresses in this module's memory (0 = null), dims are i32.
//   h = act(x_t·w_ihᵀ + b_ih + h_prev·w_hhᵀ + b_hh),  act = tanh (relu = 0) or relu (relu = 1).
import { tanh, f4, zero_f32, copy_f32, add_f32 } from "./simd";
import { ld, st, pack_weights, project_input, is_active, carry_row, dg_store, dg_zero_row, dg_colsum,
         dg_mul, dg_input_backward, dw_hh_backward, backward_chunk_steps } from "./cell";
import { gemm_packed } from "./gemm";

// act(a) on four lanes. relu is max(a, 0) written as pmax(a, 0) = (a < 0 ? 0 : a), so NaN propagates.
// @ts-ignore: decorator
@inline function act(a: v128, relu: bool): v128 {
  return relu ? f32x4.pmax(a, f32x4.splat(0)) : tanh(a);
}

// One step over (B, H), in place: h_t (B, H) holds the pre-activation a on entry and act(a) on exit.
// Padded rows (t >= lengths[b]) carry h_prev instead.
export function rnn_cell_forward(ht: usize, h_prev: usize, lengths: usize, t: i32, B: i32, H: i32, relu: bool): void {
  const tail = H & 3, Hv = H - tail;
  for (let b = 0; b < B; b++) {
    const hb = ht + f4(b * H);
    if (!is_active(lengths, t, b)) {
      carry_row(hb, h_prev != 0 ? h_prev + f4(b * H) : 0, H);
      continue;
    }
    for (let j = 0; j < Hv; j += 4) v128.store(hb + f4(j), act(v128.load(hb + f4(j)), relu));
    if (tail != 0) st(hb + f4(Hv), act(ld(hb + f4(Hv), tail), relu), tail);
  }
}

export function rnn_forward(h: usize,                                   // (T,B,H)
                            x: usize, lengths: usize, h0: usize,        // (T,B,I) (B)? int32 (B,H)?
                            w_ih: usize, w_hh: usize,                   // (H,I) (H,H)
                            b_ih: usize, b_hh: usize,                   // (H) (H)
                            w_t: usize,                                 // scratch H*I + H*H
                            T: i32, B: i32, I: i32, H: i32, relu: i32): void {
  if (T <= 0 || B <= 0 || H <= 0) return;
  const BH = B * H;
  const wt_hh = pack_weights(w_t, w_ih, w_hh, H, I, H);
  // Input projection for all T*B rows at once, straight into h: h = b_ih + b_hh + x·w_ihᵀ.
  project_input(h, x, b_ih, b_hh, w_t, T * B, H, I);

  for (let t = 0; t < T; t++) {
    const ht = h + f4(t * BH);
    const h_prev = t == 0 ? h0 : h + f4((t - 1) * BH);
    if (h_prev != 0) gemm_packed(ht, h_prev, wt_hh, B, H, H, H, H);  // a_t += h_prev·w_hhᵀ
    rnn_cell_forward(ht, h_prev, lengths, t, B, H, relu != 0);
  }
}

// dpre for four lanes: dh * act'(a), with the derivative taken from the output y = h_t.
// forward: y = tanh(a)  =>  da = dh*(1 - y^2);  y = relu(a)  =>  da = y > 0 ? dh : 0 (relu'(0) = 0)
// @ts-ignore: decorator
@inline function act_backward(dh: v128, y: v128, relu: bool): v128 {
  return relu ? v128.and(dh, f32x4.gt(y, f32x4.splat(0)))
              : f32x4.mul(dh, f32x4.sub(f32x4.splat(1), f32x4.mul(y, y)));
}

// Hidden units j .. j+n-1 (n = 4, or the last n < 4) of row b: pdh, pdht, ph at unit j of their
// (B, H) rows; dgt the step's dgates (B, H) in the layout chosen by d4 (cell.ts).
// @ts-ignore: decorator
@inline function cell_backward_group(dgt: usize, B: i32, b: i32, j: i32, H: i32, pdh: usize, pdht: usize,
                                     ph: usize, n: i32, relu: bool, d4: bool): void {
  let dh = ld(pdh, n);
  if (pdht != 0) dh = f32x4.add(dh, ld(pdht, n));                   // dL/dh_t = dh[t] + dh_next
  dg_store(dgt, B, H, b, j, act_backward(dh, ld(ph, n), relu), n, d4);
  // forward: a = ... + h_prev·w_hhᵀ is the only path from h_prev  =>  dh_next <- 0 here, and the
  // step's product adds dgates·w_hh.
  st(pdh, f32x4.splat(0), n);
}

// One step of the backward pass over (B, H): writes the step's dgates and sets dh_next to 0 for the
// product to fill. Padded rows undo the carry: forward h_t = h_prev  =>  dgates = 0, dh_next += dh[t].
function rnn_cell_backward(dgt: usize, dh_next: usize, dh_t: usize, ht: usize, lengths: usize, t: i32,
                           B: i32, H: i32, relu: bool, d4: bool): void {
  const tail = H & 3, Hv = H - tail;
  for (let b = 0; b < B; b++) {
    const ob = f4(b * H);
    if (!is_active(lengths, t, b)) {
      dg_zero_row(dgt, B, H, b, d4);
      if (dh_t != 0) add_f32(dh_next + ob, dh_t + ob, H);
      continue;
    }
    for (let j = 0; j < Hv; j += 4) {
      const o = ob + f4(j);
      cell_backward_group(dgt, B, b, j, H, dh_next + o, dh_t != 0 ? dh_t + o : 0, ht + o, 4, relu, d4);
    }
    if (tail != 0) {
      const o = ob + f4(Hv);
      cell_backward_group(dgt, B, b, Hv, H, dh_next + o, dh_t != 0 ? dh_t + o : 0, ht + o, tail, relu, d4);
    }
  }
}

export function rnn_backward(dx: usize, dh0: usize,                     // (T,B,I)? (B,H)?
                             dw_ih: usize, dw_hh: usize,                // (H,I) (H,H)
                             db_ih: usize, db_hh: usize,                // (H) (H)
                             dh: usize, dhT: usize,                     // (T,B,H)? (B,H)?
                             x: usize, lengths: usize, h0: usize,       // (T,B,I) (B)? int32 (B,H)?
                             h: usize,                                  // (T,B,H)
                             w_ih: usize, w_hh: usize,                  // (H,I) (H,H)
                             dgates: usize, dh_next: usize,             // scratch (Tc,B,H) (B,H)
                             T: i32, B: i32, I: i32, H: i32, relu: i32): void {
  if (T <= 0 || B <= 0 || H <= 0) return;
  const BH = B * H;
  const d4 = (H & 3) == 0;                                           // dgates layout (cell.ts)
  if (dhT != 0) copy_f32(dh_next, dhT, BH); else zero_f32(dh_next, BH);

  // dgates holds one chunk of Tc steps (cell.ts backward_chunk_steps).
  const Tc = backward_chunk_steps(T, B);
  for (let t = T - 1; t >= 0; t--) {
    const dgt = dgates + f4((t % Tc) * BH);
    const dh_t = dh != 0 ? dh + f4(t * BH) : 0;
    rnn_cell_backward(dgt, dh_next, dh_t, h + f4(t * BH), lengths, t, B, H, relu != 0, d4);
    // forward: a = ... + b_ih + b_hh  =>  db_ih += colsum(da), db_hh += colsum(da)
    dg_colsum(db_ih, db_hh, dgt, B, H, H, d4);
    // forward: a_t += h_prev·w_hhᵀ  =>  dh_prev += dgates_t·w_hh  (w_hh is (H, H): no transpose)
    if (t > 0 || dh0 != 0) dg_mul(dh_next, dgt, w_hh, B, H, H, H, H, H, d4);
    if (t % Tc == 0) {
      // The chunk [t, t + n) is complete: its weight gradients as products over its n*B rows.
      const n = min(Tc, T - t);
      // forward: a = x·w_ihᵀ  =>  dw_ih += dgatesᵀ·x,  dx += dgates·w_ih
      dg_input_backward(dw_ih, dx, dgates, x, w_ih, t, n, B, H, I, d4);
      // forward: a_t += h_{t-1}·w_hhᵀ  =>  dw_hh += dgates_tᵀ·h_{t-1}
      dw_hh_backward(dw_hh, dgates, h, h0, t, n, B, H, H, H, d4);
    }
  }
  // After the loop dh_next holds the gradient on h_{-1} = h0.
  if (dh0 != 0) add_f32(dh0, dh_next, BH);
}
