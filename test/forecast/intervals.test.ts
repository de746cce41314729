// Probabilistic output on a series whose noise is known: after fit(), the forecaster walks through a
// held-out stretch with update(), and its 80% intervals must cover 70-90% of the held-out values
// (every origin, every horizon step); quantiles must be ordered and consistent with the intervals.
import { describe, expect, it } from 'vitest';
import { Forecaster } from '../../src/forecast/forecaster.js';
import { Rng } from '../../src/random.js';

/** A seasonal signal plus Gaussian noise (Box-Muller) of standard deviation 1. */
function noisySeasonal(n: number, m: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  return Float64Array.from({ length: n }, (_, t) => 20 + 6 * Math.sin((2 * Math.PI * t) / m) + gauss());
}

/** Multiplicative: the level grows 11-fold over 600 steps, the season and the noise (5%) with it. */
function heteroscedastic(n: number, m: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  return Float64Array.from({ length: n }, (_, t) => {
    const level = 10 * Math.exp(0.004 * t);
    return level * (1 + 0.2 * Math.sin((2 * Math.PI * t) / m)) + 0.05 * level * gauss();
  });
}

/** Fits on the first `fitted` values, then walks through `heldOut` more with update(): 80% coverage. */
async function heldOutCoverage(f: Forecaster, y: Float64Array, fitted: number, heldOut: number): Promise<number> {
  await f.fit(y.subarray(0, fitted));
  let covered = 0;
  for (let t = fitted; t < fitted + heldOut; t++) {
    const { lower, upper } = f.forecastInterval(0.8);
    for (let i = 0; i < f.horizon; i++) covered += y[t + i] >= lower[i] && y[t + i] <= upper[i] ? 1 : 0;
    f.update(y[t]);
  }
  f.dispose();
  return covered / (heldOut * f.horizon);
}

describe('Forecaster intervals and quantiles', () => {
  it.each([false, true])("intervals: 'local' keeps 80 percent coverage where the noise grows with the level (streaming: %s)", async (streaming) => {
    const m = 12, h = 3;
    const y = heteroscedastic(603, m, 5);
    const opts = { horizon: h, season: m, ensemble: 1, epochs: 40, hiddenSize: 16, seed: 1, streaming };
    const local = await heldOutCoverage(new Forecaster({ ...opts, intervals: 'local' }), y, 360, 240);
    const global = await heldOutCoverage(new Forecaster({ ...opts, intervals: 'global' }), y, 360, 240);
    expect(local).toBeGreaterThan(0.7);
    expect(local).toBeLessThan(0.9);
    // Widths fixed by the past under-cover once the level has grown: what 'local' is for.
    expect(global).toBeLessThan(local - 0.1);
  });

  it.each([
    [false, 'global'],
    [true, 'global'],
    [false, 'local'],
  ] as const)('80 percent intervals cover 70-90 percent of held-out points on a series with known noise (streaming: %s, intervals: %s)', async (streaming, intervals) => {
    const m = 12, h = 3, fitted = 360, heldOut = 240;
    const y = noisySeasonal(fitted + heldOut + h, m, 5);
    const f = new Forecaster({ horizon: h, season: m, ensemble: 1, epochs: 40, hiddenSize: 16, seed: 1, streaming, intervals });
    const report = await f.fit(y.subarray(0, fitted));
    expect(report.calibrationHeldOut).toBe(true);
    expect(report.calibrationWindows).toBeGreaterThan(40);
    let covered = 0, total = 0, width = 0;
    for (let t = fitted; t < fitted + heldOut; t++) {
      const { lower, upper } = f.forecastInterval(0.8);
      for (let i = 0; i < h; i++) {
        covered += y[t + i] >= lower[i] && y[t + i] <= upper[i] ? 1 : 0;
        width += (upper[i] - lower[i]) / (heldOut * h);
        total++;
      }
      f.update(y[t]);
    }
    const coverage = covered / total;
    expect(coverage).toBeGreaterThan(0.7);
    expect(coverage).toBeLessThan(0.9);
    // Not trivially wide: the noise alone needs 2 * 1.28 = 2.56 for 80%; the seasonal swing is 12.
    expect(width).toBeLessThan(6);
    f.dispose();
  });

  it('quantiles are ordered, intervals are symmetric and nested, and bad levels are refused', async () => {
    expect(() => new Forecaster({ horizon: 2, intervals: 'wide' as never })).toThrow(`Forecaster: intervals must be 'global' or 'local', got "wide"`);
    const y = noisySeasonal(200, 12, 9);
    const f = new Forecaster({ horizon: 4, season: 12, ensemble: 1, epochs: 10, hiddenSize: 8 });
    await f.fit(y);
    const [q1, q5, q9] = f.forecastQuantiles([0.1, 0.5, 0.9]);
    const i80 = f.forecastInterval(0.8);
    const i95 = f.forecastInterval(0.95);
    for (let i = 0; i < 4; i++) {
      // Intervals: forecast +- the conformal quantile of |residual| (quantiles use the signed residuals).
      expect(i80.upper[i] - i80.forecast[i]).toBeCloseTo(i80.forecast[i] - i80.lower[i], 9);
      expect(i80.upper[i]).toBeGreaterThan(i80.lower[i]);
      expect(q1[i]).toBeLessThan(q5[i]);
      expect(q5[i]).toBeLessThan(q9[i]);
      expect(i95.lower[i]).toBeLessThanOrEqual(i80.lower[i]);
      expect(i95.upper[i]).toBeGreaterThanOrEqual(i80.upper[i]);
    }
    expect(() => f.forecastQuantiles([0.5, 1])).toThrow('Forecaster.forecastQuantiles: each level must be in (0, 1), got 1');
    expect(() => f.forecastQuantiles([])).toThrow('give an array of quantile levels');
    f.dispose();
  });
});
