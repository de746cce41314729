// Keras <-> PyTorch weight conversion, checked against an independent float64 forward written in Keras'
// own convention (z = x·kernel + h·recurrent_kernel + bias, Keras gate order), not against our kernels.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fromKerasWeights, kerasModelOptions, kerasWeightsFromSafetensors, kerasWeightsToTensors, toKerasWeights, type KerasWeights } from '../../src/interop/keras.js';
import { InteropError } from '../../src/interop/errors.js';
import { readSafetensors, writeSafetensors } from '../../src/interop/safetensors.js';
import { SequenceModel } from '../../src/model/sequence-model.js';
import type { NamedTensor } from '../../src/model/recurrent.js';
import type { CellKind } from '../../src/layout/cells.js';
import { Rng } from '../../src/random.js';
import { testBackends } from '../helpers/backends.js';
import { closeness } from '../helpers/close.js';

const G: Record<CellKind, number> = { lstm: 4, gru: 3, rnn: 1 };
const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

function tensor(rng: Rng, shape: number[], scale = 0.5): NamedTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float32Array.from({ length: n }, () => rng.uniform(-scale, scale)) };
}

function randomKeras(cell: CellKind, I: number, H: number, layers: number, outputs: number, seed: number): KerasWeights {
  const rng = new Rng(seed);
  const g = G[cell];
  return {
    cell,
    layers: Array.from({ length: layers }, (_, l) => ({
      kernel: tensor(rng, [l === 0 ? I : H, g * H]),
      recurrentKernel: tensor(rng, [H, g * H]),
      bias: tensor(rng, cell === 'gru' ? [2, g * H] : [g * H]),
    })),
    dense: { kernel: tensor(rng, [H, outputs]), bias: tensor(rng, [outputs]) },
  };
}

/** row-vector (1, n) times a Keras matrix (n, m), float64. */
function vecMat(v: Float64Array, m: NamedTensor): Float64Array {
  const [n, cols] = m.shape;
  const out = new Float64Array(cols);
  for (let r = 0; r < n; r++) for (let c = 0; c < cols; c++) out[c] += v[r] * m.data[r * cols + c];
  return out;
}

/** Keras' own recurrences (LSTM i,f,c,o; GRU z,r,h with reset_after=True; SimpleRNN), then Dense on the last step. */
function kerasForward(w: KerasWeights, x: Float64Array, B: number, T: number, I: number, activation: 'tanh' | 'relu' = 'tanh'): Float64Array {
  const H = w.layers[0].recurrentKernel.shape[0];
  let seq: Float64Array[][] = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => x.slice((b * T + t) * I, (b * T + t + 1) * I)));
  for (const layer of w.layers) {
    const b0 = layer.bias!.data;
    seq = seq.map((steps) => {
      let h = new Float64Array(H);
      let c = new Float64Array(H);
      return steps.map((xt) => {
        const xz = vecMat(xt, layer.kernel);
        const hz = vecMat(h, layer.recurrentKernel);
        const next = new Float64Array(H);
        if (w.cell === 'lstm') {
          const cNext = new Float64Array(H);
          for (let j = 0; j < H; j++) {
            const z = (k: number) => xz[k * H + j] + hz[k * H + j] + b0[k * H + j];
            const i = sigmoid(z(0)), f = sigmoid(z(1)), cc = Math.tanh(z(2)), o = sigmoid(z(3));
            cNext[j] = f * c[j] + i * cc;
            next[j] = o * Math.tanh(cNext[j]);
          }
          c = cNext;
        } else if (w.cell === 'gru') {
          for (let j = 0; j < H; j++) {
            const xin = (k: number) => xz[k * H + j] + b0[k * H + j]; // bias row 0: input bias
            const rec = (k: number) => hz[k * H + j] + b0[3 * H + k * H + j]; // bias row 1: recurrent bias
            const z = sigmoid(xin(0) + rec(0)), r = sigmoid(xin(1) + rec(1));
            const hh = Math.tanh(xin(2) + r * rec(2));
            next[j] = z * h[j] + (1 - z) * hh;
          }
        } else {
          for (let j = 0; j < H; j++) {
            const v = xz[j] + hz[j] + b0[j];
            next[j] = activation === 'relu' ? Math.max(0, v) : Math.tanh(v);
          }
        }
        h = next;
        return next;
      });
    });
  }
  const outputs = w.dense!.kernel.shape[1];
  const y = new Float64Array(B * outputs);
  seq.forEach((steps, b) => {
    const d = vecMat(steps[T - 1], w.dense!.kernel);
    for (let o = 0; o < outputs; o++) y[b * outputs + o] = d[o] + w.dense!.bias!.data[o];
  });
  return y;
}

