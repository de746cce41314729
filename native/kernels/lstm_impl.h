// LSTM cell passes and the lstm_forward / lstm_backward entry points, shared by every variant
// (scalar.cpp, avx2.cpp, avx512.cpp instantiate Lstm<V>). The time loop, products and threading
// are recurrent_impl.h's. Mirrors assembly/lstm.ts function for function.
//
// Forward, PyTorch gate order (i, f, g, o), blocks of H columns at 0, H, 2H, 3H of a gates row:
//   a   = x_t W_ih^T + b_ih + b_hh + h_{t-1} W_hh^T          (B, 4H) pre-activations
//   i = sigmoid(a_i), f = sigmoid(a_f), g = tanh(a_g), o = sigmoid(a_o)
//   c_t = f*c_{t-1} + i*g,   h_t = o*tanh(c_t)
// gates holds post-activations after the pass; backward derives every derivative from them.
#pragma once
#include <cstdint>

#include "recurrent_impl.h"

namespace seqcast {
namespace impl {

template <class V>
struct LstmCell : CellOps<V> {
  using Ops = CellOps<V>;
  using reg = typename V::reg;
  using mask = typename V::mask;
  using Ops::ld;
  using Ops::st;
  static constexpr int W = V::W;
  static constexpr int NG = 4;
  static constexpr bool kProjBothBiases = true;
  static constexpr bool kSeparateHidden = false;
  static constexpr bool kDirectPath = false;
  static constexpr bool kCellState = true;
  static constexpr int kHidSegs = 1;
  static constexpr bool kSavesGates = true;

  static float* proj(const FwdArgs& a) { return a.gates; }
  static HidSeg hid_seg(const BwdArgs& a, int) { return HidSeg{a.dgates, idx(4) * a.H, 0, 4 * a.H}; }

  // Fused cell update for step t on rows [b0, b1) and units [u0, u1): gates_t holds pre-activations on entry and
  // post-activations on exit.
  template <bool LEN>
  static void fwd_cell(const FwdArgs& a, int t, int b0, int b1, int u0, int u1) {
    const int B = a.B, H = a.H;
    const idx G4 = idx(4) * H;
    float* g_t = a.gates ? a.gates + idx(t) * B * G4 : a.step;  // step: inference
    const float* c_prev = t > 0 ? a.c + idx(t - 1) * B * H : a.c0;
    const float* h_prev = t > 0 ? a.h + idx(t - 1) * B * H : a.h0;
    float* c_t = a.c + idx(t) * B * H;
    float* h_t = a.h + idx(t) * B * H;
    for (int b = b0; b < b1; ++b) {
      float* gr = g_t + b * G4;
      const idx o = idx(b) * H;
      if (LEN && t >= a.lengths[b]) {
        // padding: h_t = h_{t-1}, c_t = c_{t-1}, gates = 0
        Ops::copy_units(h_t + o, h_prev ? h_prev + o : nullptr, u0, u1);
        Ops::copy_units(c_t + o, c_prev ? c_prev + o : nullptr, u0, u1);
        Ops::zero_units(gr, 4, H, u0, u1);
        continue;
      }
      for (int j = u0; j < u1; j += W) {
        const int n = imin(W, u1 - j);
        const bool full = n == W;
        const mask m = V::mask_n(n);
        const reg i = V::sigmoid(ld(gr + j, full, m));
        const reg f = V::sigmoid(ld(gr + H + j, full, m));
        const reg g = V::tanh(ld(gr + 2 * H + j, full, m));
        const reg og = V::sigmoid(ld(gr + 3 * H + j, full, m));
        const reg cp = c_prev ? ld(c_prev + o + j, full, m) : V::zero();
        const reg cn = V::fmadd(f, cp, V::mul(i, g));
        const reg hv = V::mul(og, V::tanh(cn));
        st(gr + j, i, full, m);
        st(gr + H + j, f, full, m);
        st(gr + 2 * H + j, g, full, m);
        st(gr + 3 * H + j, og, full, m);
        st(c_t + o + j, cn, full, m);
        st(h_t + o + j, hv, full, m);
      }
    }
  }

