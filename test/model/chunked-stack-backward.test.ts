// A one-direction stack without lengths runs backward chunk by chunk through its layers
// (Recurrent.backwardByChunks); with lengths it runs each layer over all steps. Lengths that are all
// seqLen mean the same thing, so the two paths must give the same gradients (native: bit for bit),
// whatever the initial states, final-state gradients, dropout and output mode.
import { describe, expect, it } from 'vitest';
import { testBackends } from '../helpers/backends.js';
import { Recurrent, type RecurrentOptions } from '../../src/model/recurrent.js';
import { backwardChunkSteps } from '../../src/layout/cells.js';
import { Rng } from '../../src/random.js';

const backends = await testBackends();
const sameBits = (a: Float32Array, b: Float32Array): boolean =>
  a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

const B = 64, T = 37, I = 3, H = 5; // 10 chunks of 4 steps, the first processed one short
const CASES: Array<{ name: string; opts: Omit<RecurrentOptions, 'inputSize' | 'hiddenSize'>; initial?: boolean; training?: boolean; last?: boolean }> = [
  { name: 'lstm, 3 layers, initial states and final-state gradients', opts: { cell: 'lstm', numLayers: 3 }, initial: true },
  { name: 'gru, 2 layers, dropout', opts: { cell: 'gru', numLayers: 2, dropout: 0.4 }, training: true },
  { name: 'rnn tanh, 2 layers, output last', opts: { cell: 'rnn', numLayers: 2 }, last: true, initial: true },
  { name: 'lstm, 1 layer, output last', opts: { cell: 'lstm', numLayers: 1 }, last: true },
];

describe.each(backends.map((b) => ({ name: b.info().name, backend: b })))('chunked stack backward on $name', ({ backend }) => {
  it('the shapes below span several backward chunks', () => {
    expect(Math.ceil(T / backwardChunkSteps(T, B))).toBeGreaterThanOrEqual(3);
  });

  it.each(CASES)('$name: the same gradients as the layer-by-layer path', ({ opts, initial, training, last }) => {
    const rng = new Rng(21);
    const L = opts.numLayers ?? 1;
    const x = Float32Array.from({ length: B * T * I }, () => rng.uniform(-1, 1));
    const states = () => Float32Array.from({ length: L * B * H }, () => rng.uniform(-1, 1));
    const h0 = initial ? states() : undefined;
    const c0 = initial && opts.cell === 'lstm' ? states() : undefined;
    const dhN = initial ? states() : undefined;
    const dcN = initial && opts.cell === 'lstm' ? states() : undefined;
    const dOutput = Float32Array.from({ length: (last ? 1 : T) * B * H }, () => rng.uniform(-1, 1));
    const run = (lengths: number[] | undefined) => {
      const layer = new Recurrent({ ...opts, inputSize: I, hiddenSize: H, seed: 6 }, backend);
      try {
        layer.forward(x, { batchSize: B, seqLen: T, h0, c0, lengths, training, output: last ? 'last' : 'all' });
        const g = layer.backward({ dOutput, dhN, dcN });
        return { grads: layer.grads.array.slice(), ...g };
      } finally {
        layer.dispose();
      }
    };
    const chunked = run(undefined);
    const whole = run(new Array(B).fill(T));
    expect(chunked.grads.some((v) => v !== 0)).toBe(true);
    const pairs: Array<[string, Float32Array, Float32Array]> = [['parameter gradients', chunked.grads, whole.grads], ['dx', chunked.dx, whole.dx]];
    if (initial) pairs.push(['dh0', chunked.dh0!, whole.dh0!]);
    if (c0) pairs.push(['dc0', chunked.dc0!, whole.dc0!]);
    for (const [what, a, b] of pairs) {
      // Native: bit for bit (its products sum in the same order however K is split). WASM's
      // weight-gradient products group their sums by blocks of steps, so a chunk boundary may round
      // differently: equal to float32 rounding.
      if (backend.name === 'native') expect(sameBits(a, b), what).toBe(true);
      else for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]), `${what}[${i}]`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(b[i])));
    }
  });
});