const CASES = [
  { cell: 'lstm' as const, I: 3, H: 5, layers: 2, activation: 'tanh' as const },
  { cell: 'gru' as const, I: 2, H: 4, layers: 2, activation: 'tanh' as const },
  { cell: 'rnn' as const, I: 3, H: 6, layers: 1, activation: 'tanh' as const },
  { cell: 'rnn' as const, I: 2, H: 3, layers: 2, activation: 'relu' as const },
];

describe.each(await testBackends())('Keras weights on $name', (backend) => {
  it.each(CASES)('$cell ($layers layers, $activation): converted weights give Keras outputs', async ({ cell, I, H, layers, activation }) => {
    const w = randomKeras(cell, I, H, layers, 2, 11);
    const B = 3, T = 7;
    const rng = new Rng(5);
    const x = Float64Array.from({ length: B * T * I }, () => rng.uniform(-1, 1));
    const want = kerasForward(w, x, B, T, I, activation);
    const opts = kerasModelOptions(w);
    const model = new SequenceModel({ ...opts, ...(cell === 'rnn' ? { nonlinearity: activation } : {}) }, backend);
    model.loadStateDict(fromKerasWeights(w));
    const [got] = model.predict(Float32Array.from(x), { batchSize: B, seqLen: T });
    const c = closeness(got, want, { atol: 1e-5, rtol: 1e-4 }, `${cell} head output`);
    expect(c.ok, c.message).toBe(true);

    // And the other way: a PyTorch-initialized model (b_hh != 0) in Keras layout computes the same.
    const native = new SequenceModel({ ...opts, seed: 3, ...(cell === 'rnn' ? { nonlinearity: activation } : {}) }, backend);
    const [ours] = native.predict(Float32Array.from(x), { batchSize: B, seqLen: T });
    const back = closeness(ours, kerasForward(toKerasWeights(native.stateDict()), x, B, T, I, activation), { atol: 1e-5, rtol: 1e-4 }, `${cell} toKerasWeights`);
    expect(back.ok, back.message).toBe(true);
    model.dispose();
    native.dispose();
  });
});

