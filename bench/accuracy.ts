// `npx tsx bench/accuracy.ts [--out bench/ACCURACY.md] [--only name,name]`: the Forecaster with default
// settings on every series of ../shared/data, scored with the protocol of ../shared/data/BASELINES.md
// (last-h holdout, one origin; h and m from datasets.json; MASE scaled by the in-sample seasonal naive),
// beside seasonal naive. Writes a Markdown table with the aggregate bars BASELINES.md sets.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCsvSync } from '../src/data/csv.js';
import { Forecaster } from '../src/forecast/forecaster.js';
import { intervalCoverage, mae, mase, smape } from '../src/evaluate/metrics.js';
import { seasonalNaiveForecast } from '../src/evaluate/baselines.js';

const DATA = new URL('../../shared/data/', import.meta.url);
const argv = process.argv.slice(2);
const outPath = argv.includes('--out') ? argv[argv.indexOf('--out') + 1] : null;
const only = argv.includes('--only') ? new Set(argv[argv.indexOf('--only') + 1].split(',')) : null;

interface Entry { name: string; file: string; target: string; horizon: number; seasonal_period: number; length: number }
const manifest = JSON.parse(readFileSync(new URL('datasets.json', DATA), 'utf8')) as { datasets: Entry[] };

const rows: Array<{
  name: string; n: number; h: number; m: number; mase: number; snaiveMase: number; smape: number; relMae: number;
  coverage: number; fellBack: boolean; seconds: number;
}> = [];
for (const d of manifest.datasets) {
  if (only && !only.has(d.name)) continue;
  const series = loadCsvSync(fileURLToPath(new URL(d.file, DATA)), { targets: d.target });
  const y = series.values[series.columns.indexOf(d.target)];
  const h = d.horizon;
  const m = d.seasonal_period;
  const train = y.subarray(0, y.length - h);
  const test = y.subarray(y.length - h);
  const started = performance.now();
  const f = new Forecaster({ horizon: h, season: m });
  const report = await f.fit(train);
  const { forecast, lower, upper } = f.forecastInterval(0.8);
  f.dispose();
  const snaive = seasonalNaiveForecast(train, h, m);
  rows.push({
    name: d.name, n: y.length, h, m,
    mase: mase(test, forecast, train, m),
    snaiveMase: mase(test, snaive, train, m),
    smape: smape(test, forecast),
    relMae: mae(test, forecast) / mae(test, snaive),
    coverage: intervalCoverage(test, lower, upper),
    fellBack: report.fellBack,
    seconds: (performance.now() - started) / 1000,
  });
  const r = rows[rows.length - 1];
  console.error(`${d.name}: MASE ${r.mase.toFixed(3)} (sNaive ${r.snaiveMase.toFixed(3)})${r.fellBack ? ' [fell back]' : ''} ${r.seconds.toFixed(1)} s`);
}

const median = (a: number[]): number => {
  const s = [...a].sort((p, q) => p - q);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const geo = (a: number[]): number => Math.exp(a.reduce((s, v) => s + Math.log(v), 0) / a.length);
const lines = [
  '| series | n | h | m | MASE | sNaive MASE | sMAPE | MAE / sNaive MAE | 80% interval coverage | fell back | seconds |',
  '|---|---|---|---|---:|---:|---:|---:|---:|---|---:|',
  ...rows.map(
    (r) =>
      `| ${r.name} | ${r.n} | ${r.h} | ${r.m} | ${r.mase.toFixed(3)} | ${r.snaiveMase.toFixed(3)} | ${r.smape.toFixed(2)} | ` +
      `${r.relMae.toFixed(3)} | ${(100 * r.coverage).toFixed(0)}% | ${r.fellBack ? 'yes' : ''} | ${r.seconds.toFixed(1)} |`,
  ),
  '',
  `Geo-mean MAE relative to seasonal naive: **${geo(rows.map((r) => r.relMae)).toFixed(3)}** (bar: < 1.000; plain LSTM 1.258; ETS 0.677).`,
  `Median MASE: **${median(rows.map((r) => r.mase)).toFixed(3)}** (bar: < 1.380; plain LSTM 2.240; ARIMA 0.892).`,
  `Series better than seasonal naive: ${rows.filter((r) => r.relMae < 1).length} of ${rows.length}; worse than twice it: ${rows.filter((r) => r.relMae > 2).length}.`,
  `80% split-conformal intervals cover ${(100 * rows.reduce((a, r) => a + r.coverage * r.h, 0) / rows.reduce((a, r) => a + r.h, 0)).toFixed(1)}% of all held-out points (target 70–90%).`,
];
console.log(lines.join('\n'));
if (outPath) writeFileSync(outPath, lines.join('\n') + '\n');
