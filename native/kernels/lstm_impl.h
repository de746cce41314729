// LSTM forward and backward (BPTT) over a whole sequence, shared by every variant: scalar.cpp,
// avx2.cpp and avx512.cpp instantiate Lstm<V> with their own vector ops, compiled with that
// file's flags. Mirrors assembly/lstm.ts function for function (same equations, same order of
// phases; the AS version is single-threaded).
//
// Forward, PyTorch gate order (i, f, g, o), blocks of H columns at 0, H, 2H, 3H of a gates row:
//   a   = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh          (B, 4H) pre-activations
//   i = sigmoid(a_i), f = sigmoid(a_f), g = tanh(a_g), o = sigmoid(a_o)
//   c_t = f*c_{t-1} + i*g,   h_t = o*tanh(c_t)
// Structure (as in cuDNN/oneDNN RNN primitives): W_ih^T, W_hh^T are packed into w_t once per call;
// the input projection of all T*B rows is ONE product; then per step gates_t += h_{t-1} W_hh^T and
// a fused pass applies the four nonlinearities and the c/h update.
//
// Threads: each thread owns a range of hidden units u (multiples of W) across all four gate blocks,
// so the recurrent product for its columns and the fused cell update are thread-local and one
// barrier per step suffices (the next step reads all of h_t). Backward likewise: dgates_t for own
// units, then dh_next[:, own] = dgates_{t+1} W_hh[:, own] needs all of dgates_{t+1} (ready after
// the previous barrier). Weight gradients are large products after the loop, split over output
// rows. No reduction is ever split, so results are bit-identical for any thread count.
#pragma once
#include <cstddef>
#include <cstdint>

#include "gemm_impl.h"
#include "threads.h"

namespace seqcast {
namespace impl {

template <class V>
struct Lstm {
  using reg = typename V::reg;
  using mask = typename V::mask;
  using G = Gemm<V>;
  static constexpr int W = V::W;

  static inline reg ld(const float* p, bool full, mask m) { return full ? V::load(p) : V::loadm(p, m); }
  static inline void st(float* p, reg v, bool full, mask m) {
    if (full) V::store(p, v);
    else V::storem(p, v, m);
  }

  // Threads for a run whose per-step recurrent product has B*H*4H multiply-adds: syncing every
  // step costs ~1 us, so small layers (W1: 131k MACs/step) stay on the calling thread.
  static int pick_threads(int B, int H) {
    const int64_t step = int64_t(B) * H * 4 * H;
    if (step < pool::min_parallel_work()) return 1;
    const int panels = (H + G::NR - 1) / G::NR;  // forward splits units by panel
    return imin(get_threads(), panels);
  }

  // ---------------------------------------------------------------- forward
  struct Fwd {
    float* h;
    float* c;
    float* gates;
    const float *x, *h0, *c0, *w_ih, *w_hh, *b_ih, *b_hh;
    float* w_t;
    int T, B, I, H;
  };

  // Fused cell update for step t on units [u0, u1): gates_t holds pre-activations on entry and
  // post-activations on exit.
  static void fwd_cell(const Fwd& a, int t, int u0, int u1) {
    const int B = a.B, H = a.H;
    const idx G4 = idx(4) * H;
    float* g_t = a.gates + idx(t) * B * G4;
    const float* c_prev = t > 0 ? a.c + idx(t - 1) * B * H : a.c0;
    float* c_t = a.c + idx(t) * B * H;
    float* h_t = a.h + idx(t) * B * H;
    for (int b = 0; b < B; ++b) {
      float* gr = g_t + b * G4;
      for (int j = u0; j < u1; j += W) {
        const int n = imin(W, u1 - j);
        const bool full = n == W;
        const mask m = V::mask_n(n);
        const reg i = V::sigmoid(ld(gr + j, full, m));
        const reg f = V::sigmoid(ld(gr + H + j, full, m));
        const reg g = V::tanh(ld(gr + 2 * H + j, full, m));
        const reg o = V::sigmoid(ld(gr + 3 * H + j, full, m));
        const reg cp = c_prev ? ld(c_prev + b * H + j, full, m) : V::zero();
        const reg cn = V::fmadd(f, cp, V::mul(i, g));
        const reg hn = V::mul(o, V::tanh(cn));
        st(gr + j, i, full, m);
        st(gr + H + j, f, full, m);
        st(gr + 2 * H + j, g, full, m);
        st(gr + 3 * H + j, o, full, m);
        st(c_t + b * H + j, cn, full, m);
        st(h_t + b * H + j, hn, full, m);
      }
    }
  }

