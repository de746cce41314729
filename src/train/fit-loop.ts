// The training loop itself, synchronous: epochs of shuffled mini-batches, validation, learning-rate
// schedule, early stopping with the best weights restored, and the divergence guard. fit.ts runs it
// inside a worker thread so the caller's event loop stays free.
import { NonFiniteError } from '../errors.js';
import type { SequenceModel } from '../model/sequence-model.js';
import { Rng } from '../random.js';
import { BatchGatherer, epochOrder, type Checked } from './dataset.js';
import type { LossSpec } from './losses.js';
import { createOptimizer, type OptimizerSpec } from './optimizers.js';
import { createSchedule, type ScheduleSpec } from './schedules.js';
import { headLosses, trainStep, type Batch } from './step.js';
import { chunks } from './tbptt.js';
import type { RecurrentState } from '../model/sequence-model.js';

export interface LoopOptions {
  epochs: number;
  batchSize: number;
  loss: LossSpec[];
  optimizer: OptimizerSpec;
  shuffle: boolean;
  seed: number;
  clipNorm?: number;
  schedule?: ScheduleSpec;
  earlyStopping?: { patience: number; minDelta?: number; restoreBest?: boolean };
  /** Truncated BPTT: chunks of this many steps, state carried between them. */
  tbptt?: number;
  /** Sample i of each batch continues sample i of the previous batch: state carried across batches. */
  stateful?: boolean;
}

export interface ProgressEvent {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
  /** Validation loss of the epoch, on its last batch event; null before or without validation. */
  valLoss: number | null;
  lr: number;
  seqPerSec: number;
  etaSeconds: number;
}

export interface FitResult {
  epochs: number;
  history: { loss: number[]; valLoss: number[] };
  bestEpoch: number | null;
  stoppedEarly: boolean;
  cancelled: boolean;
}

/** Training diverged: a loss or gradient was NaN or infinite. The model keeps its last good weights. */
export class DivergenceError extends Error {
  constructor(
    readonly epoch: number,
    readonly batch: number,
    detail: string,
  ) {
    super(`fit diverged at epoch ${epoch}, batch ${batch}: ${detail}. The model keeps its last good weights; lower the learning rate or set clipNorm`);
    this.name = 'DivergenceError';
  }
}

/** Mean loss over a data set in inference mode, weighted by batch size. */
export function evaluateLoss(model: SequenceModel, data: Checked, losses: LossSpec[], batchSize: number): number {
  const gather = new BatchGatherer(data, batchSize);
  const order = epochOrder(data.count, null);
  let sum = 0;
  for (let from = 0; from < data.count; from += batchSize) {
    const b = gather.gather(order, from, Math.min(batchSize, data.count - from));
    const predictions = model.forward(b.x, { batchSize: b.batchSize, seqLen: b.seqLen, lengths: b.lengths, noGrad: true });
    sum += headLosses(model, losses, predictions, b.targets).total * b.batchSize;
  }
  return sum / data.count;
}

/** The first n of B rows of a state laid out (L*D, B, H): a short last batch continues the first n sequences. */
function firstRows(a: Float32Array, n: number, B: number, H: number): Float32Array {
  if (n === B) return a;
  const LD = a.length / (B * H);
  const out = new Float32Array(LD * n * H);
  for (let s = 0; s < LD; s++) out.set(a.subarray(s * B * H, (s * B + n) * H), s * n * H);
  return out;
}

/** A batch starting from a state carried from a batch of `prevRows` rows (null: from zeros). */
function withState(b: Batch, state: RecurrentState | null, prevRows: number, H: number): Batch {
  if (!state) return b;
  return {
    ...b,
    h0: firstRows(state.hN, b.batchSize, prevRows, H),
    c0: state.cN ? firstRows(state.cN, b.batchSize, prevRows, H) : undefined,
  };
}

/** Option combinations that cannot mean anything; fit() checks them before starting its worker. */
export function checkLoopOptions(o: LoopOptions, train: Checked): void {
  const k = o.tbptt;
  if (k !== undefined && !(Number.isInteger(k) && k > 0)) throw new RangeError(`fit: tbptt must be a positive integer, got ${k}`);
  if (k !== undefined && train.lengths) throw new RangeError('fit: tbptt needs equal-length sequences; it cannot be combined with lengths');
  if (o.stateful && o.shuffle) throw new RangeError('fit: stateful training needs shuffle: false (each batch must continue the one before)');
  if (o.stateful && train.lengths) throw new RangeError('fit: stateful training needs equal-length sequences; it cannot be combined with lengths');
}

