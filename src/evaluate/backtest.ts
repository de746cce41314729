// Rolling-origin evaluation: the series is cut at k forecast origins, the last one at the series end
// (so origins = 1 is BASELINES.md's last-h holdout), and at each origin the forecaster and every
// baseline see only y[0 : trainEnd] and forecast y[testStart : testEnd] in one multi-step shot.
import { driftForecast, movingAverageForecast, naiveForecast, seasonalNaiveForecast } from './baselines.js';
import { checkSeason, mae, mase, rmse, smape, toFloat64, type Numeric } from './metrics.js';

export interface Cutoff {
  /** The training part is y[0 : trainEnd]. */
  trainEnd: number;
  /** The test part is y[testStart : testEnd]; testStart = trainEnd. */
  testStart: number;
  testEnd: number;
}

export interface OriginOptions {
  horizon: number;
  /** Number of forecast origins k; default 1. */
  origins?: number;
  /** Distance between consecutive origins; default the horizon (test windows that do not overlap). */
  step?: number;
}

function positiveInt(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`${where}: ${name} must be a number, got ${v === null ? 'null' : typeof v}`);
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${where}: ${name} must be a positive integer, got ${v}`);
  return v;
}

/**
 * The k cut-offs, oldest first: origin j (0-based) ends its test window at
 * `length - (k - 1 - j)·step`, so the last test window ends at the series end. Throws a RangeError when
 * the first origin would leave no training value.
 */
export function rollingOrigins(length: number, options: OriginOptions): Cutoff[] {
  const where = 'rollingOrigins';
  positiveInt(where, 'length', length);
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options must be an object like { horizon: 12 }, got ${options === null ? 'null' : typeof options}`);
  const h = positiveInt(where, 'horizon', options.horizon);
  const k = positiveInt(where, 'origins', options.origins ?? 1);
  const step = positiveInt(where, 'step', options.step ?? h);
  const firstTrainEnd = length - (k - 1) * step - h;
  if (firstTrainEnd < 1)
    throw new RangeError(
      `${where}: a series of length ${length} is too short for ${k} origin(s) with horizon ${h} and step ${step} ` +
        `(need >= ${(k - 1) * step + h + 1}); use fewer origins or a smaller step`,
    );
  const out: Cutoff[] = [];
  for (let j = 0; j < k; j++) {
    const testEnd = length - (k - 1 - j) * step;
    out.push({ trainEnd: testEnd - h, testStart: testEnd - h, testEnd });
  }
  return out;
}

/** The four scores that backtest reports. */
export interface Scores {
  mae: number;
  rmse: number;
  /** Percent, M4 definition. */
  smape: number;
  /** Scaled by the in-sample seasonal-naive MAE of that origin's training part. */
  mase: number;
}

export type BaselineName = 'naive' | 'seasonalNaive' | 'drift' | 'movingAverage';
export type BaselineScores = Record<BaselineName, Scores>;

export interface OriginResult extends Cutoff {
  model: Scores;
  baselines: BaselineScores;
}

/** The shape `seqcast evaluate --json` prints (issue #7). */
export interface BacktestResult {
  /** Mean over the origins of each per-origin score. */
  model: Scores;
  baselines: BaselineScores;
  horizon: number;
  season: number;
  origins: OriginResult[];
}

export interface BacktestOptions extends OriginOptions {
  /** Seasonal period m for seasonal naive and the MASE scaling; default 1 (naive). */
  season?: number;
  /** k of the moving-average baseline; default the season when it is > 1, else the horizon. */
  movingAverageWindow?: number;
}

export type Forecaster = (train: Float64Array, horizon: number) => Float64Array | Promise<Float64Array>;

function score(actual: Float64Array, forecast: Float64Array, train: Float64Array, season: number): Scores {
  return { mae: mae(actual, forecast), rmse: rmse(actual, forecast), smape: smape(actual, forecast), mase: mase(actual, forecast, train, season) };
}

function meanScores(list: Scores[]): Scores {
  const m = (key: keyof Scores) => list.reduce((s, x) => s + x[key], 0) / list.length;
  return { mae: m('mae'), rmse: m('rmse'), smape: m('smape'), mase: m('mase') };
}

const BASELINES: BaselineName[] = ['naive', 'seasonalNaive', 'drift', 'movingAverage'];

/**
 * Rolling-origin backtest of `forecaster` next to the naive, seasonal-naive, drift and moving-average
 * baselines. Each origin's forecaster call gets a fresh copy of y[0 : trainEnd] and must return
 * `horizon` numbers. Metrics follow BASELINES.md; NaN actuals in a test window are skipped.
 * The averages are the plain mean over origins of each per-origin metric.
 */
export async function backtest(series: Numeric, options: BacktestOptions, forecaster: Forecaster): Promise<BacktestResult> {
  const where = 'backtest';
  const y = toFloat64(where, 'series', series);
  if (typeof forecaster !== 'function') throw new TypeError(`${where}: forecaster must be a function (train, horizon) => Float64Array, got ${typeof forecaster}`);
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options must be an object like { horizon: 12, origins: 3, season: 12 }, got ${options === null ? 'null' : typeof options}`);
  const season = options.season ?? 1;
  checkSeason(where, season);
  const cutoffs = rollingOrigins(y.length, options);
  const h = options.horizon;
  const window = positiveInt(where, 'movingAverageWindow', options.movingAverageWindow ?? (season > 1 ? season : h));
  const need = Math.max(season + 1, window);
  if (cutoffs[0].trainEnd < need)
    throw new RangeError(
      `${where}: the first origin's training part has ${cutoffs[0].trainEnd} value(s), expected >= ${need} ` +
        `(season ${season} + 1 for the MASE scale, and the moving-average window ${window}); use fewer origins, a smaller step or a longer series`,
    );

  const origins: OriginResult[] = [];
  for (const c of cutoffs) {
    const train = y.slice(0, c.trainEnd);
    const actual = y.subarray(c.testStart, c.testEnd);
    const raw: unknown = await forecaster(y.slice(0, c.trainEnd), h);
    const forecast = toFloat64(`${where}: forecaster at origin trainEnd = ${c.trainEnd}`, 'the result', raw);
    if (forecast.length !== h)
      throw new RangeError(`${where}: the forecaster returned ${forecast.length} value(s) at origin trainEnd = ${c.trainEnd}, expected the horizon ${h}`);
    const forecasts: Record<BaselineName, Float64Array> = {
      naive: naiveForecast(train, h),
      seasonalNaive: seasonalNaiveForecast(train, h, season),
      drift: driftForecast(train, h),
      movingAverage: movingAverageForecast(train, h, window),
    };
    const baselines = {} as BaselineScores;
    for (const b of BASELINES) baselines[b] = score(actual, forecasts[b], train, season);
    origins.push({ ...c, model: score(actual, forecast, train, season), baselines });
  }
  const baselines = {} as BaselineScores;
  for (const b of BASELINES) baselines[b] = meanScores(origins.map((o) => o.baselines[b]));
  return { model: meanScores(origins.map((o) => o.model)), baselines, horizon: h, season, origins };
}
