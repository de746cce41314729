// GRU forward and backpropagation through time. Mirrors gru_forward / gru_backward in
// native/kernels/*.cpp function for function; the contract (shapes, argument order, accumulation,
// null = zeros / not wanted, variable lengths) is native/include/seqcast/kernels.h. Pointers are byte
// addresses in this module's memory (0 = null), dims are i32. Gate blocks are PyTorch's r, z, n at
// 0, H, 2H, and r multiplies the whole hidden-side candidate, bias included:
//   gi = x_t·w_ihᵀ + b_ih,  gh = h_prev·w_hhᵀ + b_hh,  hn = gh_n,
//   r = sigmoid(gi_r + gh_r),  z = sigmoid(gi_z + gh_z),  n = tanh(gi_n + r*hn),
//   h = (1 - z)*n + z*h_prev.
import { sigmoid, tanh, f4, zero_f32, copy_f32, add_f32 } from "./simd";
import { ld, st, pack_weights, project_input, bias_rows, is_active, carry_row, dg_store, dg_zero_row,
         dg_colsum, dg_mul, dg_input_backward, dw_hh_backward, backward_chunk_steps } from "./cell";
import { gemm_packed } from "./gemm";

// Hidden units j .. j+n-1 (n = 4, or the last n < 4) of one row. pg: the row's gates at unit j
// (gi on entry, post-activation r, z, n on exit; blocks H floats apart), pgh: the row's gh at unit j
// (same block layout), phn / ph / php: unit j of the row's hn, h and h_prev (php = 0: zeros).
// @ts-ignore: decorator
@inline function cell_forward_group(pg: usize, pgh: usize, phn: usize, ph: usize, php: usize,
                                    H4: usize, n: i32): void {
  const one = f32x4.splat(1);
  const r = sigmoid(f32x4.add(ld(pg, n), ld(pgh, n)));              // r = sigmoid(gi_r + gh_r)
  const z = sigmoid(f32x4.add(ld(pg + H4, n), ld(pgh + H4, n)));    // z = sigmoid(gi_z + gh_z)
  const hn = ld(pgh + 2 * H4, n);                                    // hn = gh_n
  const nv = tanh(f32x4.add(ld(pg + 2 * H4, n), f32x4.mul(r, hn)));  // n = tanh(gi_n + r*hn)
  const hp = php != 0 ? ld(php, n) : f32x4.splat(0);
  st(pg, r, n); st(pg + H4, z, n); st(pg + 2 * H4, nv, n);
  if (phn != 0) st(phn, hn, n);                                      // 0: inference, not saved
  st(ph, f32x4.add(f32x4.mul(f32x4.sub(one, z), nv), f32x4.mul(z, hp)), n);   // h = (1-z)*n + z*h_prev
}

// One step over (B, H), four hidden units per v128. gates (B, 3H) holds gi on entry and r, z, n on
// exit; gh (B, 3H) is h_prev·w_hhᵀ + b_hh. Padded rows (t >= lengths[b]) carry h and get zero gates
// and hn. hn = 0: inference, hn not saved.
export function gru_cell_forward(h: usize, gates: usize, hn: usize, gh: usize, h_prev: usize,
                          lengths: usize, t: i32, B: i32, H: i32): void {
  const G = 3 * H, H4 = f4(H), tail = H & 3, Hv = H - tail;
  for (let b = 0; b < B; b++) {
    const gb = gates + f4(b * G), ghb = gh + f4(b * G), ob = f4(b * H);
    const pb = h_prev != 0 ? h_prev + ob : 0;
    if (!is_active(lengths, t, b)) {
      carry_row(h + ob, pb, H);
      zero_f32(gb, G);
      if (hn != 0) zero_f32(hn + ob, H);
      continue;
    }
    const hnb = hn != 0 ? hn + ob : 0;
    for (let j = 0; j < Hv; j += 4) {
      const o = f4(j);
      cell_forward_group(gb + o, ghb + o, hnb != 0 ? hnb + o : 0, h + ob + o, pb != 0 ? pb + o : 0, H4, 4);
    }
    if (tail != 0) {
      const o = f4(Hv);
      cell_forward_group(gb + o, ghb + o, hnb != 0 ? hnb + o : 0, h + ob + o, pb != 0 ? pb + o : 0, H4, tail);
    }
  }
}

