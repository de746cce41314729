// Forecaster, first version: univariate, direct multi-step. The network does not forecast the series
// itself but the correction to the seasonal naive forecast (the value one season back; the last value
// when there is no season), in units of the series' own seasonal-naive error, from a window whose level
// is removed. So an untrained network forecasts exactly seasonal naive, level shifts and trends never
// leave the range the network was trained on, and one set of defaults serves series of any scale.
// A small ensemble of seeds is averaged, and when the networks do not beat seasonal naive on the
// held-out validation tail the forecaster says so and falls back to it.
import { loadBackend, type BackendOptions } from '../backend/select.js';
import type { Backend } from '../backend/types.js';
import type { CellKind } from '../layout/cells.js';
import { SequenceModel } from '../model/sequence-model.js';
import { seasonalNaiveScale } from '../evaluate/metrics.js';
import type { Series } from '../data/series.js';
import { inferSeason } from './season.js';

export interface ForecasterOptions {
  /** Steps forecast at once. */
  horizon: number;
  /**
   * Seasonal period m (12 monthly, 4 quarterly, 48 half-hourly, 1 = none). Default: inferred from the
   * timestamps when fit() gets a Series (see forecast/season.ts), else 1.
   */
  season?: number;
  cell?: CellKind;
  /** Window length; default from the season and horizon, capped so enough windows remain. */
  lookback?: number;
  hiddenSize?: number;
  numLayers?: number;
  /** Networks averaged; default 3. */
  ensemble?: number;
  epochs?: number;
  seed?: number;
}

export interface ForecasterFitReport {
  lookback: number;
  windows: number;
  /** Validation MSE (normalized units) of the ensemble and of seasonal naive on the same windows. */
  validationLoss: number;
  seasonalNaiveLoss: number;
  /** True when the networks did not beat seasonal naive on validation and it forecasts instead. */
  fellBack: boolean;
}

function positiveInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new RangeError(`Forecaster: ${name} must be a positive integer, got ${String(v)}`);
  return v;
}

export class Forecaster {
  readonly horizon: number;
  /** The seasonal period in use: the option, or what fit() inferred. */
  season: number;
  private readonly opts: ForecasterOptions;
  private models: SequenceModel[] = [];
  private history: Float64Array | null = null;
  private scale = 1;
  private lookbackUsed = 0;
  private fellBack = false;
  /** |validation residual| per horizon step, sorted, in normalized units: the conformal scores. */
  private scores: Float64Array[] = [];

  constructor(opts: ForecasterOptions, private readonly backendOptions: BackendOptions = {}) {
    this.horizon = positiveInt('horizon', opts?.horizon);
    this.season = positiveInt('season', opts.season ?? 1);
    this.opts = opts;
  }

  /** The window length for a series of n training values. */
  private lookbackFor(n: number): number {
    if (this.opts.lookback !== undefined) return positiveInt('lookback', this.opts.lookback);
    const period = this.season > 1 ? this.season : this.horizon;
    // Three periods, fewer when that leaves under 30 windows; never shorter than one season.
    let L = Math.min(3 * period, 120);
    while (L > Math.max(this.season, 2) && n - L - this.horizon + 1 < 30) L -= Math.max(1, Math.floor(period / 2));
    return Math.max(L, this.season, 2);
  }

  /** Seasonal naive from a window ending at `end` (exclusive): y[end - m + (i mod m)]. */
  private base(y: Float64Array, end: number, i: number): number {
    return y[end - this.season + (i % this.season)];
  }

  /** Normalized input window and target correction of the window ending at `end`. */
  private encode(y: Float64Array, end: number, L: number, x: Float32Array, xo: number, t: Float32Array | null, to: number): void {
    const level = y[end - 1];
    for (let k = 0; k < L; k++) x[xo + k] = (y[end - L + k] - level) / this.scale;
    if (t) for (let i = 0; i < this.horizon; i++) t[to + i] = (y[end + i] - this.base(y, end, i)) / this.scale;
  }

