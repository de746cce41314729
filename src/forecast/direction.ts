// Windows labelled with the direction of the next move, for SequenceClassifier. Each window is the
// last `lookback` values minus the last one, divided by the window's mean absolute step, so windows at
// any level and scale look alike and no statistic of later data leaks into earlier windows.
import type { ClassifierData } from './classifier.js';

export interface DirectionOptions {
  lookback: number;
  /**
   * A move is 'up' when it exceeds +threshold and 'down' below -threshold. 0 (default) gives two
   * classes, 'down' (a move <= 0, so a flat step counts as down) and 'up'; a threshold > 0 gives three,
   * with 'flat' for moves within ±threshold. In the series' units.
   */
  threshold?: number;
}

export type Direction = 'down' | 'flat' | 'up';

function checkSeries(where: string, series: ArrayLike<number>, need: number): Float64Array {
  if (series === null || typeof series !== 'object' || typeof series.length !== 'number')
    throw new TypeError(`${where}: series must be an array of numbers or a typed array`);
  const y = Float64Array.from(series);
  const bad = y.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new RangeError(`${where}: series[${bad}] is ${series[bad]}; fill missing values first (see fillMissing)`);
  if (y.length < need) throw new RangeError(`${where}: a series of ${y.length} values is too short; need at least ${need}`);
  return y;
}

function checkLookback(where: string, lookback: unknown): number {
  if (typeof lookback !== 'number' || !Number.isInteger(lookback) || lookback < 2)
    throw new RangeError(`${where}: lookback must be an integer >= 2, got ${String(lookback)}`);
  return lookback;
}

/** The window y[end - L : end], encoded into x at offset o. */
function encode(y: Float64Array, end: number, L: number, x: Float32Array, o: number): void {
  const last = y[end - 1];
  let scale = 0;
  for (let k = end - L + 1; k < end; k++) scale += Math.abs(y[k] - y[k - 1]) / (L - 1);
  if (!(scale > 0)) scale = 1; // a constant window: nothing to scale
  for (let k = 0; k < L; k++) x[o + k] = (y[end - L + k] - last) / scale;
}

/** Every window of the series with the direction of the move right after it. */
export function directionWindows(series: ArrayLike<number>, opts: DirectionOptions): ClassifierData & { classes: Direction[] } {
  const where = 'directionWindows';
  const L = checkLookback(where, opts?.lookback);
  const t = opts.threshold ?? 0;
  if (!(t >= 0) || !Number.isFinite(t)) throw new RangeError(`${where}: threshold must be a finite number >= 0, got ${t}`);
  const y = checkSeries(where, series, L + 1);
  const count = y.length - L;
  const x = new Float32Array(count * L);
  const labels: Direction[] = [];
  for (let w = 0; w < count; w++) {
    const end = w + L;
    encode(y, end, L, x, w * L);
    const move = y[end] - y[end - 1];
    labels.push(move > t ? 'up' : t > 0 && move >= -t ? 'flat' : 'down');
  }
  return { x, count, seqLen: L, labels, classes: t > 0 ? ['down', 'flat', 'up'] : ['down', 'up'] };
}

/** The newest window of the series (count 1), encoded as directionWindows does: the input for the next move. */
export function directionInput(series: ArrayLike<number>, opts: { lookback: number }): { x: Float32Array; count: 1; seqLen: number } {
  const where = 'directionInput';
  const L = checkLookback(where, opts?.lookback);
  const y = checkSeries(where, series, L);
  const x = new Float32Array(L);
  encode(y, y.length, L, x, 0);
  return { x, count: 1, seqLen: L };
}
