// Split-conformal quantiles from calibration residuals. A calibration tail has few windows (a short
// monthly series gives a dozen), too few for a quantile per horizon step, so the residuals are pooled
// across steps after dividing each step's residuals by that step's mean absolute residual (errors grow
// with the step; the shape of their distribution changes less). A quantile p of step i is then
// forecast_i + scale_i * (the conformal p-quantile of the pooled, signed, normalized residuals).

export interface Calibration {
  /** Mean absolute residual per horizon step, in the forecaster's normalized units. */
  stepScale: Float64Array;
  /** Signed residuals / stepScale of their step, pooled over steps and windows, sorted ascending. */
  scores: Float64Array;
}

/** residuals: (windows, h) row-major, truth minus forecast. */
export function calibrate(residuals: Float64Array, h: number): Calibration {
  const windows = residuals.length / h;
  const stepScale = new Float64Array(h);
  for (let w = 0; w < windows; w++) for (let i = 0; i < h; i++) stepScale[i] += Math.abs(residuals[w * h + i]) / windows;
  const pooled: number[] = [];
  for (let w = 0; w < windows; w++)
    for (let i = 0; i < h; i++) if (stepScale[i] > 0) pooled.push(residuals[w * h + i] / stepScale[i]);
  return { stepScale, scores: Float64Array.from(pooled).sort() };
}

/**
 * The conformal p-quantile of sorted scores: for p >= 1/2 the ceil((N+1)p)-th smallest (an upper
 * bound with probability >= p), below 1/2 the floor((N+1)p)-th; clamped to the extremes when N is
 * too small for p. No scores (a residual-free calibration, e.g. an exact seasonal pattern) give 0.
 */
export function conformalQuantile(scores: Float64Array, p: number): number {
  const n = scores.length;
  if (n === 0) return 0;
  const k = p >= 0.5 ? Math.min(n, Math.ceil((n + 1) * p)) : Math.max(1, Math.floor((n + 1) * p));
  return scores[k - 1];
}
