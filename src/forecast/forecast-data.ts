// What fit() accepts, reduced to one target array and its covariate arrays: plain numbers, a Series
// (src/data/series.ts), or named columns { name: values }. Covariates are named explicitly; nothing
// is used as an input unless asked for.
import type { Series } from '../data/series.js';
import type { ProgressEvent } from '../train/fit-loop.js';

export type ForecasterData = ArrayLike<number> | Series | Record<string, ArrayLike<number>>;

export interface FitColumns {
  /** The column to forecast: default a Series' first target, or the only column given. */
  target?: string;
  /** Columns whose known past values are extra inputs; default none. */
  covariates?: string[];
}

/** One training event of one network of the ensemble. */
export interface ForecasterProgressEvent extends ProgressEvent {
  /** 0-based network index and the ensemble size. */
  member: number;
  members: number;
  /** 'select': trained before the calibration tail, with early stopping; 'refit': trained on all data. */
  phase: 'select' | 'refit';
}

export interface ForecasterFitOptions extends FitColumns {
  onProgress?: (event: ForecasterProgressEvent) => void;
  /** Aborting rejects fit() with the signal's reason; the forecaster is left unfitted. */
  signal?: AbortSignal;
}

/** The data preparation a saved forecaster remembers. */
export interface DataInfo {
  target: string | null;
  covariates: string[];
  /**
   * The time column of the Series given to fit(): its name, kind, spacing (step in `unit`s) and last
   * value (ms since 1970, year or index). update() does not move it: count the updates to date them.
   */
  time: { column: string; kind: string; unit: string; step: number; last: number } | null;
}

export interface PreparedColumns {
  y: Float64Array;
  covs: Float64Array[];
  info: DataInfo;
  series: Series | null;
}

const isSeries = (d: unknown): d is Series =>
  typeof d === 'object' && d !== null && 'values' in d && 'columns' in d && 'report' in d;

function finite(where: string, name: string, values: ArrayLike<number>): Float64Array {
  const a = Float64Array.from(values);
  const bad = a.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new RangeError(`${where}: ${name}value ${bad} is ${a[bad]}; fill missing values first (see fillMissing)`);
  return a;
}

export function prepareColumns(where: string, data: ForecasterData, spec: FitColumns = {}): PreparedColumns {
  const wanted = spec.covariates ?? [];
  if (!Array.isArray(wanted) || wanted.some((c) => typeof c !== 'string'))
    throw new TypeError(`${where}: covariates must be an array of column names, got ${JSON.stringify(spec.covariates)}`);
  if (Array.isArray(data) || ArrayBuffer.isView(data)) {
    if (wanted.length || spec.target !== undefined)
      throw new TypeError(`${where}: target and covariates name columns; pass a Series or named columns { name: values } instead of one array`);
    return { y: finite(where, '', data as ArrayLike<number>), covs: [], info: { target: null, covariates: [], time: null }, series: null };
  }
  let names: string[];
  let column: (name: string) => ArrayLike<number>;
  let series: Series | null = null;
  let defaultTarget: string | undefined;
  if (isSeries(data)) {
    series = data;
    names = data.columns;
    column = (n) => data.values[data.columns.indexOf(n)];
    defaultTarget = data.targets[0];
  } else if (typeof data === 'object' && data !== null) {
    const record = data as Record<string, ArrayLike<number>>;
    names = Object.keys(record);
    column = (n) => record[n];
    if (names.length === 1) defaultTarget = names[0];
  } else {
    throw new TypeError(`${where}: data must be an array of numbers, a Series or named columns { name: values }, got ${typeof data}`);
  }
  const target = spec.target ?? defaultTarget;
  if (target === undefined) throw new RangeError(`${where}: name the target column (one of ${names.join(', ')}) with { target }`);
  for (const n of [target, ...wanted])
    if (!names.includes(n)) throw new RangeError(`${where}: no column '${n}'; the columns are ${names.join(', ')}`);
  if (wanted.includes(target)) throw new RangeError(`${where}: '${target}' is the target; it cannot also be a covariate`);
  if (new Set(wanted).size !== wanted.length) throw new RangeError(`${where}: covariates list a column twice: ${wanted.join(', ')}`);
  const y = finite(where, `column '${target}' `, column(target));
  const covs = wanted.map((n) => {
    const c = finite(where, `column '${n}' `, column(n));
    if (c.length !== y.length) throw new RangeError(`${where}: column '${n}' has ${c.length} values, the target '${target}' ${y.length}; give columns of one length`);
    return c;
  });
  const t = series?.report.time;
  const time = t && series?.time && series.time.length ? { column: t.column, kind: t.kind, unit: t.unit, step: t.step, last: series.time[series.time.length - 1] } : null;
  return { y, covs, info: { target, covariates: [...wanted], time }, series };
}
