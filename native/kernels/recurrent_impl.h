// The shared skeleton of every recurrent kernel (LSTM, GRU, plain RNN), forward and backward (BPTT)
// over a whole sequence. lstm_impl.h, gru_impl.h and rnn_impl.h supply only the fused per-step
// cell passes; scalar.cpp, avx2.cpp and avx512.cpp instantiate everything with their own vector
// ops, compiled with that file's flags. assembly/lstm.ts, gru.ts and rnn.ts mirror the same phases
// single-threaded.
//
// Forward, for a cell with NG gate blocks of H columns (LSTM 4, GRU 3, RNN 1); GH = NG*H:
//   1. pack W_ih^T (I, GH) and W_hh^T (H, GH) into w_t, in column panels of Gemm::NR restarting
//      at every gate block (Gemm::pack_panels: the microkernel's B operand then streams
//      contiguously, and a thread owning units [u0, u1) of every block reads whole panels);
//   2. the input projection of all T*B rows as ONE product: proj = x W_ih^T + b_ih (+ b_hh when
//      the cell adds both biases outside any gate product: LSTM, RNN), the biases seeding the
//      accumulators. proj is `gates` (LSTM, GRU) or `h` itself (RNN: pre-activations in place);
//      Inference (LSTM/GRU with gates == null, nothing saved for backward): no all-rows projection;
//      each step projects its own x_t into a (B, GH) step buffer that stays in cache, for own
//      units, with the same per-element FMA sequence (so the results are bit-identical), sparing
//      the write and re-read of T*B*GH floats (8 MiB at W2) and the saved post-activations;
//   3. per step, one recurrent product for own units, then the fused cell pass:
//        LSTM, RNN: proj_t += h_{t-1} W_hh^T;
//        GRU:       gh = h_{t-1} W_hh^T + b_hh into the B*3H tail of w_t (r multiplies gh_n,
//                   so the hidden side stays separate).
// Backward:
//   per step (t descending): dh_next[:, own] += dgates_{t+1}^hid W_hh[:, own], then the fused cell
//   pass, which computes dgates_t (and the cell's hidden-side variant, GRU's dgates_hn), adds this
//   step's bias gradients, and leaves in dh_next the part of dL/dh_{t-1} that does not go through
//   W_hh (GRU: dh*z; padding rows: all of dL/dh_t; else 0, or nothing to keep when the product
//   overwrites: see hid_product). dgates^hid is dgates except where the cell's hidden side differs
//   (GRU's n block: dgates_hn). dgates holds one chunk of Tc steps (kernels.h
//   backward_chunk_steps): when t reaches a chunk's first step t0, the weight gradients of the chunk
//   are products over its rows: dW_ih += dgates^T x, dW_hh += dgates^hid^T h_prev, dx += dgates W_ih,
//   and the buffer then takes the chunk before.
//
// Variable lengths (kernels.h): the fused passes test `t >= lengths[b]` once per row, and only in
// their LEN = true instantiation, chosen once per step; with lengths == null the passes are the
// unconditional ones. Padding rows still go through the products (their results are overwritten
// or multiplied by zero dgates), which keeps the products dense.
//
// Threads: each thread owns a range of hidden units (whole panels forward, multiples of W
// backward) across all gate blocks, so the recurrent product for its columns and the fused pass
// are thread-local and one barrier per step suffices (the next step reads all of h_t, or all of
// dgates_t). Weight gradients are split over output rows, dx and the projection over rows (backward:
// a chunk's rows, between two barriers, so the next chunk overwrites dgates only once all have
// read it). No reduction is ever split, so results are bit-identical for any thread count.
#pragma once
#include <cstddef>
#include <cstdint>

#include "gemm_impl.h"
#include "threads.h"

