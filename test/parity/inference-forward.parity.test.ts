// The inference-only forward (kernels.h: gates, and GRU's hn, null) gives the same h and c, bit for
// bit, as the forward that saves for backward, on every backend, SIMD variant and thread count; the
// layer's noGrad option uses it, and backward() after it refuses without touching any gradient.
import { describe, expect, it } from 'vitest';
import { testBackends } from '../helpers/backends.js';
import { randomCellCase, type CaseFlags } from '../helpers/random.js';
import { runForward } from '../helpers/run-kernel.js';
import { forEveryVariant } from '../helpers/native-variants.js';
import { NativeBackend } from '../../src/backend/native.js';
import { Recurrent } from '../../src/model/recurrent.js';
import { SequenceModel } from '../../src/model/sequence-model.js';
import type { Backend, CellDims } from '../../src/backend/types.js';
import { forwardScratch } from '../../src/layout/cells.js';

const SHAPES: CellDims[] = [
  { T: 1, B: 1, I: 1, H: 1 },
  { T: 7, B: 3, I: 5, H: 13 },
  { T: 5, B: 13, I: 19, H: 47 },
  { T: 12, B: 24, I: 9, H: 72 },
];
const FLAGS: CaseFlags[] = [{}, { initial: true }, { initial: true, variableLengths: true }];
const CELLS = ['lstm', 'gru'] as const;

const backends = await testBackends();

function sameBits(a: Float32Array | Float64Array, b: Float32Array | Float64Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function expectSameForward(backend: Backend, cell: (typeof CELLS)[number], dims: CellDims, seed: number, flags: CaseFlags, what: string): void {
  const k = randomCellCase(cell, dims, seed, flags);
  const saving = runForward(backend, k, false);
  const inference = runForward(backend, k, true);
  for (const key of Object.keys(saving)) {
    expect(inference[key].some(Number.isNaN), `${what} ${key} read the NaN-poisoned gates`).toBe(false);
    expect(sameBits(inference[key], saving[key]), `${what} ${key}: inference-only vs saving forward`).toBe(true);
  }
}

describe.each(backends.map((b) => ({ name: b.info().name, backend: b })))('inference-only forward on $name', ({ backend }) => {
  for (const cell of CELLS) {
    it.each(SHAPES)(`${cell}: h and c equal the saving forward's, bit for bit, for %o`, (dims) => {
      FLAGS.forEach((flags, i) => expectSameForward(backend, cell, dims, 40 + i, flags, `flags ${i}`));
    });
  }

  it('gru_forward refuses gates without hn, and hn without gates', () => {
    const d = { T: 2, B: 2, I: 3, H: 4 };
    const buf = (n: number) => backend.alloc(n);
    const args = {
      h: buf(16), x: buf(12), lengths: null, h0: null, w_ih: buf(36), w_hh: buf(48), b_ih: buf(12), b_hh: buf(12),
      w_t: buf(forwardScratch('gru', d)),
    };
    expect(() => backend.gru_forward({ ...args, gates: buf(48), hn: null }, d)).toThrow(/gates and hn together/);
    expect(() => backend.gru_forward({ ...args, gates: null, hn: buf(16) }, d)).toThrow(/gates and hn together/);
  });
});

const native = backends.find((b): b is NativeBackend => b instanceof NativeBackend);
describe.runIf(native)('native inference-only forward: every SIMD variant and thread count', () => {
  it.each(CELLS)('%s', (cell) => {
    forEveryVariant(native!, (variant) => {
      for (const n of [1, 2]) {
        native!.setThreads(n);
        // B = 24: threads split batch rows; B = 6: hidden units (recurrent_impl.h pick_row_threads).
        for (const dims of [{ T: 12, B: 24, I: 9, H: 72 }, { T: 9, B: 6, I: 5, H: 72 }])
          expectSameForward(native!, cell, dims, 5, { initial: true, variableLengths: true }, `${variant} ${n} threads B=${dims.B}`);
      }
    });
  });
});

describe.each(backends.map((b) => ({ name: b.info().name, backend: b })))('noGrad through the layer and the model on $name', ({ backend }) => {
  it.each(['lstm', 'gru', 'rnn'] as const)('%s: noGrad output equals the plain forward, and backward() then refuses', (cell) => {
    const layer = new Recurrent({ cell, inputSize: 3, hiddenSize: 10, numLayers: 2, bidirectional: true, seed: 3 }, backend);
    try {
      const B = 4, T = 6;
      const x = Float32Array.from({ length: B * T * 3 }, (_, i) => Math.sin(i));
      const lengths = [6, 3, 5, 1];
      const plain = layer.forward(x, { batchSize: B, seqLen: T, lengths });
      const nograd = layer.forward(x, { batchSize: B, seqLen: T, lengths, noGrad: true });
      expect(sameBits(nograd.output, plain.output)).toBe(true);
      expect(sameBits(nograd.hN, plain.hN)).toBe(true);
      if (plain.cN) expect(sameBits(nograd.cN!, plain.cN)).toBe(true);
      expect(() => layer.backward({ dOutput: new Float32Array(plain.output.length) })).toThrow(/noGrad: true/);
    } finally {
      layer.dispose();
    }
  });

  it('SequenceModel.backward after predict() refuses before accumulating any head gradient', () => {
    const model = new SequenceModel({ cell: 'lstm', inputSize: 2, hiddenSize: 8, seed: 2 }, backend);
    try {
      const x = Float32Array.from({ length: 3 * 5 * 2 }, (_, i) => Math.cos(i));
      model.forward(x, { batchSize: 3, seqLen: 5, training: true });
      model.backward([new Float32Array(3).fill(1)]);
      const before = model.grads.array.slice();
      model.predict(x, { batchSize: 3, seqLen: 5 });
      expect(() => model.backward([new Float32Array(3).fill(1)])).toThrow(/predict\(\) or ran with noGrad/);
      expect(sameBits(model.grads.array, before)).toBe(true);
    } finally {
      model.dispose();
    }
  });
});
