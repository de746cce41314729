// Forecaster. The network does not forecast the series itself but the correction to the seasonal
// naive forecast (the value one season back; the last value when there is no season), in units of the
// series' own seasonal-naive error, from level-free inputs: by default a window minus its last value;
// with streaming: true (streaming.ts), the seasonal and first differences read one step at a time over
// the whole history. So an untrained network forecasts exactly seasonal naive, level shifts and trends
// never leave the range the network was trained on, and one set of defaults serves series of any
// scale. Covariates are extra input channels of known past values (forecast-data.ts); the recursive
// strategy feeds one-step forecasts back as inputs. A small ensemble of seeds is
// averaged, and when the networks do not beat seasonal naive on a held-out validation tail the
// forecaster says so and falls back to it.
//
// Intervals and quantiles are split-conformal. fit() sets apart a calibration tail that training never
// sees (neither gradients nor early stopping): the networks are first trained on what lies before it,
// with early stopping on the validation windows just before it; their residuals on the calibration
// tail give the conformal scores (conformal.ts). The networks are then trained again from scratch on
// every window for the epochs early stopping chose, so the forecast uses the newest data too.
import { loadBackend, type BackendOptions } from '../backend/select.js';
import type { Backend } from '../backend/types.js';
import type { CellKind } from '../layout/cells.js';
import { SequenceModel } from '../model/sequence-model.js';
import type { ProgressEvent } from '../train/fit-loop.js';
import { seasonalNaiveScale } from '../evaluate/metrics.js';
import { inferSeason } from './season.js';
import { calibrate, conformalQuantile } from './conformal.js';
import { prepareColumns, type DataInfo, type ForecasterData, type ForecasterFitOptions } from './forecast-data.js';
import { badField, decodeForecaster, encodeForecaster } from './forecaster-file.js';
import { StreamRunner, streamChannels, streamInputs, streamTrainingData } from './streaming.js';

export type { ForecasterData, FitColumns, ForecasterFitOptions, ForecasterProgressEvent } from './forecast-data.js';

export interface ForecasterOptions {
  /** Steps forecast at once. */
  horizon: number;
  /**
   * Seasonal period m (12 monthly, 4 quarterly, 48 half-hourly, 1 = none). Default: inferred from the
   * timestamps when fit() gets a Series (see forecast/season.ts), else 1.
   */
  season?: number;
  /** 'lstm' (default), 'gru' or 'rnn'. */
  cell?: CellKind;
  /** Window length; default from the season and horizon, capped so enough windows remain. */
  lookback?: number;
  /** Default 32. */
  hiddenSize?: number;
  /** Default 1. */
  numLayers?: number;
  /** Networks averaged; default 3. */
  ensemble?: number;
  /** Maximum training epochs; default from the number of windows (60 to 300), with early stopping. */
  epochs?: number;
  seed?: number;
  /**
   * 'direct' (default): one network output per horizon step. 'recursive': a one-step network applied
   * `horizon` times, each forecast fed back as the newest value (no covariates).
   */
  strategy?: 'direct' | 'recursive';
  /**
   * true: the networks read level-free inputs (seasonal and first differences, covariates) one step at
   * a time over the whole history, trained with truncated BPTT, so update() advances their state by
   * one step in constant time. Default false: windowed networks that read the last `lookback` values,
   * which update() re-reads. Streaming is not the default because on bench/ACCURACY.md it beat seasonal
   * naive on one series fewer (11 of 19 against 13), although its geo-mean relative MAE (0.688 against
   * 0.735) and median MASE (0.881 against 0.929) are lower.
   */
  streaming?: boolean;
  /**
   * How interval and quantile widths follow the series. 'local' (default): conformal residuals in units
   * of the mean absolute seasonal difference over the last max(lookback, season) steps before each
   * origin (locally weighted conformal), so widths follow the series' current volatility (variance
   * growing with the level, trends, volatility clusters). 'global': in units of the series' overall
   * seasonal-naive error, the same width wherever the series is. With 'local' the 80% intervals cover 76%
   * of the held-out points of bench/ACCURACY.md's 19 series (`npm run accuracy`; `npx tsx bench/accuracy.ts
   * --intervals global` scores the other).
   */
  intervals?: 'global' | 'local';
}

export interface ForecasterFitReport {
  lookback: number;
  /** Training windows (streaming: stretches of the series read with truncated BPTT). */
  windows: number;
  /** Validation MSE (normalized units) of the ensemble and of seasonal naive on the same windows. */
  validationLoss: number;
  seasonalNaiveLoss: number;
  /** True when the networks did not beat seasonal naive on validation and it forecasts instead. */
  fellBack: boolean;
  /** Windows whose residuals calibrate intervals and quantiles. */
  calibrationWindows: number;
  /** False when the series was too short to set a calibration tail apart: the validation tail served. */
  calibrationHeldOut: boolean;
}

