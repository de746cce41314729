// Training kernels shared by every variant (scalar.cpp, avx2.cpp, avx512.cpp instantiate Train<V>
// with their own vector ops, compiled with that file's flags): the dense head (nn.Linear) forward
// and backward, the Adam/AdamW, SGD and RMSprop steps, the gradient norm and the clipping rescale.
// Mirrors assembly/linear.ts and the optimizer loops of assembly/ function for function.
//
// Optimizer steps follow PyTorch 1.13's single-tensor code operation by operation, in float32:
//   add_(t, alpha=a)        -> self + a*t
//   addcmul_(t1, t2, value) -> self + (value*t1)*t2
//   addcdiv_(t1, t2, value) -> self + (value*t1)/t2
// with every multiply and add rounded separately (mul then add, never V::fmadd), and sqrt and
// division correctly rounded in every ISA. So the steps give bit-identical results on every variant
// (and match wasm, which has no FMA). Hyper-parameters arrive as double (Python floats); what
// PyTorch computes in Python (1 - beta, 1 - lr*wd, -lr) is computed here in double and rounded to
// float once, as the float32 tensor op would round its scalar.
//
// grad_norm accumulates in double over 16 fixed lanes (element i goes to lane i % 16; lanes are
// combined pairwise at the end), written as plain C++ that each file's compiler vectorizes with its
// own ISA. double(g)^2 and |g| are exact and -ffp-contract=off keeps the adds unfused, so the
// result is the same on every variant and independent of threads (there are none).
//
// linear_backward is three products: dx += dy W (gemm_nn), dw += dy^T x (gemm_tn), both through
// Gemm<V>::run (threaded on large shapes, split over output rows/columns only), and the column sums
// of dy. linear_forward needs x W^T with W (O, In) row-major, i.e. B = W^T, which the gemm
// microkernel would only read through a packed copy (the contract gives no scratch): it is a
// register-blocked dot-product kernel instead (tiles of 4 rows x 4 outputs, In along the lanes,
// one horizontal sum per output), y = sum + b as PyTorch's addmm(b, x, W^T).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include <seqcast/kernels.h>

#include "gemm_impl.h"
#include "threads.h"

#ifndef SEQCAST_ALWAYS_INLINE
#if defined(_MSC_VER)
#define SEQCAST_ALWAYS_INLINE __forceinline
#else
#define SEQCAST_ALWAYS_INLINE inline __attribute__((always_inline))
#endif
#endif

namespace seqcast {
namespace impl {

template <class V>
struct Train {
  using reg = typename V::reg;
  using mask = typename V::mask;
  static constexpr int W = V::W;

  // Full (F = std::true_type) or masked (std::false_type) load and store. Forced inline: GCC
  // otherwise keeps VScalar's out of line (a 16-byte struct through memory per element).
  template <class F>
  SEQCAST_ALWAYS_INLINE static reg ld(const float* p, F, mask m) {
    if constexpr (F::value) return V::load(p);
    else return V::loadm(p, m);
  }
  template <class F>
  SEQCAST_ALWAYS_INLINE static void st(float* p, reg v, F, mask m) {
    if constexpr (F::value) V::store(p, v);
    else V::storem(p, v, m);
  }
  // f(i, full, m) over [0, n) in vectors of W lanes, the tail masked. `full` is a compile-time
  // std::bool_constant, so the body is instantiated once unmasked and once masked.
  template <class F>
  static inline void each(int n, F&& f) {
    const mask all = V::mask_n(W);
    int i = 0;
    for (; i + W <= n; i += W) f(i, std::true_type{}, all);
    if (i < n) f(i, std::false_type{}, V::mask_n(n - i));
  }
  static inline reg f32(double a) { return V::set1(float(a)); }

  // ---- linear_forward: y (N,O) = x (N,In) W^T + b