  static void fwd_task(void* p, pool::Team* team, int tid, int nth) {
    const Fwd& a = *static_cast<const Fwd*>(p);
    const int T = a.T, B = a.B, I = a.I, H = a.H, G4 = 4 * H;
    const idx rows = idx(T) * B;
    // w_t = [W_ih^T | W_hh^T], each packed in column panels of G::NR, restarting at every gate
    // block (Gemm::pack_panels): the microkernel's B operand then streams contiguously (rows of
    // a plain W_hh^T are 16 KB apart for H = 1024, and hardware prefetch stops at pages).
    float* wih_p = a.w_t;                      // W_ih^T (I, 4H), panel-packed
    float* whh_p = a.w_t + idx(G4) * I;        // W_hh^T (H, 4H), panel-packed
    {
      const int np = G::panel_count(G4, H);
      const Range r = split_range(np, nth, tid, 1);
      G::pack_panels(wih_p, a.w_ih, G4, I, H, r.begin, r.end);
      G::pack_panels(whh_p, a.w_hh, G4, H, H, r.begin, r.end);
    }
    pool::barrier(team);

    // Input projection for all T*B rows in one product: gates = b_ih + b_hh + x W_ih^T (the bias
    // sum seeds the accumulators). Split over rows.
    {
      const Range r = split_range(int(rows), nth, tid, G::MR);
      for (int gb = 0; gb < 4; ++gb)
        G::template block<false>(a.gates + idx(r.begin) * G4 + gb * H, a.x + idx(r.begin) * I,
                                 wih_p + idx(gb) * H * I, r.end - r.begin, H, I, G4, I, 0, false,
                                 true, a.b_ih + gb * H, a.b_hh + gb * H);
    }
    pool::barrier(team);

    const Range u = split_range(H, nth, tid, G::NR);  // panel-aligned
    for (int t = 0; t < T; ++t) {
      if (u.begin < u.end) {
        const float* h_prev = t > 0 ? a.h + idx(t - 1) * B * H : a.h0;
        float* g_t = a.gates + idx(t) * B * G4;
        if (h_prev) {
          // forward: a += h_{t-1} W_hh^T, for own units in each of the four gate blocks
          for (int gb = 0; gb < 4; ++gb)
            G::template block<false>(g_t + gb * H + u.begin, h_prev,
                                     whh_p + (idx(gb) * H + u.begin) * H, B, u.end - u.begin, H,
                                     G4, H, 0, true, true);
        }
        fwd_cell(a, t, u.begin, u.end);
      }
      if (t + 1 < T) pool::barrier(team);
    }
  }

  static void forward(float* h, float* c, float* gates, const float* x, const float* h0,
                      const float* c0, const float* w_ih, const float* w_hh, const float* b_ih,
                      const float* b_hh, float* w_t, int T, int B, int I, int H) noexcept {
    if (T <= 0 || B <= 0 || I <= 0 || H <= 0) return;
    Fwd a{h, c, gates, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_t, T, B, I, H};
    pool::run_team(pick_threads(B, H), &fwd_task, &a);
  }

  // ---------------------------------------------------------------- backward
  struct Bwd {
    float *dx, *dh0, *dc0, *dw_ih, *dw_hh, *db_ih, *db_hh;
    const float *dh, *dhT, *dcT, *x, *h0, *c0, *h, *c, *gates, *w_ih, *w_hh;
    float *dgates, *dh_next, *dc_next;
    int T, B, I, H;
  };

