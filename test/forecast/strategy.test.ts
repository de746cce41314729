// The recursive strategy: a one-step network applied `horizon` times. Both strategies give finite
// forecasts of the right length; recursive on a clean sine is accurate over the whole horizon.
import { describe, expect, it } from 'vitest';
import { Forecaster } from '../../src/forecast/forecaster.js';
import { mae } from '../../src/evaluate/metrics.js';

describe('Forecaster strategies', () => {
  it('recursive forecasts a clean sine accurately; both strategies give horizon finite values', async () => {
    const period = 17; // not given as the season: the network must learn the shape
    const y = Float64Array.from({ length: 300 }, (_, t) => 5 + 2 * Math.sin((2 * Math.PI * t) / period));
    const h = 10;
    const train = y.subarray(0, y.length - h);
    const test = y.subarray(y.length - h);
    const rec = new Forecaster({ horizon: h, strategy: 'recursive', ensemble: 1, epochs: 150, hiddenSize: 16, lookback: 20, seed: 1 });
    const report = await rec.fit(train);
    expect(report.fellBack).toBe(false);
    const fr = rec.forecast();
    expect(fr.length).toBe(h);
    expect(fr.every(Number.isFinite)).toBe(true);
    // Naive (the last value) errs by about 1.3 on average here.
    expect(mae(test, fr)).toBeLessThan(0.15);
    const direct = new Forecaster({ horizon: h, ensemble: 1, epochs: 20, hiddenSize: 8, lookback: 20 });
    await direct.fit(train);
    const fd = direct.forecast();
    expect(fd.length).toBe(h);
    expect(fd.every(Number.isFinite)).toBe(true);
    // The recursive forecaster saves and loads like the direct one.
    const loaded = await Forecaster.fromBytes(rec.toBytes());
    expect(loaded.forecast()).toEqual(fr);
    expect(loaded.forecastInterval(0.8).lower.length).toBe(h);
    for (const f of [rec, direct, loaded]) f.dispose();
  });

  it('refuses an unknown strategy', () => {
    expect(() => new Forecaster({ horizon: 3, strategy: 'both' as never })).toThrow(`Forecaster: strategy must be 'direct' or 'recursive', got "both"`);
  });
});