namespace seqcast {
namespace impl {

// Arguments of one forward run: the union over cells (a cell ignores what it does not have).
struct FwdArgs {
  float* h;                          // (T,B,H)
  float* c;                          // (T,B,H)  LSTM
  float* gates;                      // (T,B,GH) LSTM, GRU; null: inference (nothing saved)
  float* hn;                         // (T,B,H)  GRU: W_hn h_prev + b_hn; null with gates
  const float* x;                    // (T,B,I)
  const int32_t* lengths;            // (B)?
  const float *h0, *c0;              // (B,H)?
  const float *w_ih, *w_hh;          // (GH,I) (GH,H)
  const float *b_ih, *b_hh;          // (GH) (GH)
  float* w_t;                        // scratch
  int T, B, I, H;
  // set by Recurrent::forward from w_t
  float* wih_p;                      // W_ih^T (I, GH), panel-packed
  float* whh_p;                      // W_hh^T (H, GH), panel-packed
  float* gh;                         // (B,GH) GRU: h_prev W_hh^T + b_hh of the current step
  float* step;                       // (B,GH) inference: this step's projection (gates is null)
  bool by_rows;                      // threads split the batch rows, not the hidden units
};

// Arguments of one backward run.
struct BwdArgs {
  float *dx, *dh0, *dc0;             // (T,B,I)? (B,H)? (B,H)?
  float *dw_ih, *dw_hh;              // (GH,I) (GH,H)
  float *db_ih, *db_hh;              // (GH) (GH)
  const float *dh, *dhT, *dcT;       // (T,B,H)? (B,H)? (B,H)?
  const float* x;                    // (T,B,I)
  const int32_t* lengths;            // (B)?
  const float *h0, *c0;              // (B,H)? (B,H)?
  const float *h, *c, *gates, *hn;   // saved by forward
  const float *w_ih, *w_hh;          // (GH,I) (GH,H)
  float* dgates;                     // (Tc,B,GH) input side, one chunk of steps
  float* dgates_hn;                  // (Tc,B,H)  GRU: hidden side of the n block
  float *dh_next, *dc_next;          // (B,H) (B,H)
  int T, B, I, H;
  int Tc;                            // backward_chunk_steps(T, B), set by Recurrent::backward
  // Offset in steps of step t's dgates within the chunk buffer (chunks start at multiples of Tc).
  idx slot(int t) const { return idx(t % Tc); }
};

// Vector helpers the cells share: masked tails, and the padding-row operations.
template <class V>
struct CellOps {
  using reg = typename V::reg;
  using mask = typename V::mask;
  static constexpr int W = V::W;

  static inline reg ld(const float* p, bool full, mask m) { return full ? V::load(p) : V::loadm(p, m); }
  static inline void st(float* p, reg v, bool full, mask m) {
    if (full) V::store(p, v);
    else V::storem(p, v, m);
  }
  // dst[u0, u1) = src[u0, u1), or 0 when src is null (h_{-1} = 0): a carried state.
  static inline void copy_units(float* dst, const float* src, int u0, int u1) {
    for (int j = u0; j < u1; j += W) {
      const int n = imin(W, u1 - j);
      const mask m = V::mask_n(n);
      st(dst + j, src ? ld(src + j, n == W, m) : V::zero(), n == W, m);
    }
  }
  // Units [u0, u1) of each of nb gate blocks of a row: a padding row's gates or dgates.
  static inline void zero_units(float* row, int nb, int H, int u0, int u1) {
    for (int gb = 0; gb < nb; ++gb)
      for (int j = u0; j < u1; j += W) {
        const int n = imin(W, u1 - j);
        st(row + gb * H + j, V::zero(), n == W, V::mask_n(n));
      }
  }
  // Padding row in backward: forward carried h_t = h_{t-1}  =>  dh_prev = dh_next + dh[t]
  // (dh_t may be null), left in dh_next for the next (earlier) step.
  static inline void carry_grad(float* dh_next, const float* dh_t, int u0, int u1) {
    if (!dh_t) return;
    for (int j = u0; j < u1; j += W) {
      const int n = imin(W, u1 - j);
      const mask m = V::mask_n(n);
      st(dh_next + j, V::add(ld(dh_next + j, n == W, m), ld(dh_t + j, n == W, m)), n == W, m);
    }
  }
};

// The hidden-side dgates of gate rows [row0, row0 + rows) of W_hh: element (t*B + b, k) at
// a[(t*B + b)*lda + k]. LSTM and RNN have one segment (the input-side dgates); GRU has two.
struct HidSeg {
  const float* a;
  idx lda;
  int row0, rows;
};

// Cell supplies:
//   NG; kProjBothBiases (b_hh joins b_ih in the projection); kSeparateHidden (GRU's gh);
//   kCellState (LSTM's c: dc_next/dcT/dc0); kDirectPath (h_{t-1} reaches h_t other than through
//   W_hh: GRU's z*h_{t-1}); kHidSegs and hid_seg(a, s);
//   proj(a) (where the projection goes); fwd_cell<LEN>(a, t, b0, b1, u0, u1); bwd_cell<LEN>(a, t, u0, u1).
template <class V, class Cell>
struct Recurrent {
  using G = Gemm<V>;
  using Ops = CellOps<V>;
  static constexpr int W = V::W;
  static constexpr int NG = Cell::NG;

