// A SequenceModel's weights as a safetensors file under PyTorch's state_dict names, so the same file
// loads with `model.load_state_dict(safetensors.torch.load_file(path))` into
//   class Net(nn.Module): rnn = nn.LSTM(I, H, L, batch_first=True, bidirectional=...); head = nn.Linear(D*H, out)
// and back. The architecture is read from the tensor shapes (and from the `seqcast.model` metadata
// entry this package writes, which also carries what shapes cannot say: the RNN nonlinearity and
// each head's 'last' / 'all' mode).
import { loadBackend, type BackendOptions } from '../backend/select.js';
import { GATES, type CellKind } from '../layout/cells.js';
import type { NamedTensor } from '../model/recurrent.js';
import { SequenceModel, type HeadOptions, type SequenceModelOptions } from '../model/sequence-model.js';
import type { Nonlinearity } from '../backend/types.js';
import { InteropError } from './errors.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';

export const MODEL_METADATA_KEY = 'seqcast.model';

export interface ExportOptions {
  /** Extra string entries for the file's __metadata__. */
  metadata?: Record<string, string>;
}

/** The model's weights as safetensors bytes (F32, PyTorch state_dict names and shapes). */
export function exportSafetensors(model: SequenceModel, opts: ExportOptions = {}): Uint8Array {
  const r = model.recurrent;
  const description = {
    cell: r.cell, inputSize: r.inputSize, hiddenSize: r.hiddenSize, numLayers: r.numLayers,
    bidirectional: r.bidirectional, nonlinearity: r.nonlinearity,
    heads: model.heads.map((h) => ({ name: h.name, outputs: h.outputs, on: h.on })),
  };
  return writeSafetensors(model.stateDict(), { format: 'pt', ...opts.metadata, [MODEL_METADATA_KEY]: JSON.stringify(description) });
}

export interface ImportOptions {
  /**
   * Module prefixes to rename before matching, e.g. { 'lstm.': 'rnn.', 'fc.': 'head.' } for a
   * PyTorch module whose attributes are called `lstm` and `fc`.
   */
  rename?: Record<string, string>;
}

function renamed(tensors: Record<string, NamedTensor>, rename: Record<string, string> = {}): Record<string, NamedTensor> {
  const out: Record<string, NamedTensor> = {};
  for (const [name, t] of Object.entries(tensors)) {
    const from = Object.keys(rename).find((p) => name.startsWith(p));
    const key = from === undefined ? name : rename[from] + name.slice(from.length);
    if (key in out) throw new InteropError('name-mismatch', `safetensors: two tensors map to '${key}' after rename; check the rename option`, key);
    out[key] = { shape: t.shape, data: t.data };
  }
  return out;
}

const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** Names and shapes must equal the model's own; the error names each tensor that differs. */
function checkAgainst(model: SequenceModel, tensors: Record<string, NamedTensor>): void {
  const want = model.stateDict();
  const missing = Object.keys(want).filter((k) => !(k in tensors));
  const unexpected = Object.keys(tensors).filter((k) => !(k in want));
  if (missing.length || unexpected.length)
    throw new InteropError(
      'name-mismatch',
      `safetensors: tensor names do not match the model (PyTorch state_dict names such as 'rnn.weight_ih_l0', 'head.weight')` +
        (missing.length ? `; missing: ${missing.join(', ')}` : '') +
        (unexpected.length ? `; unexpected: ${unexpected.join(', ')}` : '') +
        (unexpected.length && !unexpected.some((k) => k.startsWith('rnn.')) ? `; if your module names differ, pass rename, e.g. { 'lstm.': 'rnn.', 'fc.': 'head.' }` : ''),
      missing[0] ?? unexpected[0],
    );
  const r = model.recurrent;
  for (const [name, t] of Object.entries(want)) {
    if (shapeText(tensors[name].shape) !== shapeText(t.shape))
      throw new InteropError(
        'shape-mismatch',
        `safetensors: tensor '${name}' has shape ${shapeText(tensors[name].shape)}, the model expects ${shapeText(t.shape)} ` +
          `(${r.cell.toUpperCase()} inputSize=${r.inputSize}, hiddenSize=${r.hiddenSize}, numLayers=${r.numLayers}, bidirectional=${r.bidirectional})`,
        name,
      );
  }
}

/** Loads safetensors weights into an existing model; nothing changes unless every tensor checks. */
export function loadSafetensorsInto(model: SequenceModel, bytes: Uint8Array, opts: ImportOptions = {}): { metadata: Record<string, string>; notes: string[] } {
  const file = readSafetensors(bytes);
  const tensors = renamed(file.tensors, opts.rename);
  checkAgainst(model, tensors);
  model.loadStateDict(tensors);
  return { metadata: file.metadata, notes: file.notes };
}