/** A forecast with a central interval around it. */
export interface ForecastInterval {
  forecast: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
}

/** One new observation: a number (no covariates), or the target and every covariate by name. */
export type Observation = number | Record<string, number>;

/** Everything forecast() needs after fit(); what a forecaster file stores besides the weights. */
interface Fitted {
  lookback: number;
  scale: number;
  fellBack: boolean;
  /** The newest target values, as many as forecasting reads. */
  tail: Float64Array;
  /** The newest covariate values, aligned with `tail`. */
  covTails: Float64Array[];
  covStats: Array<{ mean: number; std: number }>;
  stepScale: Float64Array;
  scores: Float64Array;
  data: DataInfo;
  /** Streaming: every member's recurrent state after the newest value, and the corrections it predicts. */
  stream: { states: Float32Array[]; correction: Float64Array } | null;
}

function positiveInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new RangeError(`Forecaster: ${name} must be a positive integer, got ${String(v)}`);
  return v;
}

function checkOptions(opts: ForecasterOptions): void {
  if (typeof opts !== 'object' || opts === null) throw new TypeError('Forecaster: options must be an object such as { horizon: 12 }');
  positiveInt('horizon', opts.horizon);
  for (const k of ['season', 'lookback', 'hiddenSize', 'numLayers', 'ensemble', 'epochs'] as const) if (opts[k] !== undefined) positiveInt(k, opts[k]);
  if (opts.strategy !== undefined && opts.strategy !== 'direct' && opts.strategy !== 'recursive')
    throw new RangeError(`Forecaster: strategy must be 'direct' or 'recursive', got ${JSON.stringify(opts.strategy)}`);
  if (opts.intervals !== undefined && opts.intervals !== 'global' && opts.intervals !== 'local')
    throw new RangeError(`Forecaster: intervals must be 'global' or 'local', got ${JSON.stringify(opts.intervals)}`);
  if (opts.streaming && opts.strategy === 'recursive')
    throw new RangeError("Forecaster: streaming forecasts every horizon step from the carried state; use strategy 'direct' with streaming: true");
}

export class Forecaster {
  readonly horizon: number;
  /** The seasonal period in use: the option, or what fit() inferred. */
  season: number;
  private readonly opts: ForecasterOptions;
  private models: SequenceModel[] = [];
  private fitted: Fitted | null = null;
  private runner: StreamRunner | null = null;

  constructor(opts: ForecasterOptions, private readonly backendOptions: BackendOptions = {}) {
    checkOptions(opts);
    this.horizon = opts.horizon;
    this.season = opts.season ?? 1;
    this.opts = { ...opts };
  }

  /** The options this forecaster was built with. */
  get options(): Readonly<ForecasterOptions> {
    return this.opts;
  }

  /** The window length in use after fit() (0 before). */
  get lookback(): number {
    return this.fitted?.lookback ?? 0;
  }

  /**
   * How many of the newest values forecast() and its intervals read (the window, a season back, and the
   * stretch interval widths follow); 0 before fit(). To continue a windowed forecaster after other data,
   * update() it with at least this many values.
   */
  get contextLength(): number {
    return this.fitted?.tail.length ?? 0;
  }

  /** The data preparation of fit(): target and covariate names, time column; null before fit(). */
  get dataInfo(): DataInfo | null {
    return this.fitted?.data ?? null;
  }

  /** Streaming: a copy of each member's carried recurrent state (h, then c for an LSTM); else null. */
  carriedState(): Float32Array[] | null {
    return this.fitted?.stream ? this.syncedStream(this.fitted.stream).states.map((s) => s.slice()) : null;
  }

  /** The stream state, read from the runner (update() does not copy it out at every step). */
  private syncedStream(stream: NonNullable<Fitted['stream']>): NonNullable<Fitted['stream']> {
    if (this.runner) stream.states = this.runner.states();
    return stream;
  }

  /** Whether the networks stream (the `streaming` option; default false). */
  get streaming(): boolean {
    return this.opts.streaming ?? false;
  }

  private get recursive(): boolean {
    return this.opts.strategy === 'recursive';
  }

  /** Outputs of one network: every horizon step, or one for the recursive strategy. */
  private get outputs(): number {
    return this.recursive ? 1 : this.horizon;
  }

  /** The window length for a series of n training values. */
  private lookbackFor(n: number): number {
    if (this.opts.lookback !== undefined) return this.opts.lookback;
    const period = this.season > 1 ? this.season : this.horizon;
    // Three periods, fewer when that leaves under 30 windows; never shorter than one season.
    let L = Math.min(3 * period, 120);
    while (L > Math.max(this.season, 2) && n - L - this.horizon + 1 < 30) L -= Math.max(1, Math.floor(period / 2));
    return Math.max(L, this.season, 2);
  }