  // dgates_t for units [u0, u1). On entry dh_next holds dL/dh_t from step t+1 (or dhT) and
  // dc_next dL/dc_t from step t+1 (or dcT); on exit dc_next holds dL/dc_{t-1}. Also adds this
  // step's column sums of dgates to db_ih and db_hh (while they are in registers): each column
  // is summed in the same order (t descending, rows ascending) whichever thread owns it.
  static void bwd_cell(const Bwd& a, int t, int u0, int u1) {
    const int B = a.B, H = a.H;
    const idx G4 = idx(4) * H;
    const float* g_t = a.gates + idx(t) * B * G4;
    float* dg_t = a.dgates + idx(t) * B * G4;
    const float* c_t = a.c + idx(t) * B * H;
    const float* c_prev = t > 0 ? a.c + idx(t - 1) * B * H : a.c0;
    const float* dh_t = a.dh ? a.dh + idx(t) * B * H : nullptr;
    const reg one = V::set1(1.0f);
    for (int j = u0; j < u1; j += W) {
      const int n = imin(W, u1 - j);
      const bool full = n == W;
      const mask m = V::mask_n(n);
      // column sums of this step's dgates for db_ih / db_hh (rows in order; see bwd_task)
      reg s_i = V::zero(), s_f = V::zero(), s_g = V::zero(), s_o = V::zero();
      for (int b = 0; b < B; ++b) {
        const float* gr = g_t + b * G4;
        float* dgr = dg_t + b * G4;
        const idx bj = idx(b) * H + j;
        reg dht = ld(a.dh_next + bj, full, m);
        if (dh_t) dht = V::add(dht, ld(dh_t + bj, full, m));
        const reg i = ld(gr + j, full, m);
        const reg f = ld(gr + H + j, full, m);
        const reg g = ld(gr + 2 * H + j, full, m);
        const reg o = ld(gr + 3 * H + j, full, m);
        const reg cp = c_prev ? ld(c_prev + bj, full, m) : V::zero();
        const reg tc = V::tanh(ld(c_t + bj, full, m));  // recomputed, same helper as forward
        // forward: h = o*tanh(c)  =>  do = dh*tanh(c), dc += dh*o*(1 - tanh(c)^2)
        const reg d_o = V::mul(dht, tc);
        const reg dc = V::fmadd(V::mul(dht, o), V::fnmadd(tc, tc, one), ld(a.dc_next + bj, full, m));
        // forward: c = f*c_prev + i*g  =>  dc_prev = dc*f, df = dc*c_prev, di = dc*g, dg = dc*i
        // forward: i,f,o = sigmoid(a), g = tanh(a)  =>  da = d*y*(1-y), da_g = dg*(1-g^2)
        const reg da_i = V::mul(V::mul(dc, g), V::mul(i, V::sub(one, i)));
        const reg da_f = V::mul(V::mul(dc, cp), V::mul(f, V::sub(one, f)));
        const reg da_g = V::mul(V::mul(dc, i), V::fnmadd(g, g, one));
        const reg da_o = V::mul(d_o, V::mul(o, V::sub(one, o)));
        st(dgr + j, da_i, full, m);
        st(dgr + H + j, da_f, full, m);
        st(dgr + 2 * H + j, da_g, full, m);
        st(dgr + 3 * H + j, da_o, full, m);
        st(a.dc_next + bj, V::mul(dc, f), full, m);
        s_i = V::add(s_i, da_i);
        s_f = V::add(s_f, da_f);
        s_g = V::add(s_g, da_g);
        s_o = V::add(s_o, da_o);
      }
      // forward: a = ... + b_ih + b_hh  =>  db_ih += sum over rows of dgates, db_hh += the same
      const reg s4[4] = {s_i, s_f, s_g, s_o};
      for (int gb = 0; gb < 4; ++gb) {
        float* pi = a.db_ih + gb * H + j;
        float* ph = a.db_hh + gb * H + j;
        st(pi, V::add(ld(pi, full, m), s4[gb]), full, m);
        st(ph, V::add(ld(ph, full, m), s4[gb]), full, m);
      }
    }
  }

