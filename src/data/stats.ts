// Small float64 statistics shared by scalers and outlier rules; NaN values are skipped.

/** The finite values of x, sorted ascending. */
export function sortedFinite(x: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < x.length; i++) if (Number.isFinite(x[i])) n++;
  const out = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < x.length; i++) if (Number.isFinite(x[i])) out[j++] = x[i];
  return out.sort();
}

/** Quantile of sorted values by linear interpolation (NumPy's default, R type 7). */
export function quantileSorted(s: Float64Array, q: number): number {
  if (s.length === 0) return NaN;
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

export const median = (x: ArrayLike<number>): number => quantileSorted(sortedFinite(x), 0.5);
