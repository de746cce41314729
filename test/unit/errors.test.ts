// Bad input gets a clear error naming the problem, on every backend, and nothing is half-applied.
import { describe, expect, it } from 'vitest';
import { Recurrent } from '../../src/model/recurrent.js';
import { NonFiniteError, ShapeError } from '../../src/errors.js';
import { testBackends } from '../helpers/backends.js';
import { forwardScratch } from '../../src/layout/cells.js';

const backends = await testBackends();

describe.each(backends.map((b) => ({ name: b.info().name, backend: b })))('input errors on $name', ({ backend }) => {
  const make = (opts = {}) => new Recurrent({ cell: 'lstm', inputSize: 3, hiddenSize: 4, ...opts }, backend);

  it('rejects unknown cells and options that do not apply', () => {
    expect(() => make({ cell: 'transformer' })).toThrow("cell must be one of 'lstm', 'gru', 'rnn', got 'transformer'");
    expect(() => make({ nonlinearity: 'relu' })).toThrow("nonlinearity applies to cell 'rnn' only, not 'lstm'");
    expect(() => make({ cell: 'rnn', nonlinearity: 'sigmoid' })).toThrow("nonlinearity must be 'tanh' or 'relu', got 'sigmoid'");
    expect(() => make({ dropout: 1 })).toThrow('dropout must be in [0, 1), got 1');
    expect(() => make({ dropout: 0.2 })).toThrow('dropout=0.2 would have no effect');
  });

  it('checks lengths: one per sequence, integers in [1, seqLen]', () => {
    const layer = make();
    const x = new Float32Array(2 * 3 * 3);
    expect(() => layer.forward(x, { batchSize: 2, seqLen: 3, lengths: [3] })).toThrow(
      'LSTM.forward: lengths must have batchSize = 2 elements, got 1',
    );
    expect(() => layer.forward(x, { batchSize: 2, seqLen: 3, lengths: [3, 0] })).toThrow(
      'LSTM.forward: lengths[1] must be an integer in [1, seqLen=3], got 0',
    );
    expect(() => layer.forward(x, { batchSize: 2, seqLen: 3, lengths: [4, 1] })).toThrow('lengths[0] must be an integer');
    // NaN in padding is fine (it is never read); at a valid step it is an error.
    x[(1 * 3 + 2) * 3] = NaN;
    expect(() => layer.forward(x, { batchSize: 2, seqLen: 3, lengths: [3, 2] })).not.toThrow();
    expect(() => layer.forward(x, { batchSize: 2, seqLen: 3, lengths: [3, 3] })).toThrow('LSTM.forward: x[15] is NaN');
    layer.dispose();
  });

  it('refuses cell state for cells that have none', () => {
    const gru = make({ cell: 'gru' });
    const s = new Float32Array(4);
    expect(() => gru.forward(new Float32Array(3), { batchSize: 1, seqLen: 1, h0: s, c0: s })).toThrow(
      'GRU.forward: c0 is for LSTM cells only; a GRU has no cell state',
    );
    gru.forward(new Float32Array(3), { batchSize: 1, seqLen: 1 });
    expect(() => gru.backward({ dcN: s })).toThrow('GRU.backward: dcN is for LSTM cells only');
    gru.dispose();
  });

  it('rejects non-positive or fractional sizes', () => {
    expect(() => make({ hiddenSize: 0 })).toThrow(new RangeError('hiddenSize must be a positive integer, got 0'));
    expect(() => make({ inputSize: 2.5 })).toThrow('inputSize must be a positive integer, got 2.5');
    expect(() => make({ numLayers: -1 })).toThrow('numLayers must be a positive integer, got -1');
  });

  it('rejects an input of the wrong length, naming the expected product', () => {
    const lstm = make();
    const err = () => lstm.forward(new Float32Array(17), { batchSize: 2, seqLen: 3 });
    expect(err).toThrow(ShapeError);
    expect(err).toThrow('LSTM.forward: x must have batchSize * seqLen * inputSize = 18 elements, got 17');
    lstm.dispose();
  });

  it('rejects a plain array where a Float32Array is required', () => {
    const lstm = make();
    expect(() => lstm.forward([1, 2, 3] as unknown as Float32Array, { batchSize: 1, seqLen: 1 })).toThrow(
      new TypeError('LSTM.forward: x must be a Float32Array, got Array'),
    );
    lstm.dispose();
  });

  it('rejects NaN and Infinity in inputs and initial states, naming the index', () => {
    const lstm = make();
    const x = new Float32Array(6);
    x[4] = NaN;
    expect(() => lstm.forward(x, { batchSize: 1, seqLen: 2 })).toThrow(NonFiniteError);
    expect(() => lstm.forward(x, { batchSize: 1, seqLen: 2 })).toThrow('LSTM.forward: x[4] is NaN');
    const h0 = new Float32Array(4);
    h0[1] = Infinity;
    expect(() => lstm.forward(new Float32Array(6), { batchSize: 1, seqLen: 2, h0, c0: new Float32Array(4) })).toThrow(
      'LSTM.forward: h0[1] is Infinity',
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
    expect(() => lstm.backward({})).toThrow('LSTM.backward: call forward() first');
    lstm.forward(new Float32Array(6), { batchSize: 1, seqLen: 2 });
    expect(() => lstm.backward({ dOutput: new Float32Array(7) })).toThrow(
      'LSTM.backward: dOutput must have batchSize * seqLen * directions * hiddenSize = 8 elements, got 7',
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
      b_ih: a(16), b_hh: a(16), w_t: a(forwardScratch('lstm', dims)), lengths: null,
    };
    expect(() => backend.lstm_forward(args, dims)).toThrow(
      new ShapeError('lstm_forward: w_hh must have 4*H*H = 64 elements, got 63'),
    );
    expect(() => backend.lstm_forward({ ...args, w_hh: a(64) }, { ...dims, T: 0 })).toThrow(
      'lstm_forward: T must be a positive integer, got 0',
    );
  });
});
