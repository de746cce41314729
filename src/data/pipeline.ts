// The preparation pipeline: one object that records every step as plain JSON (config + fitted
// statistics), fits its statistics on the training rows only, turns a series into TrainingData windows,
// applies the identical steps at prediction time, and maps predictions back to original units.
//
// Order of steps (each optional but scaling and windows):
//   select columns -> missing values -> outliers -> smoothing -> log1p (targets) -> differences (targets)
//   -> scaling (fitted on train) -> features (lags, rolling stats of the scaled targets; calendar)
//   -> windows (train / validation / test, split chronologically before anything is fitted).
// Missing-value fills and the 'mad' outlier window look at neighbouring rows, so 'bfill', 'linear' and
// 'seasonal' fills and 'mad' may read up to a few rows past the train/validation boundary; every fitted
// statistic (scalers, IQR bounds) reads training rows only.
import { DataError, listProblems } from './errors.js';
import { calendarFeatures, difference, lag, rollingMean, rollingStd, undifference, type CalendarFeature } from './features.js';
import { fillArray, maskColumnName, type FilledCell, type FillStrategy } from './missing.js';
import { clipOutliers, fitIqrBounds, type IqrBounds, type OutlierOptions } from './outliers.js';
import { Scaler, type ScalerJSON, type ScalerKind } from './scalers.js';
import { rowName, type Series } from './series.js';
import { exponentialSmoothing, movingAverage } from './smoothing.js';
import { chronologicalSplit, type SplitOptions, type SplitRanges } from './split.js';
import { isCalendar } from './timestamps.js';
import { lastWindow, makeWindows, windowCount, type Windows } from './windows.js';

export type SmoothingOptions = { method: 'moving-average'; window: number } | { method: 'exponential'; alpha: number };

export interface PipelineConfig {
  /** Columns to forecast; default the series' targets. */
  targets?: string[];
  /** Input-only columns; default the series' covariates. */
  covariates?: string[];
  /** Gaps: reject (default) or a strategy; 'mask' keeps gaps (read as 0 after scaling) plus a 0/1 channel per column. */
  missing?: 'error' | FillStrategy;
  /** Period for missing: 'seasonal'. */
  seasonalPeriod?: number;
  /** Off by default. */
  outliers?: OutlierOptions | null;
  /** Off by default; causal, applied to every selected column. */
  smoothing?: SmoothingOptions | null;
  /** log1p on the targets (values must be > -1). */
  log?: boolean;
  /** Differences of the targets, applied in order, e.g. [1] or [1, 12]. */
  difference?: number[];
  /** Default 'zscore'. */
  scale?: Exclude<ScalerKind, 'log'>;
  /** Output range of 'minmax' (default [0, 1]). */
  scaleRange?: [number, number];
  /** Extra input channels: each target lagged by k rows beyond the window. */
  lags?: number[];
  rollingMean?: number[];
  rollingStd?: number[];
  calendar?: CalendarFeature[];
  lookback: number;
  horizon?: number;
  stride?: number;
  split?: SplitOptions;
}

export interface PipelineFitted {
  targets: string[];
  covariates: string[];
  channels: string[];
  warmup: number;
  /** Rows the statistics were fitted on: [0, trainRows). */
  trainRows: number;
  seriesRows: number;
  iqr: Record<string, IqrBounds>;
  scalers: Record<string, ScalerJSON>;
}

export interface PipelineStep {
  step: string;
  [key: string]: unknown;
}

export interface PipelineJSON {
  format: 'seqcast-pipeline/1';
  config: PipelineConfig;
  fitted: PipelineFitted;
  steps: PipelineStep[];
}

export interface OutlierRecord {
  line: number;
  column: string;
  value: number;
  clippedTo: number;
}

export interface RunReport {
  filled: FilledCell[];
  droppedLines: number[];
  outliers: OutlierRecord[];
  actions: string[];
}

export interface PreparedData {
  train: Windows;
  validation: Windows | null;
  test: Windows | null;
  split: SplitRanges;
  channels: string[];
  report: RunReport;
}

/** What inverse() needs to undo differences after the last observed row. */
export interface ForecastContext {
  /** Per target, per difference stage: the last `lag` values before that stage. */
  tails: number[][][];
}

export interface ForecastInput {
  /** (1, lookback, inputSize) */
  x: Float32Array;
  batchSize: 1;
  seqLen: number;
  inputSize: number;
  context: ForecastContext;
  report: RunReport;
}

