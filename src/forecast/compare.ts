// Compare cells: the Forecaster trained with each recurrent cell (LSTM, GRU, plain RNN) on the same
// series and the same cut-offs (the last-horizon holdout, or k rolling origins through
// evaluate/backtest.ts), scored next to the naive, seasonal-naive, drift and moving-average baselines
// of those cut-offs. The result is plain JSON-serializable data (what `seqcast compare --json` prints);
// formatComparison renders it as a text table.
import type { BackendOptions } from '../backend/select.js';
import { checkDims } from '../backend/validate.js';
import { backtest, type BaselineName, type BaselineScores, type Cutoff, type Scores } from '../evaluate/backtest.js';
import { CELL_KINDS, type CellKind } from '../layout/cells.js';
import { paramLayout } from '../layout/params.js';
import type { Series } from '../data/series.js';
import { Forecaster } from './forecaster.js';
import { inferSeason } from './season.js';

export interface CompareOptions {
  horizon: number;
  /** Seasonal period for the Forecaster, seasonal naive and MASE; default inferred from a Series' timestamps, else 1. */
  season?: number;
  /** Default ['lstm', 'gru', 'rnn']. */
  cells?: CellKind[];
  /** Rolling forecast origins; default 1 (fit on all but the last horizon, score the last horizon). */
  origins?: number;
  /** Distance between origins; default the horizon. */
  step?: number;
  /** Passed to every Forecaster (the Forecaster's own defaults otherwise, except ensemble, hiddenSize and numLayers, fixed here so the parameter count is exact). */
  epochs?: number;
  /** Networks averaged per forecaster; default 3 (the Forecaster's default). */
  ensemble?: number;
  hiddenSize?: number;
  numLayers?: number;
  lookback?: number;
  seed?: number;
  backend?: BackendOptions['backend'];
  /** Called after each cell and origin, e.g. for a progress bar. */
  onProgress?: (event: { cell: CellKind; origin: number; origins: number; seconds: number }) => void;
}

export interface CellComparison extends Scores {
  cell: CellKind;
  /** Mean seconds of one Forecaster.fit (one origin), wall clock. */
  trainSeconds: number;
  /** Trainable parameters of one network; the forecaster averages `ensemble` of them. */
  parameters: number;
  ensemble: number;
  /** Origins at which the Forecaster fell back to seasonal naive (it did not beat it on validation). */
  fellBack: number;
}

export interface ComparisonTable {
  horizon: number;
  season: number;
  /** The series length and the cut-offs every cell and baseline was scored on. */
  length: number;
  cutoffs: Cutoff[];
  cells: CellComparison[];
  baselines: BaselineScores;
  /** The row with the lowest MASE: a cell or a baseline name. */
  best: string;
}

/** A positive integer option, checked with the kernels' own rule and message. */
function positiveInt(name: string, v: unknown): number {
  checkDims('compareCells', { [name]: v as number });
  return v as number;
}

/** Trainable parameters of one Forecaster network (direct strategy, univariate): recurrent stack plus dense head. */
export function forecasterParameters(cell: CellKind, hiddenSize: number, numLayers: number, horizon: number): number {
  const layout = paramLayout({ cell, inputSize: 1, hiddenSize, numLayers, bidirectional: false });
  const recurrent = layout.entries.reduce((s, e) => s + e.length, 0); // layout.total includes alignment padding
  return recurrent + hiddenSize * horizon + horizon;
}

function targetValues(series: ArrayLike<number> | Series): { y: Float64Array; season: number } {
  const isSeries = typeof series === 'object' && series !== null && 'values' in series && 'columns' in series && 'targets' in series;
  if (!isSeries) return { y: Float64Array.from(series as ArrayLike<number>), season: 1 };
  const s = series as Series;
  return { y: Float64Array.from(s.values[s.columns.indexOf(s.targets[0])]), season: inferSeason(s) };
}

