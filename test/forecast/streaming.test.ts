// streaming: true. update() per observation must give the same carried state and forecast as one
// forward pass over the same full history, at a cost per observation that does not grow with it;
// the state survives a save -> load round trip.
import { describe, expect, it } from 'vitest';
import { Forecaster } from '../../src/forecast/forecaster.js';
import { seasonalNaiveForecast } from '../../src/evaluate/baselines.js';
import { mae } from '../../src/evaluate/metrics.js';
import { Rng } from '../../src/random.js';

function trendSeasonal(n: number, m: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, (_, t) => 100 + 0.8 * t + 10 * Math.sin((2 * Math.PI * t) / m) + rng.uniform(-0.5, 0.5));
}

const close = (got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void => {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i]), `${what}[${i}]: ${got[i]} vs ${want[i]}`).toBeLessThan(tol * (1 + Math.abs(want[i])));
};

describe('Forecaster streaming', () => {
  it('update() per observation equals one forward pass over the full history, and survives save/load', async () => {
    const m = 12, h = 6;
    const y = trendSeasonal(400, m, 3);
    const fitLength = 300;
    const f = new Forecaster({ horizon: h, season: m, streaming: true, ensemble: 2, epochs: 4, hiddenSize: 8, cell: 'lstm' });
    await f.fit(y.subarray(0, fitLength));
    const saved = f.toBytes();
    let last = f.forecast();
    for (let t = fitLength; t < y.length; t++) last = f.update(y[t]);
    expect(last).toEqual(f.forecast());

    const g = await Forecaster.fromBytes(saved);
    const replayed = g.replay(y);
    close(last, replayed, 1e-5, 'forecast');
    const a = f.carriedState()!;
    const b = g.carriedState()!;
    expect(a.length).toBe(2);
    a.forEach((s, k) => close(s, b[k], 1e-4, `state of member ${k}`));
    // The state moved: it is not the fit-time state.
    const h0 = (await Forecaster.fromBytes(saved)).carriedState()!;
    expect(Array.from(a[0]).some((v, i) => Math.abs(v - h0[0][i]) > 1e-3)).toBe(true);

    // A loaded forecaster continues exactly where the saved one was.
    const k = await Forecaster.fromBytes(f.toBytes());
    expect(k.forecast()).toEqual(f.forecast());
    expect(k.update(500)).toEqual(f.update(500));
    for (const x of [f, g, k]) x.dispose();
  });

  it('costs the same per update after 100 and after 2000 updates', async () => {
    const y = trendSeasonal(200, 4, 1);
    const f = new Forecaster({ horizon: 4, season: 4, streaming: true, ensemble: 1, epochs: 2, hiddenSize: 16, cell: 'gru' });
    await f.fit(y);
    const rng = new Rng(2);
    let v = y[y.length - 1];
    const perUpdate = (count: number): number => {
      const t0 = performance.now();
      for (let i = 0; i < count; i++) f.update((v += rng.uniform(-1, 1.2)));
      return (performance.now() - t0) / count;
    };
    perUpdate(100);
    const early = Math.min(perUpdate(100), perUpdate(100));
    perUpdate(1800);
    const late = Math.min(perUpdate(100), perUpdate(100));
    // A cost growing with the history would be ~20x here; allow for a noisy shared machine.
    expect(late).toBeLessThan(4 * early + 0.05);
    expect(f.forecast().every(Number.isFinite)).toBe(true);
    f.dispose();
  });

  it('learns what seasonal naive misses on a trending series', async () => {
    const m = 12, h = 12;
    const y = trendSeasonal(360, m, 1);
    const train = y.subarray(0, y.length - h);
    const test = y.subarray(y.length - h);
    const f = new Forecaster({ horizon: h, season: m, streaming: true, ensemble: 1, epochs: 60, seed: 2 });
    const report = await f.fit(train);
    expect(report.fellBack).toBe(false);
    expect(mae(test, f.forecast())).toBeLessThan(mae(test, seasonalNaiveForecast(train, h, m)) / 2);
    f.dispose();
  });

  it('refuses what it cannot do, saying why', async () => {
    expect(() => new Forecaster({ horizon: 3, streaming: true, strategy: 'recursive' })).toThrow("use strategy 'direct' with streaming: true");
    const f = new Forecaster({ horizon: 3 });
    expect(() => f.replay([1, 2, 3])).toThrow('Forecaster.replay: call fit() first');
    await expect(new Forecaster({ horizon: 12, season: 12, streaming: true }).fit(trendSeasonal(50, 12, 1))).rejects.toThrow(
      /training origins for streaming with season 12 and horizon 12 \(need >= 10\); give a longer series or set streaming: false/,
    );
  });
});
