// Every loss, optimizer, clipping and end-to-end training fixture in ../shared/fixtures/pytorch, on
// every backend (losses are computed in TypeScript, the same for both). `npm run fixtures` prints the
// same comparisons per line.
import { describe, expect, it } from 'vitest';
import { createOptimizer } from '../../src/train/optimizers.js';
import { testBackends } from '../helpers/backends.js';
import { DEFAULT_FIXTURE_DIR, findFixtures } from '../helpers/fixtures.js';
import { runClipFixture, runLossFixture, runOptimizerFixture, runTrainingFixture } from '../helpers/train-fixture.js';

const all = findFixtures(DEFAULT_FIXTURE_DIR);
const of = (kind: string) => all.filter((f) => f.kind === kind).map((f) => ({ name: f.name, f }));
const backends = await testBackends();

describe('fixture coverage', () => {
  it('has every loss, optimizer, norm type and training run', () => {
    expect(new Set(of('loss').map(({ f }) => f.body.loss)).size).toBe(6);
    expect(new Set(of('optimizer').map(({ f }) => f.body.optimizer))).toEqual(new Set(['Adam', 'AdamW', 'SGD', 'RMSprop']));
    expect(new Set(of('clip_grad_norm').map(({ f }) => String(f.body.norm_type)))).toEqual(new Set(['1', '2', 'inf']));
    expect(of('training').length).toBeGreaterThanOrEqual(3);
  });

  it.each(of('loss'))('loss $name', ({ f }) => {
    for (const c of runLossFixture(f)) expect(c.ok, c.message).toBe(true);
  });
});

describe.each(backends.map((b) => ({ name: b.info().name, backend: b })))('training fixtures on $name', ({ backend }) => {
  it.each(of('optimizer'))('optimizer $name: parameters and state after every step', ({ f }) => {
    for (const c of runOptimizerFixture(f, backend)) expect(c.ok, c.message).toBe(true);
  });

  it.each(of('clip_grad_norm'))('clip_grad_norm $name', ({ f }) => {
    for (const c of runClipFixture(f, backend)) expect(c.ok, c.message).toBe(true);
  });

  it.each(of('training'))('training run $name matches PyTorch step for step', ({ f }) => {
    for (const c of runTrainingFixture(f, backend)) expect(c.ok, c.message).toBe(true);
  });

  it('optimizers reject invalid hyper-parameters with the name and the value', () => {
    const p = backend.alloc(4);
    const g = backend.alloc(4);
    expect(() => createOptimizer({ name: 'adam', lr: -1 }, backend, p, g)).toThrow("optimizer 'adam': lr must be a finite number >= 0, got -1");
    expect(() => createOptimizer({ name: 'adam', betas: [0.9, 1] }, backend, p, g)).toThrow('betas[1] must be in [0, 1), got 1');
    expect(() => createOptimizer({ name: 'sgd', lr: 0.1, nesterov: true }, backend, p, g)).toThrow('nesterov needs momentum > 0');
    expect(() => createOptimizer({ name: 'lion' } as never, backend, p, g)).toThrow(
      "optimizer name must be 'adam', 'adamw', 'sgd' or 'rmsprop', got 'lion'",
    );
    backend.free(p);
    backend.free(g);
  });
});
