// Outlier rules. 'mad' is a Hampel filter: a point is an outlier when it lies more than threshold *
// 1.4826 * MAD from the median of the centred window around it (1.4826 makes MAD estimate the standard
// deviation of normal data). 'iqr' uses Tukey's fences Q1 - k*IQR, Q3 + k*IQR, fitted once (on the
// training part in a pipeline). Outliers are clipped to the bound they crossed; NaN is left alone.
import { quantileSorted, sortedFinite } from './stats.js';

export interface OutlierOptions {
  method: 'mad' | 'iqr';
  /** Window for 'mad' (odd, default 7). */
  window?: number;
  /** Default 3 for 'mad', 1.5 for 'iqr'. */
  threshold?: number;
}

export interface IqrBounds {
  lower: number;
  upper: number;
}

export interface OutlierNote {
  row: number;
  value: number;
  clippedTo: number;
}

export function fitIqrBounds(values: ArrayLike<number>, threshold = 1.5): IqrBounds {
  const s = sortedFinite(values);
  if (s.length === 0) throw new RangeError('fitIqrBounds: no finite values to fit on');
  const q1 = quantileSorted(s, 0.25);
  const q3 = quantileSorted(s, 0.75);
  return { lower: q1 - threshold * (q3 - q1), upper: q3 + threshold * (q3 - q1) };
}

function checkOptions(o: OutlierOptions): { window: number; threshold: number } {
  if (o.method !== 'mad' && o.method !== 'iqr') throw new RangeError(`outliers: method must be 'mad' or 'iqr', got '${o.method}'`);
  const window = o.window ?? 7;
  const threshold = o.threshold ?? (o.method === 'mad' ? 3 : 1.5);
  if (!Number.isInteger(window) || window < 3) throw new RangeError(`outliers: window must be an integer >= 3, got ${window}`);
  if (!(threshold > 0)) throw new RangeError(`outliers: threshold must be > 0, got ${threshold}`);
  return { window, threshold };
}

/**
 * Outliers of x and the clipped copy. For 'iqr' pass fitted bounds (else they are fitted on x itself).
 */
export function clipOutliers(x: ArrayLike<number>, o: OutlierOptions, bounds?: IqrBounds): { values: Float64Array; outliers: OutlierNote[] } {
  const { window, threshold } = checkOptions(o);
  const out = Float64Array.from(x);
  const notes: OutlierNote[] = [];
  if (o.method === 'iqr') {
    const b = bounds ?? fitIqrBounds(x, threshold);
    for (let i = 0; i < out.length; i++) {
      const v = out[i];
      if (v < b.lower || v > b.upper) {
        out[i] = v < b.lower ? b.lower : b.upper;
        notes.push({ row: i, value: v, clippedTo: out[i] });
      }
    }
    return { values: out, outliers: notes };
  }
  const half = window >> 1;
  const buf = new Float64Array(window);
  for (let i = 0; i < out.length; i++) {
    const v = x[i];
    if (!Number.isFinite(v)) continue;
    let n = 0;
    for (let j = Math.max(0, i - half); j <= Math.min(x.length - 1, i + half); j++) if (Number.isFinite(x[j])) buf[n++] = x[j];
    const w = buf.subarray(0, n).sort();
    const med = quantileSorted(w, 0.5);
    for (let j = 0; j < n; j++) w[j] = Math.abs(w[j] - med);
    const mad = quantileSorted(w.sort(), 0.5);
    if (mad === 0) continue; // a flat window says nothing about spread
    const limit = threshold * 1.4826 * mad;
    if (Math.abs(v - med) > limit) {
      out[i] = v > med ? med + limit : med - limit;
      notes.push({ row: i, value: v, clippedTo: out[i] });
    }
  }
  return { values: out, outliers: notes };
}
