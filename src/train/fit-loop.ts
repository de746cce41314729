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
import { headLosses, trainStep } from './step.js';

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
    const predictions = model.forward(b.x, { batchSize: b.batchSize, seqLen: b.seqLen, lengths: b.lengths });
    sum += headLosses(model, losses, predictions, b.targets).total * b.batchSize;
  }
  return sum / data.count;
}

export function fitLoop(
  model: SequenceModel,
  train: Checked,
  validation: Checked | null,
  o: LoopOptions,
  hooks: { progress?: (e: ProgressEvent) => void; cancelled?: () => boolean } = {},
): FitResult {
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
  try {
    for (let epoch = 1; epoch <= o.epochs && !cancelled; epoch++) {
      const order = epochOrder(train.count, o.shuffle ? rng : null);
      let epochLoss = 0;
      for (let batch = 1; batch <= batches; batch++) {
        if (hooks.cancelled?.()) {
          cancelled = true;
          break;
        }
        const from = (batch - 1) * o.batchSize;
        const b = gather.gather(order, from, Math.min(o.batchSize, train.count - from));
        let r;
        try {
          r = trainStep(model, optimizer, o.loss, b, { clipNorm: o.clipNorm });
        } catch (e) {
          if (e instanceof NonFiniteError) throw new DivergenceError(epoch, batch, e.message.replace(/^training: /, ''));
          throw e;
        }
        epochLoss += r.loss * b.batchSize;
        seen += b.batchSize;
        const valLoss = batch === batches && validation ? evaluateLoss(model, validation, o.loss, o.batchSize) : null;
        const elapsed = (performance.now() - started) / 1000;
        const total = o.epochs * train.count;
        hooks.progress?.({
          epoch, epochs: o.epochs, batch, batches, loss: r.loss, valLoss, lr: optimizer.lr,
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
