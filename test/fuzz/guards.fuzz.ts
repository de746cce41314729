// Properties (issue #10, numerical guards) on every backend:
// 1. NaN or ±Infinity in a model's input at a valid step is refused with a NonFiniteError naming the
//    first such element; at padded steps (t >= lengths[b], masked) it is ignored: the predictions are
//    bit-identical to those with zeros there. fit() refuses it too, before starting a worker.
// 2. Exploding gradients (targets up to 1e30, learning rates up to 10) are clipped or reported: a
//    training step with clipNorm either moves the weights by at most lr * clipNorm and leaves them
//    finite, or refuses the update with a NonFiniteError that leaves the weights untouched.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NonFiniteError } from '../../src/errors.js';
import type { CellKind } from '../../src/layout/cells.js';
import { SequenceModel } from '../../src/model/sequence-model.js';
import { createOptimizer } from '../../src/train/optimizers.js';
import { trainStep } from '../../src/train/step.js';
import { Rng } from '../../src/random.js';
import { testBackends } from '../helpers/backends.js';
import { fuzzRuns, fuzzSeed, report } from './runs.js';

const RUNS = fuzzRuns(600);
const backends = await testBackends();

const BAD = [Number.NaN, Infinity, -Infinity];
const inputArb = fc.record({
  cell: fc.constantFrom<CellKind>('lstm', 'gru', 'rnn'),
  B: fc.integer({ min: 1, max: 5 }),
  T: fc.integer({ min: 1, max: 8 }),
  I: fc.integer({ min: 1, max: 4 }),
  bidirectional: fc.boolean(),
  variable: fc.boolean(),
  lengthSeeds: fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
  bad: fc.array(fc.tuple(fc.nat(), fc.constantFrom(...BAD)), { minLength: 1, maxLength: 4 }),
  intoPadding: fc.boolean(),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});

const clipArb = fc.record({
  cell: fc.constantFrom<CellKind>('lstm', 'gru', 'rnn'),
  targetScale: fc.constantFrom(1, 1e3, 1e6, 1e10, 1e20, 1e30),
  lr: fc.constantFrom(0.01, 0.1, 1, 10),
  clipNorm: fc.constantFrom(1e-3, 0.5, 1, 5),
  steps: fc.integer({ min: 1, max: 4 }),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});

const norm = (a: Float32Array, b: Float32Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
};

