// The Forecaster's method on series whose answer is known: it starts from seasonal naive, learns what
// seasonal naive misses (here a trend), and falls back to seasonal naive when it cannot beat it.
import { describe, expect, it } from 'vitest';
import { Forecaster } from '../../src/forecast/forecaster.js';
import { seasonalNaiveForecast } from '../../src/evaluate/baselines.js';
import { mae } from '../../src/evaluate/metrics.js';
import { Rng } from '../../src/random.js';
import { loadCsvSync } from '../../src/data/csv.js';
import { inferSeason } from '../../src/forecast/season.js';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';

/** A trending seasonal series: seasonal naive lags the trend by one season at every step. */
function trendSeasonal(n: number, m: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, (_, t) => 100 + 0.8 * t + 10 * Math.sin((2 * Math.PI * t) / m) + rng.uniform(-0.5, 0.5));
}

describe('Forecaster', () => {
  it('beats seasonal naive on a trending seasonal series, and is deterministic per seed', async () => {
    const m = 12, h = 12;
    const y = trendSeasonal(240, m, 1);
    const train = y.subarray(0, y.length - h);
    const test = y.subarray(y.length - h);
    const opts = { horizon: h, season: m, ensemble: 1, epochs: 60, seed: 2 };
    const f = new Forecaster(opts);
    const report = await f.fit(train);
    expect(report.fellBack).toBe(false);
    expect(report.validationLoss).toBeLessThan(report.seasonalNaiveLoss / 4);
    const forecast = f.forecast();
    expect(mae(test, forecast)).toBeLessThan(mae(test, seasonalNaiveForecast(train, h, m)) / 2);
    // Split-conformal intervals: around the forecast, wider at a higher level, covering most of the test.
    const i80 = f.forecastInterval(0.8);
    const i95 = f.forecastInterval(0.95);
    expect(i80.forecast).toEqual(forecast);
    for (let i = 0; i < h; i++) {
      expect(i80.lower[i]).toBeLessThan(forecast[i]);
      expect(i80.upper[i]).toBeGreaterThan(forecast[i]);
      expect(i95.upper[i] - i95.lower[i]).toBeGreaterThanOrEqual(i80.upper[i] - i80.lower[i]);
    }
    const covered = test.filter((v, i) => v >= i95.lower[i] && v <= i95.upper[i]).length;
    expect(covered).toBeGreaterThanOrEqual(h / 2);
    expect(() => f.forecastInterval(1)).toThrow('Forecaster.forecastInterval: level must be in (0, 1), got 1');
    const g = new Forecaster(opts);
    await g.fit(train);
    expect(g.forecast()).toEqual(forecast);
    f.dispose();
    g.dispose();
  });

  it('falls back to seasonal naive when the networks cannot beat it on validation', async () => {
    // A pure repeating season: seasonal naive is exact, so no correction can help.
    const m = 4, h = 4;
    const y = Float64Array.from({ length: 80 }, (_, t) => [3, 1, 4, 1][t % m]);
    const f = new Forecaster({ horizon: h, season: m, ensemble: 1, epochs: 5 });
    const report = await f.fit(y);
    expect(report.seasonalNaiveLoss).toBe(0);
    expect(report.fellBack).toBe(true);
    expect(Array.from(f.forecast())).toEqual([3, 1, 4, 1]);
    f.dispose();
  });

  it('rejects what it cannot use, with the numbers', async () => {
    expect(() => new Forecaster({ horizon: 0 })).toThrow('Forecaster: horizon must be a positive integer, got 0');
    await expect(new Forecaster({ horizon: 12, season: 12 }).fit(new Float64Array(20))).rejects.toThrow(
      'Forecaster.fit: a series of 20 values is too short for season 12 and horizon 12 (need >= 26)',
    );
    await expect(new Forecaster({ horizon: 2 }).fit([1, 2, NaN, 4, 5, 6, 7])).rejects.toThrow('Forecaster.fit: value 2 is NaN');
    expect(() => new Forecaster({ horizon: 2 }).forecast()).toThrow('Forecaster.forecast: call fit() first');
  });

  it('infers the seasonal period of every public series from its timestamps, as datasets.json states it', () => {
    const dir = new URL('../../../shared/data/', import.meta.url);
    const manifest = JSON.parse(readFileSync(new URL('datasets.json', dir), 'utf8'));
    for (const d of manifest.datasets) {
      const series = loadCsvSync(fileURLToPath(new URL(d.file, dir)), { targets: d.target });
      expect(inferSeason(series), d.name).toBe(d.seasonal_period);
    }
  });
});
