// seqcast compare <csv>: the evaluation of `seqcast evaluate` for LSTM, GRU and RNN side by side on the
// same cut-offs, with training time and network size (forecast/compare.ts does the work).
import type { Command } from 'commander';
import { loadBackend } from '../../backend/select.js';
import { compareCells, formatComparison } from '../../forecast/compare.js';
import type { CellKind } from '../../layout/cells.js';
import { addSeriesOptions, loadSeries, type SeriesCliOptions } from '../load-series.js';
import { cellList, positiveInt } from '../option-values.js';
import type { Output } from '../output.js';
import { progressWanted, TrainingProgress } from '../progress.js';
import { UsageError } from '../errors.js';
import { addOutputOptions, addTrainingOptions, backendOptions, resolveHorizon, resolveSeason, type OutputOptions } from '../settings.js';

type CompareCliOptions = SeriesCliOptions &
  OutputOptions & {
    cells: CellKind[];
    horizon?: number;
    season?: number;
    backtest?: number;
    lookback?: number;
    epochs?: number;
    ensemble?: number;
    hidden?: number;
    seed: number;
  };

export function compareCommand(program: Command, out: Output): void {
  const cmd = program
    .command('compare')
    .description('the evaluation of `evaluate` for LSTM, GRU and RNN side by side, with training time and size')
    .argument('<csv>', 'the series: a time column and value columns');
  addSeriesOptions(cmd, { targetRequired: false });
  cmd
    .option('--cells <list>', 'cells to compare, comma-separated', cellList, ['lstm', 'gru', 'rnn'] as CellKind[])
    .option('--backtest <k>', 'rolling origins, the last at the series end (default 1: the last h rows)', positiveInt);
  addTrainingOptions(cmd);
  addOutputOptions(cmd, { plot: false });
  cmd.action(async (csv: string, o: CompareCliOptions) => {
    out.configure(o);
    if (o.covariates?.length) throw new UsageError('compare scores univariate forecasters; leave out --covariates (seqcast evaluate takes them)');
    const series = await loadSeries(csv, o);
    // The backend is loaded once per process; setting its threads here holds for every fit of the comparison.
    if (o.threads !== undefined) await loadBackend(backendOptions(o));
    const season = resolveSeason(series, o);
    const horizon = resolveHorizon(season, o);
    const origins = o.backtest ?? 1;
    const labels = o.cells.flatMap((c, i) =>
      Array.from({ length: origins }, (_, k) => `${c} (${i + 1}/${o.cells.length})${origins > 1 ? ` origin ${k + 1}/${origins}` : ''}`),
    );
    const progress = new TrainingProgress(labels.length, progressWanted(o.quiet));
    let done = 0;
    let table;
    try {
      progress.startFit(labels[0]);
      table = await compareCells(series, {
        horizon, season, cells: o.cells, origins,
        ...(o.epochs !== undefined ? { epochs: o.epochs } : {}),
        ...(o.ensemble !== undefined ? { ensemble: o.ensemble } : {}),
        ...(o.hidden !== undefined ? { hiddenSize: o.hidden } : {}),
        ...(o.lookback !== undefined ? { lookback: o.lookback } : {}),
        seed: o.seed,
        ...(o.backend !== undefined ? { backend: o.backend } : {}),
        onProgress: () => {
          progress.endFit();
          if (++done < labels.length) progress.startFit(labels[done]);
        },
      });
    } finally {
      progress.stop();
    }
    out.json(() => ({ source: series.source, target: series.targets[0], ...table }));
    out.text(() => `${series.source}, target '${series.targets[0]}'\n${formatComparison(table)}\n(* lowest MASE)`);
  });
}
