// seqcast forecast <csv> --model <file>: load a saved forecaster and forecast the steps after the CSV's
// last row, with an interval band or the quantiles asked for, as CSV (default) or JSON.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Series } from '../../data/series.js';
import { Forecaster } from '../../forecast/forecaster.js';
import { UsageError } from '../errors.js';
import { futureLabels } from '../future-times.js';
import { addSeriesOptions, loadSeries, targetValues, type SeriesCliOptions } from '../load-series.js';
import { level, positiveInt, quantiles } from '../option-values.js';
import { toJson, type Output } from '../output.js';
import { addOutputOptions, backendOptions, type OutputOptions } from '../settings.js';

type ForecastOptions = SeriesCliOptions & OutputOptions & { model: string; steps?: number; quantiles?: number[]; level: number; output?: string };

interface Row {
  time: string;
  forecast: number;
  [column: string]: number | string;
}

/** Column name of a quantile: q0.1, q0.5, ... */
const qName = (q: number): string => `q${q}`;

/** CSV text of the rows; numbers at full precision so nothing is lost between programs. */
function toCsv(header: string[], rows: Row[]): string {
  const cell = (v: number | string): string => (typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [header.join(','), ...rows.map((r) => header.map((h) => cell(r[h])).join(','))].join('\n') + '\n';
}

/**
 * Brings the loaded forecaster to the end of the CSV, so the forecast starts after its last row: a
 * streaming forecaster replays the whole series through its networks; a windowed one re-reads the
 * newest values through update() (each call shifts one value into its window).
 */
function feed(f: Forecaster, series: Series): void {
  if (f.streaming) {
    f.replay(series);
    return;
  }
  const y = targetValues(series);
  const covariates = series.covariates.map((name) => ({ name, values: series.values[series.columns.indexOf(name)] }));
  const need = f.contextLength;
  if (y.length < need) throw new RangeError(`${series.source} has ${y.length} rows; this model reads the last ${need} (its lookback ${f.lookback}, season ${f.season}, and a season more for its interval widths)`);
  for (let i = y.length - need; i < y.length; i++) {
    if (covariates.length === 0) f.update(y[i]);
    else f.update(Object.fromEntries([[series.targets[0], y[i]], ...covariates.map((c) => [c.name, c.values[i]])]));
  }
}

export function forecastCommand(program: Command, out: Output): void {
  const cmd = program
    .command('forecast')
    .description('forecast the steps after the last row of a CSV with a saved forecaster (CSV or JSON)')
    .argument('<csv>', 'the recent history: the columns the model was trained on')
    .requiredOption('--model <file>', 'a forecaster saved by `seqcast train --out`')
    .option('--steps <n>', "steps to forecast (default: the model's horizon)", positiveInt)
    .option('--quantiles <list>', 'quantile levels instead of the interval band, e.g. 0.1,0.5,0.9', quantiles)
    .option('--level <p>', 'coverage of the interval band, 0.8 or 80', level, 0.8)
    .option('--output <file>', 'write to a file instead of stdout (.json for JSON, otherwise CSV)');
  addSeriesOptions(cmd, { targetRequired: false });
  addOutputOptions(cmd, { plot: false });
  cmd.action(async (csv: string, o: ForecastOptions) => {
    out.configure(o);
    const f = await Forecaster.load(o.model, backendOptions(o));
    try {
      const info = f.dataInfo;
      const target = o.target ?? info?.target ?? undefined;
      const covariateNames = info?.covariates ?? [];
      if (o.covariates && o.covariates.join(',') !== covariateNames.join(','))
        throw new UsageError(`--covariates ${o.covariates.join(',')} differs from the model's (${covariateNames.join(',') || 'none'}); the model reads the columns it was trained on`);
      const steps = o.steps ?? f.horizon;
      if (steps > f.horizon) throw new UsageError(`--steps ${steps} is more than the model's horizon ${f.horizon}; train with --horizon ${steps} to forecast that far`);
      const series = await loadSeries(csv, { ...o, target, covariates: covariateNames });
      feed(f, series);
      const labels = futureLabels(series, steps);
      const forecast = f.forecast();
      let header: string[];
      let rows: Row[];
      if (o.quantiles) {
        const qs = f.forecastQuantiles(o.quantiles);
        header = ['time', 'forecast', ...o.quantiles.map(qName)];
        rows = labels.map((time, i) => ({ time, forecast: forecast[i], ...Object.fromEntries(o.quantiles!.map((q, j) => [qName(q), qs[j][i]])) }));
      } else {
        const band = f.forecastInterval(o.level);
        header = ['time', 'forecast', 'lower', 'upper'];
        rows = labels.map((time, i) => ({ time, forecast: forecast[i], lower: band.lower[i], upper: band.upper[i] }));
      }
      const doc = {
        model: o.model,
        source: series.source,
        target: series.targets[0],
        covariates: covariateNames,
        steps,
        horizon: f.horizon,
        ...(o.quantiles ? { quantiles: o.quantiles } : { level: o.level }),
        forecast: rows,
      };
      const asJson = o.output ? /\.json$/i.test(o.output) : out.isJson;
      const text = asJson ? toJson(doc) + '\n' : toCsv(header, rows);
      if (o.output) {
        await writeFile(o.output, text);
        out.json(() => ({ ...doc, output: o.output }));
        out.text(() => `Wrote ${steps} forecast rows to ${o.output}`);
      } else if (out.isJson) out.json(() => doc);
      else out.text(() => text.trimEnd());
    } finally {
      f.dispose();
    }
  });
}
