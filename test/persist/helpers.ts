// Shared by the persistence tests: small models, a fitted pipeline, bit-level comparison and a way to
// rebuild a model file with an edited header or data but a correct checksum (to reach the checks
// that come after the checksum).
import { Pipeline } from '../../src/data/pipeline.js';
import { fromArray } from '../../src/data/series.js';
import type { Backend } from '../../src/backend/types.js';
import { SequenceModel, type SequenceModelOptions } from '../../src/model/sequence-model.js';
import { Rng } from '../../src/random.js';
import { assembleFile, PREAMBLE_BYTES, readPreamble, type ModelFileHeader } from '../../src/persist/format.js';

export const CONFIGS: Array<{ label: string; options: SequenceModelOptions }> = [
  {
    label: 'LSTM, 2 layers, bidirectional, dropout, heads on last and all',
    options: {
      cell: 'lstm', inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, dropout: 0.1, seed: 7,
      heads: [{ outputs: 2, on: 'last' }, { name: 'steps', outputs: 1, on: 'all' }],
    },
  },
  { label: 'GRU, 2 layers, three heads', options: { cell: 'gru', inputSize: 2, hiddenSize: 7, numLayers: 2, seed: 3, init: 'orthogonal', heads: [{ outputs: 1 }, { outputs: 3 }, { outputs: 2, on: 'all' }] } },
  { label: 'RNN relu, bidirectional', options: { cell: 'rnn', nonlinearity: 'relu', inputSize: 4, hiddenSize: 6, bidirectional: true, seed: 11, init: 'xavier' } },
  { label: 'LSTM, 1 layer, default head', options: { cell: 'lstm', inputSize: 1, hiddenSize: 17, seed: 1 } },
];

export function randomInput(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
}

/** Random weights, so a round trip is not checked on freshly initialized (reproducible) values only. */
export function perturb(model: SequenceModel, seed: number): void {
  const rng = new Rng(seed);
  const dict = model.stateDict();
  for (const t of Object.values(dict)) for (let i = 0; i < t.data.length; i++) t.data[i] += rng.uniform(-0.1, 0.1);
  model.loadStateDict(dict);
}

export function makeModel(options: SequenceModelOptions, backend: Backend, seed = 5): SequenceModel {
  const model = new SequenceModel(options, backend);
  perturb(model, seed);
  return model;
}

/** A pipeline fitted on a seasonal series, with scaling, differencing and lags: a non-trivial toJSON(). */
export function fittedPipeline(): Pipeline {
  const values = Array.from({ length: 120 }, (_, t) => 10 + Math.sin(t / 3) + 0.01 * t);
  const pipeline = new Pipeline({ lookback: 8, horizon: 2, scale: 'zscore', difference: [1], lags: [2], split: { validation: 0.1 } });
  pipeline.prepare(fromArray(values, { name: 'load' }));
  return pipeline;
}

export function bitsEqual(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** The parts of a valid model file, editable, and reassembled with a fresh checksum. */
export function splitFile(file: Uint8Array): { header: ModelFileHeader; data: Uint8Array } {
  const p = readPreamble(file.subarray(0, PREAMBLE_BYTES), file.length, 'test');
  const header = JSON.parse(new TextDecoder().decode(file.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + p.headerBytes))) as ModelFileHeader;
  return { header, data: file.slice(p.dataStart) };
}

export function rebuild(file: Uint8Array, edit: (header: ModelFileHeader, data: Uint8Array) => void): Uint8Array {
  const { header, data } = splitFile(file);
  edit(header, data);
  return assembleFile(header, data);
}