function cellFromGates(G: number): CellKind {
  const cell = (Object.keys(GATES) as CellKind[]).find((c) => GATES[c] === G);
  if (!cell)
    throw new InteropError('shape-mismatch', `safetensors: rnn.weight_hh_l0 has ${G} gate blocks; expected 4 (LSTM), 3 (GRU) or 1 (RNN)`, 'rnn.weight_hh_l0');
  return cell;
}

/** The SequenceModel options a state dict's names and shapes imply (plus what the metadata adds). */
export function inferModelOptions(tensors: Record<string, NamedTensor>, metadata: Record<string, string> = {}): SequenceModelOptions {
  const hh = tensors['rnn.weight_hh_l0'];
  const ih = tensors['rnn.weight_ih_l0'];
  if (!hh || !ih) {
    const prefixes = [...new Set(Object.keys(tensors).map((k) => k.split('.')[0]))];
    throw new InteropError(
      'name-mismatch',
      `safetensors: no 'rnn.weight_ih_l0' / 'rnn.weight_hh_l0' tensors; found modules ${prefixes.map((p) => `'${p}'`).join(', ')}. ` +
        `Name the recurrent module 'rnn' or pass rename, e.g. { 'lstm.': 'rnn.' }`,
      'rnn.weight_ih_l0',
    );
  }
  if (hh.shape.length !== 2 || hh.shape[1] <= 0 || hh.shape[0] % hh.shape[1] !== 0)
    throw new InteropError('shape-mismatch', `safetensors: rnn.weight_hh_l0 must have shape [G * hidden, hidden], got ${shapeText(hh.shape)}`, 'rnn.weight_hh_l0');
  if (ih.shape.length !== 2) throw new InteropError('shape-mismatch', `safetensors: rnn.weight_ih_l0 must have shape [G * hidden, input], got ${shapeText(ih.shape)}`, 'rnn.weight_ih_l0');
  const hiddenSize = hh.shape[1];
  const cell = cellFromGates(hh.shape[0] / hiddenSize);
  let numLayers = 0;
  while (`rnn.weight_ih_l${numLayers}` in tensors) numLayers++;
  const bidirectional = 'rnn.weight_ih_l0_reverse' in tensors;
  let saved: Partial<SequenceModelOptions> & { heads?: HeadOptions[] } = {};
  if (metadata[MODEL_METADATA_KEY] !== undefined) {
    try {
      saved = JSON.parse(metadata[MODEL_METADATA_KEY]);
    } catch {
      throw new InteropError('invalid-header', `safetensors: __metadata__['${MODEL_METADATA_KEY}'] is not valid JSON`);
    }
  }
  const headNames = [...new Set(Object.keys(tensors).filter((k) => !k.startsWith('rnn.')).map((k) => k.slice(0, k.lastIndexOf('.'))))];
  const heads: HeadOptions[] = headNames.map((name) => {
    const w = tensors[`${name}.weight`];
    if (!w || !tensors[`${name}.bias`])
      throw new InteropError('name-mismatch', `safetensors: head '${name}' needs both '${name}.weight' and '${name}.bias' (nn.Linear with bias)`, `${name}.weight`);
    if (w.shape.length !== 2) throw new InteropError('shape-mismatch', `safetensors: '${name}.weight' must have shape [outputs, features], got ${shapeText(w.shape)}`, `${name}.weight`);
    const on = saved.heads?.find((h) => h.name === name)?.on ?? 'last';
    return { name, outputs: w.shape[0], on };
  });
  if (heads.length === 0)
    throw new InteropError(
      'name-mismatch',
      "safetensors: no head tensors ('<name>.weight' and '<name>.bias' of an nn.Linear) besides the recurrent ones; " +
        'a file of the recurrent layer alone loads into an existing model with model.recurrent.loadStateDict(readSafetensors(bytes).tensors)',
    );
  return {
    cell, inputSize: ih.shape[1], hiddenSize, numLayers, bidirectional,
    ...(cell === 'rnn' && saved.nonlinearity ? { nonlinearity: saved.nonlinearity as Nonlinearity } : {}),
    heads,
  };
}

/**
 * A new SequenceModel built from a safetensors file alone: its architecture from the tensor shapes,
 * its weights from the tensors. A plain RNN with ReLU needs `nonlinearity: 'relu'` unless the file
 * came from exportSafetensors (shapes cannot tell tanh from relu).
 */
export async function importSafetensors(
  bytes: Uint8Array,
  opts: ImportOptions & BackendOptions & { nonlinearity?: Nonlinearity } = {},
): Promise<{ model: SequenceModel; metadata: Record<string, string>; notes: string[] }> {
  const file = readSafetensors(bytes);
  const tensors = renamed(file.tensors, opts.rename);
  const options = inferModelOptions(tensors, file.metadata);
  if (opts.nonlinearity !== undefined) options.nonlinearity = opts.nonlinearity;
  const model = new SequenceModel(options, await loadBackend(opts));
  try {
    checkAgainst(model, tensors);
    model.loadStateDict(tensors);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, metadata: file.metadata, notes: file.notes };
}
