// Forecast and classification metrics, float64 throughout. The forecast metrics follow the evaluation
// protocol in shared/data/BASELINES.md (M4 definitions): sMAPE in percent with a 0/0 term counted as 0,
// and MASE scaled by the in-sample seasonal-naive MAE of the training part (lag m, naive when m = 1).
//
// Missing values: a NaN actual is skipped (forecastMetrics and classificationReport report how many);
// a NaN forecast where the actual is present is NOT skipped and makes the metric NaN, so a model that
// fails to forecast is never rewarded. With no actual left, every mean is NaN.

/** Numbers the metrics accept: a plain array or any typed array. */
export type Numeric = ArrayLike<number>;

/** Checks the kind and returns the values as float64 (a copy only when the input is not Float64Array). */
export function toFloat64(where: string, name: string, x: unknown): Float64Array {
  if (x instanceof Float64Array) return x;
  if (ArrayBuffer.isView(x) && !(x instanceof DataView) && !(x instanceof BigInt64Array) && !(x instanceof BigUint64Array))
    return Float64Array.from(x as unknown as ArrayLike<number>);
  if (Array.isArray(x)) {
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (typeof v !== 'number')
        throw new TypeError(`${where}: ${name}[${i}] must be a number, got ${v === null ? 'null' : typeof v}; convert the values with Number() first`);
      out[i] = v;
    }
    return out;
  }
  throw new TypeError(`${where}: ${name} must be an array of numbers or a typed array, got ${describe(x)}`);
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (x instanceof DataView) return 'DataView';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'object';
  return typeof x;
}

function sameLength(where: string, a: Float64Array, an: string, b: Float64Array, bn: string): void {
  if (a.length !== b.length)
    throw new RangeError(`${where}: ${an} and ${bn} must have the same length, got ${a.length} and ${b.length}`);
}

function pair(where: string, actual: Numeric, forecast: Numeric): [Float64Array, Float64Array] {
  const y = toFloat64(where, 'actual', actual);
  const f = toFloat64(where, 'forecast', forecast);
  sameLength(where, y, 'actual', f, 'forecast');
  return [y, f];
}

/** Mean of term(y_i, f_i) over the indices whose actual is not NaN; NaN when there are none. */
function meanOver(y: Float64Array, f: Float64Array, term: (y: number, f: number) => number): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < y.length; i++) {
    if (Number.isNaN(y[i])) continue;
    s += term(y[i], f[i]);
    n++;
  }
  return n === 0 ? NaN : s / n;
}

/** Mean absolute error, `mean |y - f|`. */
export function mae(actual: Numeric, forecast: Numeric): number {
  const [y, f] = pair('mae', actual, forecast);
  return meanOver(y, f, (a, b) => Math.abs(a - b));
}

/** Root mean squared error, `sqrt(mean (y - f)²)`. */
export function rmse(actual: Numeric, forecast: Numeric): number {
  const [y, f] = pair('rmse', actual, forecast);
  return Math.sqrt(meanOver(y, f, (a, b) => (a - b) * (a - b)));
}

/**
 * Mean absolute percentage error in percent, `mean 100·|y - f| / |y|`.
 * Division by zero: a term with y = 0 and f ≠ 0 is Infinity, so the result is **Infinity**; a term with
 * y = f = 0 counts as 0 (a perfect forecast, as in sMAPE). Prefer sMAPE or MASE for series that touch 0.
 */
export function mape(actual: Numeric, forecast: Numeric): number {
  const [y, f] = pair('mape', actual, forecast);
  return meanOver(y, f, mapeTerm);
}

function mapeTerm(a: number, b: number): number {
  const e = Math.abs(a - b);
  if (a === 0) return e === 0 ? 0 : Infinity;
  return (100 * e) / Math.abs(a);
}

/** Symmetric MAPE in percent (M4): `mean 200·|y - f| / (|y| + |f|)`, a 0/0 term counting as 0. Range [0, 200]. */
export function smape(actual: Numeric, forecast: Numeric): number {
  const [y, f] = pair('smape', actual, forecast);
  return meanOver(y, f, smapeTerm);
}

function smapeTerm(a: number, b: number): number {
  const d = Math.abs(a) + Math.abs(b);
  return d === 0 ? 0 : (200 * Math.abs(a - b)) / d;
}