/** Trains the Forecaster with each cell on the same cut-offs and returns one table of scores. */
export async function compareCells(series: ArrayLike<number> | Series, options: CompareOptions): Promise<ComparisonTable> {
  if (typeof options !== 'object' || options === null) throw new TypeError('compareCells: options must be an object like { horizon: 12 }');
  const horizon = positiveInt('horizon', options.horizon);
  const inferred = targetValues(series);
  const season = options.season === undefined ? inferred.season : positiveInt('season', options.season);
  const cells = options.cells ?? [...CELL_KINDS];
  if (!Array.isArray(cells) || cells.length === 0) throw new RangeError("compareCells: cells must list at least one of 'lstm', 'gru', 'rnn'");
  for (const c of cells)
    if (!CELL_KINDS.includes(c)) throw new RangeError(`compareCells: cells must be among 'lstm', 'gru', 'rnn', got '${String(c)}'`);
  if (new Set(cells).size !== cells.length) throw new RangeError(`compareCells: cells lists a cell twice: ${cells.join(', ')}`);
  const hiddenSize = positiveInt('hiddenSize', options.hiddenSize ?? 32);
  const numLayers = positiveInt('numLayers', options.numLayers ?? 1);
  const ensemble = positiveInt('ensemble', options.ensemble ?? 3);
  const origins = positiveInt('origins', options.origins ?? 1);
  const y = inferred.y;

  const rows: CellComparison[] = [];
  let baselines: BaselineScores | null = null;
  let cutoffs: Cutoff[] = [];
  for (const cell of cells) {
    let seconds = 0;
    let fellBack = 0;
    let origin = 0;
    const result = await backtest(y, { horizon, season, origins, step: options.step }, async (train) => {
      const f = new Forecaster(
        {
          horizon, season, cell, hiddenSize, numLayers, ensemble,
          ...(options.epochs !== undefined ? { epochs: options.epochs } : {}),
          ...(options.lookback !== undefined ? { lookback: options.lookback } : {}),
          ...(options.seed !== undefined ? { seed: options.seed } : {}),
        },
        { backend: options.backend },
      );
      try {
        const started = performance.now();
        const report = await f.fit(train);
        const s = (performance.now() - started) / 1000;
        seconds += s;
        if (report.fellBack) fellBack++;
        options.onProgress?.({ cell, origin: ++origin, origins, seconds: s });
        return f.forecast();
      } finally {
        f.dispose();
      }
    });
    baselines ??= result.baselines;
    cutoffs = result.origins.map(({ trainEnd, testStart, testEnd }) => ({ trainEnd, testStart, testEnd }));
    rows.push({
      cell, ...result.model, trainSeconds: seconds / origins,
      parameters: forecasterParameters(cell, hiddenSize, numLayers, horizon), ensemble, fellBack,
    });
  }
  const candidates: Array<[string, number]> = [
    ...rows.map((r): [string, number] => [r.cell, r.mase]),
    ...Object.entries(baselines!).map(([name, s]): [string, number] => [name, s.mase]),
  ];
  const best = candidates.reduce((a, b) => (b[1] < a[1] || Number.isNaN(a[1]) ? b : a))[0];
  return { horizon, season, length: y.length, cutoffs, cells: rows, baselines: baselines!, best };
}

const BASELINE_LABELS: Record<BaselineName, string> = {
  naive: 'naive', seasonalNaive: 'seasonal naive', drift: 'drift', movingAverage: 'moving average',
};

/** A number in at most 4 significant digits (no exponent for ordinary magnitudes); '-' when missing. */
function num(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '-';
  if (Math.abs(v) >= 1e4) return v.toFixed(0);
  return String(Number(v.toPrecision(4)));
}

/** The comparison as a plain-text table, one row per cell and baseline; `*` marks the lowest MASE. */
export function formatComparison(table: ComparisonTable): string {
  const o = table.cutoffs.length;
  const split = o === 1 ? `last ${table.horizon} values held out` : `${o} rolling origins of ${table.horizon} values`;
  const header = ['model', 'MAE', 'RMSE', 'sMAPE %', 'MASE', 'train s', 'params'];
  const body: string[][] = [
    ...table.cells.map((r) => [
      (r.cell === table.best ? '*' : ' ') + r.cell + (r.fellBack ? ` (fell back ${r.fellBack}/${o})` : ''),
      num(r.mae), num(r.rmse), num(r.smape), num(r.mase), num(r.trainSeconds),
      r.ensemble > 1 ? `${r.ensemble} x ${r.parameters}` : String(r.parameters),
    ]),
    ...(Object.keys(BASELINE_LABELS) as BaselineName[]).map((b) => {
      const s = table.baselines[b];
      return [(b === table.best ? '*' : ' ') + BASELINE_LABELS[b], num(s.mae), num(s.rmse), num(s.smape), num(s.mase), '-', '-'];
    }),
  ];
  const widths = header.map((h, i) => Math.max(h.length + (i === 0 ? 1 : 0), ...body.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [
    `${table.length} values, horizon ${table.horizon}, season ${table.season}, ${split}; train s = seconds per fit (noisy on a shared machine)`,
    line([' ' + header[0], ...header.slice(1)]),
    ...body.map(line),
  ].join('\n');
}
