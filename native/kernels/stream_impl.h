// The streaming step: one time step of batch 1 through a stack of unidirectional layers and the
// first dense head (src/model/stream.ts), with the weights packed ONCE by stream_pack. Shared by
// every variant (table_impl.h instantiates Stream<V>); single-threaded, because at batch 1 a
// barrier (~1 us) costs more than a whole step. assembly/stream.ts mirrors it.
//
// Bit-identical to lstm_forward / gru_forward / rnn_forward followed by linear_forward on the same
// variant: the packed panels are Gemm::pack_panels', every output element gets the same sequence of
// operations as in Gemm::block (bias row(s) or the stored projection, then FMAs with k ascending),
// and the cell passes and the head are the very same functions (the cells' fwd_cell with T = B = 1,
// Train::linear_rows). Only the loop order differs: gemv() runs up to four panels at once, so the
// FMA chains of a batch-1 product (one row of C) overlap instead of waiting on each other.
#pragma once
#include <cstdint>
#include <cstring>

#include <seqcast/kernels.h>

#include "gemm_impl.h"
#include "gru_impl.h"
#include "lstm_impl.h"
#include "rnn_impl.h"
#include "train_impl.h"

namespace seqcast {
namespace impl {

template <class V>
struct Stream {
  using G = Gemm<V>;
  using reg = typename V::reg;
  using mask = typename V::mask;
  static constexpr int W = V::W;
  static constexpr int NR = G::NR;

  // y (GH) (+)= v (K) . W^T over the packed panels of W^T (K, GH) in gate blocks of H columns.
  // Without `accumulate`, the accumulators start from b1 (+ b2), as Gemm::block's bias init.
  template <int P>
  static inline void full_panels(float* y, const float* v, const float* wp, int K, const float* b1,
                                 const float* b2, bool accumulate) {
    reg acc[P][2];
#pragma GCC unroll 8
    for (int p = 0; p < P; ++p) {
      if (accumulate) {
        acc[p][0] = V::load(y + p * NR);
        acc[p][1] = V::load(y + p * NR + W);
      } else {
        acc[p][0] = V::load(b1 + p * NR);
        acc[p][1] = V::load(b1 + p * NR + W);
        if (b2) {
          acc[p][0] = V::add(acc[p][0], V::load(b2 + p * NR));
          acc[p][1] = V::add(acc[p][1], V::load(b2 + p * NR + W));
        }
      }
    }
    const idx stride = idx(NR) * K;  // one panel: K rows of NR floats
    for (int k = 0; k < K; ++k) {
      const reg a = V::bcast(v + k);
      const float* b = wp + idx(k) * NR;
#pragma GCC unroll 8
      for (int p = 0; p < P; ++p) {
        acc[p][0] = V::fmadd(a, V::load(b + p * stride), acc[p][0]);
        acc[p][1] = V::fmadd(a, V::load(b + p * stride + W), acc[p][1]);
      }
    }
#pragma GCC unroll 8
    for (int p = 0; p < P; ++p) {
      V::store(y + p * NR, acc[p][0]);
      V::store(y + p * NR + W, acc[p][1]);
    }
  }

  // The last panel of a gate block when H is not a multiple of NR: nr < NR columns, rows of nr.
  static inline void tail_panel(float* y, const float* v, const float* wp, int K, int nr,
                                const float* b1, const float* b2, bool accumulate) {
    const int n0 = imin(W, nr), n1 = nr - n0;
    const mask m0 = V::mask_n(n0), m1 = V::mask_n(n1 > 0 ? n1 : 1);
    reg a0, a1 = V::zero();
    if (accumulate) {
      a0 = V::loadm(y, m0);
      if (n1 > 0) a1 = V::loadm(y + W, m1);
    } else {
      a0 = V::loadm(b1, m0);
      if (n1 > 0) a1 = V::loadm(b1 + W, m1);
      if (b2) {
        a0 = V::add(a0, V::loadm(b2, m0));
        if (n1 > 0) a1 = V::add(a1, V::loadm(b2 + W, m1));
      }
    }
    for (int k = 0; k < K; ++k) {
      const reg a = V::bcast(v + k);
      const float* b = wp + idx(k) * nr;
      a0 = V::fmadd(a, V::loadm(b, m0), a0);
      if (n1 > 0) a1 = V::fmadd(a, V::loadm(b + W, m1), a1);
    }
    V::storem(y, a0, m0);
    if (n1 > 0) V::storem(y + W, a1, m1);
  }