  // dgates_t for units [u0, u1). On entry dh_next holds dL/dh_t coming from step t+1 through
  // W_hh (or dhT), dc_next dL/dc_t (or dcT); on exit dh_next holds the part of dL/dh_{t-1} not
  // going through W_hh (all of it on padding rows, else 0, stored only when lengths are given:
  // see Recurrent::hid_product) and dc_next
  // dL/dc_{t-1}. Also adds this step's column sums of dgates to db_ih and db_hh while they are in
  // registers: each column is summed in the same order (t descending, rows ascending) whichever
  // thread owns it.
  template <bool LEN>
  static void bwd_cell(const BwdArgs& a, int t, int u0, int u1) {
    const int B = a.B, H = a.H;
    const idx G4 = idx(4) * H;
    const float* g_t = a.gates + idx(t) * B * G4;
    float* dg_t = a.dgates + a.slot(t) * B * G4;
    const float* c_t = a.c + idx(t) * B * H;
    const float* c_prev = t > 0 ? a.c + idx(t - 1) * B * H : a.c0;
    const float* dh_t = a.dh ? a.dh + idx(t) * B * H : nullptr;
    const reg one = V::set1(1.0f);
    if (LEN)
      for (int b = 0; b < B; ++b)
        if (t >= a.lengths[b]) {
          // forward: h_t = h_{t-1}, c_t = c_{t-1}  =>  dgates = 0, dh_prev = dh_next + dh[t],
          // dc_prev = dc_next
          const idx o = idx(b) * H;
          Ops::carry_grad(a.dh_next + o, dh_t ? dh_t + o : nullptr, u0, u1);
          Ops::zero_units(dg_t + b * G4, 4, H, u0, u1);
        }
    for (int j = u0; j < u1; j += W) {
      const int n = imin(W, u1 - j);
      const bool full = n == W;
      const mask m = V::mask_n(n);
      reg s_i = V::zero(), s_f = V::zero(), s_g = V::zero(), s_o = V::zero();
      for (int b = 0; b < B; ++b) {
        if (LEN && t >= a.lengths[b]) continue;
        const float* gr = g_t + b * G4;
        float* dgr = dg_t + b * G4;
        const idx bj = idx(b) * H + j;
        reg dht = ld(a.dh_next + bj, full, m);
        if (dh_t) dht = V::add(dht, ld(dh_t + bj, full, m));
        const reg i = ld(gr + j, full, m);
        const reg f = ld(gr + H + j, full, m);
        const reg g = ld(gr + 2 * H + j, full, m);
        const reg og = ld(gr + 3 * H + j, full, m);
        const reg cp = c_prev ? ld(c_prev + bj, full, m) : V::zero();
        const reg tc = V::tanh(ld(c_t + bj, full, m));  // recomputed, same helper as forward
        // forward: h = o*tanh(c)  =>  do = dh*tanh(c), dc += dh*o*(1 - tanh(c)^2)
        const reg d_o = V::mul(dht, tc);
        const reg dc = V::fmadd(V::mul(dht, og), V::fnmadd(tc, tc, one), ld(a.dc_next + bj, full, m));
        // forward: c = f*c_prev + i*g  =>  dc_prev = dc*f, df = dc*c_prev, di = dc*g, dg = dc*i
        // forward: i,f,o = sigmoid(a), g = tanh(a)  =>  da = d*y*(1-y), da_g = dg*(1-g^2)
        const reg da_i = V::mul(V::mul(dc, g), V::mul(i, V::sub(one, i)));
        const reg da_f = V::mul(V::mul(dc, cp), V::mul(f, V::sub(one, f)));
        const reg da_g = V::mul(V::mul(dc, i), V::fnmadd(g, g, one));
        const reg da_o = V::mul(d_o, V::mul(og, V::sub(one, og)));
        st(dgr + j, da_i, full, m);
        st(dgr + H + j, da_f, full, m);
        st(dgr + 2 * H + j, da_g, full, m);
        st(dgr + 3 * H + j, da_o, full, m);
        st(a.dc_next + bj, V::mul(dc, f), full, m);
        // h_{t-1} reaches h_t only through W_hh: nothing to carry (read by hid_product only when
        // it accumulates, i.e. with lengths)
        if (LEN) st(a.dh_next + bj, V::zero(), full, m);
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
};

template <class V>
struct Lstm {
  using R = Recurrent<V, LstmCell<V>>;

  static void forward(float* h, float* c, float* gates, const float* x, const int32_t* lengths,
                      const float* h0, const float* c0, const float* w_ih, const float* w_hh,
                      const float* b_ih, const float* b_hh, float* w_t, int T, int B, int I,
                      int H) noexcept {
    FwdArgs a{};
    a.h = h, a.c = c, a.gates = gates, a.x = x, a.lengths = lengths, a.h0 = h0, a.c0 = c0;
    a.w_ih = w_ih, a.w_hh = w_hh, a.b_ih = b_ih, a.b_hh = b_hh, a.w_t = w_t;
    a.T = T, a.B = B, a.I = I, a.H = H;
    R::forward(a);
  }

  static void backward(float* dx, float* dh0, float* dc0, float* dw_ih, float* dw_hh, float* db_ih,
                       float* db_hh, const float* dh, const float* dhT, const float* dcT,
                       const float* x, const int32_t* lengths, const float* h0, const float* c0,
                       const float* h, const float* c, const float* gates, const float* w_ih,
                       const float* w_hh, float* dgates, float* dh_next, float* dc_next, int T,
                       int B, int I, int H) noexcept {
    BwdArgs a{};
    a.dx = dx, a.dh0 = dh0, a.dc0 = dc0, a.dw_ih = dw_ih, a.dw_hh = dw_hh, a.db_ih = db_ih;
    a.db_hh = db_hh, a.dh = dh, a.dhT = dhT, a.dcT = dcT, a.x = x, a.lengths = lengths;
    a.h0 = h0, a.c0 = c0, a.h = h, a.c = c, a.gates = gates, a.w_ih = w_ih, a.w_hh = w_hh;
    a.dgates = dgates, a.dh_next = dh_next, a.dc_next = dc_next;
    a.T = T, a.B = B, a.I = I, a.H = H;
    R::backward(a);
  }
};

}  // namespace impl
}  // namespace seqcast
