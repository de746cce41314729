// AVX2 + FMA kernels (this file only is compiled with -mavx2 -mfma; dispatch.cpp uses it when
// cpuid and xgetbv report AVX2, FMA and OS-saved ymm state). Same templates as scalar.cpp;
// microkernel tile 6 x 16 (12 ymm accumulators). Mirrors assembly/lstm.ts, gru.ts and rnn.ts.
#include <immintrin.h>

#include "table_impl.h"
#include "variants.h"
#include "vmath.h"

namespace seqcast {
namespace {

// Internal linkage on purpose: everything instantiated here contains AVX2 code and must never be
// merged with a same-named inline function of another file.
struct VAvx2 {
  static constexpr int W = 8;
  static constexpr int MR = 6;
  using reg = __m256;
  using mask = __m256i;

  static inline reg zero() { return _mm256_setzero_ps(); }
  static inline reg set1(float x) { return _mm256_set1_ps(x); }
  static inline mask mask_n(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static inline reg load(const float* p) { return _mm256_loadu_ps(p); }
  static inline reg loadm(const float* p, mask m) { return _mm256_maskload_ps(p, m); }
  static inline void store(float* p, reg a) { _mm256_storeu_ps(p, a); }
  static inline void storem(float* p, reg a, mask m) { _mm256_maskstore_ps(p, m, a); }
  static inline reg bcast(const float* p) { return _mm256_broadcast_ss(p); }
  static inline reg add(reg a, reg b) { return _mm256_add_ps(a, b); }
  static inline reg sub(reg a, reg b) { return _mm256_sub_ps(a, b); }
  static inline reg mul(reg a, reg b) { return _mm256_mul_ps(a, b); }
  static inline reg div(reg a, reg b) { return _mm256_div_ps(a, b); }
  static inline reg fmadd(reg a, reg b, reg c) { return _mm256_fmadd_ps(a, b, c); }
  static inline reg fnmadd(reg a, reg b, reg c) { return _mm256_fnmadd_ps(a, b, c); }
  static inline reg sqrt(reg a) { return _mm256_sqrt_ps(a); }
  static inline reg min(reg a, reg b) { return _mm256_min_ps(a, b); }
  static inline reg max(reg a, reg b) { return _mm256_max_ps(a, b); }
  static inline reg round(reg a) {
    return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  static inline reg pow2n(reg n) {
    const __m256i e = _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127));
    return _mm256_castsi256_ps(_mm256_slli_epi32(e, 23));
  }
  static inline reg abs(reg a) {
    return _mm256_and_ps(a, _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff)));
  }
  static inline reg select_lt(reg a, reg b, reg x, reg y) {
    return _mm256_blendv_ps(y, x, _mm256_cmp_ps(a, b, _CMP_LT_OQ));
  }
  // |mag| with the sign of s (mag >= 0)
  static inline reg copysign(reg mag, reg s) {
    return _mm256_or_ps(mag, _mm256_and_ps(s, _mm256_castsi256_ps(_mm256_set1_epi32(INT32_MIN))));
  }
  // lanes summed as ((0+4)+(2+6)) + ((1+5)+(3+7))
  static inline float hsum(reg a) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
  static inline reg sigmoid(reg x) { return vmath::sigmoid<VAvx2>(x); }
  static inline reg tanh(reg x) { return vmath::tanh<VAvx2>(x); }
};

}  // namespace

const KernelTable& avx2_table() {
  static const KernelTable t = impl::make_table<VAvx2>("avx2");
  return t;
}

}  // namespace seqcast
