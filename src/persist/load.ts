// deserializeModel: the bytes of a model file (format.ts) back into a SequenceModel on the chosen
// backend, with its pipeline and metadata. Every check runs before the model is built, in the order
// that gives the most specific message: preamble and sizes (before allocating), checksum, header
// JSON and structure, the tensor table against the shapes the model options imply, then the values.
import { Pipeline, type PipelineJSON } from '../data/pipeline.js';
import { loadBackend, type BackendOptions } from '../backend/select.js';
import type { Backend } from '../backend/types.js';
import { CELL_KINDS } from '../layout/cells.js';
import { SequenceModel, type SequenceModelOptions } from '../model/sequence-model.js';
import type { NamedTensor } from '../model/recurrent.js';
import {
  ALIGN_BYTES, describeModel, expectedTensors, HEADER_FORMAT, readF32LE,
  type ModelFileHeader, type Preamble, type SavedModelOptions, type TensorEntry,
} from './format.js';
import { ModelFileError, type ModelFileProblem } from './errors.js';
import { isObject, readContainer, show } from './container.js';

export interface LoadedModel {
  model: SequenceModel;
  /** The fitted pipeline saved with the model, or null. */
  pipeline: Pipeline | null;
  /** The metadata saved with the model, or null. */
  metadata: Record<string, unknown> | null;
  /** About the file: its format version, the seqcast version that wrote it and when. */
  info: { formatVersion: number; packageVersion: string; created: string };
}

/** A checked file, ready to build a model from; nothing in it has touched a backend. */
export interface ParsedModelFile {
  preamble: Preamble;
  header: ModelFileHeader;
  weights: Record<string, NamedTensor>;
  pipeline: Pipeline | null;
}

const EDITED = 'the file is corrupted or was not written by seqcast: save the model again';

const fail = (problem: ModelFileProblem, where: string, what: string, fix = EDITED): never => {
  throw new ModelFileError(problem, `${where}: ${what}; ${fix}`);
};

/** A list of names short enough for a message: a corrupted header can name thousands. */
const few = (names: string[], max = 8): string =>
  names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** header.model, checked for the types and ranges the shapes depend on; the model constructor checks the rest. */
function checkModelOptions(where: string, m: unknown): SavedModelOptions {
  if (!isObject(m)) return fail('invalid-header', where, `header field 'model' must be an object of model options, got ${show(m)}`);
  const field = (name: string, ok: boolean, expected: string): void => {
    if (!ok) fail('invalid-header', where, `header field 'model.${name}' must be ${expected}, got ${show(m[name])}`);
  };
  field('cell', CELL_KINDS.includes(m.cell as never), `one of ${CELL_KINDS.map((c) => `'${c}'`).join(', ')}`);
  for (const k of ['inputSize', 'hiddenSize', 'numLayers']) field(k, isCount(m[k]), 'a positive integer');
  field('bidirectional', typeof m.bidirectional === 'boolean', 'true or false');
  field('dropout', typeof m.dropout === 'number', 'a number');
  field('nonlinearity', m.nonlinearity === undefined || typeof m.nonlinearity === 'string', "'tanh' or 'relu' when present");
  field('seed', typeof m.seed === 'number', 'a number');
  field('init', typeof m.init === 'string', 'a string');
  field('heads', Array.isArray(m.heads) && m.heads.length > 0, 'a non-empty array');
  (m.heads as unknown[]).forEach((h, i) => {
    if (!isObject(h) || typeof h.name !== 'string' || !isCount(h.outputs) || (h.on !== 'last' && h.on !== 'all'))
      fail('invalid-header', where, `header field 'model.heads[${i}]' must be { name: string, outputs: positive integer, on: 'last' | 'all' }, got ${show(h)}`);
  });
  return m as unknown as SavedModelOptions;
}

/** The tensor table: exactly the expected names and shapes, inside the data, aligned, not overlapping. */
function checkTensors(where: string, tensors: unknown, model: SavedModelOptions, dataBytes: number): TensorEntry[] {
  if (!Array.isArray(tensors)) return fail('invalid-header', where, `header field 'tensors' must be an array, got ${show(tensors)}`);
  const byName = new Map<string, TensorEntry>();
  tensors.forEach((t, i) => {
    if (!isObject(t) || typeof t.name !== 'string')
      fail('invalid-tensor', where, `header field 'tensors[${i}]' must be { name, shape, dtype, offset, length }, got ${show(t)}`);
    const e = t as unknown as TensorEntry;
    if (byName.has(e.name)) fail('invalid-tensor', where, `tensor '${e.name}' is listed twice in the header`);
    byName.set(e.name, e);
  });
  // Each layer and direction has 4 tensors and each head 2; refuse absurd layer counts before listing them.
  const count = 4 * model.numLayers * (model.bidirectional ? 2 : 1) + 2 * model.heads.length;
  if (count > tensors.length + 1024)
    fail('invalid-tensor', where, `the header lists ${tensors.length} tensors, but a ${describeModel(model)} has ${count}`);
  const expected = expectedTensors(model);
  const missing = expected.filter((e) => !byName.has(e.name)).map((e) => e.name);
  const known = new Set(expected.map((e) => e.name));
  const unexpected = [...byName.keys()].filter((k) => !known.has(k));
  if (missing.length || unexpected.length)
    fail(
      'invalid-tensor', where,
      `the tensors do not match a ${describeModel(model)}` +
        (missing.length ? `; missing: ${few(missing)}` : '') + (unexpected.length ? `; unexpected: ${few(unexpected)}` : ''),
    );
  const out: TensorEntry[] = [];
  for (const { name, shape } of expected) {
    const e = byName.get(name)!;
    if (e.dtype !== 'f32') fail('invalid-tensor', where, `tensor '${name}' has dtype ${show(e.dtype)}; this version reads 'f32' only`);
    if (!Array.isArray(e.shape) || e.shape.length !== shape.length || e.shape.some((d, k) => d !== shape[k]))
      fail('invalid-tensor', where, `tensor '${name}' has shape ${show(e.shape)}, but a ${describeModel(model)} needs [${shape.join(', ')}]`);
    const bytes = 4 * shape.reduce((a, b) => a * b, 1);
    if (e.length !== bytes)
      fail('invalid-tensor', where, `tensor '${name}' has length ${show(e.length)} bytes, but shape [${shape.join(', ')}] of f32 needs ${bytes} bytes`);
    if (!isIndex(e.offset) || e.offset % ALIGN_BYTES !== 0)
      fail('invalid-tensor', where, `tensor '${name}' has offset ${show(e.offset)}; offsets are non-negative multiples of ${ALIGN_BYTES} bytes`);
    if (e.offset + e.length > dataBytes)
      fail(
        'invalid-tensor', where,
        `tensor '${name}' spans bytes [${e.offset}, ${e.offset + e.length}) of the data section, which holds only ${dataBytes} bytes: it lies outside the file`,
      );
    out.push({ name, shape, dtype: 'f32', offset: e.offset, length: e.length });
  }
  const sorted = [...out].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i].offset < sorted[i - 1].offset + sorted[i - 1].length)
      fail('invalid-tensor', where, `tensors '${sorted[i - 1].name}' and '${sorted[i].name}' overlap in the data section`);
  return out;
}

