// compareCells on a short real series: every cell is scored on the same cut-offs as the baselines,
// the scores are the Forecaster's own forecast on that split, and the table is plain JSON.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareCells, forecasterParameters, formatComparison } from '../../src/forecast/compare.js';
import { Forecaster } from '../../src/forecast/forecaster.js';
import { loadCsvSync } from '../../src/data/csv.js';
import { getColumn } from '../../src/data/series.js';
import { driftForecast, seasonalNaiveForecast } from '../../src/evaluate/baselines.js';
import { mae, mase, rmse, smape } from '../../src/evaluate/metrics.js';
import { testBackends } from '../helpers/backends.js';

const backend = (await testBackends())[0].name;
const file = fileURLToPath(new URL('../../../shared/data/ldeaths.csv', import.meta.url));
const series = loadCsvSync(file, { targets: 'deaths' });
const y = getColumn(series, 'deaths');
const quick = { epochs: 4, ensemble: 1, hiddenSize: 8, seed: 3, backend };

describe('compareCells', () => {
  it('scores LSTM, GRU and RNN on the last-horizon holdout next to the baselines of the same split', async () => {
    const h = 12;
    const table = await compareCells(series, { horizon: h, ...quick });
    expect(table.season).toBe(12); // inferred from the monthly timestamps
    expect(table.length).toBe(y.length);
    expect(table.cutoffs).toEqual([{ trainEnd: y.length - h, testStart: y.length - h, testEnd: y.length }]);
    expect(table.cells.map((c) => c.cell)).toEqual(['lstm', 'gru', 'rnn']);
    const train = y.subarray(0, y.length - h);
    const test = y.subarray(y.length - h);
    // Baselines of the same split, computed here from the baseline functions.
    const sn = seasonalNaiveForecast(train, h, 12);
    expect(table.baselines.seasonalNaive.mae).toBeCloseTo(mae(test, sn), 10);
    expect(table.baselines.seasonalNaive.mase).toBeCloseTo(mase(test, sn, train, 12), 10);
    expect(table.baselines.drift.rmse).toBeCloseTo(rmse(test, driftForecast(train, h)), 10);
    // Each cell's scores are its Forecaster's forecast of the held-out values (same seed: same forecast).
    const f = new Forecaster({ horizon: h, season: 12, cell: 'gru', epochs: 4, ensemble: 1, hiddenSize: 8, numLayers: 1, seed: 3 }, { backend });
    await f.fit(train.slice());
    const forecast = f.forecast();
    f.dispose();
    const gru = table.cells[1];
    expect(gru.mae).toBeCloseTo(mae(test, forecast), 8);
    expect(gru.smape).toBeCloseTo(smape(test, forecast), 8);
    expect(gru.mase).toBeCloseTo(mase(test, forecast, train, 12), 8);
    // Parameters: G*H*(I+H) + 2*G*H for the cell, H*h + h for the head.
    expect(table.cells.map((c) => c.parameters)).toEqual([4 * 8 * 9 + 64 + 8 * 12 + 12, 3 * 8 * 9 + 48 + 108, 8 * 9 + 16 + 108]);
    for (const c of table.cells) {
      expect(c.trainSeconds).toBeGreaterThan(0);
      expect(Number.isFinite(c.rmse)).toBe(true);
    }
    expect(JSON.parse(JSON.stringify(table))).toEqual(table);
    const allMase = [...table.cells.map((c) => [c.cell, c.mase] as const), ...Object.entries(table.baselines).map(([k, s]) => [k, s.mase] as const)];
    expect(table.best).toBe(allMase.reduce((a, b) => (b[1] < a[1] ? b : a))[0]);

    const text = formatComparison(table);
    const lines = text.split('\n');
    expect(lines[0]).toBe('72 values, horizon 12, season 12, last 12 values held out; train s = seconds per fit (noisy on a shared machine)');
    expect(lines[1]).toMatch(/^ model\s+MAE\s+RMSE\s+sMAPE %\s+MASE\s+train s\s+params$/);
    expect(lines).toHaveLength(2 + 3 + 4);
    expect(lines.find((l) => l.includes('seasonal naive'))).toContain(String(Number(table.baselines.seasonalNaive.mase.toPrecision(4))));
    expect(lines.filter((l) => l.startsWith('*'))).toHaveLength(1);
  });

  it('uses rolling origins when asked, one fit per origin', async () => {
    const events: number[] = [];
    const table = await compareCells(y, { horizon: 6, season: 12, origins: 2, cells: ['rnn'], ...quick, onProgress: (e) => events.push(e.origin) });
    expect(table.cutoffs.map((c) => c.trainEnd)).toEqual([y.length - 12, y.length - 6]);
    expect(events).toEqual([1, 2]);
    expect(formatComparison(table).split('\n')[0]).toContain('2 rolling origins of 6 values');
  });

  it('refuses bad options with a clear message', async () => {
    await expect(compareCells(y, { horizon: 12, cells: ['lstm', 'transformer' as 'lstm'] })).rejects.toThrow(
      "compareCells: cells must be among 'lstm', 'gru', 'rnn', got 'transformer'",
    );
    await expect(compareCells(y, { horizon: 0 })).rejects.toThrow('compareCells: horizon must be a positive integer, got 0');
    await expect(compareCells(y.subarray(0, 20), { horizon: 12, origins: 3, ...quick })).rejects.toThrow(/too short for 3 origin/);
  });

  it('counts parameters from the layout without its alignment padding', () => {
    expect(forecasterParameters('lstm', 3, 2, 1)).toBe(4 * 3 * 1 + 4 * 3 * 3 + 2 * 12 + (4 * 3 * 3 + 4 * 3 * 3 + 2 * 12) + 3 + 1);
  });
});