  /** Trains on a series: plain values, or a Series (its first target column; season inferred from time). */
  async fit(data: ArrayLike<number> | Series): Promise<ForecasterFitReport> {
    const isSeries = typeof data === 'object' && data !== null && 'values' in data && 'columns' in data && 'report' in data;
    let values: ArrayLike<number> = data as ArrayLike<number>;
    if (isSeries) {
      const series = data as Series;
      values = series.values[series.columns.indexOf(series.targets[0])];
      if (this.opts.season === undefined) this.season = inferSeason(series);
    }
    const y = Float64Array.from(values);
    const h = this.horizon;
    if (y.length < this.season + h + 2) throw new RangeError(`Forecaster.fit: a series of ${y.length} values is too short for season ${this.season} and horizon ${h} (need >= ${this.season + h + 2})`);
    const bad = y.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new RangeError(`Forecaster.fit: value ${bad} is ${y[bad]}; fill missing values first (see fillMissing)`);
    const L = this.lookbackFor(y.length);
    const count = y.length - L - h + 1;
    if (count < 2) throw new RangeError(`Forecaster.fit: ${y.length} values give ${count} window(s) of lookback ${L} + horizon ${h}; give a longer series or a smaller lookback`);
    this.scale = seasonalNaiveScale(y, this.season);
    if (!Number.isFinite(this.scale) || this.scale === 0) this.scale = Math.max(1e-12, Math.abs(y[y.length - 1]) || 1);
    // Newest windows last; at most 10,000 of them.
    const first = Math.max(0, count - 10_000);
    const n = count - first;
    const x = new Float32Array(n * L);
    const t = new Float32Array(n * h);
    for (let w = 0; w < n; w++) this.encode(y, first + w + L, L, x, w * L, t, w * h);
    const backend: Backend = await loadBackend(this.backendOptions);
    const members = this.opts.ensemble ?? 3;
    const valCount = Math.max(1, Math.round(n * 0.2));
    const steps = Math.ceil((n - valCount) / 32);
    const epochs = this.opts.epochs ?? Math.min(300, Math.max(60, Math.ceil(3000 / steps)));
    this.dispose();
    let valSum = new Float64Array(valCount * h);
    for (let s = 0; s < members; s++) {
      const model = new SequenceModel(
        {
          cell: this.opts.cell ?? 'lstm',
          inputSize: 1,
          hiddenSize: this.opts.hiddenSize ?? 32,
          numLayers: this.opts.numLayers ?? 1,
          seed: (this.opts.seed ?? 0) * 1000 + s,
          heads: [{ outputs: h }],
        },
        backend,
      );
      // Start from seasonal naive: a zero head predicts a zero correction.
      const sd = model.stateDict();
      model.loadStateDict({ ...sd, 'head.weight': new Float32Array(sd['head.weight'].data.length), 'head.bias': new Float32Array(h) });
      await model.fit(
        { x, targets: t, count: n, seqLen: L },
        {
          epochs,
          batchSize: 32,
          optimizer: { name: 'adam', lr: 1e-3 },
          validationSplit: valCount / n,
          earlyStopping: { patience: Math.max(20, Math.ceil(200 / Math.max(steps, 1))) },
          clipNorm: 1,
          seed: s,
        },
      );
      const [pred] = model.predict(x.subarray((n - valCount) * L), { batchSize: valCount, seqLen: L });
      for (let i = 0; i < pred.length; i++) valSum[i] += pred[i] / members;
      this.models.push(model);
    }
    const truth = t.subarray((n - valCount) * h);
    let mse = 0;
    let naive = 0;
    for (let i = 0; i < truth.length; i++) {
      mse += (valSum[i] - truth[i]) ** 2 / truth.length;
      naive += truth[i] ** 2 / truth.length;
    }
    this.fellBack = !(mse < naive);
    // Split-conformal scores: the validation tail's absolute errors of what forecast() will return.
    this.scores = Array.from({ length: h }, (_, i) => {
      const r = Float64Array.from({ length: valCount }, (_, w) => Math.abs(truth[w * h + i] - (this.fellBack ? 0 : valSum[w * h + i])));
      return r.sort();
    });
    valSum = new Float64Array(0);
    this.history = y;
    this.lookbackUsed = L;
    return { lookback: L, windows: n, validationLoss: mse, seasonalNaiveLoss: naive, fellBack: this.fellBack };
  }

  /** The next `horizon` values after the series given to fit(), in its units. */
  forecast(): Float64Array {
    const y = this.history;
    if (!y) throw new Error('Forecaster.forecast: call fit() first');
    const h = this.horizon;
    const L = this.lookbackUsed;
    const out = new Float64Array(h);
    for (let i = 0; i < h; i++) out[i] = this.base(y, y.length, i);
    if (this.fellBack) return out;
    const x = new Float32Array(L);
    this.encode(y, y.length, L, x, 0, null, 0);
    for (const m of this.models) {
      const [pred] = m.predict(x, { batchSize: 1, seqLen: L });
      for (let i = 0; i < h; i++) out[i] += (this.scale * pred[i]) / this.models.length;
    }
    return out;
  }

  /**
   * A central interval with nominal coverage `level` around forecast(), from split-conformal scores of
   * the validation tail (per horizon step: the ceil((n+1) level)-th smallest absolute error of n). The
   * tail also chose the early-stopping epoch, so the scores are slightly optimistic; with fewer than
   * 1/(1-level) - 1 validation windows the largest error is used.
   */
  forecastInterval(level = 0.8): { forecast: Float64Array; lower: Float64Array; upper: Float64Array } {
    if (!(level > 0 && level < 1)) throw new RangeError(`Forecaster.forecastInterval: level must be in (0, 1), got ${level}`);
    const forecast = this.forecast();
    const lower = new Float64Array(this.horizon);
    const upper = new Float64Array(this.horizon);
    for (let i = 0; i < this.horizon; i++) {
      const s = this.scores[i];
      const q = s[Math.min(s.length - 1, Math.ceil((s.length + 1) * level) - 1)] * this.scale;
      lower[i] = forecast[i] - q;
      upper[i] = forecast[i] + q;
    }
    return { forecast, lower, upper };
  }

  dispose(): void {
    for (const m of this.models) m.dispose();
    this.models = [];
  }
}