/** Checks a whole model file without building a model (no backend involved). */
export function parseModelFile(input: Uint8Array | ArrayBuffer, where = 'parseModelFile'): ParsedModelFile {
  const { bytes, preamble, header } = readContainer(input, where, 'save the model again');
  if (header.format !== HEADER_FORMAT) fail('invalid-header', where, `header field 'format' must be '${HEADER_FORMAT}', got ${show(header.format)}`);
  if (header.formatVersion !== preamble.version)
    fail('invalid-header', where, `header field 'formatVersion' is ${show(header.formatVersion)}, but the preamble says version ${preamble.version}`);
  for (const k of ['packageVersion', 'created'])
    if (typeof header[k] !== 'string') fail('invalid-header', where, `header field '${k}' must be a string, got ${show(header[k])}`);
  if (header.pipeline !== null && !isObject(header.pipeline))
    fail('invalid-header', where, `header field 'pipeline' must be an object or null, got ${show(header.pipeline)}`);
  if (header.metadata !== null && !isObject(header.metadata))
    fail('invalid-header', where, `header field 'metadata' must be an object or null, got ${show(header.metadata)}`);
  const model = checkModelOptions(where, header.model);
  const tensors = checkTensors(where, header.tensors, model, preamble.dataBytes);

  const weights: Record<string, NamedTensor> = {};
  for (const t of tensors) {
    const data = readF32LE(bytes, preamble.dataStart + t.offset, t.length / 4);
    for (let i = 0; i < data.length; i++)
      if (!Number.isFinite(data[i]))
        fail(
          'non-finite', where,
          `tensor '${t.name}' holds ${data[i]} at index ${i} (of ${data.length}); a model's weights must be finite`,
          'the model diverged before it was saved, or the file was edited: train it again and save it again',
        );
    weights[t.name] = { shape: t.shape, data };
  }

  let pipeline: Pipeline | null = null;
  if (header.pipeline !== null) {
    try {
      pipeline = Pipeline.fromJSON(header.pipeline as unknown as PipelineJSON);
    } catch (e) {
      fail('invalid-header', where, `header field 'pipeline' is not a valid pipeline (${(e as Error).message})`);
    }
  }
  return { preamble, header: { ...(header as unknown as ModelFileHeader), model, tensors }, weights, pipeline };
}

/** Builds the model of a checked file on a backend. */
export function buildModel(parsed: ParsedModelFile, backend: Backend, where: string): LoadedModel {
  const m = parsed.header.model;
  const options: SequenceModelOptions = {
    cell: m.cell, inputSize: m.inputSize, hiddenSize: m.hiddenSize, numLayers: m.numLayers, bidirectional: m.bidirectional,
    dropout: m.dropout, ...(m.nonlinearity !== undefined ? { nonlinearity: m.nonlinearity } : {}), seed: m.seed, init: m.init,
    heads: m.heads.map((h) => ({ name: h.name, outputs: h.outputs, on: h.on })),
  };
  let model: SequenceModel;
  try {
    model = new SequenceModel(options, backend);
  } catch (e) {
    return fail('invalid-header', where, `the model options in the header are invalid (${(e as Error).message})`);
  }
  try {
    model.loadStateDict(parsed.weights);
  } catch (e) {
    model.dispose();
    return fail('invalid-tensor', where, `the weights do not fit the model (${(e as Error).message})`);
  }
  const h = parsed.header;
  return {
    model,
    pipeline: parsed.pipeline,
    metadata: h.metadata,
    info: { formatVersion: parsed.preamble.version, packageVersion: h.packageVersion, created: h.created },
  };
}

/**
 * A model from the bytes serializeModel() wrote, on the backend asked for (default 'auto'); every
 * problem with the bytes is a ModelFileError naming it. The file may come from either backend.
 */
export async function deserializeModel(bytes: Uint8Array | ArrayBuffer, opts: BackendOptions = {}): Promise<LoadedModel> {
  const where = 'deserializeModel';
  const parsed = parseModelFile(bytes, where);
  return buildModel(parsed, await loadBackend(opts), where);
}
