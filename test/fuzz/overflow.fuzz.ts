// Property (issue #10, numerical guards): exp, sigmoid and tanh inside the cell kernels never turn a
// huge pre-activation into NaN or Infinity. Gate pre-activations are pushed to the edges of float32
// exp (±87, ±88, ±88.7, ±88.8, ±89), to ±1e4 and ±1e30, through the biases and through large inputs,
// on every cell that uses them (LSTM, GRU, RNN tanh), every backend and every native SIMD variant
// (each has its own exp). Forward results must equal the float64 reference (saturated gates are
// exactly 0 or 1 there too); every gradient must be finite.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closeness } from '../helpers/close.js';
import { testBackends } from '../helpers/backends.js';
import { randomCellCase } from '../helpers/random.js';
import { FORWARD_KEYS, resultKeys, runKernels, runReference } from '../helpers/run-kernel.js';
import { FLOAT32_FORWARD } from '../helpers/rnn-fixture.js';
import type { CellKind } from '../../src/layout/cells.js';
import { NativeBackend } from '../../src/backend/native.js';
import { fuzzRuns, fuzzSeed, report } from './runs.js';

const RUNS = fuzzRuns(1500);
const CELLS: CellKind[] = ['lstm', 'gru', 'rnn'];
/** Where float32 exp overflows (88.72) or underflows to a denormal (-87.3), and far beyond. */
const EDGES = [0, 9, 20, 87, 87.3, 88, 88.7, 88.72, 88.8, 89, 100, 1e4, 1e30, 3e38];

const caseArb = fc.record({
  cell: fc.constantFrom(...CELLS),
  T: fc.integer({ min: 1, max: 6 }),
  B: fc.integer({ min: 1, max: 5 }),
  I: fc.integer({ min: 1, max: 9 }),
  H: fc.integer({ min: 1, max: 20 }),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  /** Per gate row: which edge its bias sits at (signed), or a small random bias. */
  biases: fc.array(fc.tuple(fc.constantFrom(...EDGES), fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 64 }),
  /** Inputs scaled to ±1e4, so W x alone reaches thousands. */
  bigInputs: fc.boolean(),
  variant: fc.nat(),
});

const backends = await testBackends();

describe.each(backends.map((b) => ({ name: b.info().name, backend: b })))('exp/sigmoid/tanh overflow on $name', ({ name, backend }) => {
  it(`huge gate pre-activations never give NaN or Infinity (${RUNS} cases)`, () => {
    const native = backend instanceof NativeBackend ? backend : null;
    const variants = native?.variants() ?? [name];
    const best = native?.info().variant;
    const counts: Record<string, number> = { cases: 0, saturatedRows: 0 };
    try {
      fc.assert(
        fc.property(caseArb, (c) => {
          counts.cases++;
          const variant = variants[c.variant % variants.length];
          native?.setVariant(variant);
          counts[variant] = (counts[variant] ?? 0) + 1;
          const k = randomCellCase(c.cell, { T: c.T, B: c.B, I: c.I, H: c.H }, c.seed, { variableLengths: c.seed % 3 === 0 });
          // One bias of each gate row at an edge (the other stays small, so float32 and float64 agree on
          // the sum instead of cancelling 1e30 against -1e30).
          k.b_ih = k.b_ih.map((b, i) => {
            const [edge, negative, use] = c.biases[i % c.biases.length];
            if (!use) return b;
            if (edge >= 88) counts.saturatedRows++;
            return negative ? -edge : edge;
          });
          if (c.bigInputs) k.x = k.x.map((v) => v * 1e4);
          const want = runReference(k);
          const got = runKernels(backend, k);
          for (const key of resultKeys(c.cell)) {
            const bad = Array.from(got[key]).findIndex((v) => !Number.isFinite(v));
            if (bad >= 0) throw new Error(`${name} ${variant} ${c.cell}: ${key}[${bad}] is ${got[key][bad]} (${JSON.stringify(c)})`);
            if (!FORWARD_KEYS.has(key)) continue;
            const r = closeness(got[key], want[key], FLOAT32_FORWARD, key);
            if (!r.ok) throw new Error(`${name} ${variant} ${c.cell} ${JSON.stringify(c)}: ${r.message}`);
          }
        }),
        { numRuns: RUNS, seed: fuzzSeed() },
      );
    } finally {
      if (native) native.setVariant(best!);
    }
    report(`overflow on ${name}`, { ...counts, failures: 0 });
    expect(counts.cases).toBeGreaterThanOrEqual(RUNS);
  });
});
