import { describe, expect, it } from 'vitest';
import { NonFiniteError } from '../../src/errors.js';
import { checkData } from '../../src/train/dataset.js';
import { makeWindows, windowCount } from '../../src/data/windows.js';
import { catchError } from './helpers.js';

const ramp = (n: number) => Float64Array.from({ length: n }, (_, i) => i);

describe('makeWindows', () => {
  it('0..99, lookback 10, horizon 1: first and last windows', () => {
    const w = makeWindows(ramp(100), { lookback: 10 });
    expect(w.count).toBe(90);
    expect(w.seqLen).toBe(10);
    expect(Array.from(w.x.subarray(0, 10))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(w.targets[0]).toBe(10);
    expect(Array.from(w.x.subarray(89 * 10))).toEqual([89, 90, 91, 92, 93, 94, 95, 96, 97, 98]);
    expect(w.targets[89]).toBe(99);
    expect(() => checkData('fit', w, 1, [1])).not.toThrow();
  });

  it('stride 3 and horizon 4', () => {
    const w = makeWindows(ramp(100), { lookback: 5, horizon: 4, stride: 3 });
    // starts 0, 3, ..., need start + 9 <= 100: last start 90 (window count 31)
    expect(w.count).toBe(31);
    expect(windowCount(100, 5, 4, 3)).toBe(31);
    expect(Array.from(w.x.subarray(0, 5))).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(w.targets.subarray(0, 4))).toEqual([5, 6, 7, 8]);
    expect(Array.from(w.x.subarray(5, 10))).toEqual([3, 4, 5, 6, 7]);
    expect(Array.from(w.x.subarray(30 * 5))).toEqual([90, 91, 92, 93, 94]);
    expect(Array.from(w.targets.subarray(30 * 4))).toEqual([95, 96, 97, 98]);
  });

  it('multivariate inputs with two targets, step-major', () => {
    const n = 100;
    const I = 3;
    const inputs = new Float64Array(n * I);
    const targets = new Float64Array(n * 2);
    for (let t = 0; t < n; t++) {
      inputs.set([t, 1000 + t, 500 - t], t * I);
      targets.set([t, 2 * t], t * 2);
    }
    const w = makeWindows({ inputs, inputSize: I, targets, targetSize: 2 }, { lookback: 4, horizon: 2, stride: 2 });
    expect(w.count).toBe(48); // last start 94: rows 94..97 in, 98..99 out
    expect(w.inputSize).toBe(3);
    expect(Array.from(w.x.subarray(0, 12))).toEqual([0, 1000, 500, 1, 1001, 499, 2, 1002, 498, 3, 1003, 497]);
    expect(Array.from(w.targets.subarray(0, 4))).toEqual([4, 8, 5, 10]);
    expect(Array.from(w.x.subarray(47 * 12, 47 * 12 + 3))).toEqual([94, 1094, 406]);
    expect(Array.from(w.x.subarray(48 * 12 - 3))).toEqual([97, 1097, 403]);
    expect(Array.from(w.targets.subarray(47 * 4))).toEqual([98, 196, 99, 198]);
    expect(() => checkData('fit', w, 3, [4])).not.toThrow();
  });

  it('writes into given buffers when asked', () => {
    const out = { x: new Float32Array(1000), targets: new Float32Array(200) };
    const w = makeWindows(ramp(100), { lookback: 5, horizon: 4, stride: 3, out });
    expect(w.x.buffer).toBe(out.x.buffer);
    expect(w.x).toEqual(makeWindows(ramp(100), { lookback: 5, horizon: 4, stride: 3 }).x);
    expect(catchError(() => makeWindows(ramp(100), { lookback: 5, out: { x: new Float32Array(10), targets: out.targets } })).message).toBe(
      'makeWindows: out.x must hold count * lookback * inputSize = 475 floats, got 10',
    );
  });

  it('errors name the sizes and the bad row', () => {
    expect(catchError(() => makeWindows(ramp(10), { lookback: 12 })).message).toBe(
      'makeWindows: series of length 10 is too short for lookback 12 + horizon 1 (need >= 13)',
    );
    expect(catchError(() => makeWindows(ramp(10), { lookback: 0 })).message).toBe('makeWindows: lookback must be a positive integer, got 0');
    const x = ramp(20);
    x[7] = NaN;
    const e = catchError(() => makeWindows(x, { lookback: 5 }));
    expect(e).toBeInstanceOf(NonFiniteError);
    expect(e.message).toBe("makeWindows: inputs row 7, channel 0 is NaN; fill missing values first (fillMissing) or mask them and pass { nonFinite: 'zero' }");
    const z = makeWindows({ inputs: x, targets: ramp(20) }, { lookback: 5, nonFinite: 'zero' });
    expect(z.x[3 * 5 + 4]).toBe(0); // row 7 is the last row of window 3
    expect(x[7]).toBeNaN(); // the caller's array is untouched
  });
});
