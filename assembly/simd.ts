// v128 helpers and the one sigmoid / tanh pair used by every wasm kernel.
// Mirrors native/kernels/vmath.h (the one sigmoid/tanh of each native variant), but built on Mathf.exp.

// e^x lane by lane with Mathf.exp (the table-driven expf, < 1 ulp). Every exponential in the wasm
// kernels goes through here, so sigmoid and tanh below are bit-identical to the scalar formulas.
// @ts-ignore: decorator
@inline function exp4(x: v128): v128 {
  let r = f32x4.splat(Mathf.exp(f32x4.extract_lane(x, 0)));
  r = f32x4.replace_lane(r, 1, Mathf.exp(f32x4.extract_lane(x, 1)));
  r = f32x4.replace_lane(r, 2, Mathf.exp(f32x4.extract_lane(x, 2)));
  return f32x4.replace_lane(r, 3, Mathf.exp(f32x4.extract_lane(x, 3)));
}

// The one sigmoid (STYLE.md section 6), four lanes at a time; a scalar is lane 0 of a splat.
// sigmoid(x) = 1 / (1 + e^-x), evaluated on e = e^-|x| in (0, 1] so exp never overflows:
// x >= 0 gives 1 / (1 + e), x < 0 gives e / (1 + e) (no cancellation in 1 - s for very negative x).
// Saturates to exactly 1 for x > ~17 and decays through denormals to 0 for x < ~-104; never NaN or
// Inf for finite x.
// @ts-ignore: decorator
@inline export function sigmoid(x: v128): v128 {
  const one = f32x4.splat(1);
  const e = exp4(f32x4.neg(f32x4.abs(x)));
  const r = f32x4.div(one, f32x4.add(one, e));
  return v128.bitselect(r, f32x4.mul(e, r), f32x4.ge(x, f32x4.splat(0)));
}

// The one tanh, four lanes at a time: tanh(x) = sign(x) * (1 - e) / (1 + e) with e = e^(-2|x|) in
// (0, 1]. No overflow for any finite x (e underflows to 0 and the result is exactly +-1). Near 0 the
// subtraction 1 - e cancels, so the error is absolute (about 1 ulp of 1.0, ~6e-8), not relative:
// that is what the gradient tolerances need, and tanh'(y) = 1 - y^2 is computed from the output.
// The quotient is >= 0, so copysign is an OR of x's sign bit (-0 stays -0, NaN stays NaN).
// @ts-ignore: decorator
@inline export function tanh(x: v128): v128 {
  const one = f32x4.splat(1);
  const e = exp4(f32x4.mul(f32x4.splat(-2), f32x4.abs(x)));
  const t = f32x4.div(f32x4.sub(one, e), f32x4.add(one, e));
  return v128.or(t, v128.and(x, i32x4.splat(0x80000000)));
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
