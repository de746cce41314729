// serializeModel: a SequenceModel (plus, optionally, its fitted Pipeline and free-form metadata) as
// the bytes of one model file (format.ts). Pure computation, no I/O: files.ts writes them to disk.
import { BusyError, NonFiniteError } from '../errors.js';
import { Pipeline, type PipelineJSON } from '../data/pipeline.js';
import { SequenceModel } from '../model/sequence-model.js';
import { isFitting } from '../train/fit.js';
import {
  align64, assembleFile, FORMAT_VERSION, HEADER_FORMAT, writeF32LE,
  type ModelFileHeader, type SavedModelOptions, type TensorEntry,
} from './format.js';
import { packageVersion } from './version.js';

export interface SerializeOptions {
  /** The fitted pipeline that prepares this model's inputs; restored by loading as a Pipeline. */
  pipeline?: Pipeline | null;
  /** Any JSON-serializable object: training notes, data provenance, metrics. Stored as JSON. */
  metadata?: Record<string, unknown> | null;
}

/** The options that rebuild `model`, with every default written out. */
function savedOptions(model: SequenceModel): SavedModelOptions {
  const r = model.recurrent;
  return {
    cell: r.cell,
    inputSize: r.inputSize,
    hiddenSize: r.hiddenSize,
    numLayers: r.numLayers,
    bidirectional: r.bidirectional,
    dropout: r.dropout,
    ...(r.cell === 'rnn' ? { nonlinearity: r.nonlinearity } : {}),
    seed: model.options.seed ?? 0,
    init: model.options.init ?? 'pytorch',
    heads: model.heads.map((h) => ({ name: h.name, outputs: h.outputs, on: h.on })),
  };
}

function metadataJSON(where: string, metadata: unknown): Record<string, unknown> | null {
  if (metadata === undefined || metadata === null) return null;
  if (typeof metadata !== 'object' || Array.isArray(metadata))
    throw new TypeError(`${where}: metadata must be a plain object, got ${Array.isArray(metadata) ? 'an array' : typeof metadata}`);
  let text: string | undefined;
  try {
    text = JSON.stringify(metadata);
  } catch (e) {
    throw new TypeError(`${where}: metadata must be JSON-serializable (${(e as Error).message}); use plain objects, arrays, strings, numbers and booleans`);
  }
  return JSON.parse(text!) as Record<string, unknown>;
}

/**
 * The model as the bytes of one versioned, checksummed model file: options, weights (float32
 * little-endian), and optionally a fitted pipeline and metadata. deserializeModel() reverses it.
 */
export function serializeModel(model: SequenceModel, opts: SerializeOptions = {}): Uint8Array {
  const where = 'serializeModel';
  if (!(model instanceof SequenceModel))
    throw new TypeError(`${where}: model must be a SequenceModel, got ${(model as object | null)?.constructor?.name ?? typeof model}`);
  if (model.isDisposed) throw new Error(`${where}: the model was disposed, so its weights are gone; save it before calling dispose()`);
  if (isFitting(model)) throw new BusyError(`Model is busy: await the previous fit() before calling ${where}()`);
  if (opts.pipeline !== undefined && opts.pipeline !== null && !(opts.pipeline instanceof Pipeline))
    throw new TypeError(`${where}: pipeline must be a Pipeline, got ${(opts.pipeline as object)?.constructor?.name ?? typeof opts.pipeline}`);
  const pipeline: PipelineJSON | null = opts.pipeline ? opts.pipeline.toJSON() : null;
  const metadata = metadataJSON(where, opts.metadata);

  const state = model.stateDict();
  const tensors: TensorEntry[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(state)) {
    for (let i = 0; i < t.data.length; i++)
      if (!Number.isFinite(t.data[i]))
        throw new NonFiniteError(
          `${where}: ${name}[${i}] is ${t.data[i]}; a model with non-finite weights cannot be loaded again, so it is not saved ` +
            '(train again, e.g. with a lower learning rate or clipNorm)',
        );
    tensors.push({ name, shape: [...t.shape], dtype: 'f32', offset, length: t.data.byteLength });
    offset = align64(offset + t.data.byteLength);
  }
  const data = new Uint8Array(offset);
  for (const e of tensors) writeF32LE(data, e.offset, state[e.name].data);

  const header: ModelFileHeader = {
    format: HEADER_FORMAT,
    formatVersion: FORMAT_VERSION,
    packageVersion: packageVersion(),
    created: new Date().toISOString(),
    model: savedOptions(model),
    tensors,
    pipeline,
    metadata,
  };
  return assembleFile(header, data);
}
