// LSTM forward and backpropagation through time. Mirrors lstm_forward / lstm_backward in
// native/kernels/*.cpp function for function; the contract (shapes, argument order, accumulation,
// null = zeros / not wanted) is native/include/seqcast/kernels.h. Pointers are byte addresses in
// this module's memory (0 = null), dims are i32. Gate blocks are PyTorch's i, f, g, o at 0, H, 2H, 3H:
//   i = sigmoid(a_i), f = sigmoid(a_f), g = tanh(a_g), o = sigmoid(a_o),
//   a = x_t·w_ihᵀ + b_ih + h_prev·w_hhᵀ + b_hh,  c = f*c_prev + i*g,  h = o*tanh(c).
import { sigmoid, tanh, f4, zero_f32, copy_f32, add_f32 } from "./simd";
import { ld, st, pack_weights, project_input, is_active, carry_row, dg_store, dg_zero_row, dg_colsum,
         dg_mul, dg_input_backward, dw_hh_backward, backward_chunk_steps } from "./cell";
import { gemm_packed } from "./gemm";

// Four hidden units (or the last n < 4) of one row: activations, then the c/h update.
// pg points at the i block of the row's gates; f, g, o follow at H, 2H, 3H floats.
// @ts-ignore: decorator
@inline function cell_forward_group(pg: usize, ph: usize, pc: usize, pcp: usize, H4: usize, n: i32): void {
  const ig = sigmoid(ld(pg, n)), fg = sigmoid(ld(pg + H4, n));
  const gg = tanh(ld(pg + 2 * H4, n)), og = sigmoid(ld(pg + 3 * H4, n));
  st(pg, ig, n); st(pg + H4, fg, n); st(pg + 2 * H4, gg, n); st(pg + 3 * H4, og, n);
  const cp = pcp != 0 ? ld(pcp, n) : f32x4.splat(0);
  const cv = f32x4.add(f32x4.mul(fg, cp), f32x4.mul(ig, gg));      // c = f*c_prev + i*g
  st(pc, cv, n);
  st(ph, f32x4.mul(og, tanh(cv)), n);                               // h = o*tanh(c)
}

// Post-activation gates and the c/h update for one step, fused in one pass over (B, H), four hidden
// units per v128. gates (B, 4H) holds pre-activations on entry and post-activations on exit.
// Padded rows (t >= lengths[b]) carry h and c and get zero gates.
export function lstm_cell_forward(h: usize, c: usize, gates: usize, h_prev: usize, c_prev: usize,
                           lengths: usize, t: i32, B: i32, H: i32): void {
  const G = 4 * H, H4 = f4(H), tail = H & 3, Hv = H - tail;
  for (let b = 0; b < B; b++) {
    const gb = gates + f4(b * G), hb = h + f4(b * H), cb = c + f4(b * H);
    const pb = c_prev != 0 ? c_prev + f4(b * H) : 0;
    if (!is_active(lengths, t, b)) {
      carry_row(hb, h_prev != 0 ? h_prev + f4(b * H) : 0, H);
      carry_row(cb, pb, H);
      zero_f32(gb, G);
      continue;
    }
    for (let j = 0; j < Hv; j += 4) {
      const o = f4(j);
      cell_forward_group(gb + o, hb + o, cb + o, pb != 0 ? pb + o : 0, H4, 4);
    }
    if (tail != 0) {
      const o = f4(Hv);
      cell_forward_group(gb + o, hb + o, cb + o, pb != 0 ? pb + o : 0, H4, tail);
    }
  }
}

