// seqcast train <csv>: fit a forecaster on the whole series, print what it learned and its forecast of
// the next h steps, and with --out save it to one file that `seqcast forecast --model` reads.
import type { Command } from 'commander';
import { futureLabels, futureTimes } from '../future-times.js';
import { fitForecaster } from '../fit-forecaster.js';
import { keyValues, num, seconds as formatSeconds, table } from '../format.js';
import { addSeriesOptions, loadSeries, targetValues, type SeriesCliOptions } from '../load-series.js';
import type { Output } from '../output.js';
import { forecastPlotSpec } from '../plot-spec.js';
import { progressWanted, TrainingProgress } from '../progress.js';
import { writePlot } from '../render-plot.js';
import {
  addModelOptions, addOutputOptions, backendOptions, forecasterOptions, resolveHorizon, resolveSeason,
  type ModelCliOptions, type OutputOptions,
} from '../settings.js';

type TrainOptions = SeriesCliOptions & ModelCliOptions & OutputOptions & { out?: string };

export function trainCommand(program: Command, out: Output): void {
  const cmd = program
    .command('train')
    .description('fit a forecaster on a CSV series, print its forecast, and save it with --out')
    .argument('<csv>', 'the series: a time column and value columns');
  addSeriesOptions(cmd, { targetRequired: true });
  addModelOptions(cmd);
  cmd.option('--out <file>', 'save the trained forecaster to this file (e.g. model.seqcast)');
  addOutputOptions(cmd, { plot: true });
  cmd.action(async (csv: string, o: TrainOptions) => {
    out.configure(o);
    const series = await loadSeries(csv, o);
    const season = resolveSeason(series, o);
    const horizon = resolveHorizon(season, o);
    const progress = new TrainingProgress(1, progressWanted(o.quiet));
    let fitted;
    try {
      fitted = await fitForecaster(series, forecasterOptions(o, horizon, season), backendOptions(o), progress.startFit(o.cell));
      progress.endFit();
    } finally {
      progress.stop();
    }
    const { forecaster, report, seconds } = fitted;
    try {
      if (o.out) await forecaster.save(o.out);
      const band = forecaster.forecastInterval(o.level);
      const labels = futureLabels(series, horizon);
      const y = targetValues(series);
      if (o.plot)
        await writePlot(
          forecastPlotSpec({
            title: `${series.targets[0]}: ${o.cell.toUpperCase()} forecast of the next ${horizon} steps`,
            series, history: y, historyTimes: series.time, forecast: band.forecast, forecastTimes: futureTimes(series, horizon),
            lower: band.lower, upper: band.upper, level: o.level, curves: progress.curves,
          }),
          o.plot,
        );
      out.json(() => ({
        source: series.source,
        target: series.targets[0],
        covariates: series.covariates,
        cell: o.cell,
        strategy: o.strategy ?? 'direct',
        streaming: forecaster.streaming,
        horizon,
        season,
        ...report,
        seconds,
        model: o.out ?? null,
        plot: o.plot ?? null,
        level: o.level,
        forecast: labels.map((time, i) => ({ time, forecast: band.forecast[i], lower: band.lower[i], upper: band.upper[i] })),
      }));
      out.text(() => {
        const pct = `${Math.round(o.level * 100)}%`;
        const summary: [string, string][] = [
          ['series', `${series.source}, target '${series.targets[0]}'${series.covariates.length ? `, covariates ${series.covariates.join(', ')}` : ''}, ${series.length} values`],
          ['model', `${o.cell.toUpperCase()}${forecaster.streaming ? ' streaming' : ''}, ensemble of ${o.ensemble ?? 3}, lookback ${report.lookback}, season ${season}, horizon ${horizon}${o.strategy === 'recursive' ? ', recursive' : ''}`],
          ['training', `${formatSeconds(seconds)} (${report.windows} ${forecaster.streaming ? 'stretches read with truncated BPTT' : 'windows'})`],
          ['validation MSE', `${num(report.validationLoss)} (seasonal naive ${num(report.seasonalNaiveLoss)}; normalized units)`],
          ...(report.fellBack ? [['note', 'the networks did not beat seasonal naive on validation: forecasting seasonal naive'] as [string, string]] : []),
          ...(o.out ? [['saved', o.out] as [string, string]] : []),
          ...(o.plot ? [['plot', o.plot] as [string, string]] : []),
        ];
        const rows = labels.map((t, i) => [t, num(band.forecast[i]), num(band.lower[i]), num(band.upper[i])]);
        return `${keyValues(summary)}\n\n${table([series.timeColumn ?? 'step', 'forecast', `lower ${pct}`, `upper ${pct}`], rows)}`;
      });
    } finally {
      forecaster.dispose();
    }
  });
}