/**
 * In-sample MAE of the seasonal naive on the training part: `mean_{t >= m} |train_t - train_{t-m}|`
 * (0-based t; BASELINES.md writes t > m 1-based). m = 1 gives the naive scale. Pairs with a NaN are
 * skipped. Throws a RangeError when train has no pair (length <= m).
 */
export function seasonalNaiveScale(train: Numeric, season = 1): number {
  const where = 'seasonalNaiveScale';
  const x = toFloat64(where, 'train', train);
  checkSeason(where, season);
  if (x.length <= season)
    throw new RangeError(
      `${where}: the training part must be longer than the season m = ${season} to scale MASE, got length ${x.length}; use a smaller season or a longer series`,
    );
  let s = 0;
  let n = 0;
  for (let t = season; t < x.length; t++) {
    const d = x[t] - x[t - season];
    if (Number.isNaN(d)) continue;
    s += Math.abs(d);
    n++;
  }
  if (n === 0) throw new RangeError(`${where}: every pair (train[t], train[t-${season}]) holds a NaN; cannot scale MASE`);
  return s / n;
}

export function checkSeason(where: string, season: unknown): asserts season is number {
  if (typeof season !== 'number') throw new TypeError(`${where}: season must be a number, got ${typeof season}`);
  if (!Number.isInteger(season) || season < 1) throw new RangeError(`${where}: season must be a positive integer, got ${season}`);
}

/**
 * Mean absolute scaled error: `MAE(actual, forecast) / seasonalNaiveScale(train, season)` (BASELINES.md;
 * season m = 1 scales by the in-sample naive).
 * Division by zero: a constant training series (scale 0, e.g. all values equal, or periodic with
 * period m) gives **Infinity** when the MAE is > 0 and **NaN** when the MAE is 0 (IEEE 0/0).
 */
export function mase(actual: Numeric, forecast: Numeric, train: Numeric, season = 1): number {
  const [y, f] = pair('mase', actual, forecast);
  return meanOver(y, f, (a, b) => Math.abs(a - b)) / seasonalNaiveScale(train, season);
}

/**
 * Coefficient of determination, `1 - Σ(y - f)² / Σ(y - ȳ)²` with ȳ the mean of the (non-NaN) actuals.
 * Constant actuals (Σ(y - ȳ)² = 0) give **-Infinity** when the forecast misses and **NaN** when it is exact.
 */
export function r2(actual: Numeric, forecast: Numeric): number {
  const [y, f] = pair('r2', actual, forecast);
  const mean = meanOver(y, f, (a) => a);
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < y.length; i++) {
    if (Number.isNaN(y[i])) continue;
    ssRes += (y[i] - f[i]) * (y[i] - f[i]);
    ssTot += (y[i] - mean) * (y[i] - mean);
  }
  if (ssTot === 0) return ssRes === 0 ? NaN : -Infinity;
  return 1 - ssRes / ssTot;
}

function bounds(where: string, lower: Numeric, upper: Numeric): [Float64Array, Float64Array] {
  const lo = toFloat64(where, 'lower', lower);
  const hi = toFloat64(where, 'upper', upper);
  sameLength(where, lo, 'lower', hi, 'upper');
  for (let i = 0; i < lo.length; i++)
    if (lo[i] > hi[i])
      throw new RangeError(`${where}: lower[${i}] = ${lo[i]} is above upper[${i}] = ${hi[i]}; pass the bounds as (lower, upper)`);
  return [lo, hi];
}

/** Fraction of the (non-NaN) actuals inside the closed interval [lower, upper]; NaN when none. */
export function intervalCoverage(actual: Numeric, lower: Numeric, upper: Numeric): number {
  const where = 'intervalCoverage';
  const y = toFloat64(where, 'actual', actual);
  const [lo, hi] = bounds(where, lower, upper);
  sameLength(where, y, 'actual', lo, 'lower');
  let inside = 0;
  let n = 0;
  for (let i = 0; i < y.length; i++) {
    if (Number.isNaN(y[i])) continue;
    n++;
    if (y[i] >= lo[i] && y[i] <= hi[i]) inside++;
  }
  return n === 0 ? NaN : inside / n;
}