// gates = 0: inference only (kernels.h). Each step's projection then goes to a (B, 4H) buffer at the
// end of w_t instead of gates (T, B, 4H): the same arithmetic per element, nothing saved for backward.
export function lstm_forward(h: usize, c: usize, gates: usize,          // (T,B,H) (T,B,H) (T,B,4H)?
                             x: usize, lengths: usize,                  // (T,B,I) (B)? int32
                             h0: usize, c0: usize,                      // (B,H)? (B,H)?
                             w_ih: usize, w_hh: usize,                  // (4H,I) (4H,H)
                             b_ih: usize, b_hh: usize,                  // (4H) (4H)
                             w_t: usize,                                // scratch 4H*I + 4H*H + 4BH
                             T: i32, B: i32, I: i32, H: i32): void {
  if (T <= 0 || B <= 0 || H <= 0) return;
  const G = 4 * H, BH = B * H, BG = B * G;
  const wt_hh = pack_weights(w_t, w_ih, w_hh, G, I, H);
  const step = gates == 0 ? wt_hh + f4(G * H) : 0;
  // Input projection for all T*B rows at once: gates = b_ih + b_hh + x·w_ihᵀ.
  if (step == 0) project_input(gates, x, b_ih, b_hh, w_t, T * B, G, I);

  for (let t = 0; t < T; t++) {
    const gt = step != 0 ? step : gates + f4(t * BG);
    if (step != 0) project_input(step, x + f4(t * B * I), b_ih, b_hh, w_t, B, G, I);
    const h_prev = t == 0 ? h0 : h + f4((t - 1) * BH);
    const c_prev = t == 0 ? c0 : c + f4((t - 1) * BH);
    if (h_prev != 0) gemm_packed(gt, h_prev, wt_hh, B, G, H, G, H);  // gates_t += h_prev·w_hhᵀ
    lstm_cell_forward(h + f4(t * BH), c + f4(t * BH), gt, h_prev, c_prev, lengths, t, B, H);
  }
}

// Hidden units j .. j+n-1 (n = 4, or the last n < 4) of row b of the cell backward pass. pg points at
// the i block of the row's gates (f, g, o follow at H, 2H, 3H floats); dgt is the step's dgates
// (D4 layout, see cell.ts), the other pointers are at unit j of their (B, H) rows.
// @ts-ignore: decorator
@inline function cell_backward_group(dgt: usize, B: i32, b: i32, j: i32, H: i32, pdc: usize, pdh: usize,
                                     pdht: usize, pg: usize, pc: usize, pcp: usize, n: i32): void {
  const one = f32x4.splat(1), H4 = f4(H), G = 4 * H;
  const ig = ld(pg, n), fg = ld(pg + H4, n), gg = ld(pg + 2 * H4, n), og = ld(pg + 3 * H4, n);
  let dh = ld(pdh, n);
  if (pdht != 0) dh = f32x4.add(dh, ld(pdht, n));                   // dL/dh_t = dh[t] + dh_next
  const tc = tanh(ld(pc, n));                                        // recomputed, as in forward
  const cp = pcp != 0 ? ld(pcp, n) : f32x4.splat(0);
  // forward: h = o*tanh(c)  =>  do = dh*tanh(c),  dc += dh*o*(1 - tanh(c)^2)
  const dc = f32x4.add(ld(pdc, n), f32x4.mul(f32x4.mul(dh, og), f32x4.sub(one, f32x4.mul(tc, tc))));
  const dout = f32x4.mul(dh, tc);
  // forward: c = f*c_prev + i*g  =>  dc_prev = dc*f,  df = dc*c_prev,  di = dc*g,  dg = dc*i
  const di = f32x4.mul(dc, gg), df = f32x4.mul(dc, cp), dg = f32x4.mul(dc, ig);
  // forward: i, f, o = sigmoid(a), g = tanh(a)  =>  da = d*y*(1 - y) (sigmoid),  da = d*(1 - y^2) (tanh)
  dg_store(dgt, B, G, b, j, f32x4.mul(f32x4.mul(di, ig), f32x4.sub(one, ig)), n, true);
  dg_store(dgt, B, G, b, H + j, f32x4.mul(f32x4.mul(df, fg), f32x4.sub(one, fg)), n, true);
  dg_store(dgt, B, G, b, 2 * H + j, f32x4.mul(dg, f32x4.sub(one, f32x4.mul(gg, gg))), n, true);
  dg_store(dgt, B, G, b, 3 * H + j, f32x4.mul(f32x4.mul(dout, og), f32x4.sub(one, og)), n, true);
  st(pdc, f32x4.mul(dc, fg), n);                                     // dc_next <- dc_prev
  // forward: a = ... + h_prev·w_hhᵀ is the only path from h_prev  =>  dh_next <- 0 here, and the
  // step's product adds dgates·w_hh.
  st(pdh, f32x4.splat(0), n);
}

