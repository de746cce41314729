// Native, WASM and the float64 reference agree on every cell's forward and backward kernels, over
// shapes chosen to hit SIMD tails (odd sizes), single elements and batches, with optional buffers
// absent and present, and with variable lengths.
import { describe, expect, it } from 'vitest';
import { closeness } from '../helpers/close.js';
import { testBackends } from '../helpers/backends.js';
import { randomCellCase, type CaseFlags } from '../helpers/random.js';
import { FORWARD_KEYS, resultKeys, runKernels, runReference } from '../helpers/run-kernel.js';
import { FLOAT32_FORWARD, FLOAT32_GRADS } from '../helpers/rnn-fixture.js';
import { expectVariantsMatchReferenceOnAnyThreads } from '../helpers/native-variants.js';
import { NativeBackend } from '../../src/backend/native.js';
import type { CellKind } from '../../src/layout/cells.js';
import type { Nonlinearity } from '../../src/backend/types.js';

const SHAPES = [
  { T: 1, B: 1, I: 1, H: 1 },
  { T: 7, B: 3, I: 5, H: 13 },
  { T: 17, B: 3, I: 3, H: 33 },
  { T: 16, B: 8, I: 8, H: 32 },
  { T: 5, B: 13, I: 19, H: 47 },
  { T: 3, B: 64, I: 32, H: 70 },
];
const FLAGS: CaseFlags[] = [
  { initial: true, finalGrads: true, stepGrads: true },
  { initial: false, finalGrads: false, stepGrads: true },
  { initial: true, finalGrads: true, stepGrads: false },
  { initial: true, finalGrads: true, stepGrads: true, variableLengths: true },
];
const CELLS: Array<{ cell: CellKind; nonlinearity: Nonlinearity }> = [
  { cell: 'lstm', nonlinearity: 'tanh' },
  { cell: 'gru', nonlinearity: 'tanh' },
  { cell: 'rnn', nonlinearity: 'tanh' },
  { cell: 'rnn', nonlinearity: 'relu' },
];
const label = (c: (typeof CELLS)[number]): string => (c.cell === 'rnn' ? `rnn_${c.nonlinearity}` : c.cell);

const backends = await testBackends();

describe.each(backends.map((b) => ({ name: b.info().name, backend: b })))('cell kernels on $name', ({ backend }) => {
  for (const c of CELLS) {
    it.each(SHAPES)(`${label(c)} forward and backward match the reference for %o`, (dims) => {
      for (const [i, flags] of FLAGS.entries()) {
        const k = randomCellCase(c.cell, dims, 100 + i, flags, c.nonlinearity);
        const want = runReference(k);
        const got = runKernels(backend, k);
        for (const key of resultKeys(c.cell)) {
          const r = closeness(got[key], want[key], FORWARD_KEYS.has(key) ? FLOAT32_FORWARD : FLOAT32_GRADS, `${key} (flags ${i})`);
          expect(r.ok, r.message).toBe(true);
        }
      }
    });

    it(`${label(c)} is bit-identical when run twice`, () => {
      const k = randomCellCase(c.cell, { T: 9, B: 5, I: 7, H: 37 }, 7, { variableLengths: true }, c.nonlinearity);
      const a = runKernels(backend, k);
      const b = runKernels(backend, k);
      for (const key of resultKeys(c.cell)) expect(Buffer.from(a[key].buffer).equals(Buffer.from(b[key].buffer)), key).toBe(true);
    });
  }
});

const native = backends.find((b): b is NativeBackend => b instanceof NativeBackend);
describe.runIf(native)('native SIMD variants and threads', () => {
  it.each(CELLS.map((c) => ({ ...c, name: label(c) })))(
    '$name: every variant matches the reference, and results do not depend on the thread count',
    (c) => {
      // B = 24: the forward splits batch rows across threads; B = 6: hidden units (recurrent_impl.h).
      for (const dims of [{ T: 12, B: 24, I: 9, H: 72 }, { T: 9, B: 6, I: 5, H: 72 }])
        expectVariantsMatchReferenceOnAnyThreads(native!, randomCellCase(c.cell, dims, 11, { variableLengths: true }, c.nonlinearity), `B=${dims.B}`);
    },
  );
});