/** Mean of `upper - lower` over all positions (the width does not depend on the actuals); NaN when empty. */
export function meanIntervalWidth(lower: Numeric, upper: Numeric): number {
  const [lo, hi] = bounds('meanIntervalWidth', lower, upper);
  let s = 0;
  for (let i = 0; i < lo.length; i++) s += hi[i] - lo[i];
  return lo.length === 0 ? NaN : s / lo.length;
}

export interface ForecastMetrics {
  mae: number;
  rmse: number;
  mape: number;
  smape: number;
  /** Present when `train` was given. */
  mase?: number;
  r2: number;
  /** Actuals used. */
  count: number;
  /** NaN actuals skipped. */
  skipped: number;
}

export interface ForecastMetricsOptions {
  /** The training part, for MASE. */
  train?: Numeric;
  /** Seasonal period m of the MASE scaling; default 1. */
  season?: number;
}

/** Every forecast metric at once, with the number of actuals used and skipped. */
export function forecastMetrics(actual: Numeric, forecast: Numeric, options: ForecastMetricsOptions = {}): ForecastMetrics {
  const [y, f] = pair('forecastMetrics', actual, forecast);
  let skipped = 0;
  for (let i = 0; i < y.length; i++) if (Number.isNaN(y[i])) skipped++;
  const out: ForecastMetrics = {
    mae: mae(y, f), rmse: rmse(y, f), mape: mape(y, f), smape: smape(y, f), r2: r2(y, f),
    count: y.length - skipped, skipped,
  };
  if (options.train !== undefined) out.mase = mase(y, f, options.train, options.season ?? 1);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Classification. Labels are class indices 0..K-1 (integers); NaN actual labels are skipped.

function labels(where: string, actual: Numeric, predicted: Numeric, numClasses?: number): { y: Float64Array; p: Float64Array; k: number } {
  const y = toFloat64(where, 'actual', actual);
  const p = toFloat64(where, 'predicted', predicted);
  sameLength(where, y, 'actual', p, 'predicted');
  let max = -1;
  const check = (name: string, arr: Float64Array) => {
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      if (name === 'actual' && Number.isNaN(v)) continue;
      if (name === 'predicted' && Number.isNaN(y[i])) continue;
      if (!Number.isInteger(v) || v < 0)
        throw new RangeError(`${where}: ${name}[${i}] must be a class index (an integer >= 0), got ${v}`);
      if (v > max) max = v;
    }
  };
  check('actual', y);
  check('predicted', p);
  let k = max + 1;
  if (numClasses !== undefined) {
    if (!Number.isInteger(numClasses) || numClasses < 1) throw new RangeError(`${where}: numClasses must be a positive integer, got ${numClasses}`);
    if (numClasses < k) throw new RangeError(`${where}: numClasses is ${numClasses} but a label ${max} occurs; labels must be below numClasses`);
    k = numClasses;
  }
  return { y, p, k };
}

/** Fraction of (non-NaN) actual labels predicted exactly; NaN when there are none. */
export function accuracy(actual: Numeric, predicted: Numeric): number {
  const { y, p } = labels('accuracy', actual, predicted);
  return meanOver(y, p, (a, b) => (a === b ? 1 : 0));
}

/** K×K counts, `matrix[actual][predicted]` (rows are the true class). NaN actuals are skipped. */
export function confusionMatrix(actual: Numeric, predicted: Numeric, numClasses?: number): number[][] {
  const { y, p, k } = labels('confusionMatrix', actual, predicted, numClasses);
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < y.length; i++) if (!Number.isNaN(y[i])) m[y[i]][p[i]]++;
  return m;
}

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** Number of actuals of the class. */
  support: number;
}

export interface ClassificationReport {
  accuracy: number;
  /** Index = class. */
  perClass: ClassScores[];
  /** Unweighted mean over all K classes (support 0 included, like scikit-learn). */
  macro: { precision: number; recall: number; f1: number };
  confusion: number[][];
  count: number;
  skipped: number;
}

/**
 * Accuracy, per-class and macro precision / recall / F1 and the confusion matrix.
 * Division by zero follows scikit-learn's `zero_division=0`: precision of a class never predicted,
 * recall of a class that never occurs, and F1 when precision + recall = 0 are **0** (not NaN), so the
 * macro mean stays defined.
 */
