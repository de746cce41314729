// GRU cell passes and the gru_forward / gru_backward entry points, shared by every variant
// (scalar.cpp, avx2.cpp, avx512.cpp instantiate Gru<V>). The time loop, products and threading are
// recurrent_impl.h's. Mirrors assembly/gru.ts function for function.
//
// Forward, PyTorch's formula, gate order (r, z, n) in blocks of H columns at 0, H, 2H:
//   gi = x_t W_ih^T + b_ih   (all T*B rows at once, into gates)
//   gh = h_{t-1} W_hh^T + b_hh   (per step, into the B*3H tail of w_t)
//   r = sigmoid(gi_r + gh_r), z = sigmoid(gi_z + gh_z), hn = gh_n (saved)
//   n = tanh(gi_n + r*hn),    h_t = (1 - z)*n + z*h_{t-1}
// gates holds post-activations (r, z, n) after the pass.
//
// Backward: the input-side dgates are [da_r, da_z, da_n]; the hidden side is the same except the
// n block, which is da_n*r (r multiplies W_hn h + b_hn) and goes to dgates_hn. So W_hh and b_hh
// see two segments: rows [0, 2H) from dgates, rows [2H, 3H) from dgates_hn.
#pragma once
#include <cstdint>

#include "recurrent_impl.h"

namespace seqcast {
namespace impl {

template <class V>
struct GruCell : CellOps<V> {
  using Ops = CellOps<V>;
  using reg = typename V::reg;
  using mask = typename V::mask;
  using Ops::ld;
  using Ops::st;
  static constexpr int W = V::W;
  static constexpr int NG = 3;
  static constexpr bool kProjBothBiases = false;
  static constexpr bool kSeparateHidden = true;
  static constexpr bool kDirectPath = true;  // h_t = ... + z*h_{t-1}
  static constexpr bool kCellState = false;
  static constexpr int kHidSegs = 2;
  static constexpr bool kSavesGates = true;

  static float* proj(const FwdArgs& a) { return a.gates; }
  static HidSeg hid_seg(const BwdArgs& a, int s) {
    return s == 0 ? HidSeg{a.dgates, idx(3) * a.H, 0, 2 * a.H} : HidSeg{a.dgates_hn, a.H, 2 * a.H, a.H};
  }

  // Fused update for step t on rows [b0, b1) and units [u0, u1): gates_t holds gi on entry and (r, z, n) on exit;
  // gh (B, 3H) holds this step's h_{t-1} W_hh^T + b_hh for own units.
  template <bool LEN>
  static void fwd_cell(const FwdArgs& a, int t, int b0, int b1, int u0, int u1) {
    const int B = a.B, H = a.H;
    const idx G3 = idx(3) * H;
    float* g_t = a.gates ? a.gates + idx(t) * B * G3 : a.step;  // step: inference
    const float* h_prev = t > 0 ? a.h + idx(t - 1) * B * H : a.h0;
    float* h_t = a.h + idx(t) * B * H;
    float* hn_t = a.hn ? a.hn + idx(t) * B * H : nullptr;  // null: inference, not saved
    for (int b = b0; b < b1; ++b) {
      float* gr = g_t + b * G3;
      const float* ghr = a.gh + b * G3;
      const idx o = idx(b) * H;
      if (LEN && t >= a.lengths[b]) {
        // padding: h_t = h_{t-1}, gates = 0, hn = 0
        Ops::copy_units(h_t + o, h_prev ? h_prev + o : nullptr, u0, u1);
        Ops::zero_units(gr, 3, H, u0, u1);
        if (hn_t) Ops::zero_units(hn_t + o, 1, H, u0, u1);
        continue;
      }
      for (int j = u0; j < u1; j += W) {
        const int n = imin(W, u1 - j);
        const bool full = n == W;
        const mask m = V::mask_n(n);
        const reg r = V::sigmoid(V::add(ld(gr + j, full, m), ld(ghr + j, full, m)));
        const reg z = V::sigmoid(V::add(ld(gr + H + j, full, m), ld(ghr + H + j, full, m)));
        const reg hn = ld(ghr + 2 * H + j, full, m);
        const reg nv = V::tanh(V::fmadd(r, hn, ld(gr + 2 * H + j, full, m)));
        const reg hp = h_prev ? ld(h_prev + o + j, full, m) : V::zero();
        // (1 - z)*n + z*h_prev, written n + z*(h_prev - n)
        const reg hv = V::fmadd(z, V::sub(hp, nv), nv);
        st(gr + j, r, full, m);
        st(gr + H + j, z, full, m);
        st(gr + 2 * H + j, nv, full, m);
        if (hn_t) st(hn_t + o + j, hn, full, m);
        st(h_t + o + j, hv, full, m);
      }
    }
  }

