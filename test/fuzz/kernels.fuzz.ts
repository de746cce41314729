// Property: for random shapes (T, B, I, H), every cell (LSTM, GRU, RNN tanh/relu), random lengths and
// optional h0/c0 and upstream gradients, every backend's forward and backward kernels agree with the
// float64 reference within the fixture README's float32 tolerances. Reuses the parity helpers
// (test/helpers/random.ts, run-kernel.ts); fast-check shrinks a failure to the smallest shape.
// On native, each case also picks a SIMD variant (scalar, avx2, avx512 as the CPU allows), 1 or 2
// threads and whether to thread even tiny shapes, so every dispatch path sees random shapes.
// Under `npm run test:sanitize` the same property runs on the ASan/UBSan build of the addon.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closeness } from '../helpers/close.js';
import { testBackends } from '../helpers/backends.js';
import { randomCellCase } from '../helpers/random.js';
import { FORWARD_KEYS, resultKeys, runKernels, runReference } from '../helpers/run-kernel.js';
import { FLOAT32_FORWARD, FLOAT32_GRADS } from '../helpers/rnn-fixture.js';
import type { CellKind } from '../../src/layout/cells.js';
import type { Nonlinearity } from '../../src/backend/types.js';
import { NativeBackend } from '../../src/backend/native.js';
import { fuzzRuns, fuzzSeed, report } from './runs.js';

const RUNS = fuzzRuns(4000);

const CELLS: Array<{ cell: CellKind; nonlinearity: Nonlinearity }> = [
  { cell: 'lstm', nonlinearity: 'tanh' },
  { cell: 'gru', nonlinearity: 'tanh' },
  { cell: 'rnn', nonlinearity: 'tanh' },
  { cell: 'rnn', nonlinearity: 'relu' },
];

// Small ranges that still cross the SIMD widths (4, 8, 16 floats) and the tails after them.
const caseArb = fc.record({
  which: fc.integer({ min: 0, max: CELLS.length - 1 }),
  T: fc.integer({ min: 1, max: 12 }),
  B: fc.integer({ min: 1, max: 9 }),
  I: fc.integer({ min: 1, max: 20 }),
  H: fc.integer({ min: 1, max: 40 }),
  initial: fc.boolean(),
  finalGrads: fc.boolean(),
  stepGrads: fc.boolean(),
  variableLengths: fc.boolean(),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  variant: fc.nat(),
  threads: fc.constantFrom(1, 2),
  threadTinyShapes: fc.boolean(),
});

const backends = await testBackends();

describe.each(backends.map((b) => ({ name: b.info().name, backend: b })))('kernel properties on $name', ({ name, backend }) => {
  it(`random shapes and flags match the float64 reference (${RUNS} cases)`, () => {
    let tried = 0;
    let kinks = 0;
    const native = backend instanceof NativeBackend ? backend : null;
    const variants = native?.variants() ?? [];
    const perVariant: Record<string, number> = {};
    const best = native?.info().variant;
    const threads = native?.info().threads;
    const threshold = native?.setParallelThreshold(0);
    native?.setParallelThreshold(threshold!);
    try {
      fc.assert(
        fc.property(caseArb, (c) => {
          tried++;
          let variant: string = name;
          if (native) {
            variant = variants[c.variant % variants.length];
            native.setVariant(variant);
            native.setThreads(c.threads);
            native.setParallelThreshold(c.threadTinyShapes ? 0 : threshold!);
          }
          perVariant[variant] = (perVariant[variant] ?? 0) + 1;
          const { cell, nonlinearity } = CELLS[c.which];
          const flags = { initial: c.initial, finalGrads: c.finalGrads, stepGrads: c.stepGrads, variableLengths: c.variableLengths };
          const k = randomCellCase(cell, { T: c.T, B: c.B, I: c.I, H: c.H }, c.seed, flags, nonlinearity);
          const want = runReference(k);
          const got = runKernels(backend, k);
          // relu is not differentiable at 0. Inputs on the 2^-8 grid can make a pre-activation exactly 0 in
          // float64 while float32 rounding leaves 2^-27 (or the reverse): both sides then take a valid but
          // different subgradient, and the gradients legitimately differ. Compare only the forward then.
          const kink = nonlinearity === 'relu' && got.h.some((v, i) => (v > 0) !== (want.h[i] > 0));
          if (kink) kinks++;
          for (const key of resultKeys(cell)) {
            if (kink && !FORWARD_KEYS.has(key)) continue;
            const r = closeness(got[key], want[key], FORWARD_KEYS.has(key) ? FLOAT32_FORWARD : FLOAT32_GRADS, key);
            if (!r.ok) throw new Error(`${name} ${variant} ${cell}/${nonlinearity} ${JSON.stringify(c)}: ${r.message}`);
          }
        }),
        { numRuns: RUNS, seed: fuzzSeed() },
      );
    } finally {
      if (native) {
        native.setVariant(best!);
        native.setThreads(threads!);
        native.setParallelThreshold(threshold!);
      }
    }
    report(`kernels on ${name}`, { cases: tried, failures: 0, reluKinkCasesForwardOnly: kinks, ...perVariant });
    expect(tried).toBeGreaterThanOrEqual(RUNS);
  });
});