// gates = hn = 0: inference only (kernels.h), each step's gi in a (B, 3H) buffer after gh, as LSTM.
export function gru_forward(h: usize, gates: usize, hn: usize,           // (T,B,H) (T,B,3H)? (T,B,H)?
                            x: usize, lengths: usize, h0: usize,        // (T,B,I) (B)? int32 (B,H)?
                            w_ih: usize, w_hh: usize,                   // (3H,I) (3H,H)
                            b_ih: usize, b_hh: usize,                   // (3H) (3H)
                            w_t: usize,                                 // scratch 3H*I + 3H*H + 6BH
                            T: i32, B: i32, I: i32, H: i32): void {
  if (T <= 0 || B <= 0 || H <= 0) return;
  const G = 3 * H, BH = B * H, BG = B * G;
  // w_t = [packed w_ihᵀ | packed w_hhᵀ | gh (B, 3H) | step (B, 3H)]: gh stays apart from gates because
  // r multiplies only its n block.
  const wt_hh = pack_weights(w_t, w_ih, w_hh, G, I, H);
  const gh = wt_hh + f4(G * H);
  const step = gates == 0 ? gh + f4(BG) : 0;
  // Input projection for all T*B rows at once: gates = gi = b_ih + x·w_ihᵀ.
  if (step == 0) project_input(gates, x, b_ih, 0, w_t, T * B, G, I);

  for (let t = 0; t < T; t++) {
    const h_prev = t == 0 ? h0 : h + f4((t - 1) * BH);
    if (step != 0) project_input(step, x + f4(t * B * I), b_ih, 0, w_t, B, G, I);
    bias_rows(gh, b_hh, 0, B, G);                                    // gh = b_hh + h_prev·w_hhᵀ
    if (h_prev != 0) gemm_packed(gh, h_prev, wt_hh, B, G, H, G, H);
    gru_cell_forward(h + f4(t * BH), step != 0 ? step : gates + f4(t * BG), hn != 0 ? hn + f4(t * BH) : 0,
                     gh, h_prev, lengths, t, B, H);
  }
}

// Hidden units j .. j+n-1 (n = 4, or the last n < 4) of row b of the cell backward pass. pg: the
// row's gates at unit j (r, z, n blocks H floats apart); dgt / dghn: the step's dgates (B, 3H) and
// dgates_hn (B, H) in the layout chosen by d4 (cell.ts); the other pointers are at unit j of their
// (B, H) rows.
// @ts-ignore: decorator
@inline function cell_backward_group(dgt: usize, dghn: usize, B: i32, b: i32, j: i32, H: i32, pdh: usize,
                                     pdht: usize, pg: usize, phn: usize, php: usize, n: i32, d4: bool): void {
  const one = f32x4.splat(1), H4 = f4(H), G = 3 * H;
  const r = ld(pg, n), z = ld(pg + H4, n), nv = ld(pg + 2 * H4, n), hn = ld(phn, n);
  const hp = php != 0 ? ld(php, n) : f32x4.splat(0);
  let dh = ld(pdh, n);
  if (pdht != 0) dh = f32x4.add(dh, ld(pdht, n));                   // dL/dh_t = dh[t] + dh_next
  // forward: h = (1-z)*n + z*h_prev  =>  dn = dh*(1-z),  dz = dh*(h_prev - n),  dh_prev = dh*z
  const dn = f32x4.mul(dh, f32x4.sub(one, z));
  const dz = f32x4.mul(dh, f32x4.sub(hp, nv));
  // forward: n = tanh(a_n), a_n = gi_n + r*hn  =>  da_n = dn*(1 - n^2),  dr = da_n*hn,  dhn = da_n*r
  const dan = f32x4.mul(dn, f32x4.sub(one, f32x4.mul(nv, nv)));
  const dr = f32x4.mul(dan, hn);
  // forward: r, z = sigmoid(a)  =>  da = d*y*(1 - y)
  dg_store(dgt, B, G, b, j, f32x4.mul(f32x4.mul(dr, r), f32x4.sub(one, r)), n, d4);
  dg_store(dgt, B, G, b, H + j, f32x4.mul(f32x4.mul(dz, z), f32x4.sub(one, z)), n, d4);
  dg_store(dgt, B, G, b, 2 * H + j, dan, n, d4);
  // forward: hn = h_prev·w_hnᵀ + b_hn  =>  its gradient dgates_hn = da_n*r (the hidden-side n block)
  dg_store(dghn, B, H, b, j, f32x4.mul(dan, r), n, d4);
  // dh_next <- the direct path dh*z; the step's product adds [da_r, da_z, dgates_hn]·w_hh.
  st(pdh, f32x4.mul(dh, z), n);
}