  /**
   * The unit of the conformal scores at an origin `end`: the series' scale, or with intervals: 'local'
   * the mean absolute seasonal difference over the max(lookback, season) steps before `end` (the
   * scale when those are all zero). Needs max(lookback, season) + season values before `end`.
   */
  private widthUnit(f: Pick<Fitted, 'lookback' | 'scale'>, y: Float64Array, end: number): number {
    if (this.opts.intervals === 'global') return f.scale;
    const m = this.season;
    let sum = 0;
    let count = 0;
    for (let t = Math.max(m, end - Math.max(f.lookback, m)); t < end; t++) {
      sum += Math.abs(y[t] - y[t - m]);
      count++;
    }
    return count && sum > 0 ? sum / count : f.scale;
  }

  /** Values kept after fit() from n: the window, a season back, and what widthUnit() reads. */
  private tailLength(lookback: number, n: number): number {
    return Math.min(n, Math.max(lookback, this.season) + this.season);
  }

  /** Seasonal naive from a series ending at `end` (exclusive): y[end - m + (i mod m)]. */
  private base(y: Float64Array, end: number, i: number): number {
    return y[end - this.season + (i % this.season)];
  }

  /** The normalized input window ending at `end` (exclusive): (L, 1 + covariates) at x[xo..]. */
  private encode(f: Pick<Fitted, 'lookback' | 'scale' | 'covStats'>, y: Float64Array, covs: Float64Array[], end: number, x: Float32Array, xo: number): void {
    const L = f.lookback;
    const C = 1 + covs.length;
    const level = y[end - 1];
    for (let k = 0; k < L; k++) {
      x[xo + k * C] = (y[end - L + k] - level) / f.scale;
      for (let j = 0; j < covs.length; j++) x[xo + k * C + 1 + j] = (covs[j][end - L + k] - f.covStats[j].mean) / f.covStats[j].std;
    }
  }

  /**
   * Forecasts in the series' units from origins `ends` (exclusive ends into y), (origins, horizon)
   * row-major; seasonal naive when `naiveOnly` (or the forecaster fell back).
   */
  private forecastFrom(f: Pick<Fitted, 'lookback' | 'scale' | 'covStats'>, models: SequenceModel[], y: Float64Array, covs: Float64Array[], ends: ArrayLike<number>, naiveOnly: boolean): Float64Array {
    const h = this.horizon;
    const B = ends.length;
    const L = f.lookback;
    const C = 1 + covs.length;
    const out = new Float64Array(B * h);
    const x = new Float32Array(B * L * C);
    const average = (): Float64Array => {
      const sum = new Float64Array(B * this.outputs);
      for (const m of models) {
        const [pred] = m.predict(x, { batchSize: B, seqLen: L });
        for (let k = 0; k < sum.length; k++) sum[k] += pred[k] / models.length;
      }
      return sum;
    };
    if (!this.recursive || naiveOnly) {
      for (let b = 0; b < B; b++) for (let i = 0; i < h; i++) out[b * h + i] = this.base(y, ends[b], i);
      if (naiveOnly) return out;
      for (let b = 0; b < B; b++) this.encode(f, y, covs, ends[b], x, b * L * C);
      const corr = average();
      for (let k = 0; k < out.length; k++) out[k] += f.scale * corr[k];
      return out;
    }
    // Recursive: each origin's recent values, extended by its own forecasts one step at a time.
    const keep = Math.max(L, this.season);
    const ext = Array.from({ length: B }, (_, b) => {
      const e = new Float64Array(keep + h);
      e.set(y.subarray(ends[b] - keep, ends[b]));
      return e;
    });
    for (let i = 0; i < h; i++) {
      for (let b = 0; b < B; b++) this.encode(f, ext[b], [], keep + i, x, b * L);
      const corr = average();
      for (let b = 0; b < B; b++) {
        const v = ext[b][keep + i - this.season] + f.scale * corr[b];
        ext[b][keep + i] = v;
        out[b * h + i] = v;
      }
    }
    return out;
  }

  private newMember(backend: Backend, k: number, inputSize: number, on: 'last' | 'all'): SequenceModel {
    const model = new SequenceModel(
      {
        cell: this.opts.cell ?? 'lstm',
        inputSize,
        hiddenSize: this.opts.hiddenSize ?? 32,
        numLayers: this.opts.numLayers ?? 1,
        seed: (this.opts.seed ?? 0) * 1000 + k,
        heads: [{ outputs: this.outputs, on }],
      },
      backend,
    );
    // Start from seasonal naive: a zero head predicts a zero correction.
    const sd = model.stateDict();
    model.loadStateDict({ ...sd, 'head.weight': new Float32Array(sd['head.weight'].data.length), 'head.bias': new Float32Array(this.outputs) });
    return model;
  }

