// Keras recurrent weights <-> PyTorch's layout (the one SequenceModel uses).
//
// Keras (2.x and 3.x) stores, per LSTM / GRU / SimpleRNN layer, what `layer.get_weights()` returns:
//   kernel [input, G*H], recurrent_kernel [H, G*H], bias [G*H] (GRU reset_after=True: [2, G*H],
//   row 0 the input bias, row 1 the recurrent bias), and computes z = x·kernel + h·recurrent_kernel + bias.
// PyTorch computes z = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh with W_ih [G*H, input], W_hh [G*H, H].
// So kernels are transposed, and the gate blocks are reordered:
//   LSTM  Keras i,f,c,o  = PyTorch i,f,g,o  (same order; Keras calls the candidate 'c')
//   GRU   Keras z,r,h    -> PyTorch r,z,n
// Keras' GRU with reset_after=True (the default since Keras 2.3 / TF 2) applies the reset gate after
// the recurrent matmul, r * (h·U_h + b_rh), which is exactly PyTorch's GRU. reset_after=False applies it
// before, (r * h)·U_h, which no PyTorch GRU weights reproduce, so it is refused. Keras LSTM/GRU use
// sigmoid gates and tanh (the Keras 2+ defaults); layers built with hard_sigmoid or other activations
// do not convert. A Dense head: kernel [H, out] is nn.Linear's weight transposed.
//
// Getting the weights out of Keras into a file this package reads (no extra Python package needed):
//
//   import json, struct, numpy as np
//   def save_keras_weights(model, path):
//       names = {'LSTM': ['kernel', 'recurrent_kernel', 'bias'], 'GRU': ['kernel', 'recurrent_kernel', 'bias'],
//                'SimpleRNN': ['kernel', 'recurrent_kernel', 'bias'], 'Dense': ['kernel', 'bias']}
//       header, blobs, offset, layers = {}, [], 0, []
//       for layer in model.layers:
//           if type(layer).__name__ not in names:
//               if layer.get_weights(): raise ValueError(f'{layer.name}: a {type(layer).__name__} layer has weights seqcast cannot convert')
//               continue
//           layers.append(layer.name)
//           for n, w in zip(names[type(layer).__name__], layer.get_weights()):
//               b = np.ascontiguousarray(w, dtype='<f4').tobytes()
//               header[f'{layer.name}/{n}'] = {'dtype': 'F32', 'shape': list(w.shape), 'data_offsets': [offset, offset + len(b)]}
//               blobs.append(b); offset += len(b)
//       header['__metadata__'] = {'keras.layers': ','.join(layers)}
//       h = json.dumps(header).encode(); h += b' ' * (-len(h) % 8)
//       with open(path, 'wb') as f: f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))
//
// then `kerasWeightsFromSafetensors(readSafetensors(bytes))` and `fromKerasWeights(...)` in JavaScript.
// The other way, `writeSafetensors(...kerasWeightsToTensors(toKerasWeights(model.stateDict())))` writes a
// file whose tensors go back with `layer.set_weights([t['lstm/kernel'], t['lstm/recurrent_kernel'], t['lstm/bias']])`.
import { GATES, type CellKind } from '../layout/cells.js';
import type { NamedTensor } from '../model/recurrent.js';
import type { HeadOptions, SequenceModelOptions } from '../model/sequence-model.js';
import { InteropError, type InteropProblem } from './errors.js';
import type { SafetensorsFile } from './safetensors.js';

/** One Keras recurrent layer's `get_weights()`; bias absent for use_bias=False. */
export interface KerasRecurrentLayer {
  kernel: NamedTensor;
  recurrentKernel: NamedTensor;
  bias?: NamedTensor;
}

/** A Keras Dense layer's `get_weights()`. */
export interface KerasDense {
  kernel: NamedTensor;
  bias?: NamedTensor;
}

export interface KerasWeights {
  cell: CellKind;
  /** Stacked recurrent layers, input side first. */
  layers: KerasRecurrentLayer[];
  /** The Dense layer on the last recurrent output, if any; it becomes the head `head`. */
  dense?: KerasDense;
  /** GRU only; default true (Keras' default). false is refused: PyTorch's GRU cannot represent it. */
  resetAfter?: boolean;
}

/** For each PyTorch gate block, the Keras block it comes from. GRU's is its own inverse. */
const KERAS_BLOCK: Record<CellKind, number[]> = { lstm: [0, 1, 2, 3], gru: [1, 0, 2], rnn: [0] };

