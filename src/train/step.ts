// One training step, PyTorch's order: zero grads -> forward -> loss -> backward -> (clip) -> update.
// The loss of several heads is the sum of their losses.
import type { SequenceModel } from '../model/sequence-model.js';
import { NonFiniteError } from '../errors.js';
import { clipGradNorm } from './clip.js';
import { computeLoss, type LossSpec } from './losses.js';
import type { Optimizer } from './optimizers.js';
import type { NormType } from '../backend/types.js';

export interface Batch {
  x: Float32Array; // (B, T, I)
  /** One target array per head, in the head's prediction layout (class indices for cross-entropy). */
  targets: Float32Array[];
  batchSize: number;
  seqLen: number;
  lengths?: ArrayLike<number>;
  /** Initial recurrent state, carried (without gradient) from the previous batch or chunk. */
  h0?: Float32Array;
  c0?: Float32Array;
}

export interface StepOptions {
  /** clip_grad_norm_ before the update; omitted: no clipping. */
  clipNorm?: number;
  clipNormType?: NormType;
}

export interface StepResult {
  /** The loss before the update (as PyTorch's loss.item() in the step). */
  loss: number;
  /** The total gradient norm before clipping, when clipping is on. */
  gradNorm: number | null;
}

/** The loss of every head on a batch, summed, with the gradient on each head's predictions. */
export function headLosses(model: SequenceModel, losses: LossSpec[], predictions: Float32Array[], targets: Float32Array[]) {
  if (losses.length !== model.heads.length || targets.length !== model.heads.length)
    throw new RangeError(`training: the model has ${model.heads.length} head(s); give as many losses (${losses.length}) and targets (${targets.length})`);
  let total = 0;
  const grads = model.heads.map((h, i) => {
    const r = computeLoss(losses[i], predictions[i], targets[i], h.outputs);
    total += r.value;
    return r.grad;
  });
  return { total, grads };
}

export function trainStep(model: SequenceModel, optimizer: Optimizer, losses: LossSpec[], batch: Batch, opts: StepOptions = {}): StepResult {
  model.zeroGrad();
  const predictions = model.forward(batch.x, {
    batchSize: batch.batchSize, seqLen: batch.seqLen, lengths: batch.lengths, training: true, h0: batch.h0, c0: batch.c0,
  });
  const { total, grads } = headLosses(model, losses, predictions, batch.targets);
  if (!Number.isFinite(total)) throw new NonFiniteError(`training: the loss is ${total}; the weights were not updated`);
  model.backward(grads);
  const gradNorm = opts.clipNorm !== undefined ? clipGradNorm(model.backend, model.grads, opts.clipNorm, opts.clipNormType ?? 2) : null;
  // A finite loss can still have exploded gradients: never let Inf or NaN reach the weights.
  const norm = gradNorm ?? model.backend.grad_norm(model.grads, Infinity);
  if (!Number.isFinite(norm)) throw new NonFiniteError(`training: the gradients hold Inf or NaN (norm ${norm}); the weights were not updated`);
  optimizer.step();
  return { loss: total, gradNorm };
}
