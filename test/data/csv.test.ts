import { describe, expect, it } from 'vitest';
import { loadCsv, readCsv } from '../../src/data/csv.js';
import { DataError } from '../../src/data/errors.js';
import { getColumn } from '../../src/data/series.js';
import { formatTime } from '../../src/data/timestamps.js';
import { catchError, dataFile, manifest, readData } from './helpers.js';

describe('clean CSV files', () => {
  it.each(manifest.datasets.map((d) => [d.name, d] as const))('%s loads with the rows and columns of datasets.json', async (_, d) => {
    const s = await loadCsv(dataFile(d.file), { targets: d.target });
    expect(s.length).toBe(d.length);
    expect(s.timeColumn).toBe(d.time_column);
    expect(s.columns).toEqual(d.value_columns);
    expect(s.targets).toEqual([d.target]);
    expect(s.covariates).toEqual(d.value_columns.filter((c) => c !== d.target));
    expect(formatTime(s.time![0], s.timeKind)).toBe(d.start);
    expect(formatTime(s.time![s.length - 1], s.timeKind)).toBe(d.end);
    expect(s.report.missing).toEqual([]);
    expect(s.report.unsorted).toEqual([]);
    expect(s.report.duplicates).toEqual([]);
    for (const v of s.values) expect(v.every(Number.isFinite)).toBe(true);
    expect(s.lines[0]).toBe(2);
    expect(s.lines[s.length - 1]).toBe(d.length + 1);
    // First value equals the text of line 2.
    const line2 = readData(d.file).split('\n')[1].split(',');
    expect(getColumn(s, d.value_columns[0])[0]).toBe(Number(line2[1]));
  });

  it('reads time formats and reports the regular step', async () => {
    const kinds = Object.fromEntries(
      await Promise.all(manifest.datasets.map(async (d) => [d.name, (await loadCsv(dataFile(d.file))).report.time] as const)),
    );
    expect(kinds.air_passengers).toMatchObject({ kind: 'date', unit: 'month', step: 1, issues: [] });
    expect(kinds.johnson_johnson).toMatchObject({ kind: 'date', unit: 'month', step: 3, issues: [] });
    expect(kinds.lynx).toMatchObject({ kind: 'year', unit: 'year', step: 1, issues: [] });
    expect(kinds.eu_stock_markets).toMatchObject({ kind: 'index', unit: 'index', step: 1, issues: [] });
    expect(kinds.taylor_electricity).toMatchObject({ kind: 'datetime', unit: 'ms', step: 1_800_000, issues: [] });
  });

  it('accepts YYYY-MM, YYYY/MM/DD and datetimes, and reports irregular spacing', () => {
    expect(readCsv('month,v\n2020-01,1\n2020-02,2\n2020-03,3\n').report.time).toMatchObject({ kind: 'month', unit: 'month', step: 1 });
    const s = readCsv('date,v\n2020/01/01,1\n2020/01/02,2\n2020/01/05,3\n2020/01/06,4\n', { source: 'gappy.csv' });
    expect(s.report.time!.issues).toEqual([{ row: 2, from: '2020-01-02', to: '2020-01-05', step: 259_200_000, missingSteps: 2 }]);
    const e = catchError(() => readCsv('date,v\n2020/01/01,1\n2020/01/02,2\n2020/01/05,3\n', { source: 'gappy.csv', irregular: 'error' }));
    expect(e.message).toContain("gappy.csv: column 'date' is irregularly spaced:\n  line 4: 2020-01-02 -> 2020-01-05");
  });

  it('names the line and column of a bad timestamp and of a short row', () => {
    const e = catchError(() => readCsv('date,v\n2020-01-01,1\n2020-13-01,2\n', { source: 'x.csv' }));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toContain("x.csv: 1 time cell(s) could not be read:\n  line 3, column 'date': the time is \"2020-13-01\"");
    const e2 = catchError(() => readCsv('date,a,b\n2020-01-01,1,2\n2020-01-02,3\n', { source: 'x.csv' }));
    expect(e2.message).toBe('x.csv: line 3 has 2 cell(s), expected 3 like the header (date,a,b)');
  });

  it('handles CRLF, quoted cells and blank lines without shifting line numbers', () => {
    const s = readCsv('date,v\r\n2020-01-01,"1.5"\r\n\r\n2020-01-02,x\r\n', { source: 'crlf.csv', nonNumeric: 'missing', missing: 'keep' });
    expect(s.report.nonNumeric).toEqual([{ line: 4, column: 'v', token: 'x' }]);
    expect(Array.from(s.values[0])).toEqual([1.5, NaN]);
  });
});