const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** The error's tensor is the name without the function prefix ('layers[1].kernel', 'gru/bias'). */
function interopError(problem: InteropProblem, message: string, where: string | null = null): InteropError {
  return new InteropError(problem, message, where === null ? null : where.replace(/^\w+: /, ''));
}

function expectShape(where: string, t: NamedTensor | undefined, shape: number[], meaning: string): NamedTensor {
  if (!t || !(t.data instanceof Float32Array) || !Array.isArray(t.shape))
    throw interopError('name-mismatch', `${where} is missing or not { shape, data: Float32Array }; expected shape ${shapeText(shape)} (${meaning})`, where);
  if (shapeText(t.shape) !== shapeText(shape))
    throw interopError('shape-mismatch', `${where} has shape ${shapeText(t.shape)}, expected ${shapeText(shape)} (${meaning})`, where);
  if (t.data.length !== shape.reduce((a, b) => a * b, 1))
    throw interopError('shape-mismatch', `${where} has ${t.data.length} values, its shape ${shapeText(shape)} needs ${shape.reduce((a, b) => a * b, 1)}`, where);
  return t;
}

/** Keras [rows, G*H] (gate blocks along columns) -> PyTorch [G*H, rows] (blocks along rows, reordered). */
function kernelToTorch(k: Float32Array, rows: number, H: number, cell: CellKind): Float32Array {
  const G = GATES[cell];
  const out = new Float32Array(G * H * rows);
  for (let g = 0; g < G; g++) {
    const src = KERAS_BLOCK[cell][g] * H;
    for (let j = 0; j < H; j++) for (let r = 0; r < rows; r++) out[(g * H + j) * rows + r] = k[r * G * H + src + j];
  }
  return out;
}

/** The inverse of kernelToTorch. */
function kernelToKeras(w: Float32Array, rows: number, H: number, cell: CellKind): Float32Array {
  const G = GATES[cell];
  const out = new Float32Array(rows * G * H);
  for (let g = 0; g < G; g++) {
    const dst = KERAS_BLOCK[cell][g] * H;
    for (let j = 0; j < H; j++) for (let r = 0; r < rows; r++) out[r * G * H + dst + j] = w[(g * H + j) * rows + r];
  }
  return out;
}

/** Reorders the gate blocks of a [G*H] vector between Keras and PyTorch (the permutation is an involution or identity). */
function reorderBias(b: Float32Array, H: number, cell: CellKind): Float32Array {
  const out = new Float32Array(b.length);
  KERAS_BLOCK[cell].forEach((src, g) => out.set(b.subarray(src * H, (src + 1) * H), g * H));
  return out;
}

const CELL_NAMES: Record<CellKind, string> = { lstm: 'LSTM', gru: 'GRU', rnn: 'SimpleRNN' };

/**
 * A PyTorch-layout state dict ('rnn.weight_ih_l0', ..., 'head.weight', 'head.bias') from Keras weights;
 * load it with `model.loadStateDict(...)` into a model built from `kerasModelOptions(weights)`.
 */
