// Covariates: extra input channels of known past values. A leading indicator that determines the
// target must be used (much lower error than without it); forecast() and update() need no future
// covariate values; the column names survive save/load; misuse is refused with the fix.
import { describe, expect, it } from 'vitest';
import { Forecaster } from '../../src/forecast/forecaster.js';
import { fromColumns } from '../../src/data/series.js';
import { Rng } from '../../src/random.js';

/** x: a random walk-free AR(1) driver; y_t = 3 x_{t-1} + 10 (x leads y by one step). */
function leading(n: number, seed: number): { x: Float64Array; y: Float64Array } {
  const rng = new Rng(seed);
  const x = new Float64Array(n);
  for (let t = 1; t < n; t++) x[t] = 0.3 * x[t - 1] + rng.uniform(-1, 1);
  const y = Float64Array.from({ length: n }, (_, t) => (t > 0 ? 3 * x[t - 1] : 0) + 10);
  return { x, y };
}

describe('Forecaster covariates', () => {
  it.each([false, true])('uses a covariate that determines the target (streaming: %s)', async (streaming) => {
    const { x, y } = leading(420, 4);
    const fitN = 360;
    const opts = { horizon: 1, ensemble: 1, epochs: 80, hiddenSize: 16, seed: 3, streaming };
    const withCov = new Forecaster(opts);
    await withCov.fit({ sales: y.subarray(0, fitN), ads: x.subarray(0, fitN) }, { target: 'sales', covariates: ['ads'] });
    expect(withCov.dataInfo).toEqual({ target: 'sales', covariates: ['ads'], time: null });
    const atFit = withCov.toBytes();
    const alone = new Forecaster(opts);
    await alone.fit(y.subarray(0, fitN));
    let errWith = 0, errAlone = 0;
    for (let t = fitN; t < y.length; t++) {
      errWith += Math.abs(withCov.forecast()[0] - y[t]);
      errAlone += Math.abs(alone.forecast()[0] - y[t]);
      withCov.update({ sales: y[t], ads: x[t] });
      alone.update(y[t]);
    }
    expect(errWith).toBeLessThan(errAlone / 3);
    if (streaming) {
      // One forward pass over the full columns gives what the updates gave.
      const replayed = (await Forecaster.fromBytes(atFit)).replay({ sales: y, ads: x });
      expect(Math.abs(replayed[0] - withCov.forecast()[0])).toBeLessThan(1e-4 * (1 + Math.abs(replayed[0])));
    }
    // Saved and loaded, it still reads the covariate.
    const loaded = await Forecaster.fromBytes(withCov.toBytes());
    expect(loaded.dataInfo?.covariates).toEqual(['ads']);
    expect(loaded.update({ sales: 11, ads: 0.5 })).toEqual(withCov.update({ sales: 11, ads: 0.5 }));
    for (const f of [withCov, alone, loaded]) f.dispose();
  });

  it('takes a Series with its columns named, and refuses what it cannot use', async () => {
    const { x, y } = leading(120, 1);
    const series = fromColumns({ y: Array.from(y), x: Array.from(x), z: Array.from(x, (v) => -v) });
    const f = new Forecaster({ horizon: 2, ensemble: 1, epochs: 3, hiddenSize: 4 });
    await f.fit(series, { target: 'y', covariates: ['x', 'z'] });
    expect(f.dataInfo?.covariates).toEqual(['x', 'z']);
    expect(() => f.update(3)).toThrow('Forecaster.update: this forecaster reads covariates; give { y, x, z }');
    expect(() => f.update({ y: 1, x: 2 })).toThrow("Forecaster.update: the observation has no number for 'z'");
    expect(f.update({ y: 1, x: 2, z: -2 }).every(Number.isFinite)).toBe(true);
    f.dispose();
    const g = new Forecaster({ horizon: 2 });
    await expect(g.fit(series, { target: 'y', covariates: ['w'] })).rejects.toThrow("Forecaster.fit: no column 'w'; the columns are y, x, z");
    await expect(g.fit(series, { target: 'y', covariates: ['y'] })).rejects.toThrow("'y' is the target; it cannot also be a covariate");
    await expect(g.fit(y, { covariates: ['x'] })).rejects.toThrow('target and covariates name columns');
    await expect(g.fit({ a: y, b: x })).rejects.toThrow('Forecaster.fit: name the target column (one of a, b) with { target }');
    await expect(new Forecaster({ horizon: 2, strategy: 'recursive' }).fit(series, { target: 'y', covariates: ['x'] })).rejects.toThrow(
      "the recursive strategy would need future covariate values; use strategy 'direct' with covariates",
    );
  });
});
