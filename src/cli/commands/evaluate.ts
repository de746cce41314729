// seqcast evaluate <csv>: fit on all but the last h rows and score the last h (or k rolling origins),
// the model beside the naive, seasonal-naive, drift and moving-average baselines (evaluate/backtest.ts).
// The demo runs the same evaluation on the series shipped with the package.
import type { Command } from 'commander';
import { backtest, type BacktestResult } from '../../evaluate/backtest.js';
import type { Series } from '../../data/series.js';
import { sliceSeries } from '../../data/series.js';
import { formatTime } from '../../data/timestamps.js';
import type { ForecasterFitReport } from '../../forecast/forecaster.js';
import { fitForecaster } from '../fit-forecaster.js';
import { BASELINE_LABELS, scoreTable, seconds, verdict } from '../format.js';
import { addSeriesOptions, loadSeries, targetValues, type SeriesCliOptions } from '../load-series.js';
import { positiveInt } from '../option-values.js';
import type { Output } from '../output.js';
import { forecastPlotSpec } from '../plot-spec.js';
import { progressWanted, TrainingProgress } from '../progress.js';
import { writePlot } from '../render-plot.js';
import {
  addModelOptions, addOutputOptions, backendOptions, forecasterOptions, resolveHorizon, resolveSeason,
  type ModelCliOptions, type OutputOptions,
} from '../settings.js';

export type EvaluateOptions = SeriesCliOptions & ModelCliOptions & OutputOptions & { backtest?: number };

export interface FitSummary extends ForecasterFitReport {
  trainEnd: number;
  seconds: number;
}

export interface Evaluation {
  result: BacktestResult;
  fits: FitSummary[];
  /** The last origin's forecast and band, for the plot. */
  last: { trainEnd: number; forecast: Float64Array; lower: Float64Array; upper: Float64Array };
  curves: TrainingProgress['curves'];
  /** Coverage of the band. */
  level: number;
}

/** Backtests the Forecaster on the series' target with k origins; fits one forecaster per origin. */
export async function evaluateSeries(series: Series, o: EvaluateOptions, label: string): Promise<Evaluation> {
  const season = resolveSeason(series, o);
  const horizon = resolveHorizon(season, o);
  const origins = o.backtest ?? 1;
  const y = targetValues(series);
  // Said here in terms of the options; the forecaster would say it in terms of its API.
  const firstTrain = series.length - origins * horizon;
  const need = season + horizon + 2;
  if (firstTrain < need)
    throw new RangeError(
      `${series.source} has ${series.length} rows; holding out ${origins > 1 ? `${origins} × ` : ''}${horizon} leaves ${Math.max(firstTrain, 0)} to train on, ` +
        `but season ${season} and horizon ${horizon} need at least ${need}; use a smaller --horizon${origins > 1 ? ' or fewer --backtest origins' : ''}`,
    );
  const progress = new TrainingProgress(origins, progressWanted(o.quiet));
  const fits: FitSummary[] = [];
  let last: Evaluation['last'] | null = null;
  try {
    const result = await backtest(y, { horizon, season, origins }, async (train) => {
      const name = origins > 1 ? `${label} origin ${fits.length + 1}/${origins}` : label;
      const onProgress = progress.startFit(name);
      const { forecaster, report, seconds } = await fitForecaster(sliceSeries(series, 0, train.length), forecasterOptions(o, horizon, season), backendOptions(o), onProgress);
      try {
        progress.endFit();
        fits.push({ ...report, trainEnd: train.length, seconds });
        const band = forecaster.forecastInterval(o.level);
        last = { trainEnd: train.length, ...band };
        return band.forecast;
      } finally {
        forecaster.dispose();
      }
    });
    return { result, fits, last: last!, curves: progress.curves, level: o.level };
  } finally {
    progress.stop();
  }
}

