import { describe, expect, it } from 'vitest';
import { loadCsv } from '../../src/data/csv.js';
import { DataError } from '../../src/data/errors.js';
import { Pipeline } from '../../src/data/pipeline.js';
import { fromArray, fromColumns, fromRecords } from '../../src/data/series.js';
import { checkData } from '../../src/train/dataset.js';
import { catchError, dataFile } from './helpers.js';

describe('Pipeline', () => {
  it('no leakage: changing only the test part leaves every fitted statistic unchanged', async () => {
    const s = await loadCsv(dataFile('air_passengers.csv'));
    const config = { lookback: 24, horizon: 12, split: { validation: 12, test: 12 }, outliers: { method: 'iqr' as const }, scale: 'zscore' as const };
    const a = new Pipeline(config);
    a.prepare(s);
    const changed = { ...s, values: [s.values[0].slice()] };
    for (let i = 132; i < 144; i++) changed.values[0][i] = 1e6 + i; // only the test rows
    const b = new Pipeline(config);
    const pb = b.prepare(changed);
    expect(b.fitted!.scalers).toEqual(a.fitted!.scalers);
    expect(b.fitted!.iqr).toEqual(a.fitted!.iqr);
    expect(b.fitted!.trainRows).toBe(120);
    // ...while the statistics do move when a training value changes
    const trainChanged = { ...s, values: [s.values[0].slice()] };
    trainChanged.values[0][5] += 50;
    const c = new Pipeline(config);
    c.prepare(trainChanged);
    expect(c.fitted!.scalers.passengers.center).not.toBe(a.fitted!.scalers.passengers.center);
    expect(pb.test!.count).toBe(1);
    // without outlier clipping, the test targets are the changed rows scaled with train statistics
    const plain = new Pipeline({ ...config, outliers: null });
    const pc = plain.prepare(changed);
    const st = plain.fitted!.scalers.passengers;
    const ref = new Pipeline({ ...config, outliers: null });
    ref.prepare(s);
    expect(plain.fitted!.scalers).toEqual(ref.fitted!.scalers);
    expect(pc.test!.targets[0]).toBe(Math.fround((1e6 + 132 - st.center) / st.scale));
  });

  it('prepares TrainingData for fit and inverts predictions to original units', async () => {
    const s = await loadCsv(dataFile('air_passengers.csv'));
    const p = new Pipeline({ lookback: 24, horizon: 12, log: true, scale: 'zscore', lags: [12], calendar: ['month'], split: { test: 12 } });
    const d = p.prepare(s);
    expect(d.channels).toEqual(['passengers', 'passengers_lag12', 'month_sin', 'month_cos']);
    expect(d.train.inputSize).toBe(4);
    expect(() => checkData('fit', d.train, 4, [12])).not.toThrow();
    // Warm-up of 12 rows, training rows 12..131: windows of 24 + 12 rows.
    expect(d.train.count).toBe(132 - 12 - 36 + 1);
    // inverse of the scaled test targets gives back the raw last 12 passengers within float32 rounding
    const back = p.inverse(d.test!.targets);
    for (let i = 0; i < 12; i++) expect(Math.abs(back[i] - s.values[0][132 + i]) / s.values[0][132 + i]).toBeLessThan(1e-6);
  });

  it('differences: forecastInput + inverse continue from the last observed level', async () => {
    const s = await loadCsv(dataFile('air_passengers.csv'));
    const p = new Pipeline({ lookback: 24, horizon: 12, difference: [1, 12], scale: 'robust' });
    const d = p.prepare(s);
    expect(p.fitted!.warmup).toBe(13);
    const f = p.forecastInput(s);
    expect(f.x.length).toBe(24);
    expect(f.context.tails[0].map((t) => t.length)).toEqual([1, 12]);
    // Predict zero change (scaled value of a zero difference): the forecast repeats last year's step.
    const st = p.fitted!.scalers.passengers;
    const zero = new Float32Array(12).fill((0 - st.center) / st.scale + st.offset);
    const out = p.inverse(zero, f.context);
    const x = s.values[0];
    // d12(d1) = 0 => d1[t] = d1[t-12] => x[t] = x[t-1] + x[t-12] - x[t-13]
    const want: number[] = [];
    const ext = Array.from(x);
    for (let h = 0; h < 12; h++) {
      const t = 144 + h;
      ext.push(ext[t - 1] + ext[t - 12] - ext[t - 13]);
      want.push(ext[t]);
    }
    out.forEach((v, i) => expect(v).toBeCloseTo(want[i], 3));
    expect(d.train.count).toBeGreaterThan(0);
    expect(catchError(() => p.inverse(zero)).message).toContain('pass one forecast (12 values) and the context from forecastInput()');
  });

  it('toJSON/fromJSON records every step and reproduces the preparation exactly', async () => {
    const s = await loadCsv(dataFile('bj_sales.csv'), { targets: 'sales' });
    const p = new Pipeline({ lookback: 10, horizon: 3, scale: 'minmax', rollingMean: [4], rollingStd: [4], smoothing: { method: 'exponential', alpha: 0.5 }, split: { validation: 0.1, test: 0.1 } });
    const d = p.prepare(s);
    const json = JSON.parse(JSON.stringify(p.toJSON()));
    expect(json.format).toBe('seqcast-pipeline/1');
    expect(json.steps.map((x: { step: string }) => x.step)).toEqual(['select', 'missing', 'smoothing', 'scale', 'features', 'windows']);
    expect(json.steps[0]).toEqual({ step: 'select', targets: ['sales'], covariates: ['lead'] });
    expect(json.fitted.channels).toEqual(['sales', 'lead', 'sales_mean4', 'sales_std4']);
    const q = Pipeline.fromJSON(json);
    const a = p.forecastInput(s);
    const b = q.forecastInput(s);
    expect(b.x).toEqual(a.x);
    // the forecast window is the last test window moved on by horizon 3 rows
    const I = 4;
    const lastTest = d.test!.x.subarray((d.test!.count - 1) * 10 * I);
    expect(Array.from(a.x.subarray(0, 7 * I))).toEqual(Array.from(lastTest.subarray(3 * I)));
    expect(q.inverse(new Float32Array([0, 0.5, 1]))).toEqual(p.inverse(new Float32Array([0, 0.5, 1])));
    expect(catchError(() => Pipeline.fromJSON({ format: 'x' } as never)).message).toBe(`Pipeline.fromJSON: expected an object with format 'seqcast-pipeline/1', got format "x"`);
  });

  it('missing values: error by default naming lines; mask keeps gaps with an indicator channel', async () => {
    const s = await loadCsv(dataFile('dirty/presidents_missing.csv'), { missing: 'keep' });
    const e = catchError(() => new Pipeline({ lookback: 8 }).prepare(s));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toContain("Pipeline(presidents_missing.csv): 6 missing value(s):\n  line 2, column 'approval_pct'\n  line 16, column 'approval_pct'");
    const p = new Pipeline({ lookback: 8, missing: 'mask', split: { test: 8 } });
    const d = p.prepare(s);
    expect(d.channels).toEqual(['approval_pct', 'approval_pct_missing']);
    expect(d.train.x.every(Number.isFinite)).toBe(true);
    // window 0 covers rows 0..7: the gap at row 0 reads 0 with indicator 1; its target row 8 is observed
    expect(d.train.x[0]).toBe(0);
    expect(d.train.x[1]).toBe(1);
    // a window whose target is a gap (row 14) has a NaN target, which fit() masks
    expect(d.train.targets[14 - 8]).toBeNaN();
    const lin = new Pipeline({ lookback: 8, missing: 'linear' }).prepare(s);
    expect(lin.report.filled.map((f) => f.line)).toEqual([2, 16, 17, 32, 112, 113]);
  });

  it('half-hourly datetimes give hour and day-of-week channels', async () => {
    const s = await loadCsv(dataFile('taylor_electricity.csv'));
    const p = new Pipeline({ lookback: 96, horizon: 48, stride: 48, calendar: ['hour', 'dayOfWeek'], split: { test: 48 } });
    const d = p.prepare(s);
    expect(d.channels).toEqual(['demand_mw', 'hour_sin', 'hour_cos', 'dayOfWeek_sin', 'dayOfWeek_cos']);
    // window 0 starts at 2000-06-05T00:00 (a Monday): hour 0 -> (0, 1), Monday -> sin(2*pi/7)
    expect(Array.from(d.train.x.subarray(1, 5))).toEqual([0, 1, Math.fround(Math.sin((2 * Math.PI) / 7)), Math.fround(Math.cos((2 * Math.PI) / 7))]);
    expect(d.train.targets.length).toBe(d.train.count * 48);
    expect(d.test!.count).toBe(1);
  });

  it('accepts arrays, typed arrays and records', () => {
    const a = fromArray(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]));
    const r = fromRecords([1, 2, 3, 4, 5, 6, 7, 8].map((v, i) => ({ date: `2020-${String(i + 1).padStart(2, '0')}-01`, y: v, x: v * 2 })));
    expect(r.timeKind).toBe('date');
    expect(r.targets).toEqual(['y']);
    expect(r.covariates).toEqual(['x']);
    const c = fromColumns({ y: [1, 2, 3, 4, 5, 6, 7, 8] }, { time: [2001, 2002, 2003, 2004, 2005, 2006, 2007, 2008] });
    expect(c.timeKind).toBe('index');
    const pa = new Pipeline({ lookback: 3, scale: 'none' }).prepare(a);
    expect(Array.from(pa.train.x.subarray(0, 3))).toEqual([1, 2, 3]);
    expect(pa.train.targets[0]).toBe(4);
    const pr = new Pipeline({ lookback: 3, scale: 'none' }).prepare(r);
    expect(Array.from(pr.train.x.subarray(0, 6))).toEqual([1, 2, 2, 4, 3, 6]);
    expect(catchError(() => fromRecords([{ y: 1 }, { y: 'abc' }])).message).toBe(
      `fromRecords: row 1, column 'y': expected a number, got "abc"; fix the cell, or pass { nonNumeric: 'missing' } to treat it as missing`,
    );
  });
});
