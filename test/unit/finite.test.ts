// allFinite against Number.isFinite element by element: every non-finite kind at every position of
// the four-way unrolled loop and its tail, and the finite extremes that must not trip it.
import { describe, expect, it } from 'vitest';
import { allFinite } from '../../src/model/finite.js';
import { Recurrent } from '../../src/model/recurrent.js';
import { NonFiniteError } from '../../src/errors.js';
import { loadBackend } from '../../src/backend/select.js';

describe('allFinite', () => {
  it('is true for finite values, including the extremes', () => {
    expect(allFinite(new Float32Array(0))).toBe(true);
    expect(allFinite(Float32Array.from([0, -0, 1e-45, -1e-45, 3.4028234663852886e38, -3.4028234663852886e38, 1.1754943508222875e-38]))).toBe(true);
  });

  it.each([NaN, Infinity, -Infinity])('finds %s at every position of arrays of 1 to 11 floats', (bad) => {
    for (let n = 1; n <= 11; n++) {
      for (let i = 0; i < n; i++) {
        const a = Float32Array.from({ length: n }, (_, k) => k - 3.5);
        a[i] = bad;
        expect(allFinite(a), `n=${n} i=${i}`).toBe(false);
      }
    }
  });

  it('the layer still reports the first bad index, and ignores padding steps', async () => {
    const lstm = new Recurrent({ cell: 'lstm', inputSize: 1, hiddenSize: 2 }, await loadBackend({ backend: 'auto' }));
    const x = Float32Array.from([1, 2, 3, Infinity, 5, NaN]);
    expect(() => lstm.forward(x, { batchSize: 2, seqLen: 3 })).toThrow(new NonFiniteError('LSTM.forward: x[3] is Infinity; inputs must be finite (fill or mask missing values first)'));
    // row 1 is valid for 1 step: its steps 1 and 2 (x[4], x[5]) are padding
    x[3] = 4;
    expect(() => lstm.forward(x, { batchSize: 2, seqLen: 3, lengths: [3, 1] })).not.toThrow();
    lstm.dispose();
  });
});