describe('Keras weight layout', () => {
  it.each(CASES)('$cell: Keras -> PyTorch -> Keras is exact', ({ cell, I, H, layers }) => {
    const w = randomKeras(cell, I, H, layers, 3, 2);
    const back = toKerasWeights(fromKerasWeights(w));
    expect(back.cell).toBe(cell);
    expect(back.layers.length).toBe(layers);
    back.layers.forEach((l, i) => {
      expect(l.kernel).toEqual(w.layers[i].kernel);
      expect(l.recurrentKernel).toEqual(w.layers[i].recurrentKernel);
      expect(l.bias).toEqual(w.layers[i].bias);
    });
    expect(back.dense).toEqual(w.dense);
  });

  it('puts the Keras gate blocks where PyTorch expects them (GRU z,r,h -> r,z,n; LSTM unchanged)', () => {
    const H = 1;
    const gru: KerasWeights = {
      cell: 'gru',
      layers: [{ kernel: { shape: [1, 3], data: Float32Array.of(10, 20, 30) }, recurrentKernel: { shape: [1, 3], data: Float32Array.of(1, 2, 3) }, bias: { shape: [2, 3], data: Float32Array.of(4, 5, 6, 7, 8, 9) } }],
    };
    const sd = fromKerasWeights(gru);
    expect(Array.from(sd['rnn.weight_ih_l0'].data)).toEqual([20, 10, 30]); // r, z, n
    expect(Array.from(sd['rnn.weight_hh_l0'].data)).toEqual([2, 1, 3]);
    expect(Array.from(sd['rnn.bias_ih_l0'].data)).toEqual([5, 4, 6]);
    expect(Array.from(sd['rnn.bias_hh_l0'].data)).toEqual([8, 7, 9]);
    const lstm = fromKerasWeights({ cell: 'lstm', layers: [{ kernel: { shape: [2, 4 * H], data: Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8) }, recurrentKernel: { shape: [1, 4], data: new Float32Array(4) } }] });
    expect(lstm['rnn.weight_ih_l0'].shape).toEqual([4, 2]);
    expect(Array.from(lstm['rnn.weight_ih_l0'].data)).toEqual([1, 5, 2, 6, 3, 7, 4, 8]); // transposed, i f g o
    expect(Array.from(lstm['rnn.bias_ih_l0'].data)).toEqual([0, 0, 0, 0]); // use_bias=False
  });

  it('refuses a GRU with reset_after=False, with the fix', () => {
    const w = randomKeras('gru', 2, 3, 1, 1, 1);
    const resetBefore = { ...w, layers: [{ ...w.layers[0], bias: { shape: [9], data: new Float32Array(9) } }] };
    expect(() => fromKerasWeights(resetBefore)).toThrow(InteropError);
    expect(() => fromKerasWeights(resetBefore)).toThrow(
      "fromKerasWeights: layers[0].bias: a Keras GRU with reset_after=False applies the reset gate before the recurrent matmul, which PyTorch's GRU cannot represent exactly; " +
        'build the Keras layer with GRU(..., reset_after=True) (the default since TF 2) and retrain',
    );
    expect(() => fromKerasWeights({ ...w, resetAfter: false })).toThrow(/reset_after=False/);
  });

  it('names the tensor and the expected shape on a mismatch', () => {
    const w = randomKeras('lstm', 3, 4, 2, 1, 1);
    const badKernel = { ...w, layers: [w.layers[0], { ...w.layers[1], kernel: { shape: [5, 16], data: new Float32Array(80) } }] };
    expect(() => fromKerasWeights(badKernel)).toThrow(
      "fromKerasWeights: layers[1].kernel has shape [5, 16], expected [4, 16] ([input, 4*H]: layer 1 reads layer 0's 4 outputs)",
    );
    const gruAsLstm = { ...w, layers: [{ ...w.layers[0], recurrentKernel: { shape: [4, 12], data: new Float32Array(48) } }] };
    expect(() => fromKerasWeights(gruAsLstm)).toThrow('fromKerasWeights: layers[0].recurrentKernel has shape [4, 12], expected [H, 4*H] for a Keras LSTM (4 gate blocks)');
    const badDense = { ...w, dense: { kernel: { shape: [3, 1], data: new Float32Array(3) } } };
    expect(() => fromKerasWeights(badDense)).toThrow("fromKerasWeights: dense.kernel has shape [3, 1], expected [4, 1] ([H, outputs]: it reads the last recurrent layer's 4 outputs)");
    try {
      fromKerasWeights(badKernel);
    } catch (e) {
      expect((e as InteropError).tensor).toBe('layers[1].kernel');
    }
  });

  it('reads Keras weights from a safetensors file named <layer>/kernel, in the listed layer order', () => {
    const w = randomKeras('gru', 2, 3, 2, 1, 9);
    const tensors: Record<string, NamedTensor> = {
      // written out of order on purpose: the metadata gives the order
      'gru_1/kernel': w.layers[1].kernel, 'gru_1/recurrent_kernel': w.layers[1].recurrentKernel, 'gru_1/bias': w.layers[1].bias!,
      'gru/kernel': w.layers[0].kernel, 'gru/recurrent_kernel': w.layers[0].recurrentKernel, 'gru/bias': w.layers[0].bias!,
      'dense/kernel': w.dense!.kernel, 'dense/bias': w.dense!.bias!,
    };
    const file = readSafetensors(writeSafetensors(tensors, { 'keras.layers': 'gru,gru_1,dense' }));
    const read = kerasWeightsFromSafetensors(file);
    expect(read.cell).toBe('gru');
    expect(read.layers[0].kernel).toEqual(w.layers[0].kernel);
    expect(read.layers[1].recurrentKernel).toEqual(w.layers[1].recurrentKernel);
    expect(read.dense).toEqual(w.dense);
    // kerasWeightsToTensors writes the same layout back.
    const [again, meta] = kerasWeightsToTensors(read);
    expect(Object.keys(again)).toEqual(['gru/kernel', 'gru/recurrent_kernel', 'gru/bias', 'gru_1/kernel', 'gru_1/recurrent_kernel', 'gru_1/bias', 'dense/kernel', 'dense/bias']);
    expect(kerasWeightsFromSafetensors(readSafetensors(writeSafetensors(again, meta)))).toEqual(read);
    const misnamed = readSafetensors(writeSafetensors({ kernel: w.dense!.kernel }));
    expect(() => kerasWeightsFromSafetensors(misnamed)).toThrow("kerasWeightsFromSafetensors: tensor 'kernel' is not named '<layer>/<weight>' (e.g. 'lstm/kernel')");
  });

  // The Python snippet documented at the top of src/interop/keras.ts, run as written (taken from the
  // source file) on stand-in Keras layers; needs numpy only.
  const python = process.env.SEQCAST_TORCH_PYTHON ?? '/usr/bin/python3';
  const hasNumpy = spawnSync(python, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!hasNumpy)(`the documented Python snippet writes a file kerasWeightsFromSafetensors reads${hasNumpy ? '' : ` [skipped: ${python} cannot import numpy]`}`, () => {
    const source = readFileSync(fileURLToPath(new URL('../../src/interop/keras.ts', import.meta.url)), 'utf8').split('\n');
    const from = source.findIndex((l) => l === '//   import json, struct, numpy as np');
    const to = source.findIndex((l) => l.startsWith("//       with open(path, 'wb')"));
    expect(from).toBeGreaterThan(0);
    expect(to).toBeGreaterThan(from);
    const snippet = source.slice(from, to + 1).map((l) => l.slice('//   '.length)).join('\n');
    const harness = `
import sys, types
class Layer:
    def __init__(self, name, weights): self.name, self._w = name, weights
    def get_weights(self): return self._w
class InputLayer(Layer): pass
class GRU(Layer): pass
class Dense(Layer): pass
rng = np.random.default_rng(0)
f = lambda *shape: rng.standard_normal(shape).astype('float32')
layers = [InputLayer('input_1', []), GRU('gru', [f(2, 9), f(3, 9), f(2, 9)]), GRU('gru_1', [f(3, 9), f(3, 9), f(2, 9)]), Dense('dense', [f(3, 1), f(1)])]
save_keras_weights(types.SimpleNamespace(layers=layers), sys.argv[1])
print(json.dumps([[w.tolist() for w in l.get_weights()] for l in layers[1:]]))
`;
    const dir = mkdtempSync(join(tmpdir(), 'seqcast-keras-'));
    try {
      const path = join(dir, 'keras.safetensors');
      const r = spawnSync(python, ['-c', `${snippet}\n${harness}`, path], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const arrays = JSON.parse(r.stdout) as number[][][];
      const w = kerasWeightsFromSafetensors(readSafetensors(readFileSync(path)));
      expect(w.cell).toBe('gru');
      expect(w.layers).toHaveLength(2);
      const flat = (a: unknown): number[] => (Array.isArray(a) ? a.flatMap(flat) : [a as number]);
      w.layers.forEach((l, i) => {
        expect(Array.from(l.kernel.data)).toEqual(flat(arrays[i][0]));
        expect(Array.from(l.recurrentKernel.data)).toEqual(flat(arrays[i][1]));
        expect(l.bias!.shape).toEqual([2, 9]);
        expect(Array.from(l.bias!.data)).toEqual(flat(arrays[i][2]));
      });
      expect(w.dense!.kernel.shape).toEqual([3, 1]);
      expect(Array.from(w.dense!.bias!.data)).toEqual(flat(arrays[2][1]));
      expect(kerasModelOptions(w)).toMatchObject({ cell: 'gru', inputSize: 2, hiddenSize: 3, numLayers: 2, heads: [{ outputs: 1 }] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