  // Threads for a run whose per-step recurrent product has B*H*GH multiply-adds. Two costs per
  // step: the barrier (~1 us), so small layers (W1 LSTM: 131k MACs/step) stay on the calling
  // thread; and the exchange: every thread reads all of h_{t-1} (or dgates_{t+1}), half of it
  // written by another core, which grows with B*H while the work saved grows with B*H*GH. So the
  // product must also be large per row: GH*H >= min_parallel_work / row_div. Measured on a 2-vCPU
  // EPYC VM, T=64 B=64, 64-byte aligned buffers, 2-thread speedup fwd/bwd (ranges over repeats):
  //   RNN  H=128 (GH*H 16k) 0.63-0.81 / 1.02-1.21     H=192 (37k) 0.91-1.06 / 1.27-1.35
  //   GRU  H=96  (28k)      0.74-0.96 / 0.98-1.27     H=128 (49k) 0.82-1.12 / 1.07-1.44
  //   LSTM H=64  (16k)      0.47-0.88 / 0.89-0.96     H=128 (65k) 1.04-1.46 / 1.31-1.70
  // Waking the pool costs a few tens of us more when the call before ran single-threaded (RNN
  // H=128: 2 threads lose ~8% on forward + backward). So forward uses threads from GH*H = 64k
  // (row_div 4); backward, which also splits its large weight-gradient products, from 32k
  // (row_div 8). _set_parallel_threshold(0) lifts both.
  static int pick_threads(int B, int H, int row_div) {
    const int64_t row = int64_t(NG) * H * H;
    if (row * B < pool::min_parallel_work() || row < pool::min_parallel_work() / row_div) return 1;
    const int panels = (H + G::NR - 1) / G::NR;  // forward splits units by panel
    return imin(get_threads(), panels);
  }

  // ---------------------------------------------------------------- forward
  static void fwd_task(void* p, pool::Team* team, int tid, int nth) {
    const FwdArgs& a = *static_cast<const FwdArgs*>(p);
    const int T = a.T, B = a.B, I = a.I, H = a.H, GH = NG * H;
    const idx rows = idx(T) * B;
    {
      const Range r = split_range(G::panel_count(GH, H), nth, tid, 1);
      G::pack_panels(a.wih_p, a.w_ih, GH, I, H, r.begin, r.end);
      G::pack_panels(a.whh_p, a.w_hh, GH, H, H, r.begin, r.end);
    }
    pool::barrier(team);

    // forward: proj = x W_ih^T + b_ih (+ b_hh) for all T*B rows (split over rows: a column split
    // would have both threads writing the cache lines at their column boundary in every row)
    const bool per_step = inference(a);
    float* proj = Cell::proj(a);
    if (!per_step) {
      const Range r = split_range(int(rows), nth, tid, G::MR);
      for (int gb = 0; gb < NG; ++gb)
        G::template block<false>(proj + idx(r.begin) * GH + gb * H, a.x + idx(r.begin) * I,
                                 a.wih_p + idx(gb) * H * I, r.end - r.begin, H, I, GH, I, 0, false,
                                 true, a.b_ih + gb * H,
                                 Cell::kProjBothBiases ? a.b_hh + gb * H : nullptr);
      pool::barrier(team);
    }

    // This thread's tile of every step: its rows (a.by_rows: each row's recurrence is its own, so no
    // step needs a barrier) or its units of every row (one barrier per step: the next step reads all
    // of h_t).
    const Range rr = a.by_rows ? split_range(B, nth, tid, 1) : Range{0, B};
    const Range u = a.by_rows ? Range{0, H} : split_range(H, nth, tid, G::NR);  // panel-aligned
    const int nb = rr.end - rr.begin, nu = u.end - u.begin;
    const idx b0 = rr.begin;
    for (int t = 0; t < T; ++t) {
      if (nu > 0 && nb > 0) {
        const float* h_prev = t > 0 ? a.h + idx(t - 1) * B * H : a.h0;
        const float* hp = h_prev ? h_prev + b0 * H : nullptr;
        for (int gb = 0; gb < NG; ++gb) {
          const int j0 = gb * H + u.begin;
          const float* whh = a.whh_p + idx(j0) * H;
          float* proj_t = (per_step ? a.step : proj + idx(t) * B * GH) + b0 * GH;
          if (per_step)  // forward: proj_t = x_t W_ih^T + b_ih (+ b_hh), own tile only
            G::template block<false>(proj_t + j0, a.x + (idx(t) * B + b0) * I, a.wih_p + idx(j0) * I, nb,
                                     nu, I, GH, I, 0, false, true, a.b_ih + j0,
                                     Cell::kProjBothBiases ? a.b_hh + j0 : nullptr);
          if (Cell::kSeparateHidden) {
            // forward: gh = h_{t-1} W_hh^T + b_hh (just b_hh when h_{-1} = 0: K = 0)
            G::template block<false>(a.gh + b0 * GH + j0, hp, whh, nb, nu, hp ? H : 0, GH, H, 0, false,
                                     true, a.b_hh + j0, nullptr);
          } else if (hp) {
            // forward: proj_t += h_{t-1} W_hh^T
            G::template block<false>(proj_t + j0, hp, whh, nb, nu, H, GH, H, 0, true, true);
          }
        }
        if (a.lengths) Cell::template fwd_cell<true>(a, t, rr.begin, rr.end, u.begin, u.end);
        else Cell::template fwd_cell<false>(a, t, rr.begin, rr.end, u.begin, u.end);
      }
      if (!a.by_rows && t + 1 < T) pool::barrier(team);
    }
  }