// One step of the cell backward pass over (B, H). Reads dh_next/dc_next (gradients arriving from
// step t+1) plus dh_t, writes the step's dgates (gradients on the pre-activations, D4 layout),
// overwrites dc_next with the gradient on c_prev and sets dh_next to 0 for the product to fill.
// Padded rows undo the carry: forward h_t = h_prev, c_t = c_prev  =>  dgates = 0,
// dh_next += dh[t], dc_next unchanged.
function lstm_cell_backward(dgt: usize, dc_next: usize, dh_next: usize, dh_t: usize,
                            gates: usize, c: usize, c_prev: usize, lengths: usize, t: i32,
                            B: i32, H: i32): void {
  const G = 4 * H, tail = H & 3, Hv = H - tail;
  for (let b = 0; b < B; b++) {
    const gb = gates + f4(b * G), ob = f4(b * H);
    if (!is_active(lengths, t, b)) {
      dg_zero_row(dgt, B, G, b, true);
      if (dh_t != 0) add_f32(dh_next + ob, dh_t + ob, H);
      continue;
    }
    for (let j = 0; j < Hv; j += 4) {
      const o = ob + f4(j);
      cell_backward_group(dgt, B, b, j, H, dc_next + o, dh_next + o, dh_t != 0 ? dh_t + o : 0, gb + f4(j),
                          c + o, c_prev != 0 ? c_prev + o : 0, 4);
    }
    if (tail != 0) {
      const o = ob + f4(Hv);
      cell_backward_group(dgt, B, b, Hv, H, dc_next + o, dh_next + o, dh_t != 0 ? dh_t + o : 0, gb + f4(Hv),
                          c + o, c_prev != 0 ? c_prev + o : 0, tail);
    }
  }
}

export function lstm_backward(dx: usize, dh0: usize, dc0: usize,         // (T,B,I)? (B,H)? (B,H)?
                              dw_ih: usize, dw_hh: usize,               // (4H,I) (4H,H)
                              db_ih: usize, db_hh: usize,               // (4H) (4H)
                              dh: usize, dhT: usize, dcT: usize,        // (T,B,H)? (B,H)? (B,H)?
                              x: usize, lengths: usize,                 // (T,B,I) (B)? int32
                              h0: usize, c0: usize,                     // (B,H)? (B,H)?
                              h: usize, c: usize, gates: usize,         // (T,B,H) (T,B,H) (T,B,4H)
                              w_ih: usize, w_hh: usize,                 // (4H,I) (4H,H)
                              dgates: usize, dh_next: usize, dc_next: usize,  // scratch (Tc,B,4H) (B,H) (B,H)
                              T: i32, B: i32, I: i32, H: i32): void {
  if (T <= 0 || B <= 0 || H <= 0) return;
  const G = 4 * H, BH = B * H, BG = B * G;
  if (dhT != 0) copy_f32(dh_next, dhT, BH); else zero_f32(dh_next, BH);
  if (dcT != 0) copy_f32(dc_next, dcT, BH); else zero_f32(dc_next, BH);

  // dgates is this kernel's scratch, so it is kept in the D4 layout (cell.ts; G = 4H is always a
  // multiple of 4): same size as (Tc, B, 4H), laid out so that every product below reads it
  // contiguously. It holds one chunk of Tc steps (cell.ts backward_chunk_steps).
  const Tc = backward_chunk_steps(T, B);
  for (let t = T - 1; t >= 0; t--) {
    const gt = gates + f4(t * BG), dgt = dgates + f4((t % Tc) * BG);
    const c_prev = t == 0 ? c0 : c + f4((t - 1) * BH);
    const dh_t = dh != 0 ? dh + f4(t * BH) : 0;
    lstm_cell_backward(dgt, dc_next, dh_next, dh_t, gt, c + f4(t * BH), c_prev, lengths, t, B, H);
    dg_colsum(db_ih, db_hh, dgt, B, G, G, true);
    // forward: gates_t += h_prev·w_hhᵀ  =>  dh_prev += dgates_t·w_hh  (w_hh is (4H, H): no transpose)
    if (t > 0 || dh0 != 0) dg_mul(dh_next, dgt, w_hh, B, H, G, G, H, H, true);
    if (t % Tc == 0) {
      // The chunk [t, t + n) is complete: its weight gradients as products over its n*B rows.
      const n = min(Tc, T - t);
      // forward: gates = x·w_ihᵀ  =>  dw_ih += dgatesᵀ·x,  dx += dgates·w_ih
      dg_input_backward(dw_ih, dx, dgates, x, w_ih, t, n, B, G, I, true);
      // forward: gates_t += h_{t-1}·w_hhᵀ  =>  dw_hh += dgates_tᵀ·h_{t-1}
      dw_hh_backward(dw_hh, dgates, h, h0, t, n, B, G, G, H, true);
    }
  }
  // After the loop dh_next / dc_next hold the gradient on h_{-1} = h0 and c_{-1} = c0.
  if (dh0 != 0) add_f32(dh0, dh_next, BH);
  if (dc0 != 0) add_f32(dc0, dc_next, BH);
}
