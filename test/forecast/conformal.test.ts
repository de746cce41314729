// The conformal arithmetic on residuals whose answer is known by hand.
import { describe, expect, it } from 'vitest';
import { calibrate, conformalQuantile } from '../../src/forecast/conformal.js';
import { Rng } from '../../src/random.js';

describe('conformal calibration', () => {
  it('scales each step by its mean absolute residual and pools the signed ratios', () => {
    // 3 windows x 2 steps: step 0 residuals 1, -1, 2 (mean |r| 4/3); step 1: 0, 3, -3 (mean |r| 2).
    const { stepScale, scores } = calibrate(Float64Array.of(1, 0, -1, 3, 2, -3), 2);
    expect(Array.from(stepScale)).toEqual([4 / 3, 2]);
    expect(Array.from(scores)).toEqual([-1.5, -0.75, 0, 0.75, 1.5, 1.5]);
    // A step without error (an exact seasonal pattern) contributes no scores and gets a zero width.
    const exact = calibrate(Float64Array.of(0, 1, 0, -1), 2);
    expect(Array.from(exact.stepScale)).toEqual([0, 1]);
    expect(Array.from(exact.scores)).toEqual([-1, 1]);
  });

  it('takes the finite-sample conformal rank, clamped to the extremes', () => {
    const s = Float64Array.from({ length: 9 }, (_, i) => i + 1); // 1..9
    expect(conformalQuantile(s, 0.9)).toBe(9); // ceil(10 * 0.9) = 9th
    expect(conformalQuantile(s, 0.8)).toBe(8);
    expect(conformalQuantile(s, 0.1)).toBe(1); // floor(10 * 0.1) = 1st
    expect(conformalQuantile(s, 0.25)).toBe(2);
    expect(conformalQuantile(s, 0.99)).toBe(9);
    expect(conformalQuantile(s, 0.01)).toBe(1);
    expect(conformalQuantile(new Float64Array(0), 0.9)).toBe(0);
  });

  it('covers new draws of the same distribution at the nominal rate', () => {
    const rng = new Rng(3);
    const draw = (): number => rng.uniform(-1, 1) * (1 + rng.uniform(0, 1));
    const h = 4;
    const residuals = Float64Array.from({ length: 200 * h }, (_, k) => draw() * (1 + (k % h)));
    const { stepScale, scores } = calibrate(residuals, h);
    const lo = conformalQuantile(scores, 0.1);
    const hi = conformalQuantile(scores, 0.9);
    let inside = 0;
    const trials = 4000;
    for (let k = 0; k < trials; k++) {
      const i = k % h;
      const r = draw() * (1 + i);
      if (r >= lo * stepScale[i] && r <= hi * stepScale[i]) inside++;
    }
    expect(inside / trials).toBeGreaterThan(0.76);
    expect(inside / trials).toBeLessThan(0.85);
  });
});
