// Training losses with their gradients, computed in float64 over float32 predictions (a loss touches
// N*outputs numbers once per batch, never per time step, so it stays in TypeScript). Formulas and
// reductions are PyTorch's (MSELoss, L1Loss, HuberLoss, SmoothL1Loss, BCEWithLogitsLoss,
// CrossEntropyLoss) plus the pinball loss for quantiles. A NaN target means "missing": that element
// (a row, for cross-entropy) is left out of the value and gets zero gradient, and 'mean' divides by
// the elements that count.
import { ShapeError } from '../errors.js';

export type Reduction = 'mean' | 'sum';

export type LossSpec =
  | { name: 'mse' | 'mae'; reduction?: Reduction }
  | { name: 'huber'; delta?: number; reduction?: Reduction }
  | { name: 'smooth_l1'; beta?: number; reduction?: Reduction }
  /** Column j of each group of quantiles.length predictions estimates quantile j of one target. */
  | { name: 'quantile'; quantiles: number[]; reduction?: Reduction }
  /** posWeight: one weight per column (PyTorch's pos_weight), default 1. */
  | { name: 'bce_with_logits'; posWeight?: ArrayLike<number>; reduction?: Reduction }
  /** input (N, C) logits, target (N) class indices. */
  | { name: 'cross_entropy'; reduction?: Reduction };

export interface LossResult {
  value: number;
  /** dLoss/dinput, same layout as the input. */
  grad: Float32Array;
  /** Elements (rows for cross-entropy) that counted, after masking missing targets. */
  count: number;
}

/** log(1 + exp(x)) without overflow: x + log1p(exp(-x)) for x > 0. */
const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

function expectLength(name: string, a: ArrayLike<number>, n: number, formula: string): void {
  if (a.length !== n) throw new ShapeError(`loss: ${name} must have ${formula} = ${n} elements, got ${a.length}`);
}

/**
 * The loss of predictions `input` against `target`. `columns` is the width of one row of input
 * (outputs per sample); for quantile losses target has columns / quantiles.length values per row,
 * for cross-entropy one class index per row.
 */
export function computeLoss(spec: LossSpec, input: ArrayLike<number>, target: ArrayLike<number>, columns: number): LossResult {
  if (!Number.isInteger(columns) || columns <= 0) throw new RangeError(`loss: columns must be a positive integer, got ${columns}`);
  if (input.length % columns !== 0) throw new ShapeError(`loss: input length ${input.length} is not a multiple of columns = ${columns}`);
  const rows = input.length / columns;
  const grad = new Float32Array(input.length);
  const dv = new Float64Array(input.length); // gradients before the reduction's scale
  let value = 0;
  let count = 0;
  const reduction = spec.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'sum') throw new RangeError(`loss: reduction must be 'mean' or 'sum', got '${reduction}'`);

  if (spec.name === 'cross_entropy') {
    expectLength('target', target, rows, 'rows');
    for (let n = 0; n < rows; n++) {
      const y = target[n];
      if (Number.isNaN(y)) continue;
      if (!Number.isInteger(y) || y < 0 || y >= columns)
        throw new RangeError(`loss: cross_entropy target[${n}] must be a class index in [0, ${columns}), got ${y}`);
      // logsumexp shifted by the row maximum, so a logit of 50 cannot overflow.
      let max = -Infinity;
      for (let c = 0; c < columns; c++) max = Math.max(max, input[n * columns + c]);
      let sum = 0;
      for (let c = 0; c < columns; c++) sum += Math.exp(input[n * columns + c] - max);
      value += max + Math.log(sum) - input[n * columns + y];
      for (let c = 0; c < columns; c++) dv[n * columns + c] = Math.exp(input[n * columns + c] - max) / sum - (c === y ? 1 : 0);
      count++;
    }
  } else if (spec.name === 'quantile') {
    const Q = spec.quantiles.length;
    if (Q === 0 || columns % Q !== 0) throw new ShapeError(`loss: quantile columns (${columns}) must be a multiple of quantiles.length (${Q})`);
    for (const q of spec.quantiles) if (!(q > 0 && q < 1)) throw new RangeError(`loss: quantiles must be in (0, 1), got ${q}`);
    expectLength('target', target, input.length / Q, 'input length / quantiles.length');
    for (let i = 0; i < input.length; i++) {
      const y = target[Math.floor(i / Q)];
      if (Number.isNaN(y)) continue;
      const q = spec.quantiles[i % Q];
      const e = y - input[i];
      // pinball: q*e above the prediction, (q-1)*e below; zero slope at an exact tie.
      value += e >= 0 ? q * e : (q - 1) * e;
      dv[i] = e > 0 ? -q : e < 0 ? 1 - q : 0;
      count++;
    }
  } else {
    expectLength('target', target, input.length, 'input length');
    const posWeight = spec.name === 'bce_with_logits' ? spec.posWeight : undefined;
    if (posWeight) expectLength('posWeight', posWeight, columns, 'columns');
    for (let i = 0; i < input.length; i++) {
      const y = target[i];
      if (Number.isNaN(y)) continue;
      const x = input[i];
      const d = x - y;
      const a = Math.abs(d);
      switch (spec.name) {
        case 'mse':
          value += d * d;
          dv[i] = 2 * d;
          break;
        case 'mae':
          value += a;
          dv[i] = Math.sign(d); // 0 at an exact tie, as PyTorch
          break;
        case 'huber': {
          const delta = spec.delta ?? 1;
          value += a < delta ? 0.5 * d * d : delta * (a - 0.5 * delta);
          dv[i] = a < delta ? d : delta * Math.sign(d);
          break;
        }
        case 'smooth_l1': {
          const beta = spec.beta ?? 1;
          value += a < beta ? (0.5 * d * d) / beta : a - 0.5 * beta;
          dv[i] = a < beta ? d / beta : Math.sign(d);
          break;
        }
        case 'bce_with_logits': {
          const pw = posWeight ? posWeight[i % columns] : 1;
          value += pw * y * softplus(-x) + (1 - y) * softplus(x);
          const s = sigmoid(x);
          dv[i] = -pw * y * (1 - s) + (1 - y) * s;
          break;
        }
        default:
          throw new RangeError(`loss: unknown loss '${(spec as { name: string }).name}'`);
      }
      count++;
    }
  }
  const scale = reduction === 'mean' ? (count > 0 ? 1 / count : 0) : 1;
  for (let i = 0; i < dv.length; i++) grad[i] = dv[i] * scale;
  return { value: value * scale, grad, count };
}
