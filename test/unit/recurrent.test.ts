// The layer's own semantics on every backend: variable lengths behave as PyTorch's packed sequences
// (each row as if run alone on its valid steps), dropout is training-only, seeded and differentiated
// correctly, and parameters round-trip through PyTorch's state_dict form.
import { describe, expect, it } from 'vitest';
import { Recurrent, type RecurrentOptions } from '../../src/model/recurrent.js';
import { ShapeError } from '../../src/errors.js';
import { Rng } from '../../src/random.js';
import { closeness } from '../helpers/close.js';
import { testBackends } from '../helpers/backends.js';

const backends = await testBackends();

function randomArray(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
}

/** Rows [b] of a batch-first (B, T, W) array, first `len` steps. */
function row(a: Float32Array, b: number, T: number, W: number, len: number): Float32Array {
  return a.slice(b * T * W, (b * T + len) * W);
}

const CONFIGS: RecurrentOptions[] = [
  { cell: 'lstm', inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true },
  { cell: 'gru', inputSize: 2, hiddenSize: 6, numLayers: 1, bidirectional: true },
  { cell: 'rnn', inputSize: 4, hiddenSize: 3, numLayers: 2, bidirectional: false, nonlinearity: 'relu' },
];

describe.each(backends.map((b) => ({ name: b.info().name, backend: b })))('Recurrent on $name', ({ backend }) => {
  it.each(CONFIGS.map((c) => ({ ...c, name: `${c.cell} L${c.numLayers} ${c.bidirectional ? 'bi' : 'uni'}` })))(
    '$name: each sequence of a variable-length batch equals running it alone',
    (cfg) => {
      const B = 4, T = 7, I = cfg.inputSize, H = cfg.hiddenSize, L = cfg.numLayers ?? 1;
      const D = cfg.bidirectional ? 2 : 1;
      const lengths = [7, 2, 5, 1];
      const batch = new Recurrent({ ...cfg, seed: 3 }, backend);
      const single = new Recurrent({ ...cfg, seed: 3 }, backend);
      const x = randomArray(B * T * I, 1);
      const dOutput = randomArray(B * T * D * H, 2);
      const dhN = randomArray(L * D * B * H, 3);
      const out = batch.forward(x, { batchSize: B, seqLen: T, lengths });
      batch.zeroGrad();
      const g = batch.backward({ dOutput, dhN });
      const tol = { atol: 2e-6, rtol: 1e-5 };
      const paramGrads = new Float32Array(batch.grads.array.length);
      for (let b = 0; b < B; b++) {
        const len = lengths[b];
        const o = single.forward(row(x, b, T, I, len), { batchSize: 1, seqLen: len });
        const want = closeness(row(out.output, b, T, D * H, len), o.output, tol, `output row ${b}`);
        expect(want.ok, want.message).toBe(true);
        // Padded outputs are zero, as pad_packed_sequence returns them.
        expect(out.output.slice((b * T + len) * D * H, (b + 1) * T * D * H).every((v) => v === 0)).toBe(true);
        for (let s = 0; s < L * D; s++) {
          const hn = closeness(out.hN.slice((s * B + b) * H, (s * B + b + 1) * H), o.hN.slice(s * H, (s + 1) * H), tol, `hN[${s}, ${b}]`);
          expect(hn.ok, hn.message).toBe(true);
        }
        single.zeroGrad();
        const dhNRow = new Float32Array(L * D * H);
        for (let s = 0; s < L * D; s++) dhNRow.set(dhN.slice((s * B + b) * H, (s * B + b + 1) * H), s * H);
        const gs = single.backward({ dOutput: row(dOutput, b, T, D * H, len), dhN: dhNRow });
        const dx = closeness(row(g.dx, b, T, I, len), gs.dx, { atol: 1e-5, rtol: 1e-4 }, `dx row ${b}`);
        expect(dx.ok, dx.message).toBe(true);
        expect(g.dx.slice((b * T + len) * I, (b + 1) * T * I).every((v) => v === 0)).toBe(true);
        for (let i = 0; i < paramGrads.length; i++) paramGrads[i] += single.grads.array[i];
      }
      // Parameter gradients of the batch are the sums of the rows'.
      const pg = closeness(batch.grads.array, paramGrads, { atol: 1e-5, rtol: 1e-4 }, 'parameter gradients');
      expect(pg.ok, pg.message).toBe(true);
      batch.dispose();
      single.dispose();
    },
  );

  it('out and dxOut receive exactly what fresh arrays would, padding zeroed over stale values, and are checked', () => {
    const B = 3, T = 5, I = 2, H = 4;
    const layer = new Recurrent({ cell: 'lstm', inputSize: I, hiddenSize: H, seed: 5 }, backend);
    const x = randomArray(B * T * I, 7);
    const dOutput = randomArray(B * T * H, 8);
    const opts = { batchSize: B, seqLen: T, lengths: [5, 3, 1] };
    const fresh = layer.forward(x, opts);
    const freshDx = layer.backward({ dOutput }).dx;
    const out = new Float32Array(B * T * H).fill(NaN);
    const dxOut = new Float32Array(B * T * I).fill(NaN);
    const reused = layer.forward(x, { ...opts, out });
    expect(reused.output).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(fresh.output));
    const g = layer.backward({ dOutput, dxOut });
    expect(g.dx).toBe(dxOut);
    expect(Array.from(dxOut)).toEqual(Array.from(freshDx));
    expect(() => layer.forward(x, { ...opts, out: new Float32Array(B * T * H - 1) })).toThrow(ShapeError);
    expect(() => layer.backward({ dOutput, dxOut: new Float32Array(1) })).toThrow('dxOut must have batchSize * seqLen * inputSize = 30 elements, got 1');
    layer.dispose();
  });

  it('dropout runs in training mode only, is seeded, and backward differentiates the same masks', () => {
    const cfg: RecurrentOptions = { cell: 'lstm', inputSize: 2, hiddenSize: 3, numLayers: 2, dropout: 0.5 };
    const B = 2, T = 3;
    const x = randomArray(B * T * 2, 4);
    const opts = { batchSize: B, seqLen: T };
    const plain = new Recurrent({ ...cfg, dropout: 0, seed: 9 }, backend);
    const a = new Recurrent({ ...cfg, seed: 9 }, backend);
    const b = new Recurrent({ ...cfg, seed: 9 }, backend);
    expect(a.forward(x, opts).output).toEqual(plain.forward(x, opts).output); // inference: no dropout
    const trainA = a.forward(x, { ...opts, training: true }).output;
    expect(trainA).not.toEqual(plain.forward(x, opts).output);
    expect(b.forward(x, { ...opts, training: true }).output).toEqual(trainA); // same seed, same masks

    // Finite differences in float32 on the input, with masks made identical by identical seeds.
    const up = randomArray(B * T * 3, 5);
    const loss = (out: Float32Array): number => out.reduce((s, v, i) => s + v * up[i], 0);
    const fresh = () => new Recurrent({ ...cfg, seed: 21 }, backend); // its first masks are always the same
    const analytic = fresh();
    analytic.forward(x, { ...opts, training: true });
    const dx = analytic.backward({ dOutput: up }).dx;
    const eps = 1e-2;
    for (const i of [0, 5, 11]) {
      const xp = x.slice();
      const xm = x.slice();
      xp[i] += eps;
      xm[i] -= eps;
      const [p2, m2] = [fresh(), fresh()];
      const numeric = (loss(p2.forward(xp, { ...opts, training: true }).output) - loss(m2.forward(xm, { ...opts, training: true }).output)) / (2 * eps);
      p2.dispose();
      m2.dispose();
      expect(Math.abs(numeric - dx[i]), `dx[${i}]: numeric ${numeric}, analytic ${dx[i]}`).toBeLessThan(2e-3 + 1e-2 * Math.abs(numeric));
    }
    for (const l of [plain, a, b, analytic]) l.dispose();
  });

  it('stateDict round-trips and uses PyTorch names and shapes', () => {
    const layer = new Recurrent({ cell: 'gru', inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, seed: 1 }, backend);
    const sd = layer.stateDict();
    expect(Object.keys(sd)).toEqual([
      'weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0',
      'weight_ih_l0_reverse', 'weight_hh_l0_reverse', 'bias_ih_l0_reverse', 'bias_hh_l0_reverse',
      'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1',
      'weight_ih_l1_reverse', 'weight_hh_l1_reverse', 'bias_ih_l1_reverse', 'bias_hh_l1_reverse',
    ]);
    expect(sd.weight_ih_l1.shape).toEqual([12, 8]);
    expect(sd.bias_hh_l0_reverse.shape).toEqual([12]);
    const other = new Recurrent({ cell: 'gru', inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, seed: 2 }, backend);
    other.loadStateDict(sd);
    expect(other.stateDict()).toEqual(sd);
    // PyTorch's default initialization bound 1/sqrt(H).
    expect(Math.max(...layer.params.array.map(Math.abs))).toBeLessThanOrEqual(0.5);
    layer.dispose();
    other.dispose();
  });
});

