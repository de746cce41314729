// Native, WASM and the float64 reference agree on the LSTM kernels over shapes chosen to hit SIMD
// tails (odd sizes), single elements and batches; optional buffers absent and present.
import { describe, expect, it } from 'vitest';
import { closeness } from '../helpers/close.js';
import { testBackends } from '../helpers/backends.js';
import { randomLstmCase } from '../helpers/random.js';
import { RESULT_KEYS, runKernels, runReference } from '../helpers/run-kernel.js';
import { FLOAT32_FORWARD, FLOAT32_GRADS } from '../helpers/rnn-fixture.js';
import { NativeBackend } from '../../src/backend/native.js';

const SHAPES = [
  { T: 1, B: 1, I: 1, H: 1 },
  { T: 7, B: 3, I: 5, H: 13 },
  { T: 17, B: 3, I: 3, H: 33 },
  { T: 16, B: 8, I: 8, H: 32 },
  { T: 5, B: 13, I: 19, H: 47 },
  { T: 3, B: 64, I: 32, H: 70 },
];
const FORWARD_KEYS = new Set(['h', 'c', 'gates']);

const backends = await testBackends();

describe.each(backends.map((b) => ({ name: b.info().name, backend: b })))('lstm kernels on $name', ({ backend }) => {
  it.each(SHAPES)('forward and backward match the reference for %o', (dims) => {
    for (const [i, flags] of [
      { initial: true, finalGrads: true, stepGrads: true },
      { initial: false, finalGrads: false, stepGrads: true },
      { initial: true, finalGrads: true, stepGrads: false },
    ].entries()) {
      const k = randomLstmCase(dims, 100 + i, flags);
      const want = runReference(k);
      const got = runKernels(backend, k);
      for (const key of RESULT_KEYS) {
        const tol = FORWARD_KEYS.has(key) ? FLOAT32_FORWARD : FLOAT32_GRADS;
        const r = closeness(got[key], want[key], tol, `${key} (case ${i})`);
        expect(r.ok, r.message).toBe(true);
      }
    }
  });

  it('is bit-identical when run twice', () => {
    const k = randomLstmCase({ T: 9, B: 5, I: 7, H: 37 }, 7);
    const a = runKernels(backend, k);
    const b = runKernels(backend, k);
    for (const key of RESULT_KEYS) expect(Buffer.from(a[key].buffer).equals(Buffer.from(b[key].buffer)), key).toBe(true);
  });
});

const native = backends.find((b): b is NativeBackend => b instanceof NativeBackend);
describe.runIf(native)('native SIMD variants and threads', () => {
  it('every variant matches the reference, and results do not depend on the thread count', () => {
    const nb = native!;
    const best = nb.info().variant;
    const threads = nb.info().threads;
    try {
      const k = randomLstmCase({ T: 12, B: 24, I: 9, H: 72 }, 11);
      const want = runReference(k);
      for (const variant of nb.variants()) {
        nb.setVariant(variant);
        nb.setThreads(1);
        const one = runKernels(nb, k);
        nb.setThreads(2);
        const two = runKernels(nb, k);
        for (const key of RESULT_KEYS) {
          const tol = FORWARD_KEYS.has(key) ? FLOAT32_FORWARD : FLOAT32_GRADS;
          const r = closeness(one[key], want[key], tol, `${variant} ${key}`);
          expect(r.ok, r.message).toBe(true);
          expect(Buffer.from(one[key].buffer).equals(Buffer.from(two[key].buffer)), `${variant} ${key}: 1 vs 2 threads`).toBe(true);
        }
      }
    } finally {
      nb.setVariant(best);
      nb.setThreads(threads);
    }
  });
});
