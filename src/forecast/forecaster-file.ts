// The forecaster file. Format decision: the same container as a model file (persist/format.ts: magic,
// preamble version, JSON header, 64-byte-aligned float32 tensors, CRC-32 over everything), so one
// reader checks sizes, checksum and alignment for both; the header's `format` field says which kind
// it is ('seqcast-forecaster' here, 'seqcast-model' for a single network), and each loader names the
// other when given the wrong kind. The header holds the forecaster's own state as JSON (options,
// season, lookback, scale, conformal scores, the history tail, the data preparation: numbers that
// need float64 precision round-trip exactly through JSON) and one model-options entry per ensemble
// member; the data section holds every member's weights under `m<k>.<state-dict key>`.
// `forecasterVersion` versions the forecaster section: newer files are refused with a clear error.
import { SequenceModel } from '../model/sequence-model.js';
import type { Backend } from '../backend/types.js';
import type { NamedTensor } from '../model/recurrent.js';
import { CELL_KINDS } from '../layout/cells.js';
import { ModelFileError, type ModelFileProblem } from '../persist/errors.js';
import {
  align64, assembleFile, ALIGN_BYTES, expectedTensors, HEADER_FORMAT, readF32LE, writeF32LE,
  type SavedModelOptions, type TensorEntry,
} from '../persist/format.js';
import { packageVersion } from '../persist/version.js';
import { isObject, readContainer, show } from '../persist/container.js';

export const FORECASTER_FORMAT = 'seqcast-forecaster';
/** The newest forecaster section this release writes and reads. */
export const FORECASTER_VERSION = 1;

export interface ForecasterFileHeader {
  format: typeof FORECASTER_FORMAT;
  formatVersion: number;
  forecasterVersion: number;
  packageVersion: string;
  created: string;
  /** The Forecaster's state (forecaster.ts checks its fields). */
  forecaster: Record<string, unknown>;
  members: SavedModelOptions[];
  tensors: TensorEntry[];
}

const EDITED = 'the file is corrupted or was not written by seqcast: save the forecaster again';
const fail = (problem: ModelFileProblem, where: string, what: string, fix = EDITED): never => {
  throw new ModelFileError(problem, `${where}: ${what}; ${fix}`);
};

function savedOptions(model: SequenceModel): SavedModelOptions {
  const r = model.recurrent;
  return {
    cell: r.cell, inputSize: r.inputSize, hiddenSize: r.hiddenSize, numLayers: r.numLayers, bidirectional: r.bidirectional,
    dropout: r.dropout, ...(r.cell === 'rnn' ? { nonlinearity: r.nonlinearity } : {}),
    seed: model.options.seed ?? 0, init: model.options.init ?? 'pytorch',
    heads: model.heads.map((h) => ({ name: h.name, outputs: h.outputs, on: h.on })),
  };
}

/** The bytes of a forecaster file: its state as JSON and the weights of every member. */
export function encodeForecaster(state: Record<string, unknown>, models: SequenceModel[]): Uint8Array {
  const tensors: TensorEntry[] = [];
  const arrays: Float32Array[] = [];
  let offset = 0;
  models.forEach((model, k) => {
    for (const [name, t] of Object.entries(model.stateDict())) {
      const bad = t.data.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new RangeError(`Forecaster.save: member ${k} weight ${name}[${bad}] is ${t.data[bad]}; fit the forecaster again before saving`);
      tensors.push({ name: `m${k}.${name}`, shape: [...t.shape], dtype: 'f32', offset, length: t.data.byteLength });
      arrays.push(t.data);
      offset = align64(offset + t.data.byteLength);
    }
  });
  const data = new Uint8Array(offset);
  tensors.forEach((e, i) => writeF32LE(data, e.offset, arrays[i]));
  const header: ForecasterFileHeader = {
    format: FORECASTER_FORMAT,
    formatVersion: 1,
    forecasterVersion: FORECASTER_VERSION,
    packageVersion: packageVersion(),
    created: new Date().toISOString(),
    forecaster: state,
    members: models.map(savedOptions),
    tensors,
  };
  return assembleFile(JSON.stringify(header), data);
}