  static void gemv(float* y, const float* v, const float* wp, int K, int NG, int H, const float* b1,
                   const float* b2, bool accumulate) {
    for (int gb = 0; gb < NG; ++gb) {
      int j = 0;
      auto col = [&](int jj) { return idx(gb) * H + jj; };
      for (; j + 4 * NR <= H; j += 4 * NR)
        full_panels<4>(y + col(j), v, wp + col(j) * K, K, b1 ? b1 + col(j) : nullptr,
                       b2 ? b2 + col(j) : nullptr, accumulate);
      for (; j + NR <= H; j += NR)
        full_panels<1>(y + col(j), v, wp + col(j) * K, K, b1 ? b1 + col(j) : nullptr,
                       b2 ? b2 + col(j) : nullptr, accumulate);
      if (j < H)
        tail_panel(y + col(j), v, wp + col(j) * K, K, H - j, b1 ? b1 + col(j) : nullptr,
                   b2 ? b2 + col(j) : nullptr, accumulate);
    }
  }

  // w_p = [W_ih^T panels (GH*I) | W_hh^T panels (GH*H)], as Recurrent::forward packs w_t.
  static void pack(float* w_p, const float* w_ih, const float* w_hh, int cell, int I, int H) noexcept {
    const int GH = stream_gates(cell) * H;
    const int panels = G::panel_count(GH, H);
    G::pack_panels(w_p, w_ih, GH, I, H, 0, panels);
    G::pack_panels(w_p + idx(GH) * I, w_hh, GH, H, H, 0, panels);
  }

  // One layer: h (and c) advance by one step on input v (I).
  template <class Cell>
  static void layer(const StreamLayer& L, const float* v, float* scratch, int H) {
    constexpr int NG = Cell::NG;
    const int GH = NG * H, I = L.I;
    const float* wih_p = L.w_p;
    const float* whh_p = L.w_p + idx(GH) * I;
    FwdArgs a{};
    a.T = 1, a.B = 1, a.I = I, a.H = H;
    a.gates = scratch;                // (GH)
    a.gh = scratch + GH;              // (GH) GRU
    a.h = scratch + 2 * GH;           // (H)  h_t, copied into the state below
    a.hn = scratch + 2 * GH + H;      // (H)  GRU
    a.h0 = L.h, a.c0 = L.c, a.c = L.c;  // c updates in place: the pass reads c_prev[j] before writing c[j]
    float* proj = Cell::proj(a);
    // forward: proj = x W_ih^T + b_ih (+ b_hh), then per step proj += h_prev W_hh^T (LSTM, RNN) or
    // gh = h_prev W_hh^T + b_hh (GRU), exactly as Recurrent::fwd_task
    gemv(proj, v, wih_p, I, NG, H, L.b_ih, Cell::kProjBothBiases ? L.b_hh : nullptr, false);
    if (Cell::kSeparateHidden) gemv(a.gh, L.h, whh_p, H, NG, H, L.b_hh, nullptr, false);
    else gemv(proj, L.h, whh_p, H, NG, H, nullptr, nullptr, true);
    Cell::template fwd_cell<false>(a, 0, 0, 1, 0, H);
    std::memcpy(L.h, a.h, sizeof(float) * size_t(H));
  }

  template <class Cell>
  static void layers(const float* x, const StreamLayer* Ls, float* scratch, int nl, int H) {
    for (int l = 0; l < nl; ++l) layer<Cell>(Ls[l], l == 0 ? x : Ls[l - 1].h, scratch, H);
  }

  static void step(float* y, const float* x, const StreamLayer* Ls, const float* head_w,
                   const float* head_b, float* scratch, int cell, int nl, int H, int O) noexcept {
    if (cell == STREAM_LSTM) layers<LstmCell<V>>(x, Ls, scratch, nl, H);
    else if (cell == STREAM_GRU) layers<GruCell<V>>(x, Ls, scratch, nl, H);
    else if (cell == STREAM_RNN_RELU) layers<ElmanCell<V, true>>(x, Ls, scratch, nl, H);
    else layers<ElmanCell<V, false>>(x, Ls, scratch, nl, H);
    // the head on the top layer's h_t: linear_forward's own row kernel (N = 1, no threads)
    if (O > 0) Train<V>::linear_rows(y, Ls[nl - 1].h, head_w, head_b, 0, 1, H, O);
  }
};

}  // namespace impl
}  // namespace seqcast
