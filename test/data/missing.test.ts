import { describe, expect, it } from 'vitest';
import { loadCsv } from '../../src/data/csv.js';
import { fillArray, fillMissing } from '../../src/data/missing.js';
import { fromArray } from '../../src/data/series.js';
import { catchError, dataFile } from './helpers.js';

const presidents = dataFile('dirty/presidents_missing.csv');
const GAP_LINES = [2, 16, 17, 32, 112, 113];

describe('presidents gaps, each strategy', () => {
  it.each([
    ['ffill', [87, 39, 39, 32, 61, 61], ['bfill (leading edge)', 'ffill', 'ffill', 'ffill', 'ffill', 'ffill']],
    ['bfill', [87, 69, 69, 32, 68, 68], ['bfill', 'bfill', 'bfill', 'bfill', 'bfill', 'bfill']],
    ['linear', [87, 49, 59, 32, 61 + 7 / 3, 61 + 14 / 3], ['bfill (leading edge)', 'linear', 'linear', 'linear', 'linear', 'linear']],
  ] as const)('%s fills the 6 gaps with the expected values and reports them', async (strategy, want, methods) => {
    const s = await loadCsv(presidents, { missing: strategy });
    expect(s.length).toBe(120);
    expect(s.report.filled.map((f) => f.line)).toEqual(GAP_LINES);
    expect(s.report.filled.map((f) => f.method)).toEqual(methods);
    s.report.filled.forEach((f, k) => expect(f.value).toBeCloseTo(want[k], 12));
    GAP_LINES.forEach((l, k) => expect(s.values[0][l - 2]).toBeCloseTo(want[k], 12));
    expect(s.values[0].every(Number.isFinite)).toBe(true);
    expect(s.report.actions.at(-1)).toBe(`filled 6 gap(s) in 'approval_pct' (missing: '${strategy}'): line 2, line 16, line 17, line 32, line 112, line 113`);
  });

  it('seasonal (period 4) interpolates within the same quarter of other years', async () => {
    const raw = (await loadCsv(presidents, { missing: 'keep' })).values[0];
    const s = await loadCsv(presidents, { missing: 'seasonal', seasonalPeriod: 4 });
    expect(s.report.filled.map((f) => f.line)).toEqual(GAP_LINES);
    expect(s.values[0][0]).toBe(raw[4]); // leading edge: the next first quarter
    for (const l of GAP_LINES.slice(1)) expect(s.values[0][l - 2]).toBe((raw[l - 2 - 4] + raw[l - 2 + 4]) / 2);
    expect(catchError(() => fillArray([1, NaN, 3], 'seasonal')).message).toBe(
      "fillArray: strategy 'seasonal' needs period, a positive integer (e.g. 12 for monthly data), got undefined",
    );
  });

  it('drop removes exactly the 6 rows and names their lines', async () => {
    const s = await loadCsv(presidents, { missing: 'drop' });
    expect(s.length).toBe(114);
    expect(s.report.droppedLines).toEqual(GAP_LINES);
    expect(s.lines.includes(16)).toBe(false);
    expect(s.report.actions.at(-1)).toBe("dropped 6 row(s) with missing values (missing: 'drop'): line 2, line 16, line 17, line 32, line 112, line 113");
  });

  it('mask keeps the gaps and adds a 0/1 indicator column', async () => {
    const s = await loadCsv(presidents, { missing: 'mask' });
    expect(s.columns).toEqual(['approval_pct', 'approval_pct_missing']);
    expect(s.covariates).toEqual(['approval_pct_missing']);
    const ind = s.values[1];
    expect(Array.from(ind).reduce((a, b) => a + b, 0)).toBe(6);
    for (const l of GAP_LINES) {
      expect(ind[l - 2]).toBe(1);
      expect(s.values[0][l - 2]).toBeNaN();
    }
  });

  it('works on plain arrays too, and refuses an all-missing column', () => {
    const s = fillMissing(fromArray([1, NaN, null, 4], { missing: 'keep' }), 'linear');
    expect(Array.from(s.values[0])).toEqual([1, 2, 3, 4]);
    expect(s.report.filled.map((f) => f.line)).toEqual([1, 2]);
    expect(catchError(() => fillMissing(fromArray([NaN, NaN], { missing: 'keep' }), 'ffill')).message).toBe(
      "fillMissing(fromArray), column 'value': every value is missing; there is nothing to fill from",
    );
  });
});
