// The options every subcommand shares (output, backend) and those of every subcommand that trains
// (cell, horizon, lookback, epochs, ...), with the defaults resolved from the series in one place.
import { Command, Option } from 'commander';
import type { BackendOptions } from '../backend/select.js';
import type { Series } from '../data/series.js';
import { inferSeason } from '../forecast/season.js';
import type { ForecasterOptions } from '../forecast/forecaster.js';
import type { CellKind } from '../layout/cells.js';
import { cell, level, plotPath, positiveInt } from './option-values.js';
import { UsageError } from './errors.js';

export interface OutputOptions {
  json?: boolean;
  quiet?: boolean;
  debug?: boolean;
  plot?: string | false;
  backend?: 'auto' | 'native' | 'wasm';
  threads?: number;
}

export interface ModelCliOptions {
  cell: CellKind;
  horizon?: number;
  season?: number;
  lookback?: number;
  epochs?: number;
  ensemble?: number;
  hidden?: number;
  seed: number;
  level: number;
  strategy?: 'direct' | 'recursive';
  streaming?: boolean;
}

export function addOutputOptions(cmd: Command, { plot }: { plot: boolean }): Command {
  cmd
    .option('--json', 'print one JSON document on stdout instead of text')
    .option('-q, --quiet', 'no progress bar')
    .addOption(new Option('--backend <name>', 'compute backend (default: native when built, else WebAssembly; or SEQCAST_BACKEND)').choices(['auto', 'native', 'wasm']))
    .option('--threads <n>', 'kernel threads of the native backend (default: all cores)', positiveInt)
    .option('--debug', 'print the stack trace when something fails');
  if (plot) cmd.option('--plot <file>', 'write a plot of the forecast and the training curves (.svg or .png)', plotPath);
  return cmd;
}

/** What shapes the forecaster's training, shared by every subcommand that trains (compare adds its own --cells). */
export function addTrainingOptions(cmd: Command): Command {
  return cmd
    .option('--horizon <h>', 'steps forecast at once (default: a year for monthly data, two for quarterly, else one season or 10)', positiveInt)
    .option('--season <m>', 'seasonal period (default: from the timestamps, 12 for monthly data; 1 = none)', positiveInt)
    .option('--lookback <n>', 'input window length (default: from the season and horizon)', positiveInt)
    .option('--epochs <n>', 'maximum training epochs per network (default: from the series length; early stopping ends sooner)', positiveInt)
    .option('--ensemble <n>', 'networks averaged (default 3)', positiveInt)
    .option('--hidden <n>', 'hidden units per layer (default 32)', positiveInt)
    .option('--seed <n>', 'random seed; the same seed on the same backend gives the same model', (t) => (t.trim() === '0' ? 0 : positiveInt(t)), 0);
}

export function addModelOptions(cmd: Command): Command {
  cmd.addOption(new Option('--cell <cell>', 'recurrent cell: lstm, gru or rnn').argParser(cell).default('lstm'));
  cmd.addOption(
    new Option('--strategy <name>', 'direct: every horizon step from one network output (default); recursive: one step at a time, fed back')
      .choices(['direct', 'recursive']),
  );
  cmd.option('--streaming', 'one network reads the whole history and carries its state (direct strategy only)');
  return addTrainingOptions(cmd).option('--level <p>', 'coverage of the interval band, 0.8 or 80', level, 0.8);
}

/** Seasonal period: the option, else what the timestamps imply. */
export function resolveSeason(series: Series, o: { season?: number }): number {
  return o.season ?? inferSeason(series);
}

/** Default horizon: one season when it is a year or longer in steps (12, 24, 48, 52), two when short (4, 7), else 10. */
export function resolveHorizon(season: number, o: { horizon?: number }): number {
  if (o.horizon !== undefined) return o.horizon;
  if (season >= 12) return season;
  if (season > 1) return 2 * season;
  return 10;
}

export function forecasterOptions(o: ModelCliOptions, horizon: number, season: number): ForecasterOptions {
  if (o.streaming && o.strategy === 'recursive')
    throw new UsageError('--streaming forecasts every horizon step from the carried state; drop --strategy recursive (or --streaming)');
  return {
    horizon,
    season,
    cell: o.cell,
    ...(o.lookback !== undefined ? { lookback: o.lookback } : {}),
    ...(o.epochs !== undefined ? { epochs: o.epochs } : {}),
    ...(o.ensemble !== undefined ? { ensemble: o.ensemble } : {}),
    ...(o.hidden !== undefined ? { hiddenSize: o.hidden } : {}),
    ...(o.strategy !== undefined ? { strategy: o.strategy } : {}),
    ...(o.streaming ? { streaming: true } : {}),
    seed: o.seed,
  };
}

export function backendOptions(o: OutputOptions): BackendOptions {
  return { ...(o.backend !== undefined ? { backend: o.backend } : {}), ...(o.threads !== undefined ? { threads: o.threads } : {}) };
}