describe('dirty files', () => {
  const nonNumeric = 'dirty/us_acc_deaths_non_numeric.csv';
  const presidents = 'dirty/presidents_missing.csv';
  const ldeaths = 'dirty/ldeaths_unsorted_duplicates.csv';

  it('us_acc_deaths: rejects 9O56 naming line 31 and column deaths', async () => {
    const entry = manifest.dirty.find((d) => d.file === nonNumeric);
    expect(entry.bad_rows[0].line).toBe(31);
    const e = await loadCsv(dataFile(nonNumeric)).catch((x: Error) => x);
    expect(e).toBeInstanceOf(DataError);
    expect((e as Error).message).toBe(
      `us_acc_deaths_non_numeric.csv: line 31, column 'deaths': expected a number, got "9O56"; fix the cell, or pass { nonNumeric: 'missing' } to treat it as missing`,
    );
    expect((e as DataError).problems).toEqual([expect.objectContaining({ kind: 'non-numeric', line: 31, column: 'deaths' })]);
  });

  it('us_acc_deaths: treats 9O56 as missing when asked, never as 0', async () => {
    const s = await loadCsv(dataFile(nonNumeric), { nonNumeric: 'missing', missing: 'keep' });
    expect(s.length).toBe(72);
    expect(s.values[0][29]).toBeNaN();
    expect(s.report.nonNumeric).toEqual([{ line: 31, column: 'deaths', token: '9O56' }]);
    expect(s.report.missing).toEqual([{ line: 31, column: 'deaths', token: '9O56' }]);
    expect(s.report.actions[0]).toBe(`treated 1 non-numeric cell(s) as missing: line 31 'deaths' "9O56"`);
    const filled = await loadCsv(dataFile(nonNumeric), { nonNumeric: 'missing', missing: 'linear' });
    expect(filled.values[0][29]).toBe((filled.values[0][28] + filled.values[0][30]) / 2);
  });

  it('presidents: rejects the 6 gaps by default, naming each line', async () => {
    const e = (await loadCsv(dataFile(presidents)).catch((x: Error) => x)) as DataError;
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toBe(
      [
        'presidents_missing.csv: 6 missing value(s):',
        `  line 2, column 'approval_pct': missing ("NA")`,
        `  line 16, column 'approval_pct': missing ("")`,
        `  line 17, column 'approval_pct': missing ("NA")`,
        `  line 32, column 'approval_pct': missing ("")`,
        `  line 112, column 'approval_pct': missing ("NA")`,
        `  line 113, column 'approval_pct': missing ("")`,
        `Pass { missing: 'keep' } to keep them as NaN, or a fill strategy: 'ffill', 'bfill', 'linear', 'seasonal', 'drop' or 'mask'`,
      ].join('\n'),
    );
  });

  it('presidents: keeps the gaps as NaN (never 0) at the rows of datasets.json', async () => {
    const entry = manifest.dirty.find((d) => d.file === presidents);
    const s = await loadCsv(dataFile(presidents), { missing: 'keep' });
    expect(s.length).toBe(entry.length);
    expect(s.report.missing.map((m) => [m.line, m.token])).toEqual(entry.missing.map((m: any) => [m.data_row + 1, m.token]));
    for (const m of entry.missing) {
      expect(s.values[0][m.data_row - 1]).toBeNaN();
      expect(formatTime(s.time![m.data_row - 1], s.timeKind)).toBe(m.time);
    }
  });

  it('ldeaths: reports unsorted rows and both duplicates with their lines, error by default', async () => {
    const e = (await loadCsv(dataFile(ldeaths)).catch((x: Error) => x)) as DataError;
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toBe(
      [
        "ldeaths_unsorted_duplicates.csv: column 'date' has 3 row(s) out of time order and 2 duplicate timestamp(s):",
        '  line 12: 1974-12-01 is out of time order (sorted, it follows line 13)',
        '  line 23: 1975-09-01 repeats line 22 with an identical row',
        '  line 43: 1977-12-01 is out of time order (sorted, it follows line 49)',
        '  line 50: 1977-05-01 is out of time order (sorted, it follows line 42)',
        "  line 59: 1978-08-01 repeats line 58 with a conflicting value ('deaths': 1366 vs 1466)",
        "Pass { unsorted: 'sort' } to sort the rows by time, or { duplicates: 'keep-first' | 'keep-last' | 'mean' } to merge repeated timestamps",
      ].join('\n'),
    );
    expect(e.problems.map((p) => [p.kind, p.line])).toEqual([
      ['unsorted', 12], ['duplicate', 23], ['unsorted', 43], ['unsorted', 50], ['duplicate', 59],
    ]);
  });

  it('ldeaths: sorting alone still rejects the duplicates; drop-identical still rejects the conflict', async () => {
    const e = (await loadCsv(dataFile(ldeaths), { unsorted: 'sort' }).catch((x: Error) => x)) as DataError;
    expect(e.message).toContain("has 2 duplicate timestamp(s):\n  line 23: 1975-09-01 repeats line 22 with an identical row\n  line 59:");
    expect(e.message).not.toContain('out of time order');
    const e2 = (await loadCsv(dataFile(ldeaths), { unsorted: 'sort', duplicates: 'drop-identical' }).catch((x: Error) => x)) as DataError;
    expect(e2.message).toBe(
      "ldeaths_unsorted_duplicates.csv: column 'date' has 1 duplicate timestamp(s):\n" +
        "  line 59: 1978-08-01 repeats line 58 with a conflicting value ('deaths': 1366 vs 1466)\n" +
        "Pass { duplicates: 'keep-first' | 'keep-last' | 'mean' } to merge repeated timestamps",
    );
  });

  it.each([
    ['keep-first', 1366, [23, 59]],
    ['keep-last', 1466, [22, 58]],
    ['mean', 1416, [23, 59]],
  ] as const)('ldeaths: unsorted sort + duplicates %s gives 72 sorted unique months and says what was done', async (policy, aug78, dropped) => {
    const s = await loadCsv(dataFile(ldeaths), { unsorted: 'sort', duplicates: policy });
    const clean = await loadCsv(dataFile('ldeaths.csv'));
    expect(s.length).toBe(72);
    expect(Array.from(s.time!)).toEqual(Array.from(clean.time!));
    const i = Array.from(s.time!).findIndex((t) => formatTime(t, s.timeKind) === '1978-08-01');
    expect(s.values[0][i]).toBe(aug78);
    s.values[0].forEach((v, k) => k !== i && expect(v).toBe(clean.values[0][k]));
    expect(s.report.unsorted.map((u) => u.line)).toEqual([12, 43, 50]);
    expect(s.report.duplicates).toEqual([
      { time: '1975-09-01', lines: [22, 23], kind: 'identical', values: { deaths: [1396, 1396] } },
      { time: '1978-08-01', lines: [58, 59], kind: 'conflicting', values: { deaths: [1366, 1466] } },
    ]);
    expect(s.report.droppedLines).toEqual(dropped);
    expect(s.report.actions[0]).toBe("sorted 74 rows by 'date' (3 were out of order: line 12, line 43, line 50)");
    expect(s.report.actions[2]).toContain(`1978-08-01: conflicting duplicate on line 58, line 59; `);
    expect(s.report.time!.issues).toEqual([]);
    // Rows keep their source lines: the sorted 1974-11 row is line 13.
    expect(s.lines[10]).toBe(13);
    expect(s.lines[11]).toBe(12);
  });
});