interface Run {
  n: number;
  inputs: Float64Array; // (n, I)
  targets: Float64Array; // (n, K)
  tails: number[][][];
  ranges: SplitRanges | null;
  report: RunReport;
}

const posIntList = (where: string, name: string, v: number[] | undefined) => {
  if (v === undefined) return;
  if (!Array.isArray(v) || v.some((k) => !Number.isInteger(k) || k < 1))
    throw new RangeError(`${where}: ${name} must be a list of positive integers, got ${JSON.stringify(v)}`);
};

export class Pipeline {
  readonly config: PipelineConfig;
  private fittedState: PipelineFitted | null = null;

  constructor(config: PipelineConfig) {
    const where = 'Pipeline';
    if (!config || typeof config !== 'object') throw new TypeError(`${where}: config must be an object with at least { lookback }`);
    for (const k of ['lookback', 'horizon', 'stride'] as const) {
      const v = config[k];
      if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new RangeError(`${where}: ${k} must be a positive integer, got ${v}`);
    }
    if (config.lookback === undefined) throw new RangeError(`${where}: lookback must be a positive integer, got undefined`);
    posIntList(where, 'difference', config.difference);
    posIntList(where, 'lags', config.lags);
    posIntList(where, 'rollingMean', config.rollingMean);
    posIntList(where, 'rollingStd', config.rollingStd);
    if (config.missing === 'seasonal' && !(Number.isInteger(config.seasonalPeriod) && config.seasonalPeriod! >= 1))
      throw new RangeError(`${where}: missing 'seasonal' needs seasonalPeriod, a positive integer, got ${config.seasonalPeriod}`);
    this.config = JSON.parse(JSON.stringify(config));
  }

  get fitted(): PipelineFitted | null {
    return this.fittedState;
  }

  get horizon(): number {
    return this.config.horizon ?? 1;
  }

  /** Every step with its config and, once fitted, its statistics (plain JSON). */
  get steps(): PipelineStep[] {
    const c = this.config;
    const f = this.fittedState;
    const steps: PipelineStep[] = [
      { step: 'select', targets: f?.targets ?? c.targets ?? null, covariates: f?.covariates ?? c.covariates ?? null },
      { step: 'missing', strategy: c.missing ?? 'error', ...(c.missing === 'seasonal' ? { period: c.seasonalPeriod } : {}) },
    ];
    if (c.outliers) steps.push({ step: 'outliers', ...c.outliers, ...(c.outliers.method === 'iqr' && f ? { bounds: f.iqr } : {}) });
    if (c.smoothing) steps.push({ step: 'smoothing', ...c.smoothing });
    if (c.log) steps.push({ step: 'log1p', columns: f?.targets ?? c.targets ?? null });
    if (c.difference?.length) steps.push({ step: 'difference', lags: c.difference });
    steps.push({ step: 'scale', kind: c.scale ?? 'zscore', ...(f ? { trainRows: f.trainRows, scalers: f.scalers } : {}) });
    steps.push({ step: 'features', lags: c.lags ?? [], rollingMean: c.rollingMean ?? [], rollingStd: c.rollingStd ?? [], calendar: c.calendar ?? [], channels: f?.channels ?? null, warmup: f?.warmup ?? null });
    steps.push({ step: 'windows', lookback: c.lookback, horizon: this.horizon, stride: c.stride ?? 1, split: c.split ?? {} });
    return steps;
  }

  /** Fit on the training part of `series`, then window every part. */
  prepare(series: Series): PreparedData {
    const run = this.run(series, true);
    const f = this.fittedState!;
    const c = this.config;
    const ranges = run.ranges!;
    const I = f.channels.length;
    const K = f.targets.length;
    const opts = { lookback: c.lookback, horizon: this.horizon, stride: c.stride ?? 1, nonFinite: c.missing === 'mask' ? ('zero' as const) : ('error' as const) };
    const part = (name: string, from: number, to: number, first: boolean): Windows | null => {
      const start = first ? f.warmup : Math.max(f.warmup, from - c.lookback);
      if (to <= from) return null;
      if (windowCount(to - start, c.lookback, this.horizon, opts.stride) === 0) {
        if (!first) return null;
        throw new RangeError(
          `Pipeline.prepare(${series.source}): the ${name} part has ${to - start} usable rows (rows ${start}..${to - 1}, after ${f.warmup} warm-up rows), too few for lookback ${c.lookback} + horizon ${this.horizon}; use a longer series, a smaller lookback or a smaller validation/test part`,
        );
      }
      return makeWindows(
        { inputs: run.inputs.subarray(start * I, to * I), inputSize: I, targets: run.targets.subarray(start * K, to * K), targetSize: K },
        opts,
      );
    };
    const train = part('training', ranges.train[0], ranges.train[1], true)!;
    const validation = part('validation', ranges.validation[0], ranges.validation[1], false);
    const test = part('test', ranges.test[0], ranges.test[1], false);
    run.report.actions.push(
      `windows: ${train.count} train, ${validation?.count ?? 0} validation, ${test?.count ?? 0} test (lookback ${c.lookback}, horizon ${this.horizon}, stride ${opts.stride}, ${I} input channel(s))`,
    );
    return { train, validation, test, split: ranges, channels: f.channels.slice(), report: run.report };
  }

