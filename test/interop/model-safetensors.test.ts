// SequenceModel <-> safetensors without Python: exact round trips on one backend, architecture read
// from the file, and name or shape mismatches that say which tensor and what was expected.
import { describe, expect, it } from 'vitest';
import { exportSafetensors, importSafetensors, loadSafetensorsInto } from '../../src/interop/model-safetensors.js';
import { InteropError } from '../../src/interop/errors.js';
import { readSafetensors, writeSafetensors } from '../../src/interop/safetensors.js';
import { SequenceModel } from '../../src/model/sequence-model.js';
import { Rng } from '../../src/random.js';
import { testBackends } from '../helpers/backends.js';

describe.each(await testBackends())('model safetensors on $name', (backend) => {
  it('export -> import rebuilds the same model (nonlinearity and head modes included) with identical predictions', async () => {
    const model = new SequenceModel(
      { cell: 'rnn', nonlinearity: 'relu', inputSize: 2, hiddenSize: 5, numLayers: 2, bidirectional: true, seed: 9, heads: [{ outputs: 3 }, { name: 'steps', outputs: 1, on: 'all' }] },
      backend,
    );
    const bytes = exportSafetensors(model, { metadata: { trainedOn: 'test' } });
    const file = readSafetensors(bytes);
    expect(Object.keys(file.tensors)).toEqual(Object.keys(model.stateDict()));
    expect(file.metadata.trainedOn).toBe('test');
    const { model: back } = await importSafetensors(bytes, { backend: backend.name });
    expect(back.options).toMatchObject({ cell: 'rnn', nonlinearity: 'relu', inputSize: 2, hiddenSize: 5, numLayers: 2, bidirectional: true });
    expect(back.heads.map((h) => [h.name, h.outputs, h.on])).toEqual([['head', 3, 'last'], ['steps', 1, 'all']]);
    const rng = new Rng(1);
    const x = Float32Array.from({ length: 3 * 4 * 2 }, () => rng.uniform(-1, 1));
    expect(back.predict(x, { batchSize: 3, seqLen: 4 })).toEqual(model.predict(x, { batchSize: 3, seqLen: 4 }));
    model.dispose();
    back.dispose();
  });

  it('loads a PyTorch module with other attribute names through rename', async () => {
    const model = new SequenceModel({ cell: 'gru', inputSize: 1, hiddenSize: 3, seed: 2 }, backend);
    const renamed = Object.fromEntries(Object.entries(model.stateDict()).map(([k, v]) => [k.replace(/^rnn\./, 'gru.').replace(/^head\./, 'fc.'), v]));
    const bytes = writeSafetensors(renamed);
    await expect(importSafetensors(bytes, { backend: backend.name })).rejects.toThrow(
      "safetensors: no 'rnn.weight_ih_l0' / 'rnn.weight_hh_l0' tensors; found modules 'gru', 'fc'. Name the recurrent module 'rnn' or pass rename, e.g. { 'lstm.': 'rnn.' }",
    );
    const { model: back } = await importSafetensors(bytes, { backend: backend.name, rename: { 'gru.': 'rnn.', 'fc.': 'head.' } });
    expect(back.stateDict()).toEqual(model.stateDict());
    // A bare nn.GRU state_dict: keys without a module prefix, and no head.
    const bare = Object.fromEntries(Object.entries(model.recurrent.stateDict()));
    await expect(importSafetensors(writeSafetensors(bare), { backend: backend.name, rename: { '': 'rnn.' } })).rejects.toThrow(
      /^safetensors: no head tensors .* model\.recurrent\.loadStateDict\(readSafetensors\(bytes\)\.tensors\)$/,
    );
    model.dispose();
    back.dispose();
  });

  it('refuses a file for another architecture, naming the tensor and the expected shape, and changes nothing', () => {
    const model = new SequenceModel({ cell: 'lstm', inputSize: 3, hiddenSize: 4, seed: 1 }, backend);
    const other = new SequenceModel({ cell: 'lstm', inputSize: 2, hiddenSize: 4, seed: 5 }, backend);
    const before = model.stateDict();
    let error: InteropError | null = null;
    try {
      loadSafetensorsInto(model, exportSafetensors(other));
    } catch (e) {
      error = e as InteropError;
    }
    expect(error).toBeInstanceOf(InteropError);
    expect(error!.problem).toBe('shape-mismatch');
    expect(error!.tensor).toBe('rnn.weight_ih_l0');
    expect(error!.message).toBe(
      "safetensors: tensor 'rnn.weight_ih_l0' has shape [16, 2], the model expects [16, 3] (LSTM inputSize=3, hiddenSize=4, numLayers=1, bidirectional=false)",
    );
    const sd = other.stateDict();
    delete (sd as Record<string, unknown>)['head.bias'];
    expect(() => loadSafetensorsInto(model, writeSafetensors({ ...sd, extra: { shape: [1], data: new Float32Array(1) } }))).toThrow(
      "safetensors: tensor names do not match the model (PyTorch state_dict names such as 'rnn.weight_ih_l0', 'head.weight'); missing: head.bias; unexpected: extra; " +
        "if your module names differ, pass rename, e.g. { 'lstm.': 'rnn.', 'fc.': 'head.' }",
    );
    expect(model.stateDict()).toEqual(before);
    model.dispose();
    other.dispose();
  });

  it('refuses non-finite weights', async () => {
    const model = new SequenceModel({ cell: 'rnn', inputSize: 1, hiddenSize: 2, seed: 1 }, backend);
    const sd = model.stateDict();
    sd['rnn.weight_hh_l0'].data[1] = NaN;
    expect(() => loadSafetensorsInto(model, writeSafetensors(sd))).toThrow(/weight_hh_l0.*NaN/);
    model.dispose();
  });
});