  static void bwd_task(void* p, pool::Team* team, int tid, int nth) {
    const Bwd& a = *static_cast<const Bwd*>(p);
    const int T = a.T, B = a.B, I = a.I, H = a.H, G4 = 4 * H;
    const Range u = split_range(H, nth, tid, W);
    const int nu = u.end - u.begin;

    if (nu > 0) {
      for (int b = 0; b < B; ++b)
        for (int j = u.begin; j < u.end; ++j) {
          const idx bj = idx(b) * H + j;
          a.dh_next[bj] = a.dhT ? a.dhT[bj] : 0.0f;
          a.dc_next[bj] = a.dcT ? a.dcT[bj] : 0.0f;
        }
    }
    for (int t = T - 1; t >= 0; --t) {
      if (nu > 0) {
        if (t < T - 1) {
          // forward: a_{t+1} += h_t W_hh^T  =>  dh_t = dgates_{t+1} W_hh (own columns; overwrite)
          G::template block<false>(a.dh_next + u.begin, a.dgates + idx(t + 1) * B * G4,
                                   a.w_hh + u.begin, B, nu, G4, H, G4, H, false);
        }
        bwd_cell(a, t, u.begin, u.end);
      }
      pool::barrier(team);  // dgates_t complete before anyone reads it
    }

    if (nu > 0) {
      // forward: a_0 += h0 W_hh^T  =>  dh0 += dgates_0 W_hh
      if (a.dh0)
        G::template block<false>(a.dh0 + u.begin, a.dgates, a.w_hh + u.begin, B, nu, G4, H, G4, H,
                                 true);
      // forward: c_0 = f_0*c0 + ...  =>  dc0 += dc_0*f_0 (left in dc_next by bwd_cell(t=0))
      if (a.dc0)
        for (int b = 0; b < B; ++b)
          for (int j = u.begin; j < u.end; ++j) a.dc0[idx(b) * H + j] += a.dc_next[idx(b) * H + j];
    }

    const idx rows = idx(T) * B;
    // Weight gradients over all steps at once, split over the 4H output rows.
    {
      const Range r = split_range(G4, nth, tid, G::MR);
      const int mr = r.end - r.begin;
      if (mr > 0) {
        // forward: a = x W_ih^T + ...  =>  dW_ih += dgates^T x   (K = T*B)
        G::template block<true>(a.dw_ih + idx(r.begin) * I, a.dgates + r.begin, a.x, mr, I,
                                int(rows), I, G4, I, true);
        // forward: a_0 += h0 W_hh^T, a_t += h_{t-1} W_hh^T  =>  dW_hh += dgates_0^T h0 + sum_t ...
        if (a.h0)
          G::template block<true>(a.dw_hh + idx(r.begin) * H, a.dgates + r.begin, a.h0, mr, H, B,
                                  H, G4, H, true);
        if (T > 1)
          G::template block<true>(a.dw_hh + idx(r.begin) * H, a.dgates + idx(B) * G4 + r.begin,
                                  a.h, mr, H, int(rows - B), H, G4, H, true);
      }
    }
    // forward: a = x W_ih^T + ...  =>  dx += dgates W_ih   (all T*B rows, split over rows)
    if (a.dx) {
      const Range r = split_range(int(rows), nth, tid, G::MR);
      G::template block<false>(a.dx + idx(r.begin) * I, a.dgates + idx(r.begin) * G4, a.w_ih,
                               r.end - r.begin, I, G4, I, G4, I, true);
    }
  }

  static void backward(float* dx, float* dh0, float* dc0, float* dw_ih, float* dw_hh, float* db_ih,
                       float* db_hh, const float* dh, const float* dhT, const float* dcT,
                       const float* x, const float* h0, const float* c0, const float* h,
                       const float* c, const float* gates, const float* w_ih, const float* w_hh,
                       float* dgates, float* dh_next, float* dc_next, int T, int B, int I,
                       int H) noexcept {
    if (T <= 0 || B <= 0 || I <= 0 || H <= 0) return;
    Bwd a{dx,  dh0, dc0, dw_ih, dw_hh, db_ih, db_hh, dh,   dhT,    dcT,     x,       h0, c0,
          h,   c,   gates, w_ih, w_hh, dgates, dh_next, dc_next, T, B, I, H};
    pool::run_team(pick_threads(B, H), &bwd_task, &a);
  }
};

}  // namespace impl
}  // namespace seqcast
