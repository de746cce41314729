// Causal smoothing (each output uses the current and earlier values only, so it can run at prediction
// time on the same history). NaN inputs stay NaN and do not enter the averages.

/** Trailing moving average over `window` rows; the first rows average what is available. */
export function movingAverage(x: ArrayLike<number>, window: number): Float64Array {
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`movingAverage: window must be a positive integer, got ${window}`);
  const out = new Float64Array(x.length);
  let sum = 0;
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isNaN(x[i])) (sum += x[i]), n++;
    if (i >= window && !Number.isNaN(x[i - window])) (sum -= x[i - window]), n--;
    out[i] = Number.isNaN(x[i]) || n === 0 ? NaN : sum / n;
  }
  return out;
}

/** Simple exponential smoothing: s_0 = x_0, s_t = alpha * x_t + (1 - alpha) * s_{t-1}. */
export function exponentialSmoothing(x: ArrayLike<number>, alpha: number): Float64Array {
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`exponentialSmoothing: alpha must be in (0, 1], got ${alpha}`);
  const out = new Float64Array(x.length);
  let s = NaN;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (Number.isNaN(v)) {
      out[i] = NaN;
      continue;
    }
    s = Number.isNaN(s) ? v : alpha * v + (1 - alpha) * s;
    out[i] = s;
  }
  return out;
}
