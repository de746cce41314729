// Runs the loss, optimizer, clipping and end-to-end training fixtures (formats in
// ../shared/fixtures/README.md) and returns every comparison, for the vitest suites and `npm run fixtures`.
import type { Backend } from '../../src/backend/types.js';
import { SequenceModel } from '../../src/model/sequence-model.js';
import { clipGradNorm } from '../../src/train/clip.js';
import { computeLoss, type LossSpec } from '../../src/train/losses.js';
import { createOptimizer, type OptimizerSpec } from '../../src/train/optimizers.js';
import { trainStep } from '../../src/train/step.js';
import { closeness, type Closeness } from './close.js';
import type { Fixture } from './fixtures.js';

/** The fixture README's float32 tolerances per kind. */
export const LOSS_TOL = { atol: 1e-6, rtol: 1e-5 };
export const OPTIM_TOL = { atol: 1e-6, rtol: 1e-5 };
export const TRAIN_TOL = { atol: 1e-5, rtol: 1e-4 };
const GRAD_TOL = { atol: 1e-4, rtol: 1e-3 };

function lossSpec(body: Record<string, any>): LossSpec {
  const p = body.params;
  const reduction = p.reduction;
  switch (body.loss) {
    case 'MSELoss': return { name: 'mse', reduction };
    case 'L1Loss': return { name: 'mae', reduction };
    case 'HuberLoss': return { name: 'huber', delta: p.delta, reduction };
    case 'SmoothL1Loss': return { name: 'smooth_l1', beta: p.beta, reduction };
    case 'BCEWithLogitsLoss': return { name: 'bce_with_logits', posWeight: p.pos_weight?.data, reduction };
    case 'CrossEntropyLoss': return { name: 'cross_entropy', reduction };
    default: throw new Error(`fixture ${body.name}: unknown loss ${body.loss}`);
  }
}

/** Losses are computed in TypeScript (float64), the same on every backend. */
export function runLossFixture(fx: Fixture): Closeness[] {
  const b = fx.body;
  const columns = b.input.shape.length > 1 ? b.input.shape[b.input.shape.length - 1] : 1;
  const r = computeLoss(lossSpec(b), Float32Array.from(b.input.data), b.target.data, columns);
  return [closeness([r.value], [b.value], LOSS_TOL, 'value'), closeness(r.grad, b.grad_input.data, LOSS_TOL, 'grad_input', b.grad_input.shape)];
}

export function optimizerSpec(body: Record<string, any>): OptimizerSpec {
  const h = body.hyperparams_effective;
  switch (body.optimizer) {
    case 'Adam':
    case 'AdamW':
      return { name: body.optimizer === 'Adam' ? 'adam' : 'adamw', lr: h.lr, betas: h.betas, eps: h.eps, weightDecay: h.weight_decay, amsgrad: h.amsgrad };
    case 'SGD':
      return { name: 'sgd', lr: h.lr, momentum: h.momentum, dampening: h.dampening, weightDecay: h.weight_decay, nesterov: h.nesterov };
    case 'RMSprop':
      return { name: 'rmsprop', lr: h.lr, alpha: h.alpha, eps: h.eps, weightDecay: h.weight_decay, momentum: h.momentum, centered: h.centered };
    default:
      throw new Error(`fixture ${body.name}: unknown optimizer ${body.optimizer}`);
  }
}