  /** The last `lookback` rows of a (new or updated) series, prepared with the fitted statistics. */
  forecastInput(series: Series): ForecastInput {
    const f = this.requireFitted('forecastInput');
    const run = this.run(series, false);
    const I = f.channels.length;
    if (run.n - f.warmup < this.config.lookback)
      throw new RangeError(`Pipeline.forecastInput(${series.source}): need at least warm-up ${f.warmup} + lookback ${this.config.lookback} rows, got ${run.n}`);
    const x = lastWindow(run.inputs, I, this.config.lookback);
    for (let i = 0; i < x.length; i++)
      if (!Number.isFinite(x[i])) {
        if (this.config.missing === 'mask') x[i] = 0;
        else throw new DataError(`Pipeline.forecastInput(${series.source}): input channel '${f.channels[i % I]}' is not finite in the last window; choose a missing-value strategy`);
      }
    return { x, batchSize: 1, seqLen: this.config.lookback, inputSize: I, context: { tails: run.tails }, report: run.report };
  }

  /**
   * Predictions back in original units: (N, horizon * targets) step-major, as the windows' targets.
   * With differences, give the context of forecastInput and one forecast (N = 1).
   */
  inverse(pred: ArrayLike<number>, context?: ForecastContext): Float64Array {
    const f = this.requireFitted('inverse');
    const K = f.targets.length;
    const H = this.horizon;
    const W = H * K;
    if (pred.length === 0 || pred.length % W !== 0)
      throw new RangeError(`Pipeline.inverse: predictions must have N * horizon * targets = N * ${H} * ${K} values, got ${pred.length}`);
    const N = pred.length / W;
    const diffs = this.config.difference ?? [];
    if (diffs.length && (!context || N !== 1))
      throw new RangeError(`Pipeline.inverse: with differences ${JSON.stringify(diffs)} pass one forecast (${W} values) and the context from forecastInput(), got ${N} forecast(s)${context ? '' : ' and no context'}`);
    const out = new Float64Array(pred.length);
    const col = new Float64Array(N * H);
    for (let k = 0; k < K; k++) {
      for (let i = 0; i < N * H; i++) col[i] = pred[i * K + k];
      let v = Scaler.fromJSON(f.scalers[f.targets[k]]).inverse(col);
      for (let j = diffs.length - 1; j >= 0; j--) v = undifference(v, context!.tails[k][j], diffs[j]);
      if (this.config.log) for (let i = 0; i < v.length; i++) v[i] = Math.expm1(v[i]);
      for (let i = 0; i < N * H; i++) out[i * K + k] = v[i];
    }
    return out;
  }

  toJSON(): PipelineJSON {
    const f = this.requireFitted('toJSON');
    return JSON.parse(JSON.stringify({ format: 'seqcast-pipeline/1', config: this.config, fitted: f, steps: this.steps }));
  }

  static fromJSON(json: PipelineJSON | string): Pipeline {
    const j = typeof json === 'string' ? (JSON.parse(json) as PipelineJSON) : json;
    if (!j || j.format !== 'seqcast-pipeline/1')
      throw new TypeError(`Pipeline.fromJSON: expected an object with format 'seqcast-pipeline/1', got ${j && typeof j === 'object' ? `format ${JSON.stringify(j.format)}` : typeof j}`);
    const p = new Pipeline(j.config);
    const f = j.fitted;
    if (!f || !Array.isArray(f.targets) || !Array.isArray(f.channels) || typeof f.scalers !== 'object')
      throw new TypeError('Pipeline.fromJSON: fitted must hold targets, channels and scalers');
    for (const t of [...f.targets, ...f.covariates]) Scaler.fromJSON(f.scalers[t]);
    p.fittedState = JSON.parse(JSON.stringify(f));
    return p;
  }

