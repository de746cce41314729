// Derived input channels: lags, (seasonal) differences with their inverse, trailing rolling statistics
// and calendar encodings. Every function is causal (row t uses rows <= t) and marks rows it cannot
// compute with NaN, so a pipeline can skip that warm-up explicitly.

/** out[t] = x[t - k]; the first k rows are NaN. */
export function lag(x: ArrayLike<number>, k: number): Float64Array {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`lag: k must be a positive integer, got ${k}`);
  const out = new Float64Array(x.length).fill(NaN);
  for (let t = k; t < x.length; t++) out[t] = x[t - k];
  return out;
}

/** out[t] = x[t] - x[t - lag]; the first `lag` rows are NaN. Seasonal differencing is lag = period. */
export function difference(x: ArrayLike<number>, lag = 1): Float64Array {
  if (!Number.isInteger(lag) || lag < 1) throw new RangeError(`difference: lag must be a positive integer, got ${lag}`);
  const out = new Float64Array(x.length).fill(NaN);
  for (let t = lag; t < x.length; t++) out[t] = x[t] - x[t - lag];
  return out;
}

export const seasonalDifference = (x: ArrayLike<number>, period: number): Float64Array => difference(x, period);

/**
 * The inverse of difference: levels that continue `history` (the values just before the first
 * difference) given differences d, so out[j] = d[j] + (level `lag` steps earlier). With history = the
 * first `lag` values of x and d = difference(x, lag).slice(lag), it rebuilds x.slice(lag).
 */
export function undifference(d: ArrayLike<number>, history: ArrayLike<number>, lag = 1): Float64Array {
  if (!Number.isInteger(lag) || lag < 1) throw new RangeError(`undifference: lag must be a positive integer, got ${lag}`);
  if (history.length < lag) throw new RangeError(`undifference: history must hold at least lag = ${lag} values, got ${history.length}`);
  const out = new Float64Array(d.length);
  for (let j = 0; j < d.length; j++) out[j] = d[j] + (j >= lag ? out[j - lag] : history[history.length - lag + j]);
  return out;
}

/** Trailing mean over `window` rows (NaN until the window is full or when it holds a NaN). */
export function rollingMean(x: ArrayLike<number>, window: number): Float64Array {
  return rolling(x, window, false);
}

/** Trailing population standard deviation over `window` rows. */
export function rollingStd(x: ArrayLike<number>, window: number): Float64Array {
  return rolling(x, window, true);
}

function rolling(x: ArrayLike<number>, w: number, std: boolean): Float64Array {
  if (!Number.isInteger(w) || w < 1) throw new RangeError(`rolling${std ? 'Std' : 'Mean'}: window must be a positive integer, got ${w}`);
  const out = new Float64Array(x.length).fill(NaN);
  for (let t = w - 1; t < x.length; t++) {
    // Direct two-pass sums per window: exact enough for any scale, and windows are short.
    let s = 0;
    for (let j = t - w + 1; j <= t; j++) s += x[j];
    const mean = s / w;
    if (!std) {
      out[t] = mean;
      continue;
    }
    let v = 0;
    for (let j = t - w + 1; j <= t; j++) v += (x[j] - mean) ** 2;
    out[t] = Math.sqrt(v / w);
  }
  return out;
}

export type CalendarFeature = 'hour' | 'dayOfWeek' | 'dayOfMonth' | 'dayOfYear' | 'month';

const CAL: Record<CalendarFeature, (d: Date) => [number, number]> = {
  // [position in the cycle, cycle length]
  hour: (d) => [d.getUTCHours() + d.getUTCMinutes() / 60 + d.getUTCSeconds() / 3600, 24],
  dayOfWeek: (d) => [d.getUTCDay(), 7],
  dayOfMonth: (d) => [d.getUTCDate() - 1, new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()],
  dayOfYear: (d) => [(d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000, 365.25],
  month: (d) => [d.getUTCMonth(), 12],
};

/**
 * Each feature as a sine/cosine pair (so December sits next to January): columns named
 * `<feature>_sin`, `<feature>_cos`. `time` holds ms since 1970 with clock fields in UTC, as parsed.
 */
export function calendarFeatures(time: ArrayLike<number>, features: CalendarFeature[]): { names: string[]; columns: Float64Array[] } {
  const names: string[] = [];
  const columns: Float64Array[] = [];
  for (const f of features) {
    const fn = CAL[f];
    if (!fn) throw new RangeError(`calendarFeatures: unknown feature '${f}'; expected one of ${Object.keys(CAL).map((k) => `'${k}'`).join(', ')}`);
    const s = new Float64Array(time.length);
    const c = new Float64Array(time.length);
    for (let i = 0; i < time.length; i++) {
      const [pos, period] = fn(new Date(time[i]));
      const a = (2 * Math.PI * pos) / period;
      s[i] = Math.sin(a);
      c[i] = Math.cos(a);
    }
    names.push(`${f}_sin`, `${f}_cos`);
    columns.push(s, c);
  }
  return { names, columns };
}
