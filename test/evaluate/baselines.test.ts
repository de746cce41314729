// Baseline forecasts by hand.
import { describe, expect, it } from 'vitest';
import { driftForecast, movingAverageForecast, naiveForecast, seasonalNaiveForecast } from '../../src/evaluate/baselines.js';

const train = [1, 2, 3, 4, 5, 6, 7];
const arr = (x: Float64Array) => Array.from(x);

describe('baselines by hand', () => {
  it('naive repeats the last value', () => {
    const f = naiveForecast(train, 3);
    expect(f).toBeInstanceOf(Float64Array);
    expect(arr(f)).toEqual([7, 7, 7]);
  });
  it('seasonal naive repeats the last season: f_i = train[n - m + (i mod m)]', () => {
    expect(arr(seasonalNaiveForecast(train, 5, 3))).toEqual([5, 6, 7, 5, 6]);
    expect(arr(seasonalNaiveForecast(train, 2, 1))).toEqual([7, 7]); // m = 1 is naive
    expect(arr(seasonalNaiveForecast([9, 8], 3, 2))).toEqual([9, 8, 9]); // train exactly one season
  });
  it('drift extends the line through the first and last values', () => {
    expect(arr(driftForecast(train, 3))).toEqual([8, 9, 10]);
    expect(arr(driftForecast([10, 4, 0, 4], 2))).toEqual([2, 0]); // slope (4 - 10) / 3 = -2
    expect(arr(driftForecast([5], 2))).toEqual([5, 5]); // one value: slope 0
  });
  it('moving average repeats the mean of the last k values', () => {
    expect(arr(movingAverageForecast(train, 2, 3))).toEqual([6, 6]);
    expect(arr(movingAverageForecast(train, 1, 7))).toEqual([4]);
  });
  it('accepts typed arrays and propagates NaN from the positions it reads', () => {
    expect(arr(naiveForecast(new Float32Array([1, 2]), 1))).toEqual([2]);
    expect(naiveForecast([1, NaN], 1)[0]).toBeNaN();
    expect(arr(naiveForecast([NaN, 1], 1))).toEqual([1]);
  });
  it('errors say what was expected and received', () => {
    expect(() => naiveForecast([], 2)).toThrowError(new RangeError('naiveForecast: train of length 0 is too short (need >= 1)'));
    expect(() => naiveForecast(train, 0)).toThrowError(new RangeError('naiveForecast: horizon must be a positive integer, got 0'));
    expect(() => driftForecast(train, '3' as unknown as number)).toThrowError(new TypeError('driftForecast: horizon must be a number, got string'));
    expect(() => seasonalNaiveForecast([1, 2, 3], 2, 4)).toThrowError(
      new RangeError('seasonalNaiveForecast: train of length 3 is too short for season 4 (need >= 4)'),
    );
    expect(() => seasonalNaiveForecast(train, 2, 1.5)).toThrowError(new RangeError('seasonalNaiveForecast: season must be a positive integer, got 1.5'));
    expect(() => movingAverageForecast([1, 2], 2, 3)).toThrowError(
      new RangeError('movingAverageForecast: train of length 2 is too short for window 3 (need >= 3)'),
    );
    expect(() => movingAverageForecast(train, 2, 0)).toThrowError(new RangeError('movingAverageForecast: window must be a positive integer, got 0'));
  });
});