  /**
   * Trains on a series: plain values, a Series (season inferred from its timestamps) or named
   * columns. `columns.target` names the column to forecast and `columns.covariates` the columns whose
   * past values are extra inputs; forecast() and update() then need no future covariate values.
   */
  async fit(data: ForecasterData, columns: ForecasterFitOptions = {}): Promise<ForecasterFitReport> {
    const where = 'Forecaster.fit';
    const prepared = prepareColumns(where, data, columns);
    const { y, covs } = prepared;
    if (prepared.series && this.opts.season === undefined) this.season = inferSeason(prepared.series);
    if (covs.length && this.recursive)
      throw new RangeError(`${where}: the recursive strategy would need future covariate values; use strategy 'direct' with covariates`);
    const h = this.horizon;
    if (y.length < this.season + h + 2) throw new RangeError(`${where}: a series of ${y.length} values is too short for season ${this.season} and horizon ${h} (need >= ${this.season + h + 2})`);
    const L = this.lookbackFor(y.length);
    const count = y.length - L - h + 1;
    if (count < 2) throw new RangeError(`${where}: ${y.length} values give ${count} window(s) of lookback ${L} + horizon ${h}; give a longer series or a smaller lookback`);
    let scale = seasonalNaiveScale(y, this.season);
    if (!Number.isFinite(scale) || scale === 0) scale = Math.max(1e-12, Math.abs(y[y.length - 1]) || 1);
    const covStats = covs.map((c) => {
      const mean = c.reduce((a, v) => a + v, 0) / c.length;
      const std = Math.sqrt(c.reduce((a, v) => a + (v - mean) ** 2, 0) / c.length);
      return { mean, std: std > 0 ? std : 1 };
    });
    const shape = { lookback: L, scale, covStats };
    const backend = await loadBackend(this.backendOptions);
    this.dispose();
    this.fitted = null;
    const members = this.opts.ensemble ?? 3;
    /** What every member's fit() gets besides its data: progress tagged with the member and phase, the signal. */
    const hooks = (member: number, phase: 'select' | 'refit') => ({
      ...(columns.onProgress ? { onProgress: (e: ProgressEvent) => columns.onProgress!({ ...e, member, members, phase }) } : {}),
      ...(columns.signal ? { signal: columns.signal } : {}),
    });
    if (this.streaming) return this.fitStreaming(backend, prepared, shape, hooks);

    // Windows, newest last, at most 10,000: window w ends (exclusively) at first + w + L, never
    // before one season (a lookback shorter than the season must still find the value a season back).
    const first = Math.max(0, count - 10_000, this.season - L);
    if (count - first < 2) throw new RangeError(`${where}: ${y.length} values give ${count - first} window(s) with season ${this.season}, lookback ${L} and horizon ${h}; give a longer series`);
    const n = count - first;
    const C = 1 + covs.length;
    const O = this.outputs;
    const ends = Int32Array.from({ length: n }, (_, w) => first + w + L);
    const x = new Float32Array(n * L * C);
    const t = new Float32Array(n * O);
    for (let w = 0; w < n; w++) {
      this.encode(shape, y, covs, ends[w], x, w * L * C);
      for (let i = 0; i < O; i++) t[w * O + i] = (y[ends[w] + i] - this.base(y, ends[w], i)) / scale;
    }
    const slice = (from: number, to: number) => ({ x: x.subarray(from * L * C, to * L * C), targets: t.subarray(from * O, to * O), count: to - from, seqLen: L });

    // Calibration tail, then a purge of h - 1 windows whose targets would reach into it, then validation.
    let cal = Math.max(1, Math.round(n * 0.2));
    let trainable = n - cal - (h - 1);
    const heldOut = trainable >= 10;
    if (!heldOut) {
      trainable = n;
      cal = 0;
    }
    const val = Math.max(1, Math.round(trainable * 0.2));
    const trainCount = trainable - val;
    if (trainCount < 1) throw new RangeError(`${where}: ${n} windows leave none to train on; give a longer series or a smaller lookback`);
    const steps = Math.ceil(trainCount / 32);
    const epochs = this.opts.epochs ?? Math.min(300, Math.max(60, Math.ceil(3000 / steps)));
    const train = async (models: SequenceModel[], count: number, fixedEpochs: number[] | null): Promise<number[]> => {
      const chosen: number[] = [];
      for (let k = 0; k < members; k++) {
        const model = this.newMember(backend, k, C, 'last');
        models.push(model);
        const result = await model.fit(slice(0, count), {
          epochs: fixedEpochs ? fixedEpochs[k] : epochs,
          batchSize: 32,
          optimizer: { name: 'adam', lr: 1e-3 },
          ...(fixedEpochs ? {} : { validation: slice(trainCount, trainable), earlyStopping: { patience: Math.max(20, Math.ceil(200 / steps)) } }),
          clipNorm: 1,
          seed: k,
          ...hooks(k, fixedEpochs ? 'refit' : 'select'),
        });
        chosen.push(result.bestEpoch ?? result.epochs);
      }
      return chosen;
    };
    const probes: SequenceModel[] = [];
    try {
      const chosen = await train(probes, trainCount, null);
      const valEnds = ends.subarray(trainCount, trainable);
      const nets = this.forecastFrom(shape, probes, y, covs, valEnds, false);
      const naive = this.forecastFrom(shape, probes, y, covs, valEnds, true);
      let mse = 0;
      let naiveMse = 0;
      for (let k = 0; k < nets.length; k++) {
        const truth = y[valEnds[Math.floor(k / h)] + (k % h)];
        mse += ((truth - nets[k]) / scale) ** 2 / nets.length;
        naiveMse += ((truth - naive[k]) / scale) ** 2 / nets.length;
      }
      const fellBack = !(mse < naiveMse);
      const calEnds = heldOut ? ends.subarray(n - cal) : valEnds;
      const calForecast = this.forecastFrom(shape, probes, y, covs, calEnds, fellBack);
      const residuals = calForecast.map((v, k) => {
        const e = calEnds[Math.floor(k / h)];
        return (y[e + (k % h)] - v) / this.widthUnit(shape, y, e);
      });
      const { stepScale, scores } = calibrate(residuals, h);
      if (heldOut && !fellBack) {
        await train(this.models, n, chosen);
        for (const m of probes) m.dispose();
      } else {
        this.models = probes.splice(0);
      }
      const keep = this.tailLength(L, y.length);
      this.fitted = {
        ...shape, fellBack, stepScale, scores, data: prepared.info, stream: null,
        tail: y.slice(y.length - keep), covTails: covs.map((c) => c.slice(c.length - keep)),
      };
      return { lookback: L, windows: n, validationLoss: mse, seasonalNaiveLoss: naiveMse, fellBack, calibrationWindows: calEnds.length, calibrationHeldOut: heldOut };
    } catch (e) {
      for (const m of probes) m.dispose();
      this.dispose();
      throw e;
    }
  }

