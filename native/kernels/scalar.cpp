// Portable kernels: the native reference path, and the fallback on CPUs without AVX2/AVX-512.
// Same templates as avx2.cpp / avx512.cpp (gemm_impl.h, recurrent_impl.h, the lstm/gru/rnn
// cells and train_impl.h, via table_impl.h) with a 4-lane plain-C++ "vector" (the compiler may
// vectorize it with the baseline ISA). Mirrors assembly/lstm.ts, gru.ts and rnn.ts, whose
// sigmoid/tanh are likewise built on the libm-quality exp (Mathf.exp there, std::exp here).
#include <cmath>

#include "table_impl.h"
#include "variants.h"

namespace seqcast {
namespace {

// Every function here has internal linkage: nothing compiled in this file can be merged with a
// same-named inline function from a SIMD file (see avx512.cpp).
struct VScalar {
  static constexpr int W = 4;
  static constexpr int MR = 4;
  struct reg {
    float v[W];
  };
  using mask = int;  // number of valid lanes

  static inline reg zero() { return set1(0.0f); }
  static inline reg set1(float x) {
    reg r;
    for (int l = 0; l < W; ++l) r.v[l] = x;
    return r;
  }
  static inline mask mask_n(int n) { return n; }
  static inline reg load(const float* p) {
    reg r;
    for (int l = 0; l < W; ++l) r.v[l] = p[l];
    return r;
  }
  static inline reg loadm(const float* p, mask n) {
    reg r;
    for (int l = 0; l < W; ++l) r.v[l] = l < n ? p[l] : 0.0f;
    return r;
  }
  static inline void store(float* p, reg a) {
    for (int l = 0; l < W; ++l) p[l] = a.v[l];
  }
  static inline void storem(float* p, reg a, mask n) {
    for (int l = 0; l < n; ++l) p[l] = a.v[l];
  }
  static inline reg bcast(const float* p) { return set1(*p); }
#define SEQCAST_LANEWISE(name, expr)              \
  static inline reg name(reg a, reg b) {          \
    reg r;                                        \
    for (int l = 0; l < W; ++l) {                 \
      const float x = a.v[l], y = b.v[l];         \
      r.v[l] = (expr);                            \
    }                                             \
    return r;                                     \
  }
  SEQCAST_LANEWISE(add, x + y)
  SEQCAST_LANEWISE(sub, x - y)
  SEQCAST_LANEWISE(mul, x * y)
  SEQCAST_LANEWISE(div, x / y)
#undef SEQCAST_LANEWISE
  // Unfused (two roundings), like wasm without relaxed_madd; -ffp-contract=off keeps it so.
  static inline reg fmadd(reg a, reg b, reg c) {
    reg r;
    for (int l = 0; l < W; ++l) r.v[l] = a.v[l] * b.v[l] + c.v[l];
    return r;
  }
  static inline reg fnmadd(reg a, reg b, reg c) {
    reg r;
    for (int l = 0; l < W; ++l) r.v[l] = c.v[l] - a.v[l] * b.v[l];
    return r;
  }
  // a > b ? a : b per lane (x86 maxps semantics: b when either is NaN)
  static inline reg max(reg a, reg b) {
    reg r;
    for (int l = 0; l < W; ++l) r.v[l] = a.v[l] > b.v[l] ? a.v[l] : b.v[l];
    return r;
  }
  static inline reg sqrt(reg a) {
    reg r;
    for (int l = 0; l < W; ++l) r.v[l] = std::sqrt(a.v[l]);
    return r;
  }
  static inline float hsum(reg a) { return (a.v[0] + a.v[2]) + (a.v[1] + a.v[3]); }
  // a < b ? x : y per lane (relu and its derivative; a NaN compares false)
  static inline reg select_lt(reg a, reg b, reg x, reg y) {
    reg r;
    for (int l = 0; l < W; ++l) r.v[l] = a.v[l] < b.v[l] ? x.v[l] : y.v[l];
    return r;
  }
  // The one sigmoid/tanh helper of this variant. exp(-x) overflows to +inf for x < -88.7 and
  // 1/(1+inf) = 0: saturates without NaN; NaN propagates.
  static inline float sigmoid1(float x) { return 1.0f / (1.0f + std::exp(-x)); }
  static inline reg sigmoid(reg a) {
    reg r;
    for (int l = 0; l < W; ++l) r.v[l] = sigmoid1(a.v[l]);
    return r;
  }
  static inline reg tanh(reg a) {
    reg r;
    for (int l = 0; l < W; ++l) r.v[l] = std::tanh(a.v[l]);
    return r;
  }
};

}  // namespace

const KernelTable& scalar_table() {
  static const KernelTable t = impl::make_table<VScalar>("scalar");
  return t;
}

}  // namespace seqcast
