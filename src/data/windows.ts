// Sliding windows: a (length, inputSize) row-major series becomes x (N, lookback, inputSize) and targets
// (N, horizon * targetSize) in Float32Arrays, the TrainingData shape fit() takes. Window n reads input
// rows [n*stride, n*stride + lookback) and target rows [n*stride + lookback, ... + horizon); a window's
// input rows are contiguous in memory, so each is one TypedArray.set (a memcpy), with no per-element
// objects. Targets are step-major within a window: targets[n, h * targetSize + k].
import { NonFiniteError } from '../errors.js';
import type { TrainingData } from '../train/dataset.js';

export interface WindowSource {
  /** (length, inputSize), row-major. */
  inputs: ArrayLike<number>;
  inputSize?: number;
  /** (length, targetSize), row-major; default the inputs when inputSize is 1. */
  targets?: ArrayLike<number>;
  targetSize?: number;
}

export interface WindowOptions {
  lookback: number;
  /** Steps predicted per window (default 1). */
  horizon?: number;
  /** Rows between window starts (default 1). */
  stride?: number;
  /** Non-finite inputs: throw (default) or read as 0 (for masked gaps, after scaling). */
  nonFinite?: 'error' | 'zero';
  /**
   * Buffers to write into instead of allocating (reused across calls, e.g. a rolling re-window): x needs
   * count * lookback * inputSize floats and targets count * horizon * targetSize; the result views them.
   */
  out?: { x: Float32Array; targets: Float32Array };
}

export interface Windows extends TrainingData {
  x: Float32Array;
  targets: Float32Array;
  count: number;
  seqLen: number;
  inputSize: number;
  horizon: number;
  targetSize: number;
  stride: number;
}

const posInt = (where: string, name: string, v: unknown) => {
  if (!Number.isInteger(v) || (v as number) < 1) throw new RangeError(`${where}: ${name} must be a positive integer, got ${v}`);
};

function toF32(a: ArrayLike<number>): Float32Array {
  return a instanceof Float32Array ? a : new Float32Array(a as ArrayLike<number> & Iterable<number>);
}

/** Number of windows a series of `length` rows gives (0 if it is too short). */
export function windowCount(length: number, lookback: number, horizon = 1, stride = 1): number {
  return length < lookback + horizon ? 0 : Math.floor((length - lookback - horizon) / stride) + 1;
}

export function makeWindows(data: WindowSource | ArrayLike<number>, options: WindowOptions): Windows {
  const where = 'makeWindows';
  const src: WindowSource = typeof data === 'object' && data !== null && 'inputs' in data ? (data as WindowSource) : { inputs: data as ArrayLike<number> };
  if (!src.inputs || typeof src.inputs.length !== 'number') throw new TypeError(`${where}: inputs must be an array or typed array`);
  const I = src.inputSize ?? 1;
  const K = src.targetSize ?? 1;
  const { lookback } = options;
  const horizon = options.horizon ?? 1;
  const stride = options.stride ?? 1;
  posInt(where, 'inputSize', I);
  posInt(where, 'targetSize', K);
  posInt(where, 'lookback', lookback);
  posInt(where, 'horizon', horizon);
  posInt(where, 'stride', stride);
  if (src.inputs.length % I !== 0) throw new RangeError(`${where}: inputs has ${src.inputs.length} values, not a multiple of inputSize ${I}`);
  const length = src.inputs.length / I;
  if (src.targets === undefined && I !== 1) throw new TypeError(`${where}: give targets when inputSize is ${I} (> 1)`);
  const tgtSrc = src.targets ?? src.inputs;
  if (tgtSrc.length !== length * K)
    throw new RangeError(`${where}: targets must have length * targetSize = ${length} * ${K} = ${length * K} values, got ${tgtSrc.length}`);
  const count = windowCount(length, lookback, horizon, stride);
  if (count === 0)
    throw new RangeError(`${where}: series of length ${length} is too short for lookback ${lookback} + horizon ${horizon} (need >= ${lookback + horizon})`);

  let inputs = toF32(src.inputs);
  const used = (count - 1) * stride + lookback; // input rows any window reads
  for (let i = 0; i < used * I; i++) {
    if (Number.isFinite(inputs[i])) continue;
    if (options.nonFinite === 'zero') {
      if (inputs === src.inputs) inputs = inputs.slice();
      inputs[i] = 0;
      continue;
    }
    throw new NonFiniteError(
      `${where}: inputs row ${Math.floor(i / I)}, channel ${i % I} is ${inputs[i]}; fill missing values first (fillMissing) or mask them and pass { nonFinite: 'zero' }`,
    );
  }
  const targetsIn = toF32(tgtSrc);

  const row = lookback * I;
  const W = horizon * K;
  let x: Float32Array;
  let targets: Float32Array;
  if (options.out) {
    const o = options.out;
    if (!(o.x instanceof Float32Array) || !(o.targets instanceof Float32Array)) throw new TypeError(`${where}: out.x and out.targets must be Float32Arrays`);
    if (o.x.length < count * row) throw new RangeError(`${where}: out.x must hold count * lookback * inputSize = ${count * row} floats, got ${o.x.length}`);
    if (o.targets.length < count * W) throw new RangeError(`${where}: out.targets must hold count * horizon * targetSize = ${count * W} floats, got ${o.targets.length}`);
    x = o.x.subarray(0, count * row);
    targets = o.targets.subarray(0, count * W);
  } else {
    // Fresh buffers: on some systems first-touch page faults of a large new buffer cost more than the copy.
    x = new Float32Array(count * row);
    targets = new Float32Array(count * W);
  }
  // Plain index loops: a subarray view per window would allocate N objects, which costs more than the
  // copy itself for short rows.
  for (let n = 0, o = 0; n < count; n++) {
    const from = n * stride * I;
    for (let j = 0; j < row; j++) x[o++] = inputs[from + j];
  }
  for (let n = 0, o = 0; n < count; n++) {
    const from = (n * stride + lookback) * K;
    for (let j = 0; j < W; j++) targets[o++] = targetsIn[from + j];
  }
  for (let i = 0; i < targets.length; i++)
    if (targets[i] === Infinity || targets[i] === -Infinity)
      throw new NonFiniteError(`${where}: target of window ${Math.floor(i / W)} is ${targets[i]}; use NaN for a missing target`);
  return { x, targets, count, seqLen: lookback, inputSize: I, horizon, targetSize: K, stride };
}

/** The last `lookback` rows as one window (1, lookback, inputSize), the input of a forecast. */
export function lastWindow(inputs: ArrayLike<number>, inputSize: number, lookback: number): Float32Array {
  posInt('lastWindow', 'inputSize', inputSize);
  posInt('lastWindow', 'lookback', lookback);
  const length = Math.floor(inputs.length / inputSize);
  if (length < lookback) throw new RangeError(`lastWindow: series of length ${length} is shorter than lookback ${lookback}`);
  const out = new Float32Array(lookback * inputSize);
  const from = (length - lookback) * inputSize;
  for (let i = 0; i < out.length; i++) out[i] = inputs[from + i];
  return out;
}