/** The evaluation as text: scores table, verdict, and what each fit did. */
export function evaluationText(series: Series, ev: Evaluation, cell: string): string {
  const r = ev.result;
  const rows = [
    { name: `${cell.toUpperCase()} forecaster`, scores: r.model },
    ...(Object.keys(BASELINE_LABELS) as (keyof typeof BASELINE_LABELS)[]).map((b) => ({ name: BASELINE_LABELS[b], scores: r.baselines[b] })),
  ];
  const k = r.origins.length;
  const where = k === 1 ? `the last ${r.horizon} values` : `${k} rolling origins of ${r.horizon} values each (scores are means over origins)`;
  const lines = [
    `${series.source}, target '${series.targets[0]}': ${series.length} values, season ${r.season}, horizon ${r.horizon}; scored on ${where}.`,
    '',
    scoreTable(rows),
    '',
    verdict(r.model, r.baselines.seasonalNaive, r.season),
  ];
  const fellBack = ev.fits.filter((f) => f.fellBack).length;
  if (fellBack > 0)
    lines.push(`${fellBack === ev.fits.length ? 'The' : `In ${fellBack} of ${ev.fits.length} fits the`} networks did not beat seasonal naive on their validation windows, so the forecaster used seasonal naive.`);
  const secs = ev.fits.reduce((a, f) => a + f.seconds, 0);
  lines.push(`Training: ${ev.fits.length === 1 ? 'one fit' : `${ev.fits.length} fits`}, lookback ${ev.fits[ev.fits.length - 1].lookback}, ${seconds(secs)}.`);
  return lines.join('\n');
}

/**
 * The --json document: backtest's { model, baselines, horizon, season, origins }, what each fit did,
 * and the last origin's forecast row by row beside the actual values.
 */
export function evaluationJson(series: Series, ev: Evaluation, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const y = targetValues(series);
  const { trainEnd, forecast, lower, upper } = ev.last;
  const time = (row: number): string => (series.time ? formatTime(series.time[row], series.timeKind) : String(row + 1));
  return {
    ...ev.result,
    target: series.targets[0],
    source: series.source,
    level: ev.level,
    fits: ev.fits,
    forecast: Array.from(forecast, (v, i) => ({ time: time(trainEnd + i), actual: y[trainEnd + i], forecast: v, lower: lower[i], upper: upper[i] })),
    ...extra,
  };
}

/** Writes the plot of the last origin: history up to it, the held-out actuals, forecast and band. */
export async function writeEvaluationPlot(series: Series, ev: Evaluation, o: EvaluateOptions, file: string, title: string): Promise<void> {
  const y = targetValues(series);
  const { trainEnd, forecast, lower, upper } = ev.last;
  const h = forecast.length;
  await writePlot(
    forecastPlotSpec({
      title,
      series,
      history: y.subarray(0, trainEnd),
      historyTimes: series.time ? series.time.subarray(0, trainEnd) : null,
      actual: y.subarray(trainEnd, trainEnd + h),
      forecast,
      forecastTimes: series.time ? series.time.subarray(trainEnd, trainEnd + h) : null,
      lower,
      upper,
      level: o.level,
      curves: ev.curves,
    }),
    file,
  );
}

export function evaluateCommand(program: Command, out: Output): void {
  const cmd = program
    .command('evaluate')
    .description('fit on all but the last h rows, score the last h (or k rolling origins) beside the baselines')
    .argument('<csv>', 'the series: a time column and value columns');
  addSeriesOptions(cmd, { targetRequired: false });
  addModelOptions(cmd);
  cmd.option('--backtest <k>', 'rolling origins, the last at the series end (default 1: the last h rows)', positiveInt);
  addOutputOptions(cmd, { plot: true });
  cmd.action(async (csv: string, o: EvaluateOptions) => {
    out.configure(o);
    const series = await loadSeries(csv, o);
    const ev = await evaluateSeries(series, o, o.cell);
    if (o.plot) await writeEvaluationPlot(series, ev, o, o.plot, `${series.targets[0]}: ${o.cell.toUpperCase()} forecast of the last ${ev.result.horizon} values`);
    out.json(() => evaluationJson(series, ev, { cell: o.cell, plot: o.plot ?? null }));
    out.text(() => evaluationText(series, ev, o.cell) + (o.plot ? `\nPlot: ${o.plot}` : ''));
  });
}
