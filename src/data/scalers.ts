// Scalers, fitted on training values only and inverted exactly (float64 math): every affine kind is
// y = (x - center) / scale + offset, and 'log' is y = log1p(x) (inverse expm1), defined for x > -1.
// NaN passes through (a gap stays a gap), and fitting skips it.
import { quantileSorted, sortedFinite } from './stats.js';

export type ScalerKind = 'none' | 'minmax' | 'zscore' | 'robust' | 'log';

export interface ScalerJSON {
  kind: ScalerKind;
  center: number;
  scale: number;
  offset: number;
  /** The statistics the scaler was fitted from (min/max, mean/std, median/q1/q3), for the record. */
  stats: Record<string, number>;
}

const KINDS: ScalerKind[] = ['none', 'minmax', 'zscore', 'robust', 'log'];

export class Scaler {
  private constructor(
    readonly kind: ScalerKind,
    readonly center: number,
    readonly scale: number,
    readonly offset: number,
    readonly stats: Record<string, number>,
  ) {}

  /**
   * Fit on values (NaN skipped). minmax maps [min, max] to `range` (default [0, 1]); zscore uses the mean
   * and population standard deviation; robust the median and interquartile range. A zero spread gives
   * scale 1 so constant columns only shift.
   */
  static fit(kind: ScalerKind, values: ArrayLike<number>, options: { range?: [number, number]; where?: string } = {}): Scaler {
    const where = options.where ?? 'Scaler.fit';
    if (!KINDS.includes(kind)) throw new RangeError(`${where}: unknown scaler '${kind}'; expected one of ${KINDS.map((k) => `'${k}'`).join(', ')}`);
    if (kind === 'none') return new Scaler(kind, 0, 1, 0, {});
    if (kind === 'log') {
      checkLogDomain(values, where);
      return new Scaler(kind, 0, 1, 0, {});
    }
    const s = sortedFinite(values);
    if (s.length === 0) throw new RangeError(`${where}: no finite values to fit the '${kind}' scaler on`);
    const safe = (v: number) => (v > 0 && Number.isFinite(v) ? v : 1);
    if (kind === 'minmax') {
      const [a, b] = options.range ?? [0, 1];
      if (!(b > a)) throw new RangeError(`${where}: minmax range must be [low, high] with low < high, got [${a}, ${b}]`);
      const min = s[0];
      const max = s[s.length - 1];
      return new Scaler(kind, min, safe((max - min) / (b - a)), a, { min, max, low: a, high: b });
    }
    if (kind === 'zscore') {
      // Two-pass mean and variance: stable for data far from zero.
      let mean = 0;
      for (let i = 0; i < s.length; i++) mean += s[i];
      mean /= s.length;
      let v = 0;
      for (let i = 0; i < s.length; i++) v += (s[i] - mean) ** 2;
      const std = Math.sqrt(v / s.length);
      return new Scaler(kind, mean, safe(std), 0, { mean, std, count: s.length });
    }
    const med = quantileSorted(s, 0.5);
    const q1 = quantileSorted(s, 0.25);
    const q3 = quantileSorted(s, 0.75);
    return new Scaler(kind, med, safe(q3 - q1), 0, { median: med, q1, q3 });
  }

  transform(x: ArrayLike<number>): Float64Array {
    const out = new Float64Array(x.length);
    if (this.kind === 'log') {
      checkLogDomain(x, 'Scaler.transform (log)');
      for (let i = 0; i < x.length; i++) out[i] = Math.log1p(x[i]);
      return out;
    }
    for (let i = 0; i < x.length; i++) out[i] = (x[i] - this.center) / this.scale + this.offset;
    return out;
  }

  inverse(y: ArrayLike<number>): Float64Array {
    const out = new Float64Array(y.length);
    if (this.kind === 'log') {
      for (let i = 0; i < y.length; i++) out[i] = Math.expm1(y[i]);
      return out;
    }
    for (let i = 0; i < y.length; i++) out[i] = (y[i] - this.offset) * this.scale + this.center;
    return out;
  }

  toJSON(): ScalerJSON {
    return { kind: this.kind, center: this.center, scale: this.scale, offset: this.offset, stats: { ...this.stats } };
  }

  static fromJSON(j: ScalerJSON): Scaler {
    if (!j || !KINDS.includes(j.kind)) throw new TypeError(`Scaler.fromJSON: expected { kind, center, scale, offset }, got ${JSON.stringify(j)}`);
    for (const k of ['center', 'scale', 'offset'] as const)
      if (!Number.isFinite(j[k])) throw new TypeError(`Scaler.fromJSON: ${k} must be a finite number, got ${j[k]}`);
    return new Scaler(j.kind, j.center, j.scale, j.offset, { ...(j.stats ?? {}) });
  }
}

/** log1p needs x > -1. */
export function checkLogDomain(x: ArrayLike<number>, where: string): void {
  for (let i = 0; i < x.length; i++)
    if (x[i] <= -1) throw new RangeError(`${where}: log scaling needs values > -1, got ${x[i]} at index ${i}; shift the data or choose another scaler`);
}