  private requireFitted(what: string): PipelineFitted {
    if (!this.fittedState) throw new Error(`Pipeline.${what}: the pipeline is not fitted; call prepare(series) first or load one with Pipeline.fromJSON`);
    return this.fittedState;
  }

  private run(series: Series, fitting: boolean): Run {
    const c = this.config;
    const where = `Pipeline(${series?.source})`;
    if (!series || !Array.isArray(series.columns) || !Array.isArray(series.values))
      throw new TypeError(`${where}: expected a Series (from readCsv, loadCsv, fromArray, fromColumns or fromRecords)`);
    const prev = this.fittedState;
    const targets = fitting ? (c.targets ?? series.targets) : prev!.targets;
    const covariates = fitting ? (c.covariates ?? series.covariates.filter((x) => !targets.includes(x))) : prev!.covariates;
    const cols = [...targets, ...covariates];
    for (const name of cols)
      if (!series.columns.includes(name))
        throw new RangeError(`${where}: column '${name}' is missing; the series has ${series.columns.map((x) => `'${x}'`).join(', ')}`);
    const report: RunReport = { filled: [], droppedLines: [], outliers: [], actions: [] };
    let values: Float64Array[] = cols.map((name) => Float64Array.from(series.values[series.columns.indexOf(name)]));
    let time = series.time;
    let lines = series.lines;
    let n = series.length;
    const line = (r: number) => rowName({ ...series, lines }, r);

    // Missing values.
    const strategy = c.missing ?? 'error';
    const gaps: string[] = [];
    values.forEach((v, k) => {
      for (let r = 0; r < n; r++) if (Number.isNaN(v[r])) gaps.push(`${line(r)}, column '${cols[k]}'`);
    });
    let masks: Float64Array[] = [];
    if (gaps.length && strategy === 'error')
      throw new DataError(`${where}: ${gaps.length} missing value(s):\n${listProblems(gaps)}\nSet missing to 'ffill', 'bfill', 'linear', 'seasonal', 'drop' or 'mask'`);
    if (strategy === 'mask') {
      masks = values.map((v) => Float64Array.from(v, (x) => (Number.isNaN(x) ? 1 : 0)));
      if (gaps.length) report.actions.push(`masked ${gaps.length} gap(s) (kept, read as 0 after scaling, with indicator channels)`);
    } else if (gaps.length && strategy === 'drop') {
      const keep: number[] = [];
      for (let r = 0; r < n; r++) if (values.every((v) => !Number.isNaN(v[r]))) keep.push(r);
      const kept = new Set(keep);
      report.droppedLines = Array.from({ length: n }, (_, r) => r).filter((r) => !kept.has(r)).map((r) => series.lines[r]);
      report.actions.push(`dropped ${n - keep.length} row(s) with gaps: ${report.droppedLines.map((l) => `${series.report.rowLabel} ${l}`).join(', ')}`);
      values = values.map((v) => Float64Array.from(keep, (r) => v[r]));
      time = time ? Float64Array.from(keep, (r) => time![r]) : null;
      lines = Int32Array.from(keep, (r) => series.lines[r]);
      n = keep.length;
    } else if (gaps.length) {
      values = values.map((v, k) => {
        const f = fillArray(v, strategy as 'ffill', c.seasonalPeriod, `${where}, column '${cols[k]}'`);
        f.rows.forEach((r, j) => report.filled.push({ line: lines[r], column: cols[k], value: f.values[r], method: f.methods[j] }));
        return f.values;
      });
      report.actions.push(`filled ${report.filled.length} gap(s) (missing: '${strategy}')`);
    }

    let ranges: SplitRanges | null = null;
    let trainRows = prev?.trainRows ?? n;
    if (fitting) {
      ranges = chronologicalSplit(n, c.split);
      trainRows = ranges.train[1];
    }
    const iqr: Record<string, IqrBounds> = fitting ? {} : { ...prev!.iqr };

    // Outliers.
    if (c.outliers) {
      values = values.map((v, k) => {
        let bounds: IqrBounds | undefined;
        if (c.outliers!.method === 'iqr') {
          if (fitting) iqr[cols[k]] = fitIqrBounds(v.subarray(0, trainRows), c.outliers!.threshold ?? 1.5);
          bounds = iqr[cols[k]];
        }
        const r = clipOutliers(v, c.outliers!, bounds);
        for (const o of r.outliers) report.outliers.push({ line: lines[o.row], column: cols[k], value: o.value, clippedTo: o.clippedTo });
        return r.values;
      });
      report.actions.push(`clipped ${report.outliers.length} outlier(s) (${c.outliers.method})${report.outliers.length ? ': ' + report.outliers.map((o) => `${series.report.rowLabel} ${o.line} '${o.column}' ${o.value} -> ${o.clippedTo}`).join(', ') : ''}`);
    }

    // Smoothing.
    if (c.smoothing) {
      const s = c.smoothing;
      if (s.method === 'moving-average') values = values.map((v) => movingAverage(v, s.window));
      else if (s.method === 'exponential') values = values.map((v) => exponentialSmoothing(v, s.alpha));
      else throw new RangeError(`${where}: smoothing method must be 'moving-average' or 'exponential', got '${(s as { method: string }).method}'`);
      report.actions.push(`smoothed ${cols.length} column(s) (${s.method === 'moving-average' ? `moving average, window ${s.window}` : `exponential, alpha ${s.alpha}`})`);
    }

    // log1p and differences of the targets; tails keep what inverse() needs.
    const K = targets.length;
    const tails: number[][][] = [];
    for (let k = 0; k < K; k++) {
      let v: Float64Array = values[k];
      if (c.log)
        for (let r = 0; r < n; r++)
          if (v[r] <= -1)
            throw new RangeError(`${where}: log1p needs values > -1; ${line(r)}, column '${cols[k]}' is ${v[r]}; shift the data or turn log off`);
      if (c.log) v = Float64Array.from(v, Math.log1p);
      const t: number[][] = [];
      for (const L of c.difference ?? []) {
        t.push(Array.from(v.subarray(Math.max(0, n - L))));
        v = difference(v, L);
      }
      tails.push(t);
      values[k] = v;
    }

    // Scaling, fitted on the training rows only.
    const scalers: Record<string, ScalerJSON> = fitting ? {} : prev!.scalers;
    values = values.map((v, k) => {
      if (fitting)
        scalers[cols[k]] = Scaler.fit(c.scale ?? 'zscore', v.subarray(0, trainRows), { range: c.scaleRange, where: `${where}, column '${cols[k]}'` }).toJSON();
      return Scaler.fromJSON(scalers[cols[k]]).transform(v);
    });

    // Features.
    const channels: string[] = [...cols];
    const columns: Float64Array[] = [...values];
    if (strategy === 'mask') {
      cols.forEach((name, k) => {
        channels.push(maskColumnName(name));
        columns.push(masks[k]);
      });
    }
    for (let k = 0; k < K; k++) {
      const add = (name: string, col: Float64Array) => {
        channels.push(name);
        columns.push(col);
      };
      for (const L of c.lags ?? []) add(`${cols[k]}_lag${L}`, lag(values[k], L));
      for (const w of c.rollingMean ?? []) add(`${cols[k]}_mean${w}`, rollingMean(values[k], w));
      for (const w of c.rollingStd ?? []) add(`${cols[k]}_std${w}`, rollingStd(values[k], w));
    }
    if (c.calendar?.length) {
      if (!time || !isCalendar(series.timeKind))
        throw new TypeError(`${where}: calendar features need a calendar time column (dates or datetimes), got ${series.timeKind ?? 'no time column'}`);
      const cal = calendarFeatures(time, c.calendar);
      channels.push(...cal.names);
      columns.push(...cal.columns);
    }
    const D = (c.difference ?? []).reduce((a, b) => a + b, 0);
    const warmup = D + Math.max(0, ...(c.lags ?? []), ...(c.rollingMean ?? []).map((w) => w - 1), ...(c.rollingStd ?? []).map((w) => w - 1));
    if (warmup) report.actions.push(`skipped ${warmup} warm-up row(s) that differences, lags or rolling windows cannot fill`);

    const I = channels.length;
    const inputs = new Float64Array(n * I);
    for (let j = 0; j < I; j++) {
      const col = columns[j];
      for (let r = 0; r < n; r++) inputs[r * I + j] = col[r];
    }
    const tgt = new Float64Array(n * K);
    for (let k = 0; k < K; k++) for (let r = 0; r < n; r++) tgt[r * K + k] = values[k][r];

    if (fitting) {
      this.fittedState = { targets, covariates, channels, warmup, trainRows, seriesRows: n, iqr, scalers };
      report.actions.push(`fitted ${c.scale ?? 'zscore'} scaling${c.outliers?.method === 'iqr' ? ' and IQR bounds' : ''} on training rows 0..${trainRows - 1} of ${n}`);
    }
    return { n, inputs, targets: tgt, tails, ranges, report };
  }
}
