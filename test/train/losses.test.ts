// Every loss fixture in ../shared/fixtures/pytorch/loss (value and gradient), plus missing-target
// masking and the pinball loss, which PyTorch has no module for.
import { describe, expect, it } from 'vitest';
import { computeLoss, type LossSpec } from '../../src/train/losses.js';
import { closeness } from '../helpers/close.js';
import { DEFAULT_FIXTURE_DIR, findFixtures } from '../helpers/fixtures.js';

const LOSS_TOL = { atol: 1e-6, rtol: 1e-5 };
const fixtures = findFixtures(DEFAULT_FIXTURE_DIR).filter((f) => f.kind === 'loss');

/** The fixture's PyTorch loss module and params as our LossSpec. */
function specOf(body: Record<string, any>): LossSpec {
  const p = body.params;
  const reduction = p.reduction;
  switch (body.loss) {
    case 'MSELoss': return { name: 'mse', reduction };
    case 'L1Loss': return { name: 'mae', reduction };
    case 'HuberLoss': return { name: 'huber', delta: p.delta, reduction };
    case 'SmoothL1Loss': return { name: 'smooth_l1', beta: p.beta, reduction };
    case 'BCEWithLogitsLoss': return { name: 'bce_with_logits', posWeight: p.pos_weight?.data, reduction };
    case 'CrossEntropyLoss': return { name: 'cross_entropy', reduction };
    default: throw new Error(`fixture ${body.name}: unknown loss ${body.loss}`);
  }
}

describe('loss fixtures', () => {
  it('cover every loss module', () => {
    expect(new Set(fixtures.map((f) => f.body.loss)).size).toBeGreaterThanOrEqual(6);
  });

  it.each(fixtures.map((f) => ({ name: f.name, f })))('$name', ({ f }) => {
    const b = f.body;
    const columns = b.input.shape.length > 1 ? b.input.shape[b.input.shape.length - 1] : 1;
    const r = computeLoss(specOf(b), Float32Array.from(b.input.data), b.target.data, columns);
    const v = closeness([r.value], [b.value], LOSS_TOL, 'value');
    expect(v.ok, v.message).toBe(true);
    const g = closeness(r.grad, b.grad_input.data, LOSS_TOL, 'grad_input', b.grad_input.shape);
    expect(g.ok, g.message).toBe(true);
  });
});

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