/** Five steps from given gradients; parameters and PyTorch-named state after every step. */
export function runOptimizerFixture(fx: Fixture, backend: Backend): Closeness[] {
  const b = fx.body;
  const n = b.params0.data.length;
  const params = backend.alloc(n);
  const grads = backend.alloc(n);
  params.array.set(b.params0.data);
  const opt = createOptimizer(optimizerSpec(b), backend, params, grads);
  const checks: Closeness[] = [];
  try {
    for (let s = 0; s < b.steps; s++) {
      grads.array.set(b.grads[s].data);
      opt.step();
      checks.push(closeness(params.array, b.params_after[s].data, OPTIM_TOL, `step ${s + 1} params`));
      const state = opt.state();
      for (const [name, want] of Object.entries<any>(b.state_after[s])) {
        if (name === 'step') checks.push(closeness([opt.steps], [want], OPTIM_TOL, `step ${s + 1} step`));
        // PyTorch keeps momentum_buffer = None for plain SGD; so must we (no such state at all).
        else if (want === null) checks.push(closeness([name in state ? 1 : 0], [0], OPTIM_TOL, `step ${s + 1} ${name} absent`));
        else checks.push(closeness(state[name] ?? [], want.data, OPTIM_TOL, `step ${s + 1} ${name}`));
      }
    }
  } finally {
    opt.dispose();
    backend.free(params);
    backend.free(grads);
  }
  return checks;
}

/** Three gradient tensors clipped together, held in one flat buffer as our parameters are. */
export function runClipFixture(fx: Fixture, backend: Backend): Closeness[] {
  const b = fx.body;
  const grads = backend.alloc(b.grads_before.reduce((n: number, g: any) => n + g.data.length, 0));
  grads.array.set(b.grads_before.flatMap((g: any) => g.data));
  try {
    const total = clipGradNorm(backend, grads, b.max_norm, b.norm_type === 'inf' ? Infinity : b.norm_type);
    return [
      closeness([total], [b.total_norm], OPTIM_TOL, 'total_norm'),
      closeness(grads.array, b.grads_after.flatMap((g: any) => g.data), OPTIM_TOL, 'grads_after'),
    ];
  } finally {
    backend.free(grads);
  }
}

/** The recurrent model + Linear head trained with Adam (and clipping) step by step. */
export function runTrainingFixture(fx: Fixture, backend: Backend): Closeness[] {
  const b = fx.body;
  const [B, T, I] = b.x.shape;
  const model = new SequenceModel({ cell: b.model.cell, inputSize: I, hiddenSize: b.model.hidden_size, numLayers: b.model.num_layers }, backend);
  const initial: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries<any>(b.initial_params)) initial[k] = Float32Array.from(v.data);
  model.loadStateDict(initial);
  const o = b.optimizer;
  const opt = createOptimizer({ name: 'adam', lr: o.lr, betas: o.betas, eps: o.eps, weightDecay: o.weight_decay }, backend, model.params, model.grads);
  const batch = { x: Float32Array.from(b.x.data), targets: [Float32Array.from(b.y.data)], batchSize: B, seqLen: T };
  const checks: Closeness[] = [];
  try {
    for (let s = 0; s < b.steps; s++) {
      const r = trainStep(model, opt, [{ name: 'mse' }], batch, b.clip_grad_norm ? { clipNorm: b.clip_grad_norm } : {});
      checks.push(closeness([r.loss], [b.loss_per_step[s]], TRAIN_TOL, `loss at step ${s}`));
      if (b.grad_norm_before_clip_per_step)
        checks.push(closeness([r.gradNorm ?? NaN], [b.grad_norm_before_clip_per_step[s]], TRAIN_TOL, `grad norm at step ${s}`));
      if (s === 0 && !b.clip_grad_norm) {
        // Step 0's gradients are still in model.grads after the update (clipping would have scaled them).
        const grads = model.gradDict();
        for (const [k, v] of Object.entries<any>(b.grads_step0)) checks.push(closeness(grads[k].data, v.data, GRAD_TOL, `step-0 grad ${k}`));
      }
    }
    const final = model.stateDict();
    for (const [k, v] of Object.entries<any>(b.final_params)) checks.push(closeness(final[k].data, v.data, TRAIN_TOL, `final ${k}`));
    const [prediction] = model.forward(batch.x, { batchSize: B, seqLen: T });
    checks.push(closeness(prediction, b.final_prediction.data, TRAIN_TOL, 'final prediction'));
    checks.push(closeness([computeLoss({ name: 'mse' }, prediction, batch.targets[0], 1).value], [b.final_loss], TRAIN_TOL, 'final loss'));
  } finally {
    opt.dispose();
    model.dispose();
  }
  return checks;
}
