// exp, sigmoid and tanh for one SIMD register type: the single sigmoid/tanh helper of each SIMD
// variant (avx2.cpp and avx512.cpp instantiate it with their own V; scalar.cpp uses std::exp and
// std::tanh). Mirrors the role of assembly/simd.ts sigmoid/tanh (built on Mathf.exp there).
//
// exp: Cephes expf (S. Moshier): n = round(x*log2(e)), r = x - n*ln2 in two parts (C1 exact in
// float, C2 the remainder), degree-6 polynomial on r, times 2^n built in the exponent bits.
// Max error ~1 ulp on the clamped range. The argument is clamped to [-87, 88] so 2^n stays a normal
// float and nothing overflows; clamps are written max(lo, x) / min(hi, x) because x86 min/max
// return the SECOND operand when either is NaN, so a NaN input propagates instead of being clamped.
//
// tanh: |x| < 0.625 uses the Cephes tanhf odd polynomial x + x^3 P(x^2), which keeps full absolute
// (and relative) accuracy near 0; elsewhere 1 - 2/(exp(2|x|) + 1) with the sign of x, the
// argument clamped at |x| = 9 where tanh already rounds to 1.0f.
// sigmoid: 1/(1 + exp(-x)) with a true division (no rcp approximation): saturates to exactly 1 for
// large x and to a tiny positive value (never NaN/Inf) for very negative x.
//
// V needs: reg, set1, add, sub, mul, div, fmadd(a,b,c)=a*b+c, fnmadd(a,b,c)=c-a*b, min, max,
// round (to nearest), pow2n (2^n for integer-valued n in [-126,127]), abs, select_lt, copysign.
#pragma once

namespace seqcast {
namespace vmath {

template <class V>
static inline typename V::reg exp(typename V::reg x) {
  using reg = typename V::reg;
  x = V::max(V::set1(-87.0f), x);
  x = V::min(V::set1(88.0f), x);
  const reg n = V::round(V::mul(x, V::set1(1.44269504088896341f)));
  reg r = V::fnmadd(n, V::set1(0.693359375f), x);
  r = V::fnmadd(n, V::set1(-2.12194440e-4f), r);
  reg p = V::set1(1.9875691500e-4f);
  p = V::fmadd(p, r, V::set1(1.3981999507e-3f));
  p = V::fmadd(p, r, V::set1(8.3334519073e-3f));
  p = V::fmadd(p, r, V::set1(4.1665795894e-2f));
  p = V::fmadd(p, r, V::set1(1.6666665459e-1f));
  p = V::fmadd(p, r, V::set1(5.0000001201e-1f));
  p = V::fmadd(p, V::mul(r, r), V::add(r, V::set1(1.0f)));
  return V::mul(p, V::pow2n(n));
}

template <class V>
static inline typename V::reg sigmoid(typename V::reg x) {
  const typename V::reg one = V::set1(1.0f);
  return V::div(one, V::add(one, exp<V>(V::sub(V::set1(0.0f), x))));
}

template <class V>
static inline typename V::reg tanh(typename V::reg x) {
  using reg = typename V::reg;
  const reg ax = V::abs(x);
  // small |x|: Cephes tanhf polynomial
  const reg z = V::mul(x, x);
  reg p = V::set1(-5.70498872745e-3f);
  p = V::fmadd(p, z, V::set1(2.06390887954e-2f));
  p = V::fmadd(p, z, V::set1(-5.37397155531e-2f));
  p = V::fmadd(p, z, V::set1(1.33314422036e-1f));
  p = V::fmadd(p, z, V::set1(-3.33332819422e-1f));
  const reg small = V::fmadd(V::mul(p, z), x, x);
  // large |x|: 1 - 2/(e^{2|x|} + 1)
  const reg e = exp<V>(V::add(V::min(V::set1(9.0f), ax), V::min(V::set1(9.0f), ax)));
  const reg one = V::set1(1.0f);
  const reg large = V::sub(one, V::div(V::set1(2.0f), V::add(e, one)));
  return V::select_lt(ax, V::set1(0.625f), small, V::copysign(large, x));
}

}  // namespace vmath
}  // namespace seqcast
