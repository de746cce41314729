// v128 helpers and the one sigmoid / tanh pair used by every wasm kernel.
// Mirrors native/kernels/vmath.h (the one exp / sigmoid / tanh of each native SIMD variant): same
// algorithm and constants, so both backends round alike up to FMA (wasm SIMD has no fused
// multiply-add outside relaxed-simd, which STYLE.md rules out: each a*b + c here rounds twice).

// e^x on four lanes: Cephes expf (S. Moshier). n = round(x*log2(e)), r = x - n*ln2 with ln2 split in
// two parts (C1 = 0.693359375 exact in 9 bits, so n*C1 is exact; C2 the remainder), a degree-6
// polynomial on r in [-ln2/2, ln2/2], times 2^n built in the exponent bits. The argument is clamped
// to [-87, 88] so n stays in [-126, 127] and 2^n a normal float: no overflow, no denormal scaling.
// The clamps are pmax(x, lo) = (x < lo ? lo : x) and pmin(x, hi) = (hi < x ? hi : x): one SSE
// instruction each, and a NaN x compares false and passes through, so NaN propagates as in vmath.h.
// Measured against float64 over 2.3M points of [-30, 30] (plus tiny magnitudes, +-88, +-1e4, +-Inf):
// sigmoid max abs error 8.9e-8, tanh 7.6e-8 (4.2e-8 abs and 7.9e-8 rel for |x| < 0.625), all finite.
// @ts-ignore: decorator
@inline function exp4(x: v128): v128 {
  x = f32x4.pmax(x, f32x4.splat(-87.0));
  x = f32x4.pmin(x, f32x4.splat(88.0));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), f32x4.add(r, f32x4.splat(1.0)));
  // 2^n: n + 127 in the exponent field (n is integer-valued and in [-126, 127] after the clamp).
  const pow2n = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, pow2n);
}

// The one sigmoid (STYLE.md section 6), four lanes at a time; a scalar is lane 0 of a splat.
// sigmoid(x) = 1 / (1 + e^-x) with a true division, as vmath.h. Saturates to exactly 1 for large x;
// for very negative x, e^-x is clamped at e^88, so the result bottoms out at ~6e-39 (absolute error
// below 1e-38, never NaN or Inf for finite or infinite x).
// @ts-ignore: decorator
@inline export function sigmoid(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(x))));
}

// The one tanh, four lanes at a time, as vmath.h: for |x| < 0.625 the Cephes tanhf odd polynomial
// x + x^3 P(x^2), which keeps full relative accuracy near 0 (no 1 - e cancellation); elsewhere
// 1 - 2/(e^(2|x|) + 1) with |x| clamped at 9, then the sign of x. The clamp makes tanh saturate at
// 1 - 2^-24 (0.99999994, 6e-8 below 1) rather than 1.0f for |x| > 9.01; vmath.h does the same. Both
// branches are computed and the lanes selected, so there is no data-dependent branch. No overflow for
// any input; -0 stays -0 and NaN stays NaN.
// @ts-ignore: decorator
@inline export function tanh(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  const a9 = f32x4.pmin(ax, f32x4.splat(9.0));
  const e = exp4(f32x4.add(a9, a9));
  const one = f32x4.splat(1);
  const large = f32x4.sub(one, f32x4.div(f32x4.splat(2.0), f32x4.add(e, one)));
  // copysign: large >= 0, so OR in x's sign bit
  const signed = v128.or(large, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, signed, f32x4.lt(ax, f32x4.splat(0.625)));
}

// Lanes [0, n) from p, the rest 0 (n in 1..3): SIMD tails without reading past a buffer.
// @ts-ignore: decorator
@inline export function load_partial(p: usize, n: i32): v128 {
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

// Stores lanes [0, n) of v at p (n in 1..3).
// @ts-ignore: decorator
@inline export function store_partial(p: usize, v: v128, n: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

// Byte offset of float index i.
// @ts-ignore: decorator
@inline export function f4(i: i32): usize {
  return <usize>i << 2;
}

// Horizontal sum of the four lanes.
// @ts-ignore: decorator
@inline export function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1))
       + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

// dst[0..n) = 0.
// @ts-ignore: decorator
@inline export function zero_f32(dst: usize, n: i32): void {
  memory.fill(dst, 0, <usize>n << 2);
}

// dst[0..n) = src[0..n).
// @ts-ignore: decorator
@inline export function copy_f32(dst: usize, src: usize, n: i32): void {
  memory.copy(dst, src, <usize>n << 2);
}

// dst[0..n) += src[0..n), any n.
export function add_f32(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = f4(i);
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < n; i++) {                                            // tail
    const o = f4(i);
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}