export function fromKerasWeights(w: KerasWeights): Record<string, NamedTensor> {
  const cell = w?.cell;
  if (!(cell in GATES)) throw new RangeError(`fromKerasWeights: cell must be 'lstm', 'gru' or 'rnn', got '${String(cell)}'`);
  if (!Array.isArray(w.layers) || w.layers.length === 0) throw new RangeError('fromKerasWeights: layers must list at least one recurrent layer');
  const G = GATES[cell];
  const resetAfter = w.resetAfter ?? true;
  const refuseResetBefore = (where: string): never => {
    throw interopError(
      'unsupported-convention',
      `${where}: a Keras GRU with reset_after=False applies the reset gate before the recurrent matmul, which PyTorch's GRU cannot represent exactly; ` +
        'build the Keras layer with GRU(..., reset_after=True) (the default since TF 2) and retrain',
      where,
    );
  };
  if (cell === 'gru' && !resetAfter) refuseResetBefore('fromKerasWeights');
  const out: Record<string, NamedTensor> = {};
  let H = 0;
  w.layers.forEach((layer, l) => {
    const where = `fromKerasWeights: layers[${l}]`;
    const rk = layer?.recurrentKernel;
    if (!rk || !Array.isArray(rk.shape) || rk.shape.length !== 2 || rk.shape[0] <= 0 || rk.shape[1] !== G * rk.shape[0])
      throw interopError(
        'shape-mismatch',
        `${where}.recurrentKernel has shape ${rk?.shape ? shapeText(rk.shape) : 'none'}, expected [H, ${G}*H] for a Keras ${CELL_NAMES[cell]} (${G} gate block${G > 1 ? 's' : ''})`,
        `${where}.recurrentKernel`,
      );
    const hidden = rk.shape[0];
    const inWidth: number = l === 0 ? (layer.kernel?.shape?.[0] ?? 0) : H;
    if (l > 0 && hidden !== H)
      throw interopError('shape-mismatch', `${where}.recurrentKernel is for ${hidden} units but layer 0 has ${H}; a stacked model has one hidden size for all layers`, `${where}.recurrentKernel`);
    const kernel = expectShape(`${where}.kernel`, layer.kernel, [inWidth, G * hidden], `[input, ${G}*H]${l > 0 ? `: layer ${l} reads layer ${l - 1}'s ${H} outputs` : ''}`);
    expectShape(`${where}.recurrentKernel`, rk, [hidden, G * hidden], `[H, ${G}*H]`);
    let bIh: Float32Array = new Float32Array(G * hidden);
    let bHh: Float32Array = new Float32Array(G * hidden);
    if (layer.bias) {
      if (cell === 'gru') {
        if (layer.bias.shape.length === 1 && layer.bias.shape[0] === G * hidden) refuseResetBefore(`${where}.bias`);
        const b = expectShape(`${where}.bias`, layer.bias, [2, G * hidden], 'GRU reset_after=True: [2, 3*H], input bias then recurrent bias');
        bIh = reorderBias(b.data.subarray(0, G * hidden), hidden, cell);
        bHh = reorderBias(b.data.subarray(G * hidden), hidden, cell);
      } else {
        // Keras has one bias; it goes to b_ih and b_hh stays 0 (the sum is what both frameworks use).
        bIh = reorderBias(expectShape(`${where}.bias`, layer.bias, [G * hidden], `[${G}*H]`).data, hidden, cell);
      }
    }
    out[`rnn.weight_ih_l${l}`] = { shape: [G * hidden, inWidth], data: kernelToTorch(kernel.data, inWidth, hidden, cell) };
    out[`rnn.weight_hh_l${l}`] = { shape: [G * hidden, hidden], data: kernelToTorch(rk.data, hidden, hidden, cell) };
    out[`rnn.bias_ih_l${l}`] = { shape: [G * hidden], data: bIh };
    out[`rnn.bias_hh_l${l}`] = { shape: [G * hidden], data: bHh };
    H = hidden;
  });
  if (w.dense) {
    const k = w.dense.kernel;
    if (!k || !Array.isArray(k.shape) || k.shape.length !== 2)
      throw interopError('shape-mismatch', `fromKerasWeights: dense.kernel must have shape [${H}, outputs], got ${k?.shape ? shapeText(k.shape) : 'none'}`, 'dense.kernel');
    const outputs = k.shape[1];
    expectShape('fromKerasWeights: dense.kernel', k, [H, outputs], `[H, outputs]: it reads the last recurrent layer's ${H} outputs`);
    const weight = new Float32Array(outputs * H);
    for (let o = 0; o < outputs; o++) for (let j = 0; j < H; j++) weight[o * H + j] = k.data[j * outputs + o];
    const bias = w.dense.bias ? expectShape('fromKerasWeights: dense.bias', w.dense.bias, [outputs], '[outputs]').data.slice() : new Float32Array(outputs);
    out['head.weight'] = { shape: [outputs, H], data: weight };
    out['head.bias'] = { shape: [outputs], data: bias };
  }
  return out;
}

/**
 * SequenceModel options matching Keras weights (SimpleRNN with activation='relu' needs
 * `nonlinearity: 'relu'` added). Without a Dense layer there is no head to load: give the model
 * a head yourself and load the recurrent part through `model.recurrent.loadStateDict`.
 */
export function kerasModelOptions(w: KerasWeights): SequenceModelOptions {
  const sd = fromKerasWeights(w);
  const heads: HeadOptions[] | undefined = sd['head.weight'] ? [{ outputs: sd['head.weight'].shape[0] }] : undefined;
  return {
    cell: w.cell,
    inputSize: sd['rnn.weight_ih_l0'].shape[1],
    hiddenSize: sd['rnn.weight_hh_l0'].shape[1],
    numLayers: w.layers.length,
    heads,
  };
}

/**
 * Keras weights from a PyTorch-layout state dict (a SequenceModel's stateDict(), or PyTorch's with
 * 'rnn.' and 'head.' prefixes). LSTM and SimpleRNN have one bias in Keras: it gets b_ih + b_hh.
 */
export function toKerasWeights(stateDict: Record<string, NamedTensor>): KerasWeights {
  const where = 'toKerasWeights';
  const hh = stateDict['rnn.weight_hh_l0'];
  if (!hh || hh.shape.length !== 2 || hh.shape[0] % hh.shape[1] !== 0)
    throw interopError('name-mismatch', `${where}: needs 'rnn.weight_hh_l0' of shape [G*H, H]; got ${hh ? shapeText(hh.shape) : 'no such tensor'}`, 'rnn.weight_hh_l0');
  if ('rnn.weight_ih_l0_reverse' in stateDict)
    throw interopError('unsupported-convention', `${where}: bidirectional models are not converted (Keras wraps them in a Bidirectional layer); export a unidirectional model`, 'rnn.weight_ih_l0_reverse');
  const H = hh.shape[1];
  const G = hh.shape[0] / H;
  const cell = (Object.keys(GATES) as CellKind[]).find((c) => GATES[c] === G);
  if (!cell) throw interopError('shape-mismatch', `${where}: rnn.weight_hh_l0 has ${G} gate blocks; expected 4 (LSTM), 3 (GRU) or 1 (RNN)`, 'rnn.weight_hh_l0');
  const layers: KerasRecurrentLayer[] = [];
  for (let l = 0; `rnn.weight_ih_l${l}` in stateDict; l++) {
    const inWidth = l === 0 ? stateDict['rnn.weight_ih_l0'].shape[1] : H;
    const ih = expectShape(`${where}: rnn.weight_ih_l${l}`, stateDict[`rnn.weight_ih_l${l}`], [G * H, inWidth], `[${G}*H, input]`);
    const rh = expectShape(`${where}: rnn.weight_hh_l${l}`, stateDict[`rnn.weight_hh_l${l}`], [G * H, H], `[${G}*H, H]`);
    const bIh = expectShape(`${where}: rnn.bias_ih_l${l}`, stateDict[`rnn.bias_ih_l${l}`], [G * H], `[${G}*H]`).data;
    const bHh = expectShape(`${where}: rnn.bias_hh_l${l}`, stateDict[`rnn.bias_hh_l${l}`], [G * H], `[${G}*H]`).data;
    let bias: NamedTensor;
    if (cell === 'gru') {
      const data = new Float32Array(2 * G * H);
      data.set(reorderBias(bIh, H, cell), 0);
      data.set(reorderBias(bHh, H, cell), G * H);
      bias = { shape: [2, G * H], data };
    } else {
      const sum = Float32Array.from(bIh, (v, i) => v + bHh[i]);
      bias = { shape: [G * H], data: reorderBias(sum, H, cell) };
    }
    layers.push({
      kernel: { shape: [inWidth, G * H], data: kernelToKeras(ih.data, inWidth, H, cell) },
      recurrentKernel: { shape: [H, G * H], data: kernelToKeras(rh.data, H, H, cell) },
      bias,
    });
  }
  const result: KerasWeights = { cell, layers, ...(cell === 'gru' ? { resetAfter: true } : {}) };
  const hw = stateDict['head.weight'];
  if (hw) {
    const outputs = hw.shape[0];
    expectShape(`${where}: head.weight`, hw, [outputs, H], '[outputs, H]');
    const b = expectShape(`${where}: head.bias`, stateDict['head.bias'], [outputs], '[outputs]');
    const kernel = new Float32Array(H * outputs);
    for (let o = 0; o < outputs; o++) for (let j = 0; j < H; j++) kernel[j * outputs + o] = hw.data[o * H + j];
    result.dense = { kernel: { shape: [H, outputs], data: kernel }, bias: { shape: [outputs], data: b.data.slice() } };
  }
  return result;
}

/**
 * Keras weights from a safetensors file named `<layer>/kernel`, `<layer>/recurrent_kernel`,
 * `<layer>/bias` (the snippet at the top of this file writes them). Layers are taken in the order of
 * the `keras.layers` metadata entry, else in the file's order; a layer without a recurrent kernel is
 * the Dense head and must come last.
 */
export function kerasWeightsFromSafetensors(file: SafetensorsFile, opts: { resetAfter?: boolean } = {}): KerasWeights {
  const where = 'kerasWeightsFromSafetensors';
  const byLayer = new Map<string, Record<string, NamedTensor>>();
  for (const [name, t] of Object.entries(file.tensors)) {
    const slash = name.lastIndexOf('/');
    if (slash <= 0) throw interopError('name-mismatch', `${where}: tensor '${name}' is not named '<layer>/<weight>' (e.g. 'lstm/kernel')`, name);
    const layer = name.slice(0, slash);
    const part = name.slice(slash + 1);
    if (!['kernel', 'recurrent_kernel', 'bias'].includes(part))
      throw interopError('name-mismatch', `${where}: tensor '${name}': expected 'kernel', 'recurrent_kernel' or 'bias' after '${layer}/'`, name);
    if (!byLayer.has(layer)) byLayer.set(layer, {});
    byLayer.get(layer)![part] = { shape: t.shape, data: t.data };
  }
  const listed = file.metadata['keras.layers'];
  const order = listed ? listed.split(',') : [...byLayer.keys()];
  for (const name of order)
    if (!byLayer.has(name)) throw interopError('name-mismatch', `${where}: metadata keras.layers lists '${name}' but the file has no '${name}/kernel'`, `${name}/kernel`);
  const unlisted = [...byLayer.keys()].filter((k) => !order.includes(k));
  if (unlisted.length) throw interopError('name-mismatch', `${where}: layers ${unlisted.join(', ')} are not listed in metadata keras.layers`, `${unlisted[0]}/kernel`);
  const layers: KerasRecurrentLayer[] = [];
  let dense: KerasDense | undefined;
  let cell: CellKind | undefined;
  order.forEach((name, i) => {
    const p = byLayer.get(name)!;
    if (!p.kernel) throw interopError('name-mismatch', `${where}: layer '${name}' has no '${name}/kernel'`, `${name}/kernel`);
    if (!p.recurrent_kernel) {
      if (i !== order.length - 1)
        throw interopError('name-mismatch', `${where}: layer '${name}' has no recurrent_kernel, so it is read as the Dense head, but it is not the last layer`, `${name}/kernel`);
      dense = { kernel: p.kernel, bias: p.bias };
      return;
    }
    const [rows, cols] = p.recurrent_kernel.shape;
    const G = cols / rows;
    const c = (Object.keys(GATES) as CellKind[]).find((k) => GATES[k] === G);
    if (!c) throw interopError('shape-mismatch', `${where}: '${name}/recurrent_kernel' has shape ${shapeText(p.recurrent_kernel.shape)}: not [H, G*H] with G = 4 (LSTM), 3 (GRU) or 1 (SimpleRNN)`, `${name}/recurrent_kernel`);
    if (cell && c !== cell) throw interopError('unsupported-convention', `${where}: layer '${name}' is a ${CELL_NAMES[c]} after ${CELL_NAMES[cell]} layers; one model has one cell kind`, `${name}/recurrent_kernel`);
    cell = c;
    layers.push({ kernel: p.kernel, recurrentKernel: p.recurrent_kernel, bias: p.bias });
  });
  if (!cell) throw interopError('name-mismatch', `${where}: the file has no recurrent layer (no '<layer>/recurrent_kernel')`);
  return { cell, layers, dense, ...(opts.resetAfter !== undefined ? { resetAfter: opts.resetAfter } : {}) };
}

/**
 * Keras weights as safetensors tensors named like the layers of a Keras model built in the same order
 * (`lstm/kernel`, `lstm_1/recurrent_kernel`, `dense/bias`, ...) and the `keras.layers` metadata entry,
 * ready for writeSafetensors; kerasWeightsFromSafetensors reads them back.
 */
export function kerasWeightsToTensors(w: KerasWeights): [Record<string, NamedTensor>, Record<string, string>] {
  const base = { lstm: 'lstm', gru: 'gru', rnn: 'simple_rnn' }[w.cell];
  const tensors: Record<string, NamedTensor> = {};
  const names: string[] = [];
  w.layers.forEach((l, i) => {
    const name = i === 0 ? base : `${base}_${i}`;
    names.push(name);
    tensors[`${name}/kernel`] = l.kernel;
    tensors[`${name}/recurrent_kernel`] = l.recurrentKernel;
    if (l.bias) tensors[`${name}/bias`] = l.bias;
  });
  if (w.dense) {
    names.push('dense');
    tensors['dense/kernel'] = w.dense.kernel;
    if (w.dense.bias) tensors['dense/bias'] = w.dense.bias;
  }
  return [tensors, { 'keras.layers': names.join(',') }];
}
