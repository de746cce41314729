// A fast "is every element finite?" scan for the argument checks on large arrays (a training step
// checks B*T*H upstream gradients every call). x * 0 is 0 for finite x and NaN for Inf or NaN, and a
// NaN survives any sum; four independent sums keep the adds from waiting on each other, about 3x
// the speed of Number.isFinite per element. Callers scan again for the first bad index only when
// this says false, so their error messages stay as precise as before.

export function allFinite(a: Float32Array): boolean {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n = a.length - (a.length % 4);
  let i = 0;
  for (; i < n; i += 4) {
    s0 += a[i] * 0;
    s1 += a[i + 1] * 0;
    s2 += a[i + 2] * 0;
    s3 += a[i + 3] * 0;
  }
  for (; i < a.length; i++) s0 += a[i] * 0;
  return s0 + s1 + s2 + s3 === 0;
}