describe('initialization schemes', () => {
  it('xavier and orthogonal give the stated distributions, deterministically per seed', async () => {
    const [backend] = backends;
    const make = (init: 'pytorch' | 'xavier' | 'orthogonal', seed = 4) =>
      new Recurrent({ cell: 'lstm', inputSize: 6, hiddenSize: 8, init, seed }, backend);
    const orth = make('orthogonal');
    const sd = orth.stateDict();
    // Each 8x8 gate block of W_hh is orthogonal: W W^T = I.
    for (let g = 0; g < 4; g++) {
      const W = sd.weight_hh_l0.data.subarray(g * 64, (g + 1) * 64);
      for (let i = 0; i < 8; i++)
        for (let j = 0; j < 8; j++) {
          let dot = 0;
          for (let k = 0; k < 8; k++) dot += W[i * 8 + k] * W[j * 8 + k];
          expect(Math.abs(dot - (i === j ? 1 : 0))).toBeLessThan(1e-5);
        }
    }
    expect(sd.bias_ih_l0.data.every((v) => v === 0)).toBe(true);
    const xav = make('xavier').stateDict();
    const bound = Math.sqrt(6 / (6 + 32));
    expect(Math.max(...xav.weight_ih_l0.data.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(make('xavier').stateDict()).toEqual(xav);
    expect(make('xavier', 5).stateDict()).not.toEqual(xav);
    expect(() => make('he' as never)).toThrow("init must be one of 'pytorch', 'xavier', 'orthogonal', got 'he'");
  });
});