  // LSTM and GRU save their gates for backward; a null gates asks for inference only. (RNN saves
  // nothing besides h, which is also where its projection goes: one path serves both.)
  static bool inference(const FwdArgs& a) { return Cell::kSavesGates && a.gates == nullptr; }

  static void forward(FwdArgs a) noexcept {
    if (a.T <= 0 || a.B <= 0 || a.I <= 0 || a.H <= 0) return;
    const idx GH = idx(NG) * a.H;
    a.wih_p = a.w_t;
    a.whh_p = a.w_t + GH * a.I;
    a.gh = Cell::kSeparateHidden ? a.whh_p + GH * a.H : nullptr;
    a.step = inference(a) ? a.whh_p + GH * a.H + (Cell::kSeparateHidden ? idx(a.B) * GH : 0) : nullptr;
    const int by_rows = pick_row_threads(a);
    a.by_rows = by_rows > 1;
    pool::run_team(a.by_rows ? by_rows : pick_threads(a.B, a.H, 4), &fwd_task, &a);
  }

  // Threads for the forward split over batch rows (1: do not split that way). Rows need no
  // barrier per step and exchange nothing, but every thread streams all of W_hh^T each step, so the
  // split pays only while W_hh^T stays in one core's L2 (<= 512 KiB: LSTM H <= 181, GRU 209, RNN
  // 362), with enough rows per thread for the microkernel's tiles and enough work per call to
  // amortize waking the pool.
  static int pick_row_threads(const FwdArgs& a) {
    const int nth = get_threads();
    const int64_t whh_bytes = int64_t(NG) * a.H * a.H * 4;
    const int64_t work = int64_t(a.T) * a.B * NG * a.H * (a.I + a.H);
    if (nth < 2 || whh_bytes > (int64_t(512) << 10) || a.B < 8 * nth || work < pool::min_parallel_work() * 16) return 1;
    return nth;
  }

  // ---------------------------------------------------------------- backward
  // dh_next[:, u0:u1] (+)= sum over segments of dgates^hid_t W_hh[seg rows, u0:u1]
  // forward: a_t += h_{t-1} W_hh^T  =>  dh_{t-1} += dgates_t W_hh
  // Accumulates onto what the cell pass left in dh_next when there can be anything (a direct path,
  // or padding rows); otherwise (LSTM, RNN without lengths) overwrites, so the pass need not
  // store zeros. Both give bit-identical sums (the accumulators start from an exact 0 either way).
  static bool hid_accumulates(const BwdArgs& a) { return Cell::kDirectPath || a.lengths != nullptr; }
  static void hid_product(const BwdArgs& a, int t, int u0, int u1) {
    const int B = a.B, H = a.H;
    for (int s = 0; s < Cell::kHidSegs; ++s) {
      const HidSeg g = Cell::hid_seg(a, s);
      G::template block<false>(a.dh_next + u0, g.a + a.slot(t) * B * g.lda, a.w_hh + idx(g.row0) * H + u0,
                               B, u1 - u0, g.rows, H, g.lda, H, s > 0 || hid_accumulates(a));
    }
  }

