// Recurrent's output: 'last' and backward's inputGrad: false are shortcuts for training a many-to-one
// model (no full-sequence copies, no dL/dx): they must give exactly what the full path gives.
import { describe, expect, it } from 'vitest';
import { testBackends } from '../helpers/backends.js';
import { Recurrent, type RecurrentOptions } from '../../src/model/recurrent.js';
import { Rng } from '../../src/random.js';

const backends = await testBackends();

const sameBits = (a: Float32Array, b: Float32Array): boolean =>
  a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

const B = 5, T = 7, I = 3, H = 6;
const CASES: Array<{ name: string; opts: Omit<RecurrentOptions, 'inputSize' | 'hiddenSize'>; lengths?: number[]; training?: boolean }> = [
  { name: 'lstm, 2 layers', opts: { cell: 'lstm', numLayers: 2 } },
  { name: 'gru, 3 layers, variable lengths', opts: { cell: 'gru', numLayers: 3 }, lengths: [7, 2, 5, 1, 7] },
  { name: 'rnn relu, 2 layers, dropout', opts: { cell: 'rnn', nonlinearity: 'relu', numLayers: 2, dropout: 0.3 }, training: true },
  { name: 'lstm, bidirectional, 2 layers, variable lengths', opts: { cell: 'lstm', numLayers: 2, bidirectional: true }, lengths: [3, 7, 6, 1, 4] },
];

describe.each(backends.map((b) => ({ name: b.info().name, backend: b })))('output: last and inputGrad: false on $name', ({ backend }) => {
  it.each(CASES)('$name: same output rows and bit-identical gradients as the full path', ({ opts, lengths, training }) => {
    const rng = new Rng(9);
    const x = Float32Array.from({ length: B * T * I }, () => rng.uniform(-1, 1));
    const make = () => new Recurrent({ ...opts, inputSize: I, hiddenSize: H, seed: 4 }, backend); // same seed: same dropout masks
    const full = make();
    const last = make();
    try {
      const D = full.directions;
      const W = D * H;
      const fwd = { batchSize: B, seqLen: T, lengths, training };
      const a = full.forward(x, fwd);
      const b = last.forward(x, { ...fwd, output: 'last' });
      expect(b.output.length).toBe(B * W);
      for (let r = 0; r < B; r++) {
        const t = (lengths ? lengths[r] : T) - 1;
        expect(sameBits(b.output.subarray(r * W, r * W + W), a.output.subarray((r * T + t) * W, (r * T + t + 1) * W)), `row ${r}`).toBe(true);
      }
      expect(sameBits(b.hN, a.hN)).toBe(true);

      // The same loss through each path: a gradient on each row's last step only.
      const g = Float32Array.from({ length: B * W }, () => rng.uniform(-1, 1));
      const dFull = new Float32Array(B * T * W);
      for (let r = 0; r < B; r++) dFull.set(g.subarray(r * W, r * W + W), (r * T + (lengths ? lengths[r] : T) - 1) * W);
      const ga = full.backward({ dOutput: dFull });
      const gb = last.backward({ dOutput: g, inputGrad: false });
      expect(gb.dx).toBeNull();
      expect(ga.dx.some((v) => v !== 0)).toBe(true);
      expect(sameBits(last.grads.array, full.grads.array), 'parameter gradients').toBe(true);

      // inputGrad: true on the 'last' path gives the full path's dx as well.
      last.zeroGrad();
      last.forward(x, { ...fwd, output: 'last' });
      const gc = last.backward({ dOutput: g });
      expect(training || sameBits(gc.dx, ga.dx), 'dx').toBe(true);
    } finally {
      full.dispose();
      last.dispose();
    }
  });

  it.each(['lstm', 'gru'] as const)('%s: a last-step gradient together with dhN (and dcN) equals the full path', (cell) => {
    const rng = new Rng(12);
    const x = Float32Array.from({ length: B * T * I }, () => rng.uniform(-1, 1));
    const [full, last] = [0, 1].map(() => new Recurrent({ cell, inputSize: I, hiddenSize: H, numLayers: 2, seed: 8 }, backend));
    try {
      const g = Float32Array.from({ length: B * H }, () => rng.uniform(-1, 1));
      const dhN = Float32Array.from({ length: 2 * B * H }, () => rng.uniform(-1, 1));
      const dcN = cell === 'lstm' ? Float32Array.from({ length: 2 * B * H }, () => rng.uniform(-1, 1)) : undefined;
      const dFull = new Float32Array(B * T * H);
      for (let r = 0; r < B; r++) dFull.set(g.subarray(r * H, r * H + H), (r * T + T - 1) * H);
      full.forward(x, { batchSize: B, seqLen: T });
      last.forward(x, { batchSize: B, seqLen: T, output: 'last' });
      const a = full.backward({ dOutput: dFull, dhN, dcN });
      const b = last.backward({ dOutput: g, dhN, dcN });
      expect(sameBits(last.grads.array, full.grads.array), 'parameter gradients').toBe(true);
      expect(sameBits(b.dx, a.dx), 'dx').toBe(true);
      // backward() again after the same forward gives the same gradients once more (nothing stale).
      last.backward({ dOutput: g, dhN, dcN });
      full.backward({ dOutput: dFull, dhN, dcN });
      expect(sameBits(last.grads.array, full.grads.array), 'after a second backward').toBe(true);
    } finally {
      full.dispose();
      last.dispose();
    }
  });

  it("refuses an output mode it does not know, and a full-sequence dOutput after output 'last'", () => {
    const layer = new Recurrent({ cell: 'gru', inputSize: I, hiddenSize: H }, backend);
    try {
      const x = new Float32Array(B * T * I);
      expect(() => layer.forward(x, { batchSize: B, seqLen: T, output: 'first' as 'last' })).toThrow(/output must be 'all' or 'last'/);
      layer.forward(x, { batchSize: B, seqLen: T, output: 'last' });
      expect(() => layer.backward({ dOutput: new Float32Array(B * T * H) })).toThrow(/forward ran with output 'last'/);
    } finally {
      layer.dispose();
    }
  });
});