// One step of the cell backward pass over (B, H). Reads dh_next (from step t+1) plus dh_t, writes the
// step's dgates and dgates_hn, and overwrites dh_next with the direct part of the gradient on h_prev.
// Padded rows undo the carry: forward h_t = h_prev  =>  dgates = dgates_hn = 0, dh_next += dh[t].
function gru_cell_backward(dgt: usize, dghn: usize, dh_next: usize, dh_t: usize, gates: usize,
                           hn: usize, h_prev: usize, lengths: usize, t: i32, B: i32, H: i32, d4: bool): void {
  const G = 3 * H, tail = H & 3, Hv = H - tail;
  for (let b = 0; b < B; b++) {
    const gb = gates + f4(b * G), ob = f4(b * H);
    if (!is_active(lengths, t, b)) {
      dg_zero_row(dgt, B, G, b, d4);
      dg_zero_row(dghn, B, H, b, d4);
      if (dh_t != 0) add_f32(dh_next + ob, dh_t + ob, H);
      continue;
    }
    for (let j = 0; j < Hv; j += 4) {
      const o = ob + f4(j);
      cell_backward_group(dgt, dghn, B, b, j, H, dh_next + o, dh_t != 0 ? dh_t + o : 0, gb + f4(j),
                          hn + o, h_prev != 0 ? h_prev + o : 0, 4, d4);
    }
    if (tail != 0) {
      const o = ob + f4(Hv);
      cell_backward_group(dgt, dghn, B, b, Hv, H, dh_next + o, dh_t != 0 ? dh_t + o : 0, gb + f4(Hv),
                          hn + o, h_prev != 0 ? h_prev + o : 0, tail, d4);
    }
  }
}

export function gru_backward(dx: usize, dh0: usize,                     // (T,B,I)? (B,H)?
                             dw_ih: usize, dw_hh: usize,                // (3H,I) (3H,H)
                             db_ih: usize, db_hh: usize,                // (3H) (3H)
                             dh: usize, dhT: usize,                     // (T,B,H)? (B,H)?
                             x: usize, lengths: usize, h0: usize,       // (T,B,I) (B)? int32 (B,H)?
                             h: usize, gates: usize, hn: usize,         // (T,B,H) (T,B,3H) (T,B,H)
                             w_ih: usize, w_hh: usize,                  // (3H,I) (3H,H)
                             dgates: usize, dgates_hn: usize, dh_next: usize,  // scratch (Tc,B,3H) (Tc,B,H) (B,H)
                             T: i32, B: i32, I: i32, H: i32): void {
  if (T <= 0 || B <= 0 || H <= 0) return;
  const G = 3 * H, H2 = 2 * H, BH = B * H, BG = B * G;
  // D4 when the r|z and n blocks start on multiples of 4 (cell.ts), row-major otherwise.
  const d4 = (H & 3) == 0;
  const w_hn = w_hh + f4(H2 * H);                                    // rows 2H .. 3H (the n block)
  if (dhT != 0) copy_f32(dh_next, dhT, BH); else zero_f32(dh_next, BH);

  // dgates and dgates_hn hold one chunk of Tc steps (cell.ts backward_chunk_steps).
  const Tc = backward_chunk_steps(T, B);
  for (let t = T - 1; t >= 0; t--) {
    const dgt = dgates + f4((t % Tc) * BG), dghn = dgates_hn + f4((t % Tc) * BH);
    const h_prev = t == 0 ? h0 : h + f4((t - 1) * BH);
    const dh_t = dh != 0 ? dh + f4(t * BH) : 0;
    gru_cell_backward(dgt, dghn, dh_next, dh_t, gates + f4(t * BG), hn + f4(t * BH), h_prev,
                      lengths, t, B, H, d4);
    // forward: gi = ... + b_ih, gh = ... + b_hh  =>  db_ih += colsum [da_r, da_z, da_n],
    // db_hh += colsum [da_r, da_z, dgates_hn]
    dg_colsum(db_ih, db_hh, dgt, B, G, H2, d4);
    dg_colsum(db_hh + f4(H2), 0, dghn, B, H, 0, d4);
    // forward: gh = h_prev·w_hhᵀ  =>  dh_prev += [da_r, da_z]·w_hh[0:2H] + dgates_hn·w_hh[2H:3H]
    if (t > 0 || dh0 != 0) {
      dg_mul(dh_next, dgt, w_hh, B, H, H2, G, H, H, d4);
      dg_mul(dh_next, dghn, w_hn, B, H, H, H, H, H, d4);
    }
    if (t % Tc == 0) {
      // The chunk [t, t + n) is complete: its weight gradients as products over its n*B rows.
      const n = min(Tc, T - t);
      // forward: gi = x·w_ihᵀ  =>  dw_ih += dgatesᵀ·x,  dx += dgates·w_ih
      dg_input_backward(dw_ih, dx, dgates, x, w_ih, t, n, B, G, I, d4);
      // forward: gh_t = h_{t-1}·w_hhᵀ  =>  dw_hh[0:2H] += [da_r, da_z]ᵀ·h_{t-1},
      // dw_hh[2H:3H] += dgates_hnᵀ·h_{t-1}
      dw_hh_backward(dw_hh, dgates, h, h0, t, n, B, G, H2, H, d4);
      dw_hh_backward(dw_hh + f4(H2 * H), dgates_hn, h, h0, t, n, B, H, H, H, d4);
    }
  }
  // After the loop dh_next holds the gradient on h_{-1} = h0.
  if (dh0 != 0) add_f32(dh0, dh_next, BH);
}

