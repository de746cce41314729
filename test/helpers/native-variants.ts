// Native-only checks over every SIMD variant with threading forced even on tiny shapes: the loop,
// and the restore of the dispatched variant, thread count and threshold, in one place.
import { expect } from 'vitest';
import { NativeBackend } from '../../src/backend/native.js';
import { closeness } from './close.js';
import type { CellCase } from './random.js';
import { FORWARD_KEYS, resultKeys, runKernels, runReference } from './run-kernel.js';
import { FLOAT32_FORWARD, FLOAT32_GRADS } from './rnn-fixture.js';

/** Calls check(variant) for every variant, with _set_parallel_threshold(0); restores everything after. */
export function forEveryVariant(nb: NativeBackend, check: (variant: string) => void): void {
  const best = nb.info().variant;
  const threads = nb.info().threads;
  const threshold = nb.setParallelThreshold(0); // thread even small test shapes
  try {
    for (const variant of nb.variants()) {
      nb.setVariant(variant);
      check(variant);
    }
  } finally {
    nb.setVariant(best);
    nb.setThreads(threads);
    nb.setParallelThreshold(threshold);
  }
}

/**
 * Forward and backward of case k on every variant match the float64 reference, and 1 and 2
 * threads give bit-identical results (no reduction is ever split across threads).
 */
export function expectVariantsMatchReferenceOnAnyThreads(nb: NativeBackend, k: CellCase, what = ''): void {
  const want = runReference(k);
  forEveryVariant(nb, (variant) => {
    nb.setThreads(1);
    const one = runKernels(nb, k);
    nb.setThreads(2);
    const two = runKernels(nb, k);
    for (const key of resultKeys(k.cell)) {
      const r = closeness(one[key], want[key], FORWARD_KEYS.has(key) ? FLOAT32_FORWARD : FLOAT32_GRADS, `${variant} ${key} ${what}`);
      expect(r.ok, r.message).toBe(true);
      expect(Buffer.from(one[key].buffer).equals(Buffer.from(two[key].buffer)), `${variant} ${key} ${what}: 1 vs 2 threads`).toBe(true);
    }
  });
}
