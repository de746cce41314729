// Central finite differences on the float64 reference: what makes the reference a trustworthy oracle
// independent of the PyTorch fixtures. Objective L = sum(h*dh) + sum(h_T*dhT) + sum(c_T*dcT), so the
// analytic gradients of cellBackward with those upstream arrays must equal dL/dθ. Variable lengths
// included: padding steps carry the state, so h_T is each row's last valid state.
import { describe, expect, it } from 'vitest';
import { cellBackward, cellForward } from '../../src/backend/reference.js';
import { Rng } from '../../src/random.js';
import { randomCellCase, type CellCase } from '../helpers/random.js';
import type { CellKind } from '../../src/layout/cells.js';
import type { Nonlinearity } from '../../src/backend/types.js';

function parts(k: CellCase) {
  return {
    spec: { cell: k.cell, nonlinearity: k.nonlinearity },
    inp: { x: k.x, h0: k.h0, c0: k.c0, lengths: k.lengths },
    p: { w_ih: k.w_ih, w_hh: k.w_hh, b_ih: k.b_ih, b_hh: k.b_hh },
  };
}

function objective(k: CellCase): number {
  const { T, B, H } = k.dims;
  const { spec, inp, p } = parts(k);
  const s = cellForward(spec, inp, p, k.dims);
  let L = 0;
  for (let i = 0; i < T * B * H; i++) L += s.h[i] * (k.dh ? k.dh[i] : 0);
  for (let i = 0; i < B * H; i++) {
    L += s.h[(T - 1) * B * H + i] * (k.dhT ? k.dhT[i] : 0);
    if (s.c) L += s.c[(T - 1) * B * H + i] * (k.dcT ? k.dcT[i] : 0);
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

const CELLS: Array<[CellKind, Nonlinearity]> = [['lstm', 'tanh'], ['gru', 'tanh'], ['rnn', 'tanh'], ['rnn', 'relu']];

describe.each(CELLS.map(([cell, nonlinearity]) => ({ cell, nonlinearity, name: cell === 'rnn' ? `rnn_${nonlinearity}` : cell })))(
  '$name reference gradients',
  ({ cell, nonlinearity }) => {
    it.each([
      { T: 1, B: 1, I: 1, H: 1 },
      { T: 4, B: 2, I: 3, H: 5 },
      { T: 9, B: 3, I: 2, H: 7 },
    ])('equal central finite differences for %o, with and without variable lengths', (dims) => {
      for (const variableLengths of [false, true]) {
        const k = randomCellCase(cell, dims, 5, { variableLengths }, nonlinearity);
        const { spec, inp, p } = parts(k);
        const saved = cellForward(spec, inp, p, dims);
        const g = cellBackward(spec, saved, inp, p, { dh: k.dh, dhT: k.dhT, dcT: k.dcT }, dims);
        const rng = new Rng(9);
        const eps = 1e-6;
        for (const [input, grad] of TARGETS) {
          const arr = k[input];
          if (!arr) continue;
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
            expect(Math.abs(numeric - analytic), `${grad}[${i}] (lengths ${k.lengths}): numeric ${numeric}, analytic ${analytic}`).toBeLessThan(
              1e-7 + 1e-6 * Math.abs(numeric),
            );
          }
        }
      }
    });
  },
);
