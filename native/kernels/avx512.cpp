// AVX-512 kernels (this file only is compiled with -mavx512f -mavx512vl -mavx512dq -mavx512bw
// -mfma; dispatch.cpp uses it when cpuid reports AVX-512F/DQ/BW/VL and xgetbv reports OS-saved
// opmask and zmm state). Same templates as scalar.cpp; microkernel tile 12 x 32 (24 zmm
// accumulators, B rows loaded as two zmm, A broadcast from memory). Tails use opmask loads and
// stores. Mirrors assembly/lstm.ts, gru.ts and rnn.ts.
//
// ODR note: functions from gemm_impl.h, recurrent_impl.h, the cells and vmath.h are templates
// instantiated with VAvx512, which lives in an anonymous namespace, so every instantiation has
// internal linkage and the linker can never substitute this file's AVX-512 code for another
// file's copy (which would SIGILL on CPUs without AVX-512).
#include <immintrin.h>

#include "table_impl.h"
#include "variants.h"
#include "vmath.h"

namespace seqcast {
namespace {

struct VAvx512 {
  static constexpr int W = 16;
  static constexpr int MR = 12;
  using reg = __m512;
  using mask = __mmask16;

  static inline reg zero() { return _mm512_setzero_ps(); }
  static inline reg set1(float x) { return _mm512_set1_ps(x); }
  static inline mask mask_n(int n) { return mask((1u << n) - 1u); }
  static inline reg load(const float* p) { return _mm512_loadu_ps(p); }
  static inline reg loadm(const float* p, mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static inline void store(float* p, reg a) { _mm512_storeu_ps(p, a); }
  static inline void storem(float* p, reg a, mask m) { _mm512_mask_storeu_ps(p, m, a); }
  static inline reg bcast(const float* p) { return _mm512_set1_ps(*p); }
  static inline reg add(reg a, reg b) { return _mm512_add_ps(a, b); }
  static inline reg sub(reg a, reg b) { return _mm512_sub_ps(a, b); }
  static inline reg mul(reg a, reg b) { return _mm512_mul_ps(a, b); }
  static inline reg div(reg a, reg b) { return _mm512_div_ps(a, b); }
  static inline reg fmadd(reg a, reg b, reg c) { return _mm512_fmadd_ps(a, b, c); }
  static inline reg fnmadd(reg a, reg b, reg c) { return _mm512_fnmadd_ps(a, b, c); }
  static inline reg sqrt(reg a) { return _mm512_sqrt_ps(a); }
  static inline reg min(reg a, reg b) { return _mm512_min_ps(a, b); }
  static inline reg max(reg a, reg b) { return _mm512_max_ps(a, b); }
  static inline reg round(reg a) {
    return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  static inline reg pow2n(reg n) {
    const __m512i e = _mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127));
    return _mm512_castsi512_ps(_mm512_slli_epi32(e, 23));
  }
  static inline reg abs(reg a) { return _mm512_abs_ps(a); }
  static inline reg select_lt(reg a, reg b, reg x, reg y) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_LT_OQ), y, x);
  }
  static inline reg copysign(reg mag, reg s) {
    return _mm512_castsi512_ps(_mm512_or_si512(
        _mm512_castps_si512(mag),
        _mm512_and_si512(_mm512_castps_si512(s), _mm512_set1_epi32(INT32_MIN))));
  }
  // lanes i + (i+8), then as VAvx2::hsum. Both halves via extractf32x8: GCC 12 implements
  // _mm512_reduce_add_ps and _mm512_castps512_ps256 with an extractf64x4 of an "undefined" source
  // that trips -Wuninitialized.
  static inline float hsum(reg a) {
    const __m256 h = _mm256_add_ps(_mm512_extractf32x8_ps(a, 0), _mm512_extractf32x8_ps(a, 1));
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
  static inline reg sigmoid(reg x) { return vmath::sigmoid<VAvx512>(x); }
  static inline reg tanh(reg x) { return vmath::tanh<VAvx512>(x); }
};

}  // namespace

const KernelTable& avx512_table() {
  static const KernelTable t = impl::make_table<VAvx512>("avx512");
  return t;
}

}  // namespace seqcast
