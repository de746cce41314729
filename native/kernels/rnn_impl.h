// Plain (Elman) RNN cell passes and the rnn_forward / rnn_backward entry points, shared by every
// variant (scalar.cpp, avx2.cpp, avx512.cpp instantiate Rnn<V>). The time loop, products and
// threading are recurrent_impl.h's. Mirrors assembly/rnn.ts function for function.
//
// Forward: h_t = act(x_t W_ih^T + b_ih + b_hh + h_{t-1} W_hh^T), act = tanh or relu.
// There is no gates buffer: the input projection writes pre-activations straight into h, each
// step adds h_{t-1} W_hh^T to h_t and the pass applies act in place. Backward derives act' from
// the output: tanh' = 1 - h^2, relu' = (h > 0) (so relu'(0) = 0, as PyTorch's threshold_backward).
#pragma once
#include <cstdint>

#include "recurrent_impl.h"

namespace seqcast {
namespace impl {

template <class V, bool RELU>
struct ElmanCell : CellOps<V> {
  using Ops = CellOps<V>;
  using reg = typename V::reg;
  using mask = typename V::mask;
  using Ops::ld;
  using Ops::st;
  static constexpr int W = V::W;
  static constexpr int NG = 1;
  static constexpr bool kProjBothBiases = true;
  static constexpr bool kSeparateHidden = false;
  static constexpr bool kDirectPath = false;
  static constexpr bool kCellState = false;
  static constexpr int kHidSegs = 1;
  static constexpr bool kSavesGates = false;  // h alone serves backward

  static float* proj(const FwdArgs& a) { return a.h; }
  static HidSeg hid_seg(const BwdArgs& a, int) { return HidSeg{a.dgates, a.H, 0, a.H}; }

  // relu(x) = x < 0 ? 0 : x (a NaN stays NaN)
  static inline reg act(reg x) {
    if (RELU) return V::select_lt(x, V::zero(), V::zero(), x);
    return V::tanh(x);
  }

  // h_t holds pre-activations on entry (rows [b0, b1), units [u0, u1)) and act of them on exit.
  template <bool LEN>
  static void fwd_cell(const FwdArgs& a, int t, int b0, int b1, int u0, int u1) {
    const int B = a.B, H = a.H;
    const float* h_prev = t > 0 ? a.h + idx(t - 1) * B * H : a.h0;
    float* h_t = a.h + idx(t) * B * H;
    for (int b = b0; b < b1; ++b) {
      const idx o = idx(b) * H;
      if (LEN && t >= a.lengths[b]) {  // padding: h_t = h_{t-1}
        Ops::copy_units(h_t + o, h_prev ? h_prev + o : nullptr, u0, u1);
        continue;
      }
      for (int j = u0; j < u1; j += W) {
        const int n = imin(W, u1 - j);
        const bool full = n == W;
        const mask m = V::mask_n(n);
        st(h_t + o + j, act(ld(h_t + o + j, full, m)), full, m);
      }
    }
  }

  // dgates_t (dL/d pre-activation) for units [u0, u1). On entry dh_next holds dL/dh_t from step
  // t+1 through W_hh (or dhT); on exit all of dL/dh_t on padding rows, else 0 (stored only when
  // lengths are given: see Recurrent::hid_product).
  template <bool LEN>
  static void bwd_cell(const BwdArgs& a, int t, int u0, int u1) {
    const int B = a.B, H = a.H;
    const float* h_t = a.h + idx(t) * B * H;
    float* dg_t = a.dgates + a.slot(t) * B * H;
    const float* dh_t = a.dh ? a.dh + idx(t) * B * H : nullptr;
    const reg one = V::set1(1.0f);
    if (LEN)
      for (int b = 0; b < B; ++b)
        if (t >= a.lengths[b]) {
          // forward: h_t = h_{t-1}  =>  dgates = 0, dh_prev = dh_next + dh[t]
          const idx o = idx(b) * H;
          Ops::carry_grad(a.dh_next + o, dh_t ? dh_t + o : nullptr, u0, u1);
          Ops::zero_units(dg_t + o, 1, H, u0, u1);
        }
    for (int j = u0; j < u1; j += W) {
      const int n = imin(W, u1 - j);
      const bool full = n == W;
      const mask m = V::mask_n(n);
      reg s = V::zero();
      for (int b = 0; b < B; ++b) {
        if (LEN && t >= a.lengths[b]) continue;
        const idx bj = idx(b) * H + j;
        reg dht = ld(a.dh_next + bj, full, m);
        if (dh_t) dht = V::add(dht, ld(dh_t + bj, full, m));
        const reg hv = ld(h_t + bj, full, m);
        // forward: h = tanh(a)  =>  da = dh*(1-h^2);   h = relu(a)  =>  da = h > 0 ? dh : 0
        const reg da = RELU ? V::select_lt(V::zero(), hv, dht, V::zero())
                            : V::mul(dht, V::fnmadd(hv, hv, one));
        st(dg_t + bj, da, full, m);
        // h_{t-1} reaches h_t only through W_hh: nothing to carry (read by hid_product only when
        // it accumulates, i.e. with lengths)
        if (LEN) st(a.dh_next + bj, V::zero(), full, m);
        s = V::add(s, da);
      }
      // forward: a = ... + b_ih + b_hh  =>  db_ih += sum over rows of dgates, db_hh += the same
      float* pi = a.db_ih + j;
      float* ph = a.db_hh + j;
      st(pi, V::add(ld(pi, full, m), s), full, m);
      st(ph, V::add(ld(ph, full, m), s), full, m);
    }
  }
};

template <class V>
struct Rnn {
  template <bool RELU>
  using R = Recurrent<V, ElmanCell<V, RELU>>;

  static void forward(float* h, const float* x, const int32_t* lengths, const float* h0,
                      const float* w_ih, const float* w_hh, const float* b_ih, const float* b_hh,
                      float* w_t, int T, int B, int I, int H, int relu) noexcept {
    FwdArgs a{};
    a.h = h, a.x = x, a.lengths = lengths, a.h0 = h0;
    a.w_ih = w_ih, a.w_hh = w_hh, a.b_ih = b_ih, a.b_hh = b_hh, a.w_t = w_t;
    a.T = T, a.B = B, a.I = I, a.H = H;
    if (relu) R<true>::forward(a);
    else R<false>::forward(a);
  }

  static void backward(float* dx, float* dh0, float* dw_ih, float* dw_hh, float* db_ih,
                       float* db_hh, const float* dh, const float* dhT, const float* x,
                       const int32_t* lengths, const float* h0, const float* h, const float* w_ih,
                       const float* w_hh, float* dgates, float* dh_next, int T, int B, int I, int H,
                       int relu) noexcept {
    BwdArgs a{};
    a.dx = dx, a.dh0 = dh0, a.dw_ih = dw_ih, a.dw_hh = dw_hh, a.db_ih = db_ih, a.db_hh = db_hh;
    a.dh = dh, a.dhT = dhT, a.x = x, a.lengths = lengths, a.h0 = h0, a.h = h;
    a.w_ih = w_ih, a.w_hh = w_hh, a.dgates = dgates, a.dh_next = dh_next;
    a.T = T, a.B = B, a.I = I, a.H = H;
    if (relu) R<true>::backward(a);
    else R<false>::backward(a);
  }
};

}  // namespace impl
}  // namespace seqcast