export function fitLoop(
  model: SequenceModel,
  train: Checked,
  validation: Checked | null,
  o: LoopOptions,
  hooks: { progress?: (e: ProgressEvent) => void; cancelled?: () => boolean } = {},
): FitResult {
  checkLoopOptions(o, train);
  const k = o.tbptt;
  const H = model.options.hiddenSize;
  const optimizer = createOptimizer(o.optimizer, model.backend, model.params, model.grads);
  const schedule = o.schedule ? createSchedule(o.schedule, optimizer.lr) : null;
  const rng = new Rng(o.seed);
  const gather = new BatchGatherer(train, o.batchSize);
  const batches = Math.ceil(train.count / o.batchSize);
  const history = { loss: [] as number[], valLoss: [] as number[] };
  const patience = o.earlyStopping?.patience;
  let best = { loss: Infinity, epoch: null as number | null, weights: null as Float32Array | null };
  let stoppedEarly = false;
  let cancelled = false;
  const started = performance.now();
  let seen = 0;
  /** One batch by truncated BPTT; the loss reported is the mean over the chunks that learn. */
  const truncatedStep = (b: Batch): number => {
    let state: RecurrentState | null = b.h0 ? { hN: b.h0, cN: b.c0 ?? null } : null;
    let sum = 0;
    let learned = 0;
    for (const c of chunks(model, b, k!)) {
      const start = withState(c.batch, state, b.batchSize, H);
      if (c.learns) {
        sum += trainStep(model, optimizer, o.loss, start, { clipNorm: o.clipNorm }).loss;
        learned++;
      } else model.forward(start.x, { batchSize: start.batchSize, seqLen: start.seqLen, training: true, h0: start.h0, c0: start.c0 });
      state = model.finalState();
    }
    return sum / learned;
  };
  try {
    for (let epoch = 1; epoch <= o.epochs && !cancelled; epoch++) {
      const order = epochOrder(train.count, o.shuffle ? rng : null);
      let epochLoss = 0;
      let carried: { state: RecurrentState; rows: number } | null = null; // stateful: reset every epoch
      for (let batch = 1; batch <= batches; batch++) {
        if (hooks.cancelled?.()) {
          cancelled = true;
          break;
        }
        const from = (batch - 1) * o.batchSize;
        const b = gather.gather(order, from, Math.min(o.batchSize, train.count - from));
        let loss: number;
        try {
          const start = o.stateful && carried ? withState(b, carried.state, carried.rows, H) : b;
          loss = k !== undefined && k < train.seqLen ? truncatedStep(start) : trainStep(model, optimizer, o.loss, start, { clipNorm: o.clipNorm }).loss;
          if (o.stateful) carried = { state: model.finalState(), rows: b.batchSize };
        } catch (e) {
          if (e instanceof NonFiniteError) throw new DivergenceError(epoch, batch, e.message.replace(/^training: /, ''));
          throw e;
        }
        epochLoss += loss * b.batchSize;
        seen += b.batchSize;
        const valLoss = batch === batches && validation ? evaluateLoss(model, validation, o.loss, o.batchSize) : null;
        const elapsed = (performance.now() - started) / 1000;
        const total = o.epochs * train.count;
        hooks.progress?.({
          epoch, epochs: o.epochs, batch, batches, loss, valLoss, lr: optimizer.lr,
          seqPerSec: seen / Math.max(elapsed, 1e-9),
          etaSeconds: (elapsed / seen) * (total - seen),
        });
        if (batch === batches) {
          history.loss.push(epochLoss / train.count);
          if (valLoss !== null) history.valLoss.push(valLoss);
        }
      }
      if (cancelled) break;
      const metric = validation ? history.valLoss[history.valLoss.length - 1] : history.loss[history.loss.length - 1];
      if (schedule) optimizer.lr = schedule.next(epoch, validation ? metric : null);
      if (patience !== undefined) {
        if (metric < best.loss - (o.earlyStopping?.minDelta ?? 0)) best = { loss: metric, epoch, weights: model.params.array.slice() };
        else if (best.epoch !== null && epoch - best.epoch >= patience) {
          stoppedEarly = true;
          break;
        }
      }
    }
  } finally {
    optimizer.dispose();
  }
  if (best.weights && (o.earlyStopping?.restoreBest ?? true)) model.params.array.set(best.weights);
  return { epochs: history.loss.length, history, bestEpoch: best.epoch, stoppedEarly, cancelled };
}