  // Rows [0, RX) x outputs [0, RO) of y: acc[r][o] = sum over k of x[r][k] w[o][k], lane-wise over
  // k (the same FMA sequence for every element whatever tile it falls in), then one horizontal sum.
  template <int RX, int RO>
  static inline void dot_tile(float* y, const float* x, const float* w, const float* b, int In,
                              int O) {
    reg acc[RX][RO];
#pragma GCC unroll 16
    for (int r = 0; r < RX; ++r)
#pragma GCC unroll 16
      for (int o = 0; o < RO; ++o) acc[r][o] = V::zero();
    each(In, [&](int k, auto full, mask m) {
      reg xv[RX];
#pragma GCC unroll 16
      for (int r = 0; r < RX; ++r) xv[r] = ld(x + idx(r) * In + k, full, m);
#pragma GCC unroll 16
      for (int o = 0; o < RO; ++o) {
        const reg wv = ld(w + idx(o) * In + k, full, m);
#pragma GCC unroll 16
        for (int r = 0; r < RX; ++r) acc[r][o] = V::fmadd(xv[r], wv, acc[r][o]);
      }
    });
#pragma GCC unroll 16
    for (int r = 0; r < RX; ++r)
#pragma GCC unroll 16
      for (int o = 0; o < RO; ++o) {
        const float s = V::hsum(acc[r][o]);
        y[idx(r) * O + o] = b ? s + b[o] : s;
      }
  }
  // Picks the compile-time tile for the runtime rx <= RX, ro <= RO (row and output tails).
  template <int RX, int RO>
  static inline void tile_rx(int rx, int ro, float* y, const float* x, const float* w,
                             const float* b, int In, int O) {
    if constexpr (RX > 0) {
      if (rx == RX) tile_ro<RX, RO>(ro, y, x, w, b, In, O);
      else tile_rx<RX - 1, RO>(rx, ro, y, x, w, b, In, O);
    }
  }
  template <int RX, int RO>
  static inline void tile_ro(int ro, float* y, const float* x, const float* w, const float* b,
                             int In, int O) {
    if constexpr (RO > 0) {
      if (ro == RO) dot_tile<RX, RO>(y, x, w, b, In, O);
      else tile_ro<RX, RO - 1>(ro, y, x, w, b, In, O);
    }
  }
  static constexpr int kRX = 4, kRO = 4;

  static void linear_rows(float* y, const float* x, const float* w, const float* b, int n0, int n1,
                          int In, int O) {
    for (int n = n0; n < n1; n += kRX) {
      const int rx = imin(kRX, n1 - n);
      for (int o = 0; o < O; o += kRO)
        tile_rx<kRX, kRO>(rx, imin(kRO, O - o), y + idx(n) * O + o, x + idx(n) * In,
                          w + idx(o) * In, b ? b + o : nullptr, In, O);
    }
  }

  struct LinearCtx {
    float* y;
    const float *x, *w, *b;
    int N, In, O;
  };
  static void linear_task(void* p, pool::Team*, int tid, int nth) {
    const LinearCtx& c = *static_cast<const LinearCtx*>(p);
    const Range r = split_range(c.N, nth, tid, kRX);
    linear_rows(c.y, c.x, c.w, c.b, r.begin, r.end, c.In, c.O);
  }

  // Threaded over rows of y on large shapes (the same threshold as Gemm::run); every element is
  // computed by the same operations whatever the split, so results do not depend on threads.
  static void linear_forward(float* y, const float* x, const float* w, const float* b, int N,
                             int In, int O) noexcept {
    LinearCtx c{y, x, w, b, N, In, O};
    const int64_t work = int64_t(N) * In * O;
    const int nth = work >= pool::min_parallel_work() * 4 ? imin(get_threads(), (N + kRX - 1) / kRX) : 1;
    pool::run_team(nth, &linear_task, &c);
  }

  // ---- linear_backward
  // forward: y = x W^T + b  =>  dx += dy W, dW += dy^T x, db += sum over rows of dy
  static void linear_backward(float* dx, float* dw, float* db, const float* dy, const float* x,
                              const float* w, int N, int In, int O) noexcept {
    // dx (N,In) += dy (N,O) W (O,In)
    if (dx) Gemm<V>::template run<false>(dx, dy, w, N, In, O, In, O, In);
    // dW (O,In) += dy^T x, dy read as A (K=N, M=O)
    Gemm<V>::template run<true>(dw, dy, x, O, In, N, In, O, In);
    if (db) {
      // column sums, rows in ascending order, vectorized over the O columns
      each(O, [&](int o, auto full, mask m) {
        reg s = V::zero();
        for (int n = 0; n < N; ++n) s = V::add(s, ld(dy + idx(n) * O + o, full, m));
        st(db + o, V::add(ld(db + o, full, m), s), full, m);
      });
    }
  }

