// The training kernels on shapes the PyTorch fixtures do not reach (their optimizer vectors have 8
// elements, their head 8 inputs): odd sizes cross every SIMD width and tail. Each backend against
// plain float64 loops written from the formulas in ../shared/fixtures/README.md.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random.js';
import { createOptimizer, type OptimizerSpec } from '../../src/train/optimizers.js';
import { closeness } from '../helpers/close.js';
import { testBackends } from '../helpers/backends.js';
import { randomValues } from '../helpers/random.js';

const backends = await testBackends();

/** One optimizer step in float64, PyTorch 1.13's single-tensor formulas. */
function referenceSteps(spec: OptimizerSpec, p: Float64Array, grads: Float64Array[]): Float64Array {
  const n = p.length;
  const m = new Float64Array(n), v = new Float64Array(n), vmax = new Float64Array(n), buf = new Float64Array(n), ga = new Float64Array(n);
  grads.forEach((g0, s) => {
    const t = s + 1;
    for (let i = 0; i < n; i++) {
      let g = g0[i];
      if (spec.name === 'adam' || spec.name === 'adamw') {
        const [b1, b2] = spec.betas ?? [0.9, 0.999];
        const lr = spec.lr ?? 1e-3, eps = spec.eps ?? 1e-8, wd = spec.weightDecay ?? (spec.name === 'adamw' ? 0.01 : 0);
        if (spec.name === 'adamw') p[i] *= 1 - lr * wd;
        else g += wd * p[i];
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        vmax[i] = Math.max(vmax[i], v[i]);
        const denom = Math.sqrt(spec.amsgrad ? vmax[i] : v[i]) / Math.sqrt(1 - b2 ** t) + eps;
        p[i] -= (lr / (1 - b1 ** t)) * (m[i] / denom);
      } else if (spec.name === 'sgd') {
        const mu = spec.momentum ?? 0, damp = spec.dampening ?? 0;
        g += (spec.weightDecay ?? 0) * p[i];
        if (mu !== 0) {
          buf[i] = t === 1 ? g : mu * buf[i] + (1 - damp) * g;
          g = spec.nesterov ? g + mu * buf[i] : buf[i];
        }
        p[i] -= spec.lr * g;
      } else if (spec.name === 'rmsprop') {
        const a = spec.alpha ?? 0.99, eps = spec.eps ?? 1e-8, mu = spec.momentum ?? 0, lr = spec.lr ?? 1e-2;
        g += (spec.weightDecay ?? 0) * p[i];
        v[i] = a * v[i] + (1 - a) * g * g;
        let avg: number;
        if (spec.centered) {
          ga[i] = a * ga[i] + (1 - a) * g;
          avg = Math.sqrt(v[i] - ga[i] * ga[i]) + eps;
        } else avg = Math.sqrt(v[i]) + eps;
        if (mu > 0) {
          buf[i] = mu * buf[i] + g / avg;
          p[i] -= lr * buf[i];
        } else p[i] -= (lr * g) / avg;
      }
    }
  });
  return p;
}

const SPECS: OptimizerSpec[] = [
  { name: 'adam', lr: 0.01, amsgrad: true, weightDecay: 0.01 },
  { name: 'adamw', lr: 0.01 },
  { name: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true },
  { name: 'rmsprop', lr: 0.01, momentum: 0.5, centered: true, weightDecay: 0.01 },
];

describe.each(backends.map((b) => ({ name: b.info().name, backend: b })))('training kernels on $name', ({ backend }) => {
  it.each([
    { N: 1, In: 1, O: 1 },
    { N: 7, In: 5, O: 3 },
    { N: 33, In: 70, O: 17 },
    { N: 130, In: 33, O: 1 },
  ])('linear forward and backward match float64 loops for %o', ({ N, In, O }) => {
    const rng = new Rng(N * 100 + In + O);
    const x = randomValues(rng, N * In), w = randomValues(rng, O * In), b = randomValues(rng, O), dy = randomValues(rng, N * O);
    const prior = randomValues(rng, O * In); // backward accumulates onto what is there
    const buf = (data: ArrayLike<number> | number) => {
      const f = backend.alloc(typeof data === 'number' ? data : data.length);
      if (typeof data !== 'number') f.array.set(data);
      return f;
    };
    const [X, Wb, Bb, Y, DY, DX, DW, DB] = [buf(x), buf(w), buf(b), buf(N * O), buf(dy), buf(N * In), buf(prior), buf(O)];
    backend.linear_forward({ y: Y, x: X, w: Wb, b: Bb }, { N, In, O });
    backend.linear_backward({ dx: DX, dw: DW, db: DB, dy: DY, x: X, w: Wb }, { N, In, O });
    const y = new Float64Array(N * O), dx = new Float64Array(N * In), dw = Float64Array.from(prior), db = new Float64Array(O);
    for (let n = 0; n < N; n++)
      for (let o = 0; o < O; o++) {
        let s = b[o];
        for (let k = 0; k < In; k++) {
          s += x[n * In + k] * w[o * In + k];
          dx[n * In + k] += dy[n * O + o] * w[o * In + k];
          dw[o * In + k] += dy[n * O + o] * x[n * In + k];
        }
        y[n * O + o] = s;
        db[o] += dy[n * O + o];
      }
    const tol = { atol: 1e-5, rtol: 1e-4 };
    for (const [got, want, label] of [[Y, y, 'y'], [DX, dx, 'dx'], [DW, dw, 'dw'], [DB, db, 'db']] as const) {
      const r = closeness(got.array, want, tol, label);
      expect(r.ok, r.message).toBe(true);
    }
    for (const f of [X, Wb, Bb, Y, DY, DX, DW, DB]) backend.free(f);
  });

  it.each(SPECS.map((spec) => ({ name: spec.name, spec })))('$name over 1001 parameters matches float64 for 5 steps', ({ spec }) => {
    const rng = new Rng(7);
    const n = 1001;
    const p0 = randomValues(rng, n);
    const grads = Array.from({ length: 5 }, () => randomValues(rng, n, 3));
    const params = backend.alloc(n);
    const g = backend.alloc(n);
    params.array.set(p0);
    const opt = createOptimizer(spec, backend, params, g);
    for (const step of grads) {
      g.array.set(step);
      opt.step();
    }
    const r = closeness(params.array, referenceSteps(spec, Float64Array.from(p0), grads), { atol: 1e-6, rtol: 1e-5 }, `${spec.name} params`);
    expect(r.ok, r.message).toBe(true);
    expect(backend.grad_norm(g, 2)).toBeCloseTo(Math.hypot(...grads[4]), 4);
    opt.dispose();
    backend.free(params);
    backend.free(g);
  });
});