/** A checked forecaster file: its state JSON and the members built on `backend`. */
export function decodeForecaster(input: Uint8Array | ArrayBuffer, backend: Backend, where: string): { state: Record<string, unknown>; models: SequenceModel[] } {
  const { bytes, preamble, header } = readContainer(input, where, 'save the forecaster again');
  if (header.format === HEADER_FORMAT)
    fail('invalid-header', where, "this is a seqcast model file (one network), not a forecaster file", 'load it with loadModel() or deserializeModel()');
  if (header.format !== FORECASTER_FORMAT) fail('invalid-header', where, `header field 'format' must be '${FORECASTER_FORMAT}', got ${show(header.format)}`);
  if (typeof header.forecasterVersion !== 'number' || !Number.isInteger(header.forecasterVersion) || header.forecasterVersion < 1)
    fail('invalid-header', where, `header field 'forecasterVersion' must be a positive integer, got ${show(header.forecasterVersion)}`);
  if ((header.forecasterVersion as number) > FORECASTER_VERSION)
    fail('unsupported-version', where, `the forecaster section has version ${header.forecasterVersion}, but this release reads versions up to ${FORECASTER_VERSION}`,
      'upgrade seqcast to load it, or save it again with this release');
  if (!isObject(header.forecaster)) fail('invalid-header', where, `header field 'forecaster' must be an object, got ${show(header.forecaster)}`);
  if (!Array.isArray(header.members) || header.members.length === 0) fail('invalid-header', where, `header field 'members' must be a non-empty array, got ${show(header.members)}`);
  if (!Array.isArray(header.tensors)) fail('invalid-header', where, `header field 'tensors' must be an array, got ${show(header.tensors)}`);
  const byName = new Map<string, TensorEntry>();
  for (const t of header.tensors as unknown[]) {
    if (!isObject(t) || typeof t.name !== 'string') return fail('invalid-tensor', where, `a tensor entry must be { name, shape, dtype, offset, length }, got ${show(t)}`);
    if (byName.has(t.name)) fail('invalid-tensor', where, `tensor '${t.name}' is listed twice`);
    byName.set(t.name, t as unknown as TensorEntry);
  }
  const models: SequenceModel[] = [];
  const used = new Set<string>();
  try {
    (header.members as unknown[]).forEach((m, k) => {
      if (!isObject(m) || !CELL_KINDS.includes(m.cell as never) || !Array.isArray(m.heads))
        fail('invalid-header', where, `header field 'members[${k}]' must be model options ({ cell, inputSize, hiddenSize, heads, ... }), got ${show(m)}`);
      const o = m as unknown as SavedModelOptions;
      const count = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
      const headsOk = o.heads.every((h) => isObject(h) && typeof h.name === 'string' && count(h.outputs) && (h.on === 'last' || h.on === 'all'));
      if (!count(o.inputSize) || !count(o.hiddenSize) || !count(o.numLayers) || typeof o.bidirectional !== 'boolean' || !headsOk)
        fail('invalid-header', where, `header field 'members[${k}]' has invalid sizes or heads: ${show(m)}`);
      // Refuse absurd layer counts before listing their tensors (4 per layer and direction, 2 per head).
      if (4 * o.numLayers * (o.bidirectional ? 2 : 1) + 2 * o.heads.length > byName.size)
        fail('invalid-tensor', where, `member ${k} (${o.numLayers} layers) needs more tensors than the file lists (${byName.size})`);
      const weights: Record<string, NamedTensor> = {};
      for (const { name, shape } of expectedTensors(o)) {
        const key = `m${k}.${name}`;
        const e = byName.get(key);
        if (!e) return fail('invalid-tensor', where, `tensor '${key}' of ensemble member ${k} is missing`);
        used.add(key);
        const bytesNeeded = 4 * shape.reduce((a, b) => a * b, 1);
        if (e.dtype !== 'f32' || !Array.isArray(e.shape) || e.shape.join(',') !== shape.join(',') || e.length !== bytesNeeded)
          fail('invalid-tensor', where, `tensor '${key}' is ${show({ dtype: e.dtype, shape: e.shape, length: e.length })}, but member ${k} needs f32 [${shape.join(', ')}] (${bytesNeeded} bytes)`);
        if (!Number.isSafeInteger(e.offset) || e.offset < 0 || e.offset % ALIGN_BYTES !== 0 || e.offset + e.length > preamble.dataBytes)
          fail('invalid-tensor', where, `tensor '${key}' at offset ${show(e.offset)} (+${e.length} bytes) lies outside the ${preamble.dataBytes}-byte data section or is not ${ALIGN_BYTES}-byte aligned`);
        const data = readF32LE(bytes, preamble.dataStart + e.offset, e.length / 4);
        const bad = data.findIndex((v) => !Number.isFinite(v));
        if (bad >= 0) fail('non-finite', where, `tensor '${key}' holds ${data[bad]} at index ${bad}; weights must be finite`);
        weights[name] = { shape, data };
      }
      let model: SequenceModel;
      try {
        model = new SequenceModel({ ...o, heads: o.heads.map((h) => ({ ...h })) }, backend);
      } catch (e) {
        return fail('invalid-header', where, `the options of member ${k} are invalid (${(e as Error).message})`);
      }
      models.push(model);
      model.loadStateDict(weights);
    });
    const extra = [...byName.keys()].filter((k) => !used.has(k));
    if (extra.length) fail('invalid-tensor', where, `unexpected tensors: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', ...' : ''}`);
  } catch (e) {
    for (const m of models) m.dispose();
    throw e;
  }
  return { state: header.forecaster as Record<string, unknown>, models };
}

/** A ModelFileError for a forecaster section field that does not check. */
export function badField(where: string, field: string, expected: string, got: unknown): never {
  return fail('invalid-header', where, `header field 'forecaster.${field}' must be ${expected}, got ${show(got)}`);
}