  // ---- Adam / AdamW (torch/optim/adam.py, _single_tensor_adam, PyTorch 1.13)
  static void adam_step(float* p, float* m, float* v, float* vmax, const float* g, int n,
                        double lr, double beta1, double beta2, double eps, double weight_decay,
                        double step_size, double bc2_sqrt, int flags) noexcept {
    const bool amsgrad = (flags & ADAM_AMSGRAD) != 0;
    const bool decoupled = (flags & ADAM_DECOUPLED) != 0;
    const bool l2 = !decoupled && weight_decay != 0.0;
    const reg b1 = f32(beta1), omb1 = f32(1.0 - beta1), b2 = f32(beta2), omb2 = f32(1.0 - beta2);
    const reg wd = f32(weight_decay), decay = f32(1.0 - lr * weight_decay);
    const reg bc2 = f32(bc2_sqrt), ep = f32(eps), neg_step = f32(-step_size);
    each(n, [&](int i, auto full, mask k) {
      reg pv = ld(p + i, full, k), gv = ld(g + i, full, k);
      if (decoupled) pv = V::mul(pv, decay);                  // param.mul_(1 - lr*wd)
      else if (l2) gv = V::add(gv, V::mul(wd, pv));           // grad.add(param, alpha=wd)
      // exp_avg.mul_(b1).add_(grad, alpha=1-b1)
      const reg mv = V::add(V::mul(ld(m + i, full, k), b1), V::mul(omb1, gv));
      // exp_avg_sq.mul_(b2).addcmul_(grad, grad, value=1-b2)
      const reg vv = V::add(V::mul(ld(v + i, full, k), b2), V::mul(V::mul(omb2, gv), gv));
      st(m + i, mv, full, k);
      st(v + i, vv, full, k);
      reg sq = vv;
      if (amsgrad) {                                          // torch.maximum(max_exp_avg_sq, exp_avg_sq)
        sq = V::max(ld(vmax + i, full, k), vv);
        st(vmax + i, sq, full, k);
      }
      // denom = (sq.sqrt() / bc2_sqrt).add_(eps); param.addcdiv_(exp_avg, denom, value=-step_size)
      const reg denom = V::add(V::div(V::sqrt(sq), bc2), ep);
      st(p + i, V::add(pv, V::div(V::mul(neg_step, mv), denom)), full, k);
    });
  }

  // ---- SGD (torch/optim/sgd.py, _single_tensor_sgd)
  static void sgd_step(float* p, float* buf, const float* g, int n, double lr, double momentum,
                       double dampening, double weight_decay, int flags) noexcept {
    const bool nesterov = (flags & SGD_NESTEROV) != 0, first = (flags & SGD_FIRST_STEP) != 0;
    const bool l2 = weight_decay != 0.0, mom = momentum != 0.0;
    const reg wd = f32(weight_decay), mu = f32(momentum);
    const reg omd = f32(1.0 - dampening), neg_lr = f32(-lr);
    each(n, [&](int i, auto full, mask k) {
      const reg pv = ld(p + i, full, k);
      reg d = ld(g + i, full, k);
      if (l2) d = V::add(d, V::mul(wd, pv));                  // d_p.add(param, alpha=wd)
      if (mom) {
        // first step: buf = clone(d_p); else buf.mul_(mu).add_(d_p, alpha=1-dampening)
        const reg bv = first ? d : V::add(V::mul(ld(buf + i, full, k), mu), V::mul(omd, d));
        st(buf + i, bv, full, k);
        d = nesterov ? V::add(d, V::mul(mu, bv)) : bv;        // d_p.add(buf, alpha=mu) or buf
      }
      st(p + i, V::add(pv, V::mul(neg_lr, d)), full, k);     // param.add_(d_p, alpha=-lr)
    });
  }

