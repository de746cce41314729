// Baseline forecasts from a training series, as in shared/data/BASELINES.md: every method sees only the
// training part and returns h forecasts from one origin (multi-step, no updating inside the horizon).
// Values are used as given: a NaN at a position a method reads makes those forecasts NaN.
import { checkSeason, toFloat64, type Numeric } from './metrics.js';

function prepare(where: string, train: Numeric, horizon: number, minLength: number, why: string): Float64Array {
  const x = toFloat64(where, 'train', train);
  if (typeof horizon !== 'number') throw new TypeError(`${where}: horizon must be a number, got ${typeof horizon}`);
  if (!Number.isInteger(horizon) || horizon < 1) throw new RangeError(`${where}: horizon must be a positive integer, got ${horizon}`);
  if (x.length < minLength) throw new RangeError(`${where}: train of length ${x.length} is too short${why} (need >= ${minLength})`);
  return x;
}

/** Naive: the last training value, repeated h times. */
export function naiveForecast(train: Numeric, horizon: number): Float64Array {
  const x = prepare('naiveForecast', train, horizon, 1, '');
  return new Float64Array(horizon).fill(x[x.length - 1]);
}

/**
 * Seasonal naive: the value one season earlier, `f_i = train[n - m + (i mod m)]` (i = 0..h-1), so the
 * last observed season repeats. Equals naiveForecast when m = 1.
 */
export function seasonalNaiveForecast(train: Numeric, horizon: number, season: number): Float64Array {
  checkSeason('seasonalNaiveForecast', season);
  const x = prepare('seasonalNaiveForecast', train, horizon, season, ` for season ${season}`);
  const out = new Float64Array(horizon);
  const n = x.length;
  for (let i = 0; i < horizon; i++) out[i] = x[n - season + (i % season)];
  return out;
}

/**
 * Drift: the line through the first and the last training value, extended,
 * `f_i = y_n + (i + 1)·(y_n - y_1)/(n - 1)` (i = 0..h-1). With one value the slope is 0 (naive).
 */
export function driftForecast(train: Numeric, horizon: number): Float64Array {
  const x = prepare('driftForecast', train, horizon, 1, '');
  const n = x.length;
  const last = x[n - 1];
  const slope = n === 1 ? 0 : (last - x[0]) / (n - 1);
  const out = new Float64Array(horizon);
  for (let i = 0; i < horizon; i++) out[i] = last + (i + 1) * slope;
  return out;
}

/** Moving average: the mean of the last k training values, repeated h times. */
export function movingAverageForecast(train: Numeric, horizon: number, window: number): Float64Array {
  if (typeof window !== 'number') throw new TypeError(`movingAverageForecast: window must be a number, got ${typeof window}`);
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`movingAverageForecast: window must be a positive integer, got ${window}`);
  const x = prepare('movingAverageForecast', train, horizon, window, ` for window ${window}`);
  let s = 0;
  for (let i = x.length - window; i < x.length; i++) s += x[i];
  return new Float64Array(horizon).fill(s / window);
}
