// Time labels for forecast rows: the next n steps after a series' last timestamp, at its regular step
// (months counted as months, so a monthly series continues on the first of each month).
import type { Series } from '../data/series.js';
import { formatTime } from '../data/timestamps.js';

/** The time values (in the series' own encoding: ms, year or index) of the n steps after the last row. */
export function futureTimes(series: Series, n: number): Float64Array | null {
  const t = series.time;
  const spacing = series.report.time;
  if (!t || !spacing || t.length === 0) return null;
  const last = t[t.length - 1];
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (spacing.unit === 'month') {
      const d = new Date(last);
      out[i] = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + spacing.step * (i + 1), 1);
    } else out[i] = last + spacing.step * (i + 1);
  }
  return out;
}

/** Labels of the n steps after the last row: formatted times, or row numbers (1-based) without a time column. */
export function futureLabels(series: Series, n: number): string[] {
  const times = futureTimes(series, n);
  return times ? Array.from(times, (v) => formatTime(v, series.timeKind)) : Array.from({ length: n }, (_, i) => String(series.length + i + 1));
}