  // dgates_t and dgates_hn_t for units [u0, u1). On entry dh_next holds dL/dh_t (from step t+1
  // through W_hh plus the direct path, or dhT); on exit the direct part of dL/dh_{t-1}, dh*z (all
  // of dL/dh_t on padding rows). Adds this step's bias gradients (column sums, rows ascending).
  template <bool LEN>
  static void bwd_cell(const BwdArgs& a, int t, int u0, int u1) {
    const int B = a.B, H = a.H;
    const idx G3 = idx(3) * H;
    const float* g_t = a.gates + idx(t) * B * G3;
    const float* hn_t = a.hn + idx(t) * B * H;
    const float* h_prev = t > 0 ? a.h + idx(t - 1) * B * H : a.h0;
    float* dg_t = a.dgates + a.slot(t) * B * G3;
    float* dgn_t = a.dgates_hn + a.slot(t) * B * H;
    const float* dh_t = a.dh ? a.dh + idx(t) * B * H : nullptr;
    const reg one = V::set1(1.0f);
    if (LEN)
      for (int b = 0; b < B; ++b)
        if (t >= a.lengths[b]) {
          // forward: h_t = h_{t-1}  =>  dgates = 0, dh_prev = dh_next + dh[t]
          const idx o = idx(b) * H;
          Ops::carry_grad(a.dh_next + o, dh_t ? dh_t + o : nullptr, u0, u1);
          Ops::zero_units(dg_t + b * G3, 3, H, u0, u1);
          Ops::zero_units(dgn_t + o, 1, H, u0, u1);
        }
    for (int j = u0; j < u1; j += W) {
      const int n = imin(W, u1 - j);
      const bool full = n == W;
      const mask m = V::mask_n(n);
      reg s_r = V::zero(), s_z = V::zero(), s_n = V::zero(), s_hn = V::zero();
      for (int b = 0; b < B; ++b) {
        if (LEN && t >= a.lengths[b]) continue;
        const float* gr = g_t + b * G3;
        float* dgr = dg_t + b * G3;
        const idx bj = idx(b) * H + j;
        reg dht = ld(a.dh_next + bj, full, m);
        if (dh_t) dht = V::add(dht, ld(dh_t + bj, full, m));
        const reg r = ld(gr + j, full, m);
        const reg z = ld(gr + H + j, full, m);
        const reg nv = ld(gr + 2 * H + j, full, m);
        const reg hn = ld(hn_t + bj, full, m);
        const reg hp = h_prev ? ld(h_prev + bj, full, m) : V::zero();
        // forward: h = (1-z)*n + z*h_prev  =>  dn = dh*(1-z), dz = dh*(h_prev-n), dh_prev = dh*z
        const reg dn = V::mul(dht, V::sub(one, z));
        const reg dz = V::mul(dht, V::sub(hp, nv));
        // forward: n = tanh(gi_n + r*hn)  =>  da_n = dn*(1-n^2), dr = da_n*hn, dhn = da_n*r
        const reg da_n = V::mul(dn, V::fnmadd(nv, nv, one));
        const reg dhn = V::mul(da_n, r);
        // forward: r = sigmoid(a_r), z = sigmoid(a_z)  =>  da = d*y*(1-y)
        const reg da_r = V::mul(V::mul(da_n, hn), V::mul(r, V::sub(one, r)));
        const reg da_z = V::mul(dz, V::mul(z, V::sub(one, z)));
        st(dgr + j, da_r, full, m);
        st(dgr + H + j, da_z, full, m);
        st(dgr + 2 * H + j, da_n, full, m);
        st(dgn_t + bj, dhn, full, m);
        st(a.dh_next + bj, V::mul(dht, z), full, m);
        s_r = V::add(s_r, da_r);
        s_z = V::add(s_z, da_z);
        s_n = V::add(s_n, da_n);
        s_hn = V::add(s_hn, dhn);
      }
      // forward: gi = ... + b_ih, gh = ... + b_hh  =>  db_ih += sum [da_r, da_z, da_n],
      // db_hh += sum [da_r, da_z, da_n*r]
      const reg si[3] = {s_r, s_z, s_n};
      const reg sh[3] = {s_r, s_z, s_hn};
      for (int gb = 0; gb < 3; ++gb) {
        float* pi = a.db_ih + gb * H + j;
        float* ph = a.db_hh + gb * H + j;
        st(pi, V::add(ld(pi, full, m), si[gb]), full, m);
        st(ph, V::add(ld(ph, full, m), sh[gb]), full, m);
      }
    }
  }
};

template <class V>
struct Gru {
  using R = Recurrent<V, GruCell<V>>;

  static void forward(float* h, float* gates, float* hn, const float* x, const int32_t* lengths,
                      const float* h0, const float* w_ih, const float* w_hh, const float* b_ih,
                      const float* b_hh, float* w_t, int T, int B, int I, int H) noexcept {
    FwdArgs a{};
    a.h = h, a.gates = gates, a.hn = hn, a.x = x, a.lengths = lengths, a.h0 = h0;
    a.w_ih = w_ih, a.w_hh = w_hh, a.b_ih = b_ih, a.b_hh = b_hh, a.w_t = w_t;
    a.T = T, a.B = B, a.I = I, a.H = H;
    R::forward(a);
  }

  static void backward(float* dx, float* dh0, float* dw_ih, float* dw_hh, float* db_ih,
                       float* db_hh, const float* dh, const float* dhT, const float* x,
                       const int32_t* lengths, const float* h0, const float* h, const float* gates,
                       const float* hn, const float* w_ih, const float* w_hh, float* dgates,
                       float* dgates_hn, float* dh_next, int T, int B, int I, int H) noexcept {
    BwdArgs a{};
    a.dx = dx, a.dh0 = dh0, a.dw_ih = dw_ih, a.dw_hh = dw_hh, a.db_ih = db_ih, a.db_hh = db_hh;
    a.dh = dh, a.dhT = dhT, a.x = x, a.lengths = lengths, a.h0 = h0, a.h = h, a.gates = gates;
    a.hn = hn, a.w_ih = w_ih, a.w_hh = w_hh, a.dgates = dgates, a.dgates_hn = dgates_hn;
    a.dh_next = dh_next;
    a.T = T, a.B = B, a.I = I, a.H = H;
    R::backward(a);
  }
};

}  // namespace impl
}  // namespace seqcast
