// The Forecaster's method on series whose answer is known: it starts from seasonal naive, learns what
// seasonal naive misses (here a trend) with streaming and with windowed networks, and falls back to
// seasonal naive when it cannot beat it.
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
  it.each([false, true])('beats seasonal naive on a trending seasonal series, and is deterministic per seed (streaming: %s)', async (streaming) => {
    const m = 12, h = 12;
    const y = trendSeasonal(240, m, 1);
    const train = y.subarray(0, y.length - h);
    const test = y.subarray(y.length - h);
    const opts = { horizon: h, season: m, ensemble: 1, epochs: 60, seed: 2, streaming };
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
      expect(i80.lower[i]).toBeLessThanOrEqual(forecast[i]);
      expect(i80.upper[i]).toBeGreaterThanOrEqual(forecast[i]);
      expect(i80.upper[i]).toBeGreaterThan(i80.lower[i]);
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

  it.each([false, true])('falls back to seasonal naive when the networks cannot beat it on validation (streaming: %s)', async (streaming) => {
    // A pure repeating season: seasonal naive is exact, so no correction can help.
    const m = 4, h = 4;
    const y = Float64Array.from({ length: 80 }, (_, t) => [3, 1, 4, 1][t % m]);
    const f = new Forecaster({ horizon: h, season: m, ensemble: 1, epochs: 5, streaming });
    const report = await f.fit(y);
    expect(report.seasonalNaiveLoss).toBe(0);
    expect(report.fellBack).toBe(true);
    expect(Array.from(f.forecast())).toEqual([3, 1, 4, 1]);
    f.dispose();
  });

  it.each([false, true])('reports progress per member and phase, and stops on abort (streaming: %s)', async (streaming) => {
    const y = trendSeasonal(120, 4, 2);
    const events: Array<{ member: number; members: number; phase: string; epoch: number }> = [];
    const f = new Forecaster({ horizon: 4, season: 4, ensemble: 2, epochs: 3, hiddenSize: 4, streaming });
    const report = await f.fit(y, { onProgress: (e) => events.push(e) });
    const seen = new Set(events.map((e) => `${e.phase}/${e.member}/${e.members}`));
    expect([...seen].sort()).toEqual(report.fellBack ? ['select/0/2', 'select/1/2'] : ['refit/0/2', 'refit/1/2', 'select/0/2', 'select/1/2']);
    f.dispose();
    const controller = new AbortController();
    const g = new Forecaster({ horizon: 4, season: 4, ensemble: 2, epochs: 50, hiddenSize: 4, streaming });
    const fitting = g.fit(y, { signal: controller.signal, onProgress: () => controller.abort(new Error('stopped by the test')) });
    await expect(fitting).rejects.toThrow('stopped by the test');
    expect(() => g.forecast()).toThrow('Forecaster.forecast: call fit() first');
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