  /** streaming: true — one network over the whole history, trained with truncated BPTT (streaming.ts). */
  private async fitStreaming(
    backend: Backend, prepared: ReturnType<typeof prepareColumns>, shape: Pick<Fitted, 'lookback' | 'scale' | 'covStats'>,
    hooks: (member: number, phase: 'select' | 'refit') => object,
  ): Promise<ForecasterFitReport> {
    const { y, covs } = prepared;
    const h = this.horizon;
    const m = this.season;
    const C = streamChannels(covs.length);
    const inputs = streamInputs(y, covs, shape.covStats, m, shape.scale);
    const data = streamTrainingData(y, inputs, m, h, shape.scale, shape.lookback);
    const members = this.opts.ensemble ?? 3;
    const epochs = this.opts.epochs ?? Math.min(200, Math.max(40, Math.ceil(1500 / Math.max(1, Math.ceil(data.train.count / 16)))));
    const chosen: number[] = [];
    const probes: SequenceModel[] = [];
    try {
      for (let k = 0; k < members; k++) {
        const model = this.newMember(backend, k, C, 'all');
        probes.push(model);
        const r = await model.fit(data.train, {
          epochs, batchSize: 16, optimizer: { name: 'adam', lr: 1e-3 }, clipNorm: 1, seed: k, tbptt: data.tbptt,
          validation: data.validation, earlyStopping: { patience: 20 }, ...hooks(k, 'select'),
        });
        chosen.push(r.bestEpoch ?? r.epochs);
      }
      // Residuals on the validation and calibration origins: one pass over the history per member.
      const corr = (models: SequenceModel[], upTo: number): Float64Array => StreamRunner.replayAll(models, inputs.subarray(0, upTo * C), h);
      const scored = (models: SequenceModel[], origins: Int32Array, naive: boolean): Float64Array => {
        const all = corr(models, y.length);
        const out = new Float64Array(origins.length * h);
        origins.forEach((e, o) => {
          for (let i = 0; i < h; i++) out[o * h + i] = (y[e + i] - this.base(y, e, i)) / shape.scale - (naive ? 0 : all[(e - 1) * h + i]);
        });
        return out;
      };
      const valRes = scored(probes, data.validationOrigins, false);
      const valNaive = scored(probes, data.validationOrigins, true);
      const mse = valRes.reduce((a, v) => a + v * v, 0) / valRes.length;
      const naiveMse = valNaive.reduce((a, v) => a + v * v, 0) / valNaive.length;
      const fellBack = !(mse < naiveMse);
      const calibration = scored(probes, data.calibrationOrigins, fellBack);
      data.calibrationOrigins.forEach((e, o) => {
        const unit = this.widthUnit(shape, y, e);
        for (let i = 0; i < h; i++) calibration[o * h + i] *= shape.scale / unit;
      });
      const { stepScale, scores } = calibrate(calibration, h);
      if (!fellBack) {
        for (let k = 0; k < members; k++) {
          const model = this.newMember(backend, k, C, 'all');
          this.models.push(model);
          await model.fit(data.all, { epochs: chosen[k], batchSize: 16, optimizer: { name: 'adam', lr: 1e-3 }, clipNorm: 1, seed: k, tbptt: data.tbptt, ...hooks(k, 'refit') });
        }
        for (const mdl of probes) mdl.dispose();
      } else this.models = probes.splice(0);
      const keep = this.tailLength(shape.lookback, y.length);
      this.fitted = {
        ...shape, fellBack, stepScale, scores, data: prepared.info, stream: null,
        tail: y.slice(y.length - keep), covTails: covs.map((c) => c.slice(c.length - keep)),
      };
      this.runner = new StreamRunner(this.models, h);
      const corrections = this.runner.run(inputs);
      this.fitted.stream = { states: this.runner.states(), correction: corrections };
      return {
        lookback: shape.lookback, windows: data.all.count, validationLoss: mse, seasonalNaiveLoss: naiveMse, fellBack,
        calibrationWindows: data.calibrationOrigins.length, calibrationHeldOut: true,
      };
    } catch (e) {
      for (const mdl of probes) mdl.dispose();
      this.dispose();
      throw e;
    }
  }

