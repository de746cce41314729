import { describe, expect, it } from 'vitest';
import { calendarFeatures, difference, lag, rollingMean, rollingStd, seasonalDifference, undifference } from '../../src/data/features.js';
import { clipOutliers, fitIqrBounds } from '../../src/data/outliers.js';
import { Scaler, type ScalerKind } from '../../src/data/scalers.js';
import { exponentialSmoothing, movingAverage } from '../../src/data/smoothing.js';
import { chronologicalSplit } from '../../src/data/split.js';
import { loadCsv } from '../../src/data/csv.js';
import { catchError, dataFile } from './helpers.js';

const air = async () => (await loadCsv(dataFile('air_passengers.csv'))).values[0];

describe('scalers', () => {
  it.each(['minmax', 'zscore', 'robust', 'log', 'none'] as ScalerKind[])('%s round-trips through float32 within float32 rounding', async (kind) => {
    const x = await air();
    const s = Scaler.fit(kind, x);
    const y32 = Float32Array.from(s.transform(x)); // what the model sees
    const back = s.inverse(y32);
    for (let i = 0; i < x.length; i++) {
      const ulp = Math.abs(y32[i]) * 2 ** -23 + 2 ** -126;
      const tol = kind === 'log' ? Math.abs(x[i] + 1) * ulp * 1.01 : ulp * s.scale * 1.01;
      expect(Math.abs(back[i] - x[i])).toBeLessThanOrEqual(tol);
    }
    const exact = s.inverse(s.transform(x)); // float64 all the way
    for (let i = 0; i < x.length; i++) expect(exact[i]).toBeCloseTo(x[i], 9);
    expect(Scaler.fromJSON(JSON.parse(JSON.stringify(s.toJSON()))).transform(x)).toEqual(s.transform(x));
  });

  it('fits the documented statistics', () => {
    const x = [1, 2, 3, 4, NaN, 100];
    expect(Scaler.fit('minmax', x).toJSON()).toMatchObject({ center: 1, scale: 99, offset: 0 });
    expect(Scaler.fit('minmax', x, { range: [-1, 1] }).transform([1, 100])).toEqual(Float64Array.from([-1, 1]));
    expect(Scaler.fit('zscore', [1, 2, 3]).toJSON().stats).toEqual({ mean: 2, std: Math.sqrt(2 / 3), count: 3 });
    expect(Scaler.fit('robust', [1, 2, 3, 4, 5]).toJSON()).toMatchObject({ center: 3, scale: 2 });
    expect(Scaler.fit('zscore', [5, 5, 5]).transform([5, 6])).toEqual(Float64Array.from([0, 1]));
  });

  it('log refuses values <= -1, naming the index', () => {
    expect(catchError(() => Scaler.fit('log', [0, 3, -1])).message).toBe(
      'Scaler.fit: log scaling needs values > -1, got -1 at index 2; shift the data or choose another scaler',
    );
  });
});

describe('features', () => {
  it('lags, differences and their inverse', () => {
    const x = [1, 4, 9, 16, 25, 36];
    expect(Array.from(lag(x, 2))).toEqual([NaN, NaN, 1, 4, 9, 16]);
    const d = difference(x);
    expect(Array.from(d)).toEqual([NaN, 3, 5, 7, 9, 11]);
    expect(Array.from(undifference(d.slice(1), x.slice(0, 1)))).toEqual(x.slice(1));
    // forecast continuation: diffs 13, 15 after history ending in 36
    expect(Array.from(undifference([13, 15], x))).toEqual([49, 64]);
  });

  it('seasonal differences invert exactly on a real series', async () => {
    const x = await air();
    const d = seasonalDifference(x, 12);
    expect(d.slice(0, 12).every(Number.isNaN)).toBe(true);
    expect(d[12]).toBe(x[12] - x[0]);
    const back = undifference(d.slice(12), x.slice(0, 12), 12);
    expect(Array.from(back)).toEqual(Array.from(x.slice(12)));
    // two stages: lag 1 then lag 12
    const d1 = difference(x, 1);
    const d12 = difference(d1, 12);
    const n = 132;
    const pred = d12.slice(n); // pretend the last 12 are predictions
    const lvl1 = undifference(pred, d1.slice(0, n), 12);
    const lvl0 = undifference(lvl1, x.slice(0, n), 1);
    lvl0.forEach((v, i) => expect(v).toBeCloseTo(x[n + i], 9));
  });

  it('rolling mean and std are trailing', () => {
    expect(Array.from(rollingMean([1, 2, 3, 4], 2))).toEqual([NaN, 1.5, 2.5, 3.5]);
    expect(Array.from(rollingStd([1, 3, 5, 5], 2))).toEqual([NaN, 1, 1, 0]);
  });

  it('calendar features are sine/cosine pairs of the clock fields', () => {
    const t = [Date.UTC(2000, 5, 5, 0, 0), Date.UTC(2000, 5, 5, 6, 0), Date.UTC(2000, 11, 31, 18, 0)];
    const { names, columns } = calendarFeatures(t, ['hour', 'dayOfWeek', 'month']);
    expect(names).toEqual(['hour_sin', 'hour_cos', 'dayOfWeek_sin', 'dayOfWeek_cos', 'month_sin', 'month_cos']);
    expect(columns[0][0]).toBeCloseTo(0, 12);
    expect(columns[1][0]).toBeCloseTo(1, 12);
    expect(columns[0][1]).toBeCloseTo(1, 12); // 06:00 is a quarter turn
    expect(columns[2][0]).toBeCloseTo(Math.sin((2 * Math.PI * 1) / 7), 12); // 2000-06-05 was a Monday
    expect(columns[4][2]).toBeCloseTo(Math.sin((2 * Math.PI * 11) / 12), 12);
  });
});

describe('outliers and smoothing', () => {
  it('MAD clips a spike to the window bound and reports it', () => {
    const x = [10, 11, 10, 12, 11, 500, 10, 11, 12, 10];
    const r = clipOutliers(x, { method: 'mad', window: 5, threshold: 3 });
    expect(r.outliers).toHaveLength(1);
    expect(r.outliers[0]).toMatchObject({ row: 5, value: 500 });
    expect(r.values[5]).toBeCloseTo(11 + 3 * 1.4826, 12);
    expect(r.values[4]).toBe(11);
  });

  it('IQR uses fitted bounds', () => {
    const b = fitIqrBounds([1, 2, 3, 4, 5]);
    expect(b).toEqual({ lower: -1, upper: 7 });
    const r = clipOutliers([0, 8, -5], { method: 'iqr' }, b);
    expect(Array.from(r.values)).toEqual([0, 7, -1]);
  });

  it('moving average and exponential smoothing are causal', () => {
    expect(Array.from(movingAverage([1, 2, 3, 4], 2))).toEqual([1, 1.5, 2.5, 3.5]);
    expect(Array.from(exponentialSmoothing([1, 3, 3], 0.5))).toEqual([1, 2, 2.5]);
  });
});

describe('chronologicalSplit', () => {
  it('splits in order by fractions or counts', () => {
    expect(chronologicalSplit(100, { validation: 0.1, test: 12 })).toEqual({ train: [0, 78], validation: [78, 88], test: [88, 100] });
    expect(catchError(() => chronologicalSplit(10, { test: 10 })).message).toBe(
      'chronologicalSplit: validation 0 + test 10 rows leave no training rows out of 10',
    );
  });
});
