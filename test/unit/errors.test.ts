// Bad input gets a clear error naming the problem, on every backend, and nothing is half-applied.
import { describe, expect, it } from 'vitest';
import { Lstm } from '../../src/model/lstm.js';
import { NonFiniteError, ShapeError } from '../../src/errors.js';
import { testBackends } from '../helpers/backends.js';
import { lstmForwardScratch } from '../../src/layout/workspace.js';

const backends = await testBackends();

describe.each(backends.map((b) => ({ name: b.info().name, backend: b })))('input errors on $name', ({ backend }) => {
  const make = (opts = {}) => new Lstm({ inputSize: 3, hiddenSize: 4, ...opts }, backend);

  it('rejects non-positive or fractional sizes', () => {
    expect(() => make({ hiddenSize: 0 })).toThrow(new RangeError('hiddenSize must be a positive integer, got 0'));
    expect(() => make({ inputSize: 2.5 })).toThrow('inputSize must be a positive integer, got 2.5');
    expect(() => make({ numLayers: -1 })).toThrow('numLayers must be a positive integer, got -1');
  });

  it('rejects an input of the wrong length, naming the expected product', () => {
    const lstm = make();
    const err = () => lstm.forward(new Float32Array(17), { batchSize: 2, seqLen: 3 });
    expect(err).toThrow(ShapeError);
    expect(err).toThrow('Lstm.forward: x must have batchSize * seqLen * inputSize = 18 elements, got 17');
    lstm.dispose();
  });

  it('rejects a plain array where a Float32Array is required', () => {
    const lstm = make();
    expect(() => lstm.forward([1, 2, 3] as unknown as Float32Array, { batchSize: 1, seqLen: 1 })).toThrow(
      new TypeError('Lstm.forward: x must be a Float32Array, got Array'),
    );
    lstm.dispose();
  });

  it('rejects NaN and Infinity in inputs and initial states, naming the index', () => {
    const lstm = make();
    const x = new Float32Array(6);
    x[4] = NaN;
    expect(() => lstm.forward(x, { batchSize: 1, seqLen: 2 })).toThrow(NonFiniteError);
    expect(() => lstm.forward(x, { batchSize: 1, seqLen: 2 })).toThrow('Lstm.forward: x[4] is NaN');
    const h0 = new Float32Array(4);
    h0[1] = Infinity;
    expect(() => lstm.forward(new Float32Array(6), { batchSize: 1, seqLen: 2, h0, c0: new Float32Array(4) })).toThrow(
      'Lstm.forward: h0[1] is Infinity',
    );
    lstm.dispose();
  });

  it('needs h0 and c0 together, with PyTorch state shapes', () => {
    const lstm = make({ numLayers: 2, bidirectional: true });
    const x = new Float32Array(6);
    expect(() => lstm.forward(x, { batchSize: 1, seqLen: 2, h0: new Float32Array(16) })).toThrow('give both h0 and c0');
    expect(() =>
      lstm.forward(x, { batchSize: 1, seqLen: 2, h0: new Float32Array(8), c0: new Float32Array(8) }),
    ).toThrow('h0 must have numLayers * directions * batchSize * hiddenSize = 16 elements, got 8');
    lstm.dispose();
  });

  it('refuses backward before forward, and a gradient of the wrong shape', () => {
    const lstm = make();
    expect(() => lstm.backward({})).toThrow('Lstm.backward: call forward() first');
    lstm.forward(new Float32Array(6), { batchSize: 1, seqLen: 2 });
    expect(() => lstm.backward({ dOutput: new Float32Array(7) })).toThrow(
      'Lstm.backward: dOutput must have batchSize * seqLen * directions * hiddenSize = 8 elements, got 7',
    );
    lstm.dispose();
  });

  it('loadStateDict checks keys, shapes and values before loading anything', () => {
    const lstm = make();
    const before = lstm.stateDict();
    const good = lstm.stateDict();
    const { weight_hh_l0: _drop, ...missing } = good;
    expect(() => lstm.loadStateDict(missing)).toThrow('missing: weight_hh_l0');
    expect(() => lstm.loadStateDict({ ...good, weight_ih_l1: good.weight_ih_l0 })).toThrow('unexpected: weight_ih_l1');
    expect(() => lstm.loadStateDict({ ...good, bias_ih_l0: { shape: [15], data: new Float32Array(15) } })).toThrow(
      'loadStateDict: bias_ih_l0 must have shape [16], got [15]',
    );
    const poisoned = { ...good, bias_hh_l0: { shape: [16], data: new Float32Array(16).fill(NaN) } };
    expect(() => lstm.loadStateDict(poisoned)).toThrow('loadStateDict: bias_hh_l0[0] is NaN');
    expect(lstm.stateDict()).toEqual(before);
    lstm.dispose();
  });

  it('refuses a disposed layer', () => {
    const lstm = make();
    lstm.dispose();
    expect(() => lstm.forward(new Float32Array(3), { batchSize: 1, seqLen: 1 })).toThrow('this layer was disposed');
  });

  it('kernel calls check every buffer length before touching memory', () => {
    const dims = { T: 2, B: 1, I: 3, H: 4 };
    const a = (n: number) => backend.alloc(n);
    const args = {
      h: a(8), c: a(8), gates: a(32), x: a(6), h0: null, c0: null, w_ih: a(48), w_hh: a(63),
      b_ih: a(16), b_hh: a(16), w_t: a(lstmForwardScratch(dims)),
    };
    expect(() => backend.lstm_forward(args, dims)).toThrow(
      new ShapeError('lstm_forward: w_hh must have 4*H*H = 64 elements, got 63'),
    );
    expect(() => backend.lstm_forward({ ...args, w_hh: a(64) }, { ...dims, T: 0 })).toThrow(
      'lstm_forward: T must be a positive integer, got 0',
    );
  });
});
