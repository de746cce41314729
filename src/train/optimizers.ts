// Optimizers over one flat parameter buffer: each step is ONE backend kernel call over every
// parameter (not a JS loop per tensor), with PyTorch 1.13's formulas and defaults, and state kept in
// backend memory in the parameters' layout. Step-count scalars (bias corrections) are computed here in
// double, as PyTorch computes them in Python floats.
import type { Backend, F32Buffer } from '../backend/types.js';

export type OptimizerSpec =
  | { name: 'adam' | 'adamw'; lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number; amsgrad?: boolean }
  | { name: 'sgd'; lr: number; momentum?: number; dampening?: number; weightDecay?: number; nesterov?: boolean }
  | { name: 'rmsprop'; lr?: number; alpha?: number; eps?: number; weightDecay?: number; momentum?: number; centered?: boolean };

export interface Optimizer {
  readonly name: OptimizerSpec['name'];
  /** The learning rate of the next step; schedules set it. */
  lr: number;
  /** Steps taken so far. */
  readonly steps: number;
  /** Applies one update from `grads` to `params`. */
  step(): void;
  /** Copies of the state buffers under PyTorch's state names (exp_avg, momentum_buffer, ...). */
  state(): Record<string, Float32Array>;
  dispose(): void;
}

function nonNegative(where: string, name: string, v: number): number {
  if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`${where}: ${name} must be a finite number >= 0, got ${v}`);
  return v;
}

function inUnit(where: string, name: string, v: number): number {
  if (!(v >= 0 && v < 1)) throw new RangeError(`${where}: ${name} must be in [0, 1), got ${v}`);
  return v;
}

/** State buffers, allocated zeroed in the backend with the parameters' length. */
class StateBuffers {
  private readonly buffers = new Map<string, F32Buffer>();
  constructor(
    private readonly backend: Backend,
    private readonly length: number,
  ) {}
  get(name: string): F32Buffer {
    let b = this.buffers.get(name);
    if (!b) {
      b = this.backend.alloc(this.length);
      this.buffers.set(name, b);
    }
    return b;
  }
  copies(): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const [name, b] of this.buffers) out[name] = b.array.slice();
    return out;
  }
  dispose(): void {
    for (const b of this.buffers.values()) this.backend.free(b);
    this.buffers.clear();
  }
}

export function createOptimizer(spec: OptimizerSpec, backend: Backend, params: F32Buffer, grads: F32Buffer): Optimizer {
  if (params.length !== grads.length)
    throw new RangeError(`optimizer: params (${params.length}) and grads (${grads.length}) must have the same length`);
  const where = `optimizer '${spec?.name}'`;
  const state = new StateBuffers(backend, params.length);
  let steps = 0;
  /** The parts every optimizer shares; `steps` stays a live getter (a spread would freeze it). */
  const make = (name: OptimizerSpec['name'], lr: number, update: (lr: number) => void): Optimizer => ({
    name,
    lr,
    get steps() {
      return steps;
    },
    step() {
      steps++;
      update(this.lr);
    },
    state: () => state.copies(),
    dispose: () => state.dispose(),
  });

  switch (spec?.name) {
    case 'adam':
    case 'adamw': {
      const [beta1, beta2] = spec.betas ?? [0.9, 0.999];
      inUnit(where, 'betas[0]', beta1);
      inUnit(where, 'betas[1]', beta2);
      const eps = nonNegative(where, 'eps', spec.eps ?? 1e-8);
      // AdamW's default decay is 0.01 (PyTorch); Adam's is 0.
      const weightDecay = nonNegative(where, 'weightDecay', spec.weightDecay ?? (spec.name === 'adamw' ? 0.01 : 0));
      const amsgrad = spec.amsgrad ?? false;
      return make(spec.name, nonNegative(where, 'lr', spec.lr ?? 1e-3), (lr) =>
        backend.adam_step({
          p: params, g: grads, m: state.get('exp_avg'), v: state.get('exp_avg_sq'),
          vmax: amsgrad ? state.get('max_exp_avg_sq') : null,
          lr, beta1, beta2, eps, weightDecay,
          stepSize: lr / (1 - beta1 ** steps),
          bc2Sqrt: Math.sqrt(1 - beta2 ** steps),
          amsgrad, decoupled: spec.name === 'adamw',
        }),
      );
    }
    case 'sgd': {
      const momentum = nonNegative(where, 'momentum', spec.momentum ?? 0);
      const dampening = nonNegative(where, 'dampening', spec.dampening ?? 0);
      const weightDecay = nonNegative(where, 'weightDecay', spec.weightDecay ?? 0);
      const nesterov = spec.nesterov ?? false;
      if (nesterov && (momentum <= 0 || dampening !== 0))
        throw new RangeError(`${where}: nesterov needs momentum > 0 and dampening = 0 (as PyTorch)`);
      if (spec.lr === undefined) throw new RangeError(`${where}: lr is required for SGD (PyTorch has no default)`);
      return make(spec.name, nonNegative(where, 'lr', spec.lr), (lr) =>
        backend.sgd_step({
          p: params, g: grads, buf: momentum !== 0 ? state.get('momentum_buffer') : null,
          lr, momentum, dampening, weightDecay, nesterov, firstStep: steps === 1,
        }),
      );
    }
    case 'rmsprop': {
      const alpha = inUnit(where, 'alpha', spec.alpha ?? 0.99);
      const eps = nonNegative(where, 'eps', spec.eps ?? 1e-8);
      const weightDecay = nonNegative(where, 'weightDecay', spec.weightDecay ?? 0);
      const momentum = nonNegative(where, 'momentum', spec.momentum ?? 0);
      const centered = spec.centered ?? false;
      return make(spec.name, nonNegative(where, 'lr', spec.lr ?? 1e-2), (lr) =>
        backend.rmsprop_step({
          p: params, g: grads, sq: state.get('square_avg'),
          ga: centered ? state.get('grad_avg') : null,
          buf: momentum !== 0 ? state.get('momentum_buffer') : null,
          lr, alpha, eps, weightDecay, momentum, centered,
        }),
      );
    }
    default:
      throw new RangeError(`optimizer name must be 'adam', 'adamw', 'sgd' or 'rmsprop', got '${String((spec as { name?: string })?.name)}'`);
  }
}
