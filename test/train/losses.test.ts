// What the PyTorch loss fixtures (test/train/training.fixtures.test.ts) cannot show: missing-target
// masking, the pinball loss (PyTorch has no module for it) and the error messages.
import { describe, expect, it } from 'vitest';
import { computeLoss } from '../../src/train/losses.js';

describe('missing targets and quantiles', () => {
  it('masks NaN targets out of the value, the gradient and the mean', () => {
    const r = computeLoss({ name: 'mse' }, [1, 2, 3], [0, NaN, 1], 1);
    expect(r.count).toBe(2);
    expect(r.value).toBeCloseTo((1 + 4) / 2, 12);
    expect(Array.from(r.grad)).toEqual([1, 0, 2]);
    const ce = computeLoss({ name: 'cross_entropy' }, [0, 0, 5, 5], [NaN, 1], 2);
    expect(ce.count).toBe(1);
    expect(Array.from(ce.grad.slice(0, 2))).toEqual([0, 0]);
  });

  it('pinball loss: q above, 1-q below, averaged over quantiles and rows', () => {
    // Row target 10; predictions for q = 0.1, 0.5, 0.9 at 8, 10, 13.
    const r = computeLoss({ name: 'quantile', quantiles: [0.1, 0.5, 0.9] }, [8, 10, 13], [10], 3);
    expect(r.value).toBeCloseTo((0.1 * 2 + 0 + 0.1 * 3) / 3, 12);
    const want = [-0.1 / 3, 0, 0.1 / 3];
    want.forEach((w, i) => expect(r.grad[i]).toBeCloseTo(w, 7));
  });

  it('rejects mismatched sizes and bad class indices with clear messages', () => {
    expect(() => computeLoss({ name: 'mse' }, [1, 2], [1], 1)).toThrow('loss: target must have input length = 2 elements, got 1');
    expect(() => computeLoss({ name: 'cross_entropy' }, [1, 2], [2], 2)).toThrow(
      'loss: cross_entropy target[0] must be a class index in [0, 2), got 2',
    );
    expect(() => computeLoss({ name: 'quantile', quantiles: [0.5, 1.2] }, [1, 2], [1], 2)).toThrow('quantiles must be in (0, 1), got 1.2');
  });
});