  // ---- RMSprop (torch/optim/rmsprop.py, _single_tensor_rmsprop)
  static void rmsprop_step(float* p, float* sq, float* ga, float* buf, const float* g, int n,
                           double lr, double alpha, double eps, double weight_decay,
                           double momentum, int flags) noexcept {
    const bool centered = (flags & RMSPROP_CENTERED) != 0;
    const bool l2 = weight_decay != 0.0, mom = momentum > 0.0;
    const reg a = f32(alpha), oma = f32(1.0 - alpha), wd = f32(weight_decay);
    const reg ep = f32(eps), mu = f32(momentum), neg_lr = f32(-lr);
    const reg minus_one = V::set1(-1.0f);
    each(n, [&](int i, auto full, mask k) {
      const reg pv = ld(p + i, full, k);
      reg gv = ld(g + i, full, k);
      if (l2) gv = V::add(gv, V::mul(wd, pv));                // grad.add(param, alpha=wd)
      // square_avg.mul_(alpha).addcmul_(grad, grad, value=1-alpha)
      const reg sv = V::add(V::mul(ld(sq + i, full, k), a), V::mul(V::mul(oma, gv), gv));
      st(sq + i, sv, full, k);
      reg avg;
      if (centered) {
        // grad_avg.mul_(alpha).add_(grad, alpha=1-alpha);
        // avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
        const reg gav = V::add(V::mul(ld(ga + i, full, k), a), V::mul(oma, gv));
        st(ga + i, gav, full, k);
        avg = V::sqrt(V::add(sv, V::mul(V::mul(minus_one, gav), gav)));
      } else {
        avg = V::sqrt(sv);                                    // square_avg.sqrt()
      }
      avg = V::add(avg, ep);                                  // .add_(eps)
      if (mom) {
        // buf.mul_(mu).addcdiv_(grad, avg); param.add_(buf, alpha=-lr)
        const reg bv = V::add(V::mul(ld(buf + i, full, k), mu), V::div(gv, avg));
        st(buf + i, bv, full, k);
        st(p + i, V::add(pv, V::mul(neg_lr, bv)), full, k);
      } else {
        st(p + i, V::add(pv, V::div(V::mul(neg_lr, gv), avg)), full, k);  // addcdiv_(grad, avg, value=-lr)
      }
    });
  }

  // ---- grad_norm: plain C++ over 16 double lanes (see the file header for why it is exact-order)
  static constexpr int kLanes = 16;
  static double combine(double* acc) {
    for (int w = kLanes / 2; w >= 1; w /= 2)
      for (int j = 0; j < w; ++j) acc[j] += acc[j + w];
    return acc[0];
  }
  static double grad_norm(const float* g, int n, int norm_type) noexcept {
    double acc[kLanes] = {};
    const int nv = n - n % kLanes;
    if (norm_type == 2) {
      for (int i = 0; i < nv; i += kLanes)
        for (int j = 0; j < kLanes; ++j) {
          const double x = g[i + j];
          acc[j] += x * x;
        }
      for (int j = 0; j < n - nv; ++j) acc[j] += double(g[nv + j]) * double(g[nv + j]);
      return std::sqrt(combine(acc));
    }
    if (norm_type == 1) {
      for (int i = 0; i < nv; i += kLanes)
        for (int j = 0; j < kLanes; ++j) acc[j] += std::fabs(double(g[i + j]));
      for (int j = 0; j < n - nv; ++j) acc[j] += std::fabs(double(g[nv + j]));
      return combine(acc);
    }
    // inf-norm: max |g|, exact in any order. On the bits of |g| (sign cleared) integer order is
    // float order, and every NaN is above +inf, so an integer max (which vectorizes on any ISA)
    // also propagates NaN, as torch's max does.
    int32_t mx[kLanes] = {};
    const auto bits = [g](int i) {
      int32_t b;
      std::memcpy(&b, g + i, sizeof b);
      return b & 0x7fffffff;
    };
    for (int i = 0; i < nv; i += kLanes)
      for (int j = 0; j < kLanes; ++j) {
        const int32_t b = bits(i + j);
        mx[j] = b > mx[j] ? b : mx[j];
      }
    for (int j = 0; j < n - nv; ++j) {
      const int32_t b = bits(nv + j);
      mx[j] = b > mx[j] ? b : mx[j];
    }
    int32_t r = 0;
    for (int j = 0; j < kLanes; ++j) r = mx[j] > r ? mx[j] : r;
    float out;
    std::memcpy(&out, &r, sizeof out);
    return double(out);  // a NaN stays NaN
  }

  // ---- scale: x *= alpha (clip_grad_norm_'s g.mul_(clip_coef_clamped))
  static void scale(float* x, int n, float alpha) noexcept {
    const reg a = V::set1(alpha);
    each(n, [&](int i, auto full, mask k) { st(x + i, V::mul(ld(x + i, full, k), a), full, k); });
  }
};

}  // namespace impl
}  // namespace seqcast
