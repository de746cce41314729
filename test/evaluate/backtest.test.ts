// Rolling-origin cut-offs and the backtest result shape, by hand.
import { describe, expect, it } from 'vitest';
import { backtest, rollingOrigins } from '../../src/evaluate/backtest.js';
import { naiveForecast } from '../../src/evaluate/baselines.js';

describe('rollingOrigins', () => {
  it('ends the last test window at the series end, oldest origin first', () => {
    expect(rollingOrigins(20, { horizon: 3, origins: 3 })).toEqual([
      { trainEnd: 11, testStart: 11, testEnd: 14 },
      { trainEnd: 14, testStart: 14, testEnd: 17 },
      { trainEnd: 17, testStart: 17, testEnd: 20 },
    ]);
    expect(rollingOrigins(20, { horizon: 3, origins: 3, step: 1 }).map((c) => c.testEnd)).toEqual([18, 19, 20]);
    expect(rollingOrigins(10, { horizon: 4 })).toEqual([{ trainEnd: 6, testStart: 6, testEnd: 10 }]);
    expect(rollingOrigins(4, { horizon: 3 })).toEqual([{ trainEnd: 1, testStart: 1, testEnd: 4 }]);
  });
  it('rejects a series too short for the origins', () => {
    expect(() => rollingOrigins(9, { horizon: 3, origins: 3 })).toThrowError(
      new RangeError('rollingOrigins: a series of length 9 is too short for 3 origin(s) with horizon 3 and step 3 (need >= 10); use fewer origins or a smaller step'),
    );
    expect(() => rollingOrigins(10, { horizon: 0 })).toThrowError(new RangeError('rollingOrigins: horizon must be a positive integer, got 0'));
    expect(() => rollingOrigins(10, { horizon: 2, origins: 1.5 })).toThrowError(new RangeError('rollingOrigins: origins must be a positive integer, got 1.5'));
  });
});

describe('backtest', () => {
  // y = 0, 1, 4, 9, ..., 121: a curve, so the baselines differ
  const y = Float64Array.from({ length: 12 }, (_, i) => i * i);

  it('scores the forecaster and every baseline per origin and averages them', async () => {
    const r = await backtest(y, { horizon: 2, origins: 2, season: 2 }, (train, h) => new Float64Array(h).fill(train[train.length - 1] + 10));
    expect(Object.keys(r).sort()).toEqual(['baselines', 'horizon', 'model', 'origins', 'season']);
    expect(Object.keys(r.baselines).sort()).toEqual(['drift', 'movingAverage', 'naive', 'seasonalNaive']);
    expect(r.horizon).toBe(2);
    expect(r.season).toBe(2);
    expect(r.origins.map((o) => [o.trainEnd, o.testStart, o.testEnd])).toEqual([[8, 8, 10], [10, 10, 12]]);
    // origin 1: train 0..49 (0,1,4,...,49), test 64, 81; model forecasts 59, 59 -> errors 5, 22
    const o1 = r.origins[0];
    expect(o1.model.mae).toBe(13.5);
    expect(o1.model.rmse).toBeCloseTo(Math.sqrt((25 + 484) / 2), 12);
    expect(o1.model.smape).toBeCloseTo((200 * 5 / 123 + 200 * 22 / 140) / 2, 12);
    // seasonal scale m = 2 on 0,1,4,9,16,25,36,49: |4-0| |9-1| |16-4| |25-9| |36-16| |49-25| = 4 8 12 16 20 24 -> 14
    expect(o1.model.mase).toBeCloseTo(13.5 / 14, 14);
    // naive 49, 49 -> errors 15, 32; seasonal naive 36, 49 -> 28, 32; drift slope 7 -> 56, 63 -> 8, 18; MA(k=2) 42.5 -> 21.5, 38.5
    expect(o1.baselines.naive.mae).toBe(23.5);
    expect(o1.baselines.seasonalNaive.mae).toBe(30);
    expect(o1.baselines.drift.mae).toBe(13);
    expect(o1.baselines.movingAverage.mae).toBe(30);
    // origin 2: train 0..81, test 100, 121; model 91 -> errors 9, 30
    expect(r.origins[1].model.mae).toBe(19.5);
    expect(r.model.mae).toBe((13.5 + 19.5) / 2);
    for (const b of ['naive', 'seasonalNaive', 'drift', 'movingAverage'] as const)
      for (const k of ['mae', 'rmse', 'smape', 'mase'] as const)
        expect(r.baselines[b][k]).toBeCloseTo((r.origins[0].baselines[b][k] + r.origins[1].baselines[b][k]) / 2, 12);
  });

  it('a naive forecaster scores exactly like the naive baseline; async forecasters work', async () => {
    const r = await backtest(Array.from(y), { horizon: 3, origins: 3, step: 1 }, async (train, h) => naiveForecast(train, h));
    expect(r.model).toEqual(r.baselines.naive);
    expect(r.season).toBe(1);
    expect(r.baselines.seasonalNaive).toEqual(r.baselines.naive); // m = 1
  });

  it('skips a NaN actual inside a test window', async () => {
    const r = await backtest([1, 2, 3, 4, NaN, 8], { horizon: 2 }, (_train, h) => new Float64Array(h).fill(4));
    expect(r.model.mae).toBe(4); // only |8 - 4| counts
    expect(r.baselines.naive.mae).toBe(4);
    expect(r.model.mase).toBe(4); // naive scale on 1, 2, 3, 4 is 1
  });

  it('gives the forecaster a copy of the training part only', async () => {
    const seen: number[][] = [];
    const series = [1, 2, 3, 4, 5, 6];
    await backtest(series, { horizon: 2, origins: 2 }, (train, h) => {
      seen.push(Array.from(train));
      train.fill(0);
      return new Float64Array(h);
    });
    expect(seen).toEqual([[1, 2], [1, 2, 3, 4]]);
    expect(series).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('rejects a forecast of the wrong length or kind, and a training part too short', async () => {
    await expect(backtest(y, { horizon: 2 }, () => new Float64Array(3))).rejects.toThrowError(
      new RangeError('backtest: the forecaster returned 3 value(s) at origin trainEnd = 10, expected the horizon 2'),
    );
    await expect(backtest(y, { horizon: 2 }, () => 'no' as unknown as Float64Array)).rejects.toThrowError(
      new TypeError('backtest: forecaster at origin trainEnd = 10: the result must be an array of numbers or a typed array, got string'),
    );
    await expect(backtest(y, { horizon: 2, origins: 2, season: 8 }, () => new Float64Array(2))).rejects.toThrowError(
      new RangeError(
        "backtest: the first origin's training part has 8 value(s), expected >= 9 (season 8 + 1 for the MASE scale, and the moving-average window 8); use fewer origins, a smaller step or a longer series",
      ),
    );
    await expect(backtest(y, { horizon: 2 }, null as unknown as () => Float64Array)).rejects.toThrowError(TypeError);
  });
});
