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
  /**
   * input (N, C) logits; target (N) class indices, or (N, C) class probabilities (e.g. one-hot, the
   * form the fit loop passes). weight: one per class (PyTorch's weight); with class indices 'mean'
   * divides by the targets' weight sum, with probabilities by N, as PyTorch does.
   */
  | { name: 'cross_entropy'; weight?: ArrayLike<number>; reduction?: Reduction };

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
  let weightSum = 0; // cross-entropy's 'mean' denominator (PyTorch's): the targets' class weights, or rows for probability targets
  const reduction = spec.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'sum') throw new RangeError(`loss: reduction must be 'mean' or 'sum', got '${reduction}'`);

  if (spec.name === 'cross_entropy') {
    // Targets: one class index per row, or class probabilities (rows, columns) as PyTorch >= 1.10
    // accepts; the fit loop passes the second form (one target per output), e.g. one-hot rows.
    const soft = columns > 1 && target.length === input.length;
    if (!soft) expectLength('target', target, rows, 'rows (class indices; or rows * columns class probabilities)');
    const classWeight = spec.weight;
    if (classWeight) expectLength('weight', classWeight, columns, 'columns (one per class)');
    for (let n = 0; n < rows; n++) {
      const y = soft ? 0 : target[n];
      if (soft) {
        let missing = false;
        for (let c = 0; c < columns; c++) {
          const p = target[n * columns + c];
          if (Number.isNaN(p)) missing = true;
          else if (!(p >= 0 && p <= 1)) throw new RangeError(`loss: cross_entropy target[${n}][${c}] must be a probability in [0, 1], got ${p}`);
        }
        if (missing) continue;
      } else {
        if (Number.isNaN(y)) continue;
        if (!Number.isInteger(y) || y < 0 || y >= columns)
          throw new RangeError(`loss: cross_entropy target[${n}] must be a class index in [0, ${columns}), got ${y}`);
      }
      // logsumexp shifted by the row maximum, so a logit of 50 cannot overflow.
      let max = -Infinity;
      for (let c = 0; c < columns; c++) max = Math.max(max, input[n * columns + c]);
      let sum = 0;
      for (let c = 0; c < columns; c++) sum += Math.exp(input[n * columns + c] - max);
      const logZ = max + Math.log(sum);
      if (soft) {
        // -sum_c w_c p_c log softmax_c; d/dz_c = softmax_c * sum_k w_k p_k - w_c p_c. 'mean' divides by rows.
        let wp = 0;
        for (let c = 0; c < columns; c++) {
          const w = classWeight ? classWeight[c] : 1;
          value += w * target[n * columns + c] * (logZ - input[n * columns + c]);
          wp += w * target[n * columns + c];
        }
        for (let c = 0; c < columns; c++)
          dv[n * columns + c] = Math.exp(input[n * columns + c] - logZ) * wp - (classWeight ? classWeight[c] : 1) * target[n * columns + c];
        weightSum += 1;
      } else {
        const w = classWeight ? classWeight[y] : 1;
        value += w * (logZ - input[n * columns + y]);
        for (let c = 0; c < columns; c++) dv[n * columns + c] = w * (Math.exp(input[n * columns + c] - max) / sum - (c === y ? 1 : 0));
        weightSum += w;
      }
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
  const denominator = spec.name === 'cross_entropy' ? weightSum : count;
  const scale = reduction === 'mean' ? (denominator > 0 ? 1 / denominator : 0) : 1;
  for (let i = 0; i < dv.length; i++) grad[i] = dv[i] * scale;
  return { value: value * scale, grad, count };
}