export function classificationReport(actual: Numeric, predicted: Numeric, numClasses?: number): ClassificationReport {
  const { y, p, k } = labels('classificationReport', actual, predicted, numClasses);
  const confusion = confusionMatrix(y, p, k);
  let count = 0;
  let correct = 0;
  for (let c = 0; c < k; c++) {
    correct += confusion[c][c];
    for (let d = 0; d < k; d++) count += confusion[c][d];
  }
  const perClass: ClassScores[] = [];
  for (let c = 0; c < k; c++) {
    const tp = confusion[c][c];
    let predictedC = 0;
    let actualC = 0;
    for (let d = 0; d < k; d++) {
      predictedC += confusion[d][c];
      actualC += confusion[c][d];
    }
    const precision = predictedC === 0 ? 0 : tp / predictedC;
    const recall = actualC === 0 ? 0 : tp / actualC;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    perClass.push({ precision, recall, f1, support: actualC });
  }
  const avg = (key: 'precision' | 'recall' | 'f1') => perClass.reduce((s, c) => s + c[key], 0) / k;
  return {
    accuracy: count === 0 ? NaN : correct / count,
    perClass,
    macro: { precision: avg('precision'), recall: avg('recall'), f1: avg('f1') },
    confusion, count, skipped: y.length - count,
  };
}

/** Precision of one class (default 1, the positive class of a binary problem); 0 when never predicted. */
export function precision(actual: Numeric, predicted: Numeric, positive = 1): number {
  return classScore('precision', actual, predicted, positive).precision;
}

/** Recall of one class (default 1); 0 when the class never occurs. */
export function recall(actual: Numeric, predicted: Numeric, positive = 1): number {
  return classScore('recall', actual, predicted, positive).recall;
}

/** F1 of one class (default 1); 0 when precision + recall = 0. */
export function f1Score(actual: Numeric, predicted: Numeric, positive = 1): number {
  return classScore('f1Score', actual, predicted, positive).f1;
}

function classScore(where: string, actual: Numeric, predicted: Numeric, positive: number): ClassScores {
  if (!Number.isInteger(positive) || positive < 0) throw new RangeError(`${where}: positive must be a class index (an integer >= 0), got ${positive}`);
  const { y, p, k } = labels(where, actual, predicted);
  return classificationReport(y, p, Math.max(k, positive + 1)).perClass[positive];
}

/**
 * Area under the ROC curve of a binary problem: labels 0/1 (NaN labels skipped), scores where higher
 * means class 1. Computed as the Mann–Whitney U statistic with average ranks for tied scores, so a tie
 * between a positive and a negative counts 1/2. **NaN** when only one class is present.
 * Throws a RangeError for a NaN score (the ranking would be undefined).
 */
export function rocAuc(actual: Numeric, scores: Numeric): number {
  const where = 'rocAuc';
  const y = toFloat64(where, 'actual', actual);
  const s = toFloat64(where, 'scores', scores);
  sameLength(where, y, 'actual', s, 'scores');
  const idx: number[] = [];
  for (let i = 0; i < y.length; i++) {
    if (Number.isNaN(y[i])) continue;
    if (y[i] !== 0 && y[i] !== 1) throw new RangeError(`${where}: actual[${i}] must be 0 or 1, got ${y[i]}; rocAuc is for binary labels`);
    if (Number.isNaN(s[i])) throw new RangeError(`${where}: scores[${i}] is NaN; every scored example needs a number`);
    idx.push(i);
  }
  idx.sort((a, b) => (s[a] < s[b] ? -1 : s[a] > s[b] ? 1 : 0)); // not s[a] - s[b]: Infinity - Infinity is NaN
  let rankSumPos = 0;
  let nPos = 0;
  for (let a = 0; a < idx.length; ) {
    let b = a;
    while (b + 1 < idx.length && s[idx[b + 1]] === s[idx[a]]) b++;
    const rank = (a + b) / 2 + 1; // average of the 1-based ranks a+1 .. b+1
    for (let j = a; j <= b; j++) if (y[idx[j]] === 1) {
      rankSumPos += rank;
      nPos++;
    }
    a = b + 1;
  }
  const nNeg = idx.length - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}
