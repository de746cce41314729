// Learning-rate schedules against PyTorch's closed forms: StepLR, CosineAnnealingLR and
// ReduceLROnPlateau (mode 'min', threshold_mode 'rel').
import { describe, expect, it } from 'vitest';
import { createSchedule } from '../../src/train/schedules.js';

describe('learning-rate schedules', () => {
  it('step: lr * gamma^floor(epoch / stepSize)', () => {
    const s = createSchedule({ name: 'step', stepSize: 2, gamma: 0.5 }, 0.1);
    expect([1, 2, 3, 4, 5].map((e) => s.next(e, null))).toEqual([0.1, 0.05, 0.05, 0.025, 0.025]);
  });

  it('cosine: etaMin + (lr - etaMin)(1 + cos(pi * epoch / tMax)) / 2, flat after tMax', () => {
    const s = createSchedule({ name: 'cosine', tMax: 4, etaMin: 0.01 }, 0.1);
    expect(s.next(2, null)).toBeCloseTo(0.055, 12);
    expect(s.next(4, null)).toBeCloseTo(0.01, 12);
    expect(s.next(6, null)).toBeCloseTo(0.01, 12);
  });

  it('plateau: cuts by factor after more than `patience` epochs without relative improvement', () => {
    const s = createSchedule({ name: 'plateau', factor: 0.5, patience: 1, threshold: 0.01 }, 1);
    const lrs = [1.0, 0.9, 0.895, 0.894, 0.5, 0.49, 0.489].map((m, e) => s.next(e + 1, m));
    expect(lrs).toEqual([1, 1, 1, 0.5, 0.5, 0.5, 0.5]);
    expect(() => s.next(8, null)).toThrow("schedule 'plateau' needs a validation loss");
  });

  it('rejects bad settings with the name and value', () => {
    expect(() => createSchedule({ name: 'step', stepSize: 0 }, 0.1)).toThrow("schedule 'step': stepSize must be a positive integer, got 0");
    expect(() => createSchedule({ name: 'plateau', factor: 1 }, 0.1)).toThrow("schedule 'plateau': factor must be in (0, 1), got 1");
    expect(() => createSchedule({ name: 'warmup' } as never, 0.1)).toThrow("schedule name must be 'step', 'cosine' or 'plateau', got 'warmup'");
  });
});