  static void bwd_task(void* p, pool::Team* team, int tid, int nth) {
    const BwdArgs& a = *static_cast<const BwdArgs*>(p);
    const int T = a.T, B = a.B, H = a.H;
    const Range u = split_range(H, nth, tid, W);
    const int nu = u.end - u.begin;

    if (nu > 0) {
      for (int b = 0; b < B; ++b) {
        const idx o = idx(b) * H;
        Ops::copy_units(a.dh_next + o, a.dhT ? a.dhT + o : nullptr, u.begin, u.end);
        if (Cell::kCellState) Ops::copy_units(a.dc_next + o, a.dcT ? a.dcT + o : nullptr, u.begin, u.end);
      }
    }
    for (int t = T - 1; t >= 0; --t) {
      if (nu > 0) {
        if (t < T - 1) hid_product(a, t + 1, u.begin, u.end);
        if (a.lengths) Cell::template bwd_cell<true>(a, t, u.begin, u.end);
        else Cell::template bwd_cell<false>(a, t, u.begin, u.end);
      }
      pool::barrier(team);  // dgates_t complete before anyone reads it
      if (a.slot(t) == 0) {
        chunk_products(a, t, imin(t + a.Tc, T), tid, nth);
        if (t > 0) pool::barrier(team);  // every thread done reading the chunk before it is reused
      }
    }

    if (nu > 0) {
      // forward: a_0 += h0 W_hh^T (+ the direct paths left in dh_next)  =>  dh0 += dh_{-1}
      if (a.dh0) {
        hid_product(a, 0, u.begin, u.end);
        for (int b = 0; b < B; ++b)
          for (int j = u.begin; j < u.end; ++j) a.dh0[idx(b) * H + j] += a.dh_next[idx(b) * H + j];
      }
      // forward: c_0 = f_0*c0 + ...  =>  dc0 += dc_0*f_0 (left in dc_next by the t = 0 pass)
      if (Cell::kCellState && a.dc0)
        for (int b = 0; b < B; ++b)
          for (int j = u.begin; j < u.end; ++j) a.dc0[idx(b) * H + j] += a.dc_next[idx(b) * H + j];
    }
  }

  // The weight gradients and dx of the steps [t0, t1), whose dgates fill the chunk buffer from its
  // start (t0 is a multiple of Tc). Weight gradients are split over the GH output rows, dx over the
  // chunk's rows.
  static void chunk_products(const BwdArgs& a, int t0, int t1, int tid, int nth) {
    const int B = a.B, I = a.I, H = a.H, GH = NG * H;
    const idx rows = idx(t1 - t0) * B;
    const Range r = split_range(GH, nth, tid, G::MR);
    if (r.end > r.begin) {
      // forward: proj = x W_ih^T + ...  =>  dW_ih += dgates^T x   (K = the chunk's rows)
      G::template block<true>(a.dw_ih + idx(r.begin) * I, a.dgates + r.begin, a.x + idx(t0) * B * I,
                              r.end - r.begin, I, int(rows), I, GH, I, true);
      // forward: a_0 += h0 W_hh^T, a_t += h_{t-1} W_hh^T  =>  dW_hh += dgates^hid_0^T h0 + ...
      for (int s = 0; s < Cell::kHidSegs; ++s) {
        const HidSeg g = Cell::hid_seg(a, s);
        const int lo = imax(r.begin, g.row0), hi = imin(r.end, g.row0 + g.rows);
        if (lo >= hi) continue;
        const float* A = g.a + (lo - g.row0);
        if (t0 > 0) {
          G::template block<true>(a.dw_hh + idx(lo) * H, A, a.h + idx(t0 - 1) * B * H, hi - lo, H,
                                  int(rows), H, g.lda, H, true);
          continue;
        }
        if (a.h0)
          G::template block<true>(a.dw_hh + idx(lo) * H, A, a.h0, hi - lo, H, B, H, g.lda, H, true);
        if (rows > B)
          G::template block<true>(a.dw_hh + idx(lo) * H, A + idx(B) * g.lda, a.h, hi - lo, H,
                                  int(rows - B), H, g.lda, H, true);
      }
    }
    // forward: proj = x W_ih^T + ...  =>  dx += dgates W_ih   (split over the chunk's rows)
    if (a.dx) {
      const Range q = split_range(int(rows), nth, tid, G::MR);
      G::template block<false>(a.dx + (idx(t0) * B + q.begin) * I, a.dgates + idx(q.begin) * GH, a.w_ih,
                               q.end - q.begin, I, GH, I, GH, I, true);
    }
  }

  static void backward(BwdArgs a) noexcept {
    if (a.T <= 0 || a.B <= 0 || a.I <= 0 || a.H <= 0) return;
    a.Tc = backward_chunk_steps(a.T, a.B);
    pool::run_team(pick_threads(a.B, a.H, 8), &bwd_task, &a);
  }
};

}  // namespace impl
}  // namespace seqcast