  private need(where: string): Fitted {
    if (!this.fitted) throw new Error(`Forecaster.${where}: call fit() first`);
    return this.fitted;
  }

  /** The next `horizon` values after the newest value seen (fit() or update()), in the series' units. */
  forecast(): Float64Array {
    const f = this.need('forecast');
    const y = f.tail;
    if (f.stream) {
      const out = new Float64Array(this.horizon);
      for (let i = 0; i < this.horizon; i++) out[i] = this.base(y, y.length, i) + (f.fellBack ? 0 : f.scale * f.stream.correction[i]);
      return out;
    }
    return this.forecastFrom(f, this.models, y, f.covTails, [y.length], f.fellBack);
  }

  /**
   * Quantile forecasts: for each level in `qs` (each in (0, 1)), `horizon` values that the truth
   * falls below with that probability, from the conformal calibration residuals (conformal.ts).
   */
  forecastQuantiles(qs: number[]): Float64Array[] {
    if (!Array.isArray(qs) || qs.length === 0) throw new TypeError('Forecaster.forecastQuantiles: give an array of quantile levels, e.g. [0.1, 0.5, 0.9]');
    for (const q of qs) if (!(typeof q === 'number' && q > 0 && q < 1)) throw new RangeError(`Forecaster.forecastQuantiles: each level must be in (0, 1), got ${q}`);
    const f = this.need('forecastQuantiles');
    const forecast = this.forecast();
    const unit = this.widthUnit(f, f.tail, f.tail.length);
    return qs.map((q) => {
      const z = conformalQuantile(f.scores, q);
      return forecast.map((v, i) => v + unit * f.stepScale[i] * z);
    });
  }

  /**
   * A central interval with nominal coverage `level`: forecast() -+ the conformal `level`-quantile of the
   * calibration tail's absolute residuals (split conformal with absolute scores). Symmetric, so a bias the
   * calibration tail happened to show is not carried into the bounds; forecastQuantiles() keeps the
   * residuals' sign and may be skewed, so its (1 -+ level)/2 pair can differ from this interval.
   */
  forecastInterval(level = 0.8): ForecastInterval {
    if (!(level > 0 && level < 1)) throw new RangeError(`Forecaster.forecastInterval: level must be in (0, 1), got ${level}`);
    const f = this.need('forecastInterval');
    const forecast = this.forecast();
    const unit = this.widthUnit(f, f.tail, f.tail.length);
    const z = conformalQuantile(f.scores.map(Math.abs).sort(), level);
    const lower = forecast.map((v, i) => v - unit * f.stepScale[i] * z);
    const upper = forecast.map((v, i) => v + unit * f.stepScale[i] * z);
    return { forecast, lower, upper };
  }

