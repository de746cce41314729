// Central finite differences on the float64 reference: what makes the reference a trustworthy oracle
// independent of the PyTorch fixtures. Objective L = sum(h*dh) + sum(h_T*dhT) + sum(c_T*dcT), so the
// analytic gradients of lstmBackward with those upstream arrays must equal dL/dθ.
import { describe, expect, it } from 'vitest';
import { lstmBackward, lstmForward, type RefLstmParams } from '../../src/backend/reference.js';
import { Rng } from '../../src/random.js';
import { randomLstmCase, type LstmCase } from '../helpers/random.js';

function objective(k: LstmCase): number {
  const { T, B, H } = k.dims;
  const p: RefLstmParams = { w_ih: k.w_ih, w_hh: k.w_hh, b_ih: k.b_ih, b_hh: k.b_hh };
  const s = lstmForward(k.x, k.h0, k.c0, p, k.dims);
  let L = 0;
  for (let i = 0; i < T * B * H; i++) L += s.h[i] * (k.dh ? k.dh[i] : 0);
  for (let i = 0; i < B * H; i++) {
    L += s.h[(T - 1) * B * H + i] * (k.dhT ? k.dhT[i] : 0);
    L += s.c[(T - 1) * B * H + i] * (k.dcT ? k.dcT[i] : 0);
  }
  return L;
}

const TARGETS = [
  ['x', 'dx'],
  ['h0', 'dh0'],
  ['c0', 'dc0'],
  ['w_ih', 'dw_ih'],
  ['w_hh', 'dw_hh'],
  ['b_ih', 'db_ih'],
  ['b_hh', 'db_hh'],
] as const;

describe('reference LSTM gradients', () => {
  it.each([
    { T: 1, B: 1, I: 1, H: 1 },
    { T: 4, B: 2, I: 3, H: 5 },
    { T: 9, B: 3, I: 2, H: 7 },
  ])('equal central finite differences for %o', (dims) => {
    const k = randomLstmCase(dims, 5);
    const p = { w_ih: k.w_ih, w_hh: k.w_hh, b_ih: k.b_ih, b_hh: k.b_hh };
    const saved = lstmForward(k.x, k.h0, k.c0, p, dims);
    const g = lstmBackward(saved, k.x, k.h0, k.c0, p, k.dh, k.dhT, k.dcT, dims);
    const rng = new Rng(9);
    const eps = 1e-6;
    for (const [input, grad] of TARGETS) {
      const arr = k[input] as Float64Array;
      // A random subset of coordinates (all of them for small arrays).
      const picks = arr.length <= 12 ? [...arr.keys()] : Array.from({ length: 12 }, () => Math.floor(rng.next() * arr.length));
      for (const i of picks) {
        const keep = arr[i];
        arr[i] = keep + eps;
        const up = objective(k);
        arr[i] = keep - eps;
        const down = objective(k);
        arr[i] = keep;
        const numeric = (up - down) / (2 * eps);
        const analytic = g[grad][i];
        expect(Math.abs(numeric - analytic), `${grad}[${i}]: numeric ${numeric}, analytic ${analytic}`).toBeLessThan(
          1e-7 + 1e-6 * Math.abs(numeric),
        );
      }
    }
  });
});
