// Reproduces the Naive and sNaive rows of shared/data/BASELINES.md (last-h holdout, one origin) from the
// CSVs, through backtest({ origins: 1 }), to the precision the tables print. The expected numbers are
// parsed from BASELINES.md itself, so the test follows the file rather than a copy of it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCsvSync } from '../../src/data/csv.js';
import { getColumn } from '../../src/data/series.js';
import { backtest } from '../../src/evaluate/backtest.js';
import { seasonalNaiveForecast } from '../../src/evaluate/baselines.js';
import { mase, seasonalNaiveScale } from '../../src/evaluate/metrics.js';
import { dataFile, manifest } from '../data/helpers.js';

const md = readFileSync(fileURLToPath(dataFile('BASELINES.md')), 'utf8');
const publicPart = md.slice(md.indexOf('## Public series'), md.indexOf('## Notes'));

interface Row { n: number; h: number; m: number; naive: string; snaive: string }

/** The per-series table under `### <title>`: series -> printed Naive and sNaive cells. */
function table(title: string): Map<string, Row> {
  const start = publicPart.indexOf(`### ${title}\n`);
  if (start < 0) throw new Error(`BASELINES.md: no table '### ${title}'`);
  const lines = publicPart.slice(start).split('\n').slice(1);
  const rows = new Map<string, Row>();
  let header: string[] | null = null;
  for (const line of lines) {
    if (line.startsWith('###')) break;
    if (!line.startsWith('|')) continue;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim().replace(/\*\*/g, ''));
    if (!header) {
      header = cells;
      continue;
    }
    if (cells[0].startsWith('---')) continue;
    const at = (name: string) => cells[header!.indexOf(name)];
    rows.set(cells[0], { n: Number(at('n')), h: Number(at('h')), m: Number(at('m')), naive: at('Naive'), snaive: at('sNaive') });
  }
  return rows;
}

/** |value - printed| within half a unit of the last printed digit. */
function expectPrinted(value: number, printed: string, label: string) {
  const decimals = printed.includes('.') ? printed.split('.')[1].length : 0;
  const tol = 0.5 * 10 ** -decimals * (1 + 1e-9);
  const ok = Math.abs(value - Number(printed)) <= tol;
  expect(ok, `${label}: computed ${value}, BASELINES.md prints ${printed}`).toBe(true);
}

const tables = { mase: table('MASE'), smape: table('sMAPE'), mae: table('MAE'), rmse: table('RMSE') };
const targetOf = (d: (typeof manifest.datasets)[number]) => getColumn(loadCsvSync(fileURLToPath(dataFile(d.file)), { targets: d.target }), d.target);

const results = new Map<string, { naive: Record<string, number>; snaive: Record<string, number> }>();

describe('BASELINES.md: Naive and sNaive on the public series', () => {
  it('lists every series of datasets.json with its n, h and m', () => {
    expect([...tables.mase.keys()].sort()).toEqual(manifest.datasets.map((d) => d.name).sort());
    for (const d of manifest.datasets) {
      const row = tables.mase.get(d.name)!;
      expect([row.n, row.h, row.m], d.name).toEqual([d.length, d.horizon, d.seasonal_period]);
    }
  });

  it.each(manifest.datasets.map((d) => [d.name, d] as const))('%s: MASE, sMAPE, MAE and RMSE to the printed precision', async (name, d) => {
    const y = targetOf(d);
    expect(y.length).toBe(d.length);
    const m = d.seasonal_period;
    // the model slot runs seasonal naive through the forecaster path too
    const r = await backtest(y, { horizon: d.horizon, origins: 1, season: m }, (train, h) => seasonalNaiveForecast(train, h, m));
    expect(r.origins).toHaveLength(1);
    expect(r.origins[0]).toMatchObject({ trainEnd: d.length - d.horizon, testEnd: d.length });
    expect(r.model).toEqual(r.baselines.seasonalNaive);
    for (const metric of ['mase', 'smape', 'mae', 'rmse'] as const) {
      const row = tables[metric].get(name)!;
      expectPrinted(r.baselines.naive[metric], row.naive, `${name} Naive ${metric}`);
      expectPrinted(r.baselines.seasonalNaive[metric], row.snaive, `${name} sNaive ${metric}`);
    }
    results.set(name, { naive: { ...r.baselines.naive }, snaive: { ...r.baselines.seasonalNaive } });
  });

  it('reproduces the summary rows (mean / median MASE, mean sMAPE, geo-mean MAE relative to sNaive)', () => {
    expect(results.size).toBe(manifest.datasets.length);
    const summary = new Map<string, string[]>();
    const start = publicPart.indexOf('### Summary');
    for (const line of publicPart.slice(start, publicPart.indexOf('### MASE')).split('\n'))
      if (line.startsWith('| Naive') || line.startsWith('| sNaive')) {
        const cells = line.split('|').slice(1, -1).map((c) => c.trim());
        summary.set(cells[0], cells.slice(1));
      }
    const all = [...results.values()];
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    const median = (v: number[]) => {
      const s = [...v].sort((a, b) => a - b);
      return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    };
    for (const [label, key] of [['Naive', 'naive'], ['sNaive', 'snaive']] as const) {
      const printed = summary.get(label)!;
      const rows = all.map((x) => x[key]);
      expectPrinted(mean(rows.map((x) => x.mase)), printed[0], `${label} mean MASE`);
      expectPrinted(median(rows.map((x) => x.mase)), printed[1], `${label} median MASE`);
      expectPrinted(mean(rows.map((x) => x.smape)), printed[2], `${label} mean sMAPE`);
      const geo = Math.exp(mean(all.map((x) => Math.log(x[key].mae / x.snaive.mae))));
      expectPrinted(geo, printed[3], `${label} geo-mean rel. MAE`);
    }
  });

  it('taylor_electricity: seasonal naive one week back (m = 336) scores MASE 0.248 with the m = 48 scaling', () => {
    const d = manifest.datasets.find((x) => x.name === 'taylor_electricity')!;
    const y = targetOf(d);
    const train = y.subarray(0, y.length - 48);
    const test = y.subarray(y.length - 48);
    expect(mase(test, seasonalNaiveForecast(train, 48, 336), train, 48)).toBeCloseTo(0.248, 3);
    expect(seasonalNaiveScale(train, 48)).toBeGreaterThan(0);
  });
});