  /**
   * Takes one new observation (the value after the newest one seen; with covariates, an object with
   * the target and every covariate by name) and returns the refreshed forecast. With streaming: true
   * it advances each network's carried state by one step; otherwise it re-reads the last window.
   * Either way the cost per call does not grow with the history.
   */
  update(observation: Observation): Float64Array {
    const f = this.need('update');
    const names = f.data.covariates;
    let value: number;
    let covValues: number[] = [];
    if (typeof observation === 'number') {
      if (names.length) throw new TypeError(`Forecaster.update: this forecaster reads covariates; give { ${[f.data.target, ...names].join(', ')} }`);
      value = observation;
    } else if (typeof observation === 'object' && observation !== null) {
      const target = f.data.target;
      if (target === null) throw new TypeError('Forecaster.update: this forecaster was fit on plain values; give a number');
      for (const n of [target, ...names]) if (typeof observation[n] !== 'number') throw new TypeError(`Forecaster.update: the observation has no number for '${n}'`);
      value = observation[target];
      covValues = names.map((n) => observation[n]);
    } else throw new TypeError(`Forecaster.update: expected a number or { column: number }, got ${typeof observation}`);
    for (const v of [value, ...covValues]) if (!Number.isFinite(v)) throw new RangeError(`Forecaster.update: the observation must be finite, got ${v}; fill missing values first`);
    const push = (a: Float64Array, v: number): void => {
      a.copyWithin(0, 1);
      a[a.length - 1] = v;
    };
    push(f.tail, value);
    f.covTails.forEach((c, j) => push(c, covValues[j]));
    if (f.stream) {
      this.runner ??= StreamRunner.fromStates(this.models, this.horizon, f.stream.states);
      const x = streamInputs(f.tail, f.covTails, f.covStats, this.season, f.scale, f.tail.length - 1);
      f.stream.correction = this.runner.step(x);
    }
    return this.forecast();
  }

  /**
   * Streaming only: forgets the carried state and runs one forward pass over `history` (the whole
   * series from its start, as fit() did; with covariates, columns named as in fit()), then forecasts
   * after its last value. update() once per value gives the same state and forecast.
   */
  replay(history: ForecasterData): Float64Array {
    const f = this.need('replay');
    if (!f.stream) throw new Error('Forecaster.replay: only a forecaster fit with streaming: true carries a state to replay');
    const { target, covariates } = f.data;
    const { y, covs } = prepareColumns('Forecaster.replay', history, target === null ? {} : { target, covariates });
    if (y.length < f.tail.length) throw new RangeError(`Forecaster.replay: give at least ${f.tail.length} values, got ${y.length}`);
    this.runner ??= StreamRunner.fromStates(this.models, this.horizon, f.stream.states);
    f.stream.correction = this.runner.run(streamInputs(y, covs, f.covStats, this.season, f.scale));
    f.tail = y.slice(y.length - f.tail.length);
    f.covTails = covs.map((c) => c.slice(c.length - f.tail.length));
    return this.forecast();
  }

  /** The forecaster as the bytes of one forecaster file (forecaster-file.ts); works in browsers. */
  toBytes(): Uint8Array {
    const f = this.need('toBytes');
    const state = {
      options: { ...this.opts, streaming: this.streaming }, season: this.season, lookback: f.lookback, scale: f.scale, fellBack: f.fellBack,
      tail: Array.from(f.tail), covTails: f.covTails.map((c) => Array.from(c)), covStats: f.covStats,
      stepScale: Array.from(f.stepScale), scores: Array.from(f.scores), data: f.data,
      stream: f.stream ? { states: this.syncedStream(f.stream).states.map((s) => Array.from(s)), correction: Array.from(f.stream.correction) } : null,
    };
    return encodeForecaster(state, this.models);
  }