describe.each(backends.map((b) => ({ name: b.info().name, backend: b })))('numerical guards on $name', ({ name, backend }) => {
  it(`non-finite inputs: refused at valid steps, ignored at padded ones (${RUNS} cases)`, async () => {
    const counts = { cases: 0, refused: 0, ignoredInPadding: 0, fitRefused: 0 };
    const fitChecks: Array<Promise<void>> = [];
    const pending = new Set<SequenceModel>();
    fc.assert(
      fc.property(inputArb, (c) => {
        counts.cases++;
        const H = 3;
        const model = new SequenceModel({ cell: c.cell, inputSize: c.I, hiddenSize: H, bidirectional: c.bidirectional, seed: c.seed }, backend);
        try {
          const rng = new Rng(c.seed);
          const clean = Float32Array.from({ length: c.B * c.T * c.I }, () => rng.uniform(-1, 1));
          const lengths = c.variable ? Array.from({ length: c.B }, (_, b) => 1 + (c.lengthSeeds[b] % c.T)) : undefined;
          const x = clean.slice();
          const padded = new Set<number>();
          for (let i = 0; i < x.length; i++) {
            const t = Math.floor(i / c.I) % c.T;
            const b = Math.floor(i / (c.I * c.T));
            if (lengths && t >= lengths[b]) padded.add(i);
          }
          // Half the cases aim every bad value at padding (when there is any), half anywhere.
          const targets = c.intoPadding && padded.size ? [...padded] : null;
          for (const [at, v] of c.bad) x[targets ? targets[at % targets.length] : at % x.length] = v;
          const firstValidBad = x.findIndex((v, i) => !Number.isFinite(v) && !padded.has(i));
          const opts = { batchSize: c.B, seqLen: c.T, ...(lengths ? { lengths } : {}) };
          if (firstValidBad >= 0) {
            counts.refused++;
            expect(() => model.predict(x, opts)).toThrow(NonFiniteError);
            expect(() => model.predict(x, opts)).toThrow(`x[${firstValidBad}] is ${x[firstValidBad]}`);
            // fit() checks before it starts a worker, so this is cheap; checked after the property.
            pending.add(model);
            fitChecks.push(
              model
                .fit({ x, targets: new Float32Array(c.B), count: c.B, seqLen: c.T, ...(lengths ? { lengths } : {}) }, { epochs: 1 })
                .then(
                  () => {
                    throw new Error('fit accepted a non-finite input');
                  },
                  (e: unknown) => {
                    expect(e).toBeInstanceOf(NonFiniteError);
                    expect((e as Error).message).toMatch(/^fit: data: x\[\d+\] is (NaN|-?Infinity); fill or mask missing inputs before training/);
                    counts.fitRefused++;
                  },
                )
                .finally(() => model.dispose()),
            );
          } else {
            counts.ignoredInPadding++;
            // Masked: whatever the padding holds, the predictions are those of zeros there.
            const zeroed = x.map((v, i) => (padded.has(i) ? 0 : v));
            const got = model.predict(x, opts);
            const want = model.predict(zeroed, opts);
            got.forEach((y, h) => {
              expect(y.every(Number.isFinite)).toBe(true);
              expect(Buffer.from(y.buffer).equals(Buffer.from(want[h].buffer))).toBe(true);
            });
          }
        } finally {
          // A model with a fit() check pending is disposed once that check has settled.
          if (!pending.has(model)) model.dispose();
        }
      }),
      { numRuns: RUNS, seed: fuzzSeed() },
    );
    await Promise.all(fitChecks);
    report(`guards: non-finite inputs on ${name}`, counts);
    expect(counts.refused).toBeGreaterThan(0);
    expect(counts.ignoredInPadding).toBeGreaterThan(0);
    expect(counts.fitRefused).toBe(counts.refused);
  });

  it(`exploding gradients are clipped or reported, never written into the weights (${RUNS} cases)`, () => {
    const counts = { cases: 0, steps: 0, clipped: 0, reported: 0, maxGradNorm: 0 };
    fc.assert(
      fc.property(clipArb, (c) => {
        counts.cases++;
        const model = new SequenceModel({ cell: c.cell, inputSize: 2, hiddenSize: 6, seed: c.seed }, backend);
        const optimizer = createOptimizer({ name: 'sgd', lr: c.lr }, backend, model.params, model.grads);
        try {
          const rng = new Rng(c.seed);
          const B = 4;
          const T = 5;
          const x = Float32Array.from({ length: B * T * 2 }, () => rng.uniform(-1, 1));
          const targets = [Float32Array.from({ length: B }, () => rng.uniform(-1, 1) * c.targetScale)];
          for (let s = 0; s < c.steps; s++) {
            const before = model.params.array.slice();
            counts.steps++;
            try {
              const r = trainStep(model, optimizer, [{ name: 'mse' }], { x, targets, batchSize: B, seqLen: T }, { clipNorm: c.clipNorm });
              counts.maxGradNorm = Math.max(counts.maxGradNorm, r.gradNorm ?? 0);
              if ((r.gradNorm ?? 0) > c.clipNorm) counts.clipped++;
              const moved = norm(model.params.array, before);
              expect(model.params.array.every(Number.isFinite)).toBe(true);
              // SGD moves the weights by lr * |clipped gradient| <= lr * clipNorm (float32 slack).
              expect(moved).toBeLessThanOrEqual(c.lr * c.clipNorm * 1.001 + 1e-6);
            } catch (e) {
              expect(e).toBeInstanceOf(NonFiniteError);
              expect((e as Error).message).toMatch(/^training: the (loss is|gradients hold Inf or NaN).*the weights were not updated$/);
              expect(Buffer.from(model.params.array.buffer, model.params.array.byteOffset, model.params.array.byteLength)
                .equals(Buffer.from(before.buffer))).toBe(true);
              counts.reported++;
              break;
            }
          }
        } finally {
          optimizer.dispose();
          model.dispose();
        }
      }),
      { numRuns: RUNS, seed: fuzzSeed() },
    );
    report(`guards: exploding gradients on ${name}`, { ...counts, maxGradNorm: Number(counts.maxGradNorm.toPrecision(3)) });
    expect(counts.clipped).toBeGreaterThan(0);
  });
});