  /** A forecaster from toBytes() output, on the backend asked for (default 'auto'). */
  static async fromBytes(bytes: Uint8Array | ArrayBuffer, backendOptions: BackendOptions = {}, where = 'Forecaster.fromBytes'): Promise<Forecaster> {
    const { state: s, models } = decodeForecaster(bytes, await loadBackend(backendOptions), where);
    try {
      const nums = (field: string, v: unknown, finite = true): Float64Array => {
        if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || (finite && !Number.isFinite(x)))) badField(where, field, 'an array of finite numbers', v);
        return Float64Array.from(v as number[]);
      };
      const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
      if (!isObj(s.options)) badField(where, 'options', 'an object', s.options);
      let forecaster: Forecaster;
      try {
        forecaster = new Forecaster(s.options as unknown as ForecasterOptions, backendOptions);
      } catch (e) {
        return badField(where, 'options', `valid Forecaster options (${(e as Error).message})`, s.options);
      }
      const h = forecaster.horizon;
      for (const k of ['season', 'lookback'] as const) if (!(Number.isInteger(s[k]) && (s[k] as number) > 0)) badField(where, k, 'a positive integer', s[k]);
      if (!(typeof s.scale === 'number' && s.scale > 0 && Number.isFinite(s.scale))) badField(where, 'scale', 'a positive number', s.scale);
      if (typeof s.fellBack !== 'boolean') badField(where, 'fellBack', 'true or false', s.fellBack);
      const tail = nums('tail', s.tail);
      const season = s.season as number;
      const tailNeeded = Math.max(season, s.lookback as number);
      if (tail.length < tailNeeded) badField(where, 'tail', `at least max(season, lookback) = ${tailNeeded} values`, `${tail.length} values`);
      const stepScale = nums('stepScale', s.stepScale);
      if (stepScale.length !== h) badField(where, 'stepScale', `${h} values (one per horizon step)`, `${stepScale.length} values`);
      const scores = nums('scores', s.scores);
      if (!isObj(s.data) || !Array.isArray(s.data.covariates)) return badField(where, 'data', '{ target, covariates, time }', s.data);
      const covariates = s.data.covariates as string[];
      if (!Array.isArray(s.covTails) || s.covTails.length !== covariates.length) badField(where, 'covTails', `${covariates.length} arrays`, s.covTails);
      const covTails = (s.covTails as unknown[]).map((c, j) => nums(`covTails[${j}]`, c));
      if (covTails.some((c) => c.length !== tail.length)) badField(where, 'covTails', `arrays of ${tail.length} values`, 'other lengths');
      if (!Array.isArray(s.covStats) || s.covStats.length !== covariates.length || !s.covStats.every((c) => isObj(c) && Number.isFinite(c.mean) && typeof c.std === 'number' && c.std > 0))
        badField(where, 'covStats', `${covariates.length} { mean, std > 0 } entries`, s.covStats);
      const streaming = forecaster.streaming;
      const channels = streaming ? streamChannels(covariates.length) : 1 + covariates.length;
      models.forEach((m, k) => {
        if (m.options.inputSize !== channels || m.heads[0].outputs !== forecaster.outputs)
          badField(where, `members[${k}]`, `a network with ${channels} input(s) and ${forecaster.outputs} output(s)`, `${m.options.inputSize} and ${m.heads[0].outputs}`);
      });
      let stream: Fitted['stream'] = null;
      if (streaming) {
        if (!isObj(s.stream) || !Array.isArray(s.stream.states) || s.stream.states.length !== models.length)
          return badField(where, 'stream', `{ states: one per member, correction }`, s.stream);
        const states = (s.stream.states as unknown[]).map((st, k) => Float32Array.from(nums(`stream.states[${k}]`, st)));
        const correction = nums('stream.correction', s.stream.correction);
        if (correction.length !== h) badField(where, 'stream.correction', `${h} values`, `${correction.length} values`);
        states.forEach((st, k) => {
          if (st.length !== StreamRunner.stateSize(models[k])) badField(where, `stream.states[${k}]`, `${StreamRunner.stateSize(models[k])} values`, `${st.length} values`);
        });
        stream = { states, correction };
      }
      forecaster.season = season;
      forecaster.models = models;
      forecaster.fitted = {
        lookback: s.lookback as number, scale: s.scale as number, fellBack: s.fellBack as boolean, tail, covTails,
        covStats: s.covStats as Fitted['covStats'], stepScale, scores, data: s.data as unknown as DataInfo, stream,
      };
      return forecaster;
    } catch (e) {
      for (const m of models) m.dispose();
      throw e;
    }
  }

  /** Saves the forecaster to one file at `path`, atomically (Node only; toBytes() elsewhere). */
  async save(path: string): Promise<void> {
    if (typeof path !== 'string' || path === '') throw new TypeError(`Forecaster.save: path must be a non-empty string, got ${JSON.stringify(path)}`);
    const bytes = this.toBytes();
    const { writeFileAtomic } = await import('../persist/files.js');
    await writeFileAtomic(path, bytes);
  }

  /** Loads a forecaster file written by save() or toBytes() (Node only; fromBytes() elsewhere). */
  static async load(path: string, backendOptions: BackendOptions = {}): Promise<Forecaster> {
    if (typeof path !== 'string' || path === '') throw new TypeError(`Forecaster.load: path must be a non-empty string, got ${JSON.stringify(path)}`);
    const { readFile } = await import('node:fs/promises');
    return Forecaster.fromBytes(await readFile(path), backendOptions, `Forecaster.load: ${path}`);
  }

  dispose(): void {
    this.runner?.dispose();
    this.runner = null;
    for (const m of this.models) m.dispose();
    this.models = [];
  }
}
