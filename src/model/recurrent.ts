// One recurrent layer object for LSTM, GRU and plain RNN cells, stacked and optionally
// bidirectional, with inter-layer dropout and variable-length batches, in the semantics of PyTorch's
// nn.LSTM / nn.GRU / nn.RNN(batch_first=True) (lengths: as a packed sequence). It runs on either
// backend. The user sees batch-first (B, T, I) arrays; inside, everything is time-major in one
// workspace planned per (batchSize, seqLen) and reused while the shape is unchanged.
import { NonFiniteError, ShapeError } from '../errors.js';
import type { Backend, F32Buffer, Nonlinearity } from '../backend/types.js';
import { loadBackend, type BackendOptions } from '../backend/select.js';
import { backwardChunkSteps, CELL_KINDS, forwardScratch, GATES, type CellKind } from '../layout/cells.js';
import { paramLayout, type ParamLayout } from '../layout/params.js';
import { Workspace } from '../layout/workspace.js';
import { directionSlice, planStack, SHARED_SCRATCH } from '../layout/stack.js';
import { Rng } from '../random.js';
import { INIT_SCHEMES, initialize, type InitScheme } from './init.js';
import { runCellBackward, runCellForward, type CellRun, type DirectionParams } from './cell-kernels.js';
import {
  convertLayout, deinterleaveDirection, gatherLastSteps, gatherRows, interleaveDirection, reverseRowMap, scatterAddRows,
  scatterLastSteps,
} from './time-layout.js';
import { allFinite } from './finite.js';

export interface RecurrentOptions {
  cell: CellKind;
  inputSize: number;
  hiddenSize: number;
  numLayers?: number;
  bidirectional?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode only (as PyTorch). */
  dropout?: number;
  /** Plain RNN only: 'tanh' (default) or 'relu'. */
  nonlinearity?: Nonlinearity;
  /** Seeds the initialization and the dropout masks. */
  seed?: number;
  /** 'pytorch' (default: uniform ±1/sqrt(H)), 'xavier' or 'orthogonal'; see model/init.ts. */
  init?: InitScheme;
}

export interface ForwardOptions {
  batchSize: number;
  seqLen: number;
  /** Initial states, (numLayers * directions, batchSize, hiddenSize) as in PyTorch; default zeros. */
  h0?: Float32Array;
  /** LSTM only, given together with h0. */
  c0?: Float32Array;
  /**
   * Valid steps of each sequence (batchSize values in [1, seqLen]); the rest is padding. Results
   * equal PyTorch's on a packed sequence: padded outputs are 0 and hN/cN are each row's last valid state.
   */
  lengths?: ArrayLike<number>;
  /** Training mode: dropout active. Default false (inference). */
  training?: boolean;
  /**
   * Inference only, as under PyTorch's torch.no_grad(): nothing is saved for backward(), which then
   * refuses to run. The outputs are bit-identical; LSTM and GRU skip writing and re-reading every
   * step's gates (faster at mid-sized shapes, bench/NOTES.md). Default false.
   */
  noGrad?: boolean;
  /**
   * 'all' (default): the output at every step, (B, T, D*H). 'last': only each row's last valid step,
   * (B, D*H) (for a bidirectional layer the reverse direction's output there, as PyTorch's
   * output[b, len-1]), sparing the full-sequence copy; backward() then takes dOutput of that shape.
   */
  output?: 'all' | 'last';
  /**
   * (B, T, D*H) array ((B, D*H) with output 'last') to write the output into (and return) instead of a new one. Reusing one across
   * calls spares the page faults of fresh memory, which cost more than the forward pass itself at
   * mid-sized shapes on some machines (bench/NOTES.md).
   */
  out?: Float32Array;
}

export interface RecurrentOutput {
  output: Float32Array; // (B, T, D*H), or (B, D*H) with output 'last'
  hN: Float32Array; // (L*D, B, H)
  cN: Float32Array | null; // (L*D, B, H), LSTM only
}

export interface BackwardOptions {
  /**
   * dL/d(output), (B, T, D*H), or (B, D*H) when forward() ran with output 'last'; omitted means zero
   * (for example when only hN feeds the loss).
   */
  dOutput?: Float32Array;
  /** dL/d(hN), dL/d(cN), (L*D, B, H); omitted means zero. */
  dhN?: Float32Array;
  dcN?: Float32Array;
  /** (B, T, I) array to write dx into (and return) instead of a new one; see ForwardOptions.out. */
  dxOut?: Float32Array;
  /** false: skip dL/dx (training needs only the parameter gradients): dx is then null. Default true. */
  inputGrad?: boolean;
}

export interface InputGrads {
  dx: Float32Array; // (B, T, I)
  /** Present when forward() was given initial states. */
  dh0: Float32Array | null;
  dc0: Float32Array | null;
}

/** A tensor in PyTorch's state_dict form: flat row-major data and its shape. */
export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

const STATE_SHAPE = 'numLayers * directions * batchSize * hiddenSize';

function positiveInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
    throw new RangeError(`${name} must be a positive integer, got ${String(v)}`);
  return v;
}

function checkArray(where: string, name: string, a: unknown, n: number, shape: string): Float32Array {
  if (!(a instanceof Float32Array))
    throw new TypeError(`${where}: ${name} must be a Float32Array, got ${(a as object)?.constructor?.name ?? typeof a}`);
  if (a.length !== n) throw new ShapeError(`${where}: ${name} must have ${shape} = ${n} elements, got ${a.length}`);
  return a;
}

/** Finite everywhere, or (with lengths) at every valid step of x (B, T, W); padding may hold anything. */
function checkFinite(where: string, name: string, a: Float32Array, rows?: { B: number; T: number; lengths: Int32Array }): void {
  if (allFinite(a)) return; // the common case, fast; the loop below finds what to report
  const W = rows ? a.length / (rows.B * rows.T) : 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isFinite(a[i])) continue;
    if (rows && Math.floor(i / W) % rows.T >= rows.lengths[Math.floor(i / W / rows.T)]) continue;
    throw new NonFiniteError(`${where}: ${name}[${i}] is ${a[i]}; inputs must be finite (fill or mask missing values first)`);
  }
}

/**
 * Steps [t0, t0 + n) of a direction's run (n at most one backward chunk): the same buffers, offset to
 * those steps, T = n; the backward chunk scratch holds exactly the n steps of this one chunk.
 */
function stepRange(r: CellRun, t0: number, n: number): CellRun {
  const { B, I, H } = r.dims;
  const perStep: Record<string, number> = { h: B * H, c: B * H, hn: B * H, gates: B * GATES[r.cell] * H };
  const chunk: Record<string, number> = { dgates: B * GATES[r.cell] * H, dgates_hn: B * H };
  return {
    ...r,
    dims: { ...r.dims, T: n },
    x: r.x.sub(t0 * B * I, n * B * I),
    slice: (name) =>
      name in perStep ? r.slice(name).sub(t0 * perStep[name], n * perStep[name])
      : name in chunk ? r.slice(name).sub(0, n * chunk[name])
      : r.slice(name),
  };
}

function outputMode(where: string, v: unknown): 'all' | 'last' {
  if (v === undefined || v === 'all' || v === 'last') return v ?? 'all';
  throw new RangeError(`${where}: output must be 'all' or 'last', got '${String(v)}'`);
}

function checkLengths(where: string, lengths: ArrayLike<number>, B: number, T: number): Int32Array {
  if (lengths.length !== B) throw new ShapeError(`${where}: lengths must have batchSize = ${B} elements, got ${lengths.length}`);
  const out = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const v = lengths[b];
    if (!Number.isInteger(v) || v < 1 || v > T)
      throw new RangeError(`${where}: lengths[${b}] must be an integer in [1, seqLen=${T}], got ${v}`);
    out[b] = v;
  }
  return out;
}

/** What the last forward() was given and produced, for backward(). */
interface ForwardState {
  B: number;
  T: number;
  hasInitial: boolean;
  lengths: Int32Array | null;
  /** Reverse-direction row map (D = 2 only). */
  revMap: Int32Array | null;
  /** Dropout was applied between layers. */
  dropped: boolean;
  /** Ran with noGrad: nothing saved, backward() refuses. */
  noGrad: boolean;
  /** Each row's last valid step only: dOutput is (B, D*H). */
  lastOnly: boolean;
}

export class Recurrent {
  readonly cell: CellKind;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bidirectional: boolean;
  readonly dropout: number;
  readonly nonlinearity: Nonlinearity;
  readonly layout: ParamLayout;
  /** All parameters in one flat buffer (layout.entries give names, shapes and offsets). */
  readonly params: F32Buffer;
  /** Gradients in the same layout; backward() accumulates, zeroGrad() clears. */
  readonly grads: F32Buffer;

  private ws: Workspace | null = null;
  private shape: { B: number; T: number } | null = null;
  private last: ForwardState | null = null;
  private readonly dropoutRng: Rng;
  /** False when a model lends the parameter and gradient buffers (one flat buffer for the whole model). */
  private readonly ownsBuffers: boolean;
  private disposed = false;

  static async create(opts: RecurrentOptions & BackendOptions): Promise<Recurrent> {
    return new Recurrent(opts, await loadBackend(opts));
  }

  /**
   * @param buffers Parameter and gradient buffers of `paramLayout(...).total` floats to use instead of
   *   allocating them: a model places every parameter in one flat buffer so one optimizer call updates all.
   */
  constructor(
    opts: RecurrentOptions,
    readonly backend: Backend,
    buffers?: { params: F32Buffer; grads: F32Buffer },
  ) {
    if (!CELL_KINDS.includes(opts?.cell))
      throw new RangeError(`cell must be one of ${CELL_KINDS.map((c) => `'${c}'`).join(', ')}, got '${String(opts?.cell)}'`);
    this.cell = opts.cell;
    this.inputSize = positiveInt('inputSize', opts.inputSize);
    this.hiddenSize = positiveInt('hiddenSize', opts.hiddenSize);
    this.numLayers = positiveInt('numLayers', opts.numLayers ?? 1);
    this.bidirectional = opts.bidirectional ?? false;
    this.dropout = opts.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new RangeError(`dropout must be in [0, 1), got ${opts.dropout}`);
    if (this.dropout > 0 && this.numLayers === 1)
      throw new RangeError(
        `dropout=${this.dropout} would have no effect: it applies between stacked layers (numLayers >= 2), as in PyTorch`,
      );
    if (opts.nonlinearity !== undefined && this.cell !== 'rnn')
      throw new RangeError(`nonlinearity applies to cell 'rnn' only, not '${this.cell}'`);
    this.nonlinearity = opts.nonlinearity ?? 'tanh';
    if (this.nonlinearity !== 'tanh' && this.nonlinearity !== 'relu')
      throw new RangeError(`nonlinearity must be 'tanh' or 'relu', got '${String(this.nonlinearity)}'`);
    this.layout = paramLayout({
      cell: this.cell,
      inputSize: this.inputSize,
      hiddenSize: this.hiddenSize,
      numLayers: this.numLayers,
      bidirectional: this.bidirectional,
    });
    if (buffers && (buffers.params.length !== this.layout.total || buffers.grads.length !== this.layout.total))
      throw new ShapeError(
        `Recurrent: lent buffers must have ${this.layout.total} floats, got ${buffers.params.length} and ${buffers.grads.length}`,
      );
    this.ownsBuffers = !buffers;
    this.params = buffers?.params ?? backend.alloc(this.layout.total);
    this.grads = buffers?.grads ?? backend.alloc(this.layout.total);
    const seed = opts.seed ?? 0;
    this.dropoutRng = new Rng(seed ^ 0x5eed0d0d);
    this.resetParameters(seed, opts.init ?? 'pytorch');
  }

  get directions(): 1 | 2 {
    return this.bidirectional ? 2 : 1;
  }

  /** Re-initializes every parameter; the default is PyTorch's uniform(-1/sqrt(H), 1/sqrt(H)). */
  resetParameters(seed: number, scheme: InitScheme = 'pytorch'): void {
    if (!INIT_SCHEMES.includes(scheme))
      throw new RangeError(`init must be one of ${INIT_SCHEMES.map((s) => `'${s}'`).join(', ')}, got '${String(scheme)}'`);
    initialize(this.params.array, this.layout, this.hiddenSize, scheme, new Rng(seed));
  }

  // ---- parameters

  private directionParams(l: number, d: number, buffer: F32Buffer): DirectionParams {
    const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
    const view = (kind: string): F32Buffer => {
      const e = this.layout.byName.get(kind + sfx)!;
      return buffer.sub(e.offset, e.length);
    };
    return { w_ih: view('weight_ih'), w_hh: view('weight_hh'), b_ih: view('bias_ih'), b_hh: view('bias_hh') };
  }

  /** Copies of every parameter under PyTorch's state_dict keys. */
  stateDict(): Record<string, NamedTensor> {
    return this.namedCopies(this.params);
  }

  /** Copies of every parameter gradient under the same keys. */
  gradDict(): Record<string, NamedTensor> {
    return this.namedCopies(this.grads);
  }

  private namedCopies(buffer: F32Buffer): Record<string, NamedTensor> {
    const out: Record<string, NamedTensor> = {};
    for (const e of this.layout.entries)
      out[e.name] = { shape: [...e.shape], data: buffer.array.slice(e.offset, e.offset + e.length) };
    return out;
  }

  private describe(): string {
    return (
      `${this.cell.toUpperCase()}(inputSize=${this.inputSize}, hiddenSize=${this.hiddenSize}, ` +
      `numLayers=${this.numLayers}, bidirectional=${this.bidirectional})`
    );
  }

  /**
   * Loads parameters by PyTorch state_dict key. Every key must be present with its exact size and
   * finite values; nothing is loaded unless everything checks.
   */
  loadStateDict(dict: Record<string, NamedTensor | Float32Array | ArrayLike<number>>): void {
    this.assertUsable();
    const where = 'loadStateDict';
    const unexpected = Object.keys(dict).filter((k) => !this.layout.byName.has(k));
    const missing = this.layout.entries.filter((e) => !(e.name in dict)).map((e) => e.name);
    if (unexpected.length || missing.length)
      throw new ShapeError(
        `${where}: keys do not match an ${this.describe()}` +
          (missing.length ? `; missing: ${missing.join(', ')}` : '') +
          (unexpected.length ? `; unexpected: ${unexpected.join(', ')}` : ''),
      );
    const staged: Array<[number, Float32Array]> = [];
    for (const e of this.layout.entries) {
      const v = dict[e.name];
      const named = typeof v === 'object' && v !== null && 'shape' in v && 'data' in v;
      if (named && (v as NamedTensor).shape.join(',') !== e.shape.join(','))
        throw new ShapeError(`${where}: ${e.name} must have shape [${e.shape}], got [${(v as NamedTensor).shape}]`);
      const data = Float32Array.from(named ? (v as NamedTensor).data : (v as ArrayLike<number>));
      checkArray(where, e.name, data, e.length, `[${e.shape.join(' * ')}]`);
      checkFinite(where, e.name, data);
      staged.push([e.offset, data]);
    }
    for (const [offset, data] of staged) this.params.array.set(data, offset);
  }

  zeroGrad(): void {
    this.grads.array.fill(0);
  }

  // ---- workspace

  private sliceName(l: number, d: number, slice: string): string {
    return directionSlice(l, d, slice);
  }

  /** One arena for the whole stack at this (B, T); re-planned only when the shape changes. */
  private workspace(B: number, T: number): Workspace {
    if (this.ws && this.shape && this.shape.B === B && this.shape.T === T) return this.ws;
    this.ws?.dispose();
    this.ws = null;
    const { plan, lazy } = planStack(this, B, T);
    this.ws = new Workspace(this.backend, plan, lazy);
    this.shape = { B, T };
    return this.ws;
  }

  /** Layer l's output (T, B, D*H), before dropout. */
  private layerOutput(ws: Workspace, l: number): F32Buffer {
    return this.directions === 2 ? ws.view(`l${l}.out`) : ws.view(this.sliceName(l, 0, 'h'));
  }

  /** The gradient on layer l's output (T, B, D*H). */
  private layerOutputGrad(ws: Workspace, l: number): F32Buffer {
    return this.directions === 2 ? ws.view(`l${l}.dout`) : ws.view(this.sliceName(l, 0, 'dh'));
  }

  /** What layer l reads: the input, or the layer below's output (after dropout when it ran). */
  private layerInput(ws: Workspace, l: number, dropped: boolean): F32Buffer {
    if (l === 0) return ws.view('x');
    return dropped ? ws.view(`l${l - 1}.drop`) : this.layerOutput(ws, l - 1);
  }

  private run(ws: Workspace, l: number, d: number, st: ForwardState): CellRun {
    const { B, T, hasInitial, lengths, dropped } = st;
    const H = this.hiddenSize;
    const D = this.directions;
    const state = (name: string): F32Buffer | null => (hasInitial ? ws.view(name).sub((l * D + d) * B * H, B * H) : null);
    const dims = { T, B, I: l === 0 ? this.inputSize : D * H, H };
    return {
      cell: this.cell,
      nonlinearity: this.nonlinearity,
      // w_t is one scratch for the whole stack (layout/stack.ts): this layer's share of it.
      slice: (s) => (s === SHARED_SCRATCH ? ws.view(s).sub(0, forwardScratch(this.cell, dims)) : ws.view(this.sliceName(l, d, s))),
      x: d === 1 ? ws.view(this.sliceName(l, 1, 'x_rev')) : this.layerInput(ws, l, dropped),
      lengths,
      h0: state('h0'),
      c0: this.cell === 'lstm' ? state('c0') : null,
      params: this.directionParams(l, d, this.params),
      dims,
    };
  }

  // ---- forward and backward

  forward(x: Float32Array, opts: ForwardOptions): RecurrentOutput {
    this.assertUsable();
    const where = `${this.cell.toUpperCase()}.forward`;
    const B = positiveInt(`${where}: batchSize`, opts?.batchSize);
    const T = positiveInt(`${where}: seqLen`, opts?.seqLen);
    const { inputSize: I, hiddenSize: H, numLayers: L } = this;
    const D = this.directions;
    const isLstm = this.cell === 'lstm';
    const lengths = opts.lengths === undefined ? null : checkLengths(where, opts.lengths, B, T);
    checkArray(where, 'x', x, B * T * I, 'batchSize * seqLen * inputSize');
    checkFinite(where, 'x', x, lengths ? { B, T, lengths } : undefined);
    if (isLstm && (opts.h0 === undefined) !== (opts.c0 === undefined))
      throw new TypeError(`${where}: give both h0 and c0, or neither (PyTorch's LSTM takes them as a pair)`);
    if (!isLstm && opts.c0 !== undefined) throw new TypeError(`${where}: c0 is for LSTM cells only; a ${this.cell.toUpperCase()} has no cell state`);
    const lastOnly = outputMode(where, opts.output) === 'last';
    if (opts.out !== undefined)
      checkArray(where, 'out', opts.out, (lastOnly ? 1 : T) * B * D * H, lastOnly ? 'batchSize * directions * hiddenSize' : 'batchSize * seqLen * directions * hiddenSize');
    const hasInitial = opts.h0 !== undefined;
    if (hasInitial) {
      checkFinite(where, 'h0', checkArray(where, 'h0', opts.h0, L * D * B * H, STATE_SHAPE));
      if (isLstm) checkFinite(where, 'c0', checkArray(where, 'c0', opts.c0, L * D * B * H, STATE_SHAPE));
    }

    const ws = this.workspace(B, T);
    const dropped = (opts.training ?? false) && this.dropout > 0;
    const noGrad = opts.noGrad ?? false;
    const st: ForwardState = { B, T, hasInitial, lengths, revMap: D === 2 ? reverseRowMap(T, B, lengths) : null, dropped, noGrad, lastOnly };
    // Padded steps become zeros: whatever they held (NaN included) never reaches a product.
    this.convertLayout(ws.view('x').array, x, B, T, I, false, lengths);
    if (hasInitial) {
      ws.view('h0').array.set(opts.h0!);
      if (isLstm) ws.view('c0').array.set(opts.c0!);
    }
    const hN = new Float32Array(L * D * B * H);
    const cN = isLstm ? new Float32Array(L * D * B * H) : null;
    for (let l = 0; l < L; l++) {
      const W = l === 0 ? I : D * H;
      for (let d = 0; d < D; d++) {
        const r = this.run(ws, l, d, st);
        if (d === 1) gatherRows(r.x.array, this.layerInput(ws, l, dropped).array, st.revMap!, W);
        runCellForward(this.backend, r, noGrad);
        // Padding steps carried each row's state, so the last step holds every row's final state.
        hN.set(r.slice('h').array.subarray((T - 1) * B * H), (l * D + d) * B * H);
        if (cN) cN.set(r.slice('c').array.subarray((T - 1) * B * H), (l * D + d) * B * H);
        if (D === 2) interleaveDirection(ws.view(`l${l}.out`).array, r.slice('h').array, d === 1 ? st.revMap : null, H, d);
      }
      if (dropped && l < L - 1) this.applyDropout(ws, l);
    }
    const top = this.layerOutput(ws, L - 1).array;
    const output = opts.out ?? new Float32Array((lastOnly ? 1 : T) * B * D * H);
    if (lastOnly) gatherLastSteps(output, top, B, T, D * H, lengths);
    else this.convertLayout(top, output, B, T, D * H, true, lengths);
    this.last = st;
    return { output, hN, cN };
  }

  /** drop = out * mask, mask = 0 with probability p, else 1/(1-p) (inverted dropout, as PyTorch). */
  private applyDropout(ws: Workspace, l: number): void {
    const out = this.layerOutput(ws, l).array;
    const drop = ws.view(`l${l}.drop`).array;
    const mask = ws.view(`l${l}.mask`).array;
    const keep = 1 / (1 - this.dropout);
    for (let i = 0; i < out.length; i++) {
      mask[i] = this.dropoutRng.next() < this.dropout ? 0 : keep;
      drop[i] = out[i] * mask[i];
    }
  }

  /**
   * Backpropagation through time for the last forward(). Accumulates parameter gradients into
   * `grads` (as PyTorch's .grad does until zero_grad) and returns the input gradients.
   */
  backward(opts?: BackwardOptions & { inputGrad?: true }): InputGrads;
  backward(opts: BackwardOptions & { inputGrad: false }): Omit<InputGrads, 'dx'> & { dx: null };
  backward(opts: BackwardOptions = {}): Omit<InputGrads, 'dx'> & { dx: Float32Array | null } {
    this.assertUsable();
    const where = `${this.cell.toUpperCase()}.backward`;
    if (!this.last) throw new Error(`${where}: call forward() first; backward() differentiates the last forward()`);
    if (this.last.noGrad)
      throw new Error(`${where}: the last forward() ran with noGrad: true, which saves nothing to differentiate; run forward() without noGrad first`);
    const st = this.last;
    const { B, T, hasInitial, lengths, dropped } = st;
    const { inputSize: I, hiddenSize: H, numLayers: L } = this;
    const D = this.directions;
    const isLstm = this.cell === 'lstm';
    if (opts.dOutput !== undefined) {
      checkArray(where, 'dOutput', opts.dOutput, (st.lastOnly ? 1 : T) * B * D * H,
        st.lastOnly ? "batchSize * directions * hiddenSize (forward ran with output 'last')" : 'batchSize * seqLen * directions * hiddenSize');
      checkFinite(where, 'dOutput', opts.dOutput);
    }
    const inputGrad = opts.inputGrad ?? true;
    if (opts.dhN !== undefined) checkFinite(where, 'dhN', checkArray(where, 'dhN', opts.dhN, L * D * B * H, STATE_SHAPE));
    if (opts.dcN !== undefined) {
      if (!isLstm) throw new TypeError(`${where}: dcN is for LSTM cells only`);
      checkFinite(where, 'dcN', checkArray(where, 'dcN', opts.dcN, L * D * B * H, STATE_SHAPE));
    }
    if (opts.dxOut !== undefined) checkArray(where, 'dxOut', opts.dxOut, B * T * I, 'batchSize * seqLen * inputSize');

    const ws = this.workspace(B, T);
    if (opts.dhN) ws.view('dhN').array.set(opts.dhN);
    if (opts.dcN) ws.view('dcN').array.set(opts.dcN);
    ws.zero('dh0');
    if (isLstm) ws.zero('dc0');
    const slot = (name: string, l: number, d: number): F32Buffer => ws.view(name).sub((l * D + d) * B * H, B * H);

    // Every row's last step is step T-1 of the one direction: the gradient on it enters the top
    // layer as a final-state gradient (dhT, with any dhN), and its per-step dh is never read.
    const viaFinalState = st.lastOnly && D === 1 && !lengths;
    // (Only other paths view the top layer's per-step gradient: it may be an on-demand slice.)
    const top = (): F32Buffer => this.layerOutputGrad(ws, L - 1);
    if (viaFinalState) {
      if (opts.dOutput) {
        const dhT = slot('dhN', L - 1, 0).array;
        if (opts.dhN) for (let i = 0; i < dhT.length; i++) dhT[i] += opts.dOutput[i];
        else dhT.set(opts.dOutput);
      }
    } else if (opts.dOutput && st.lastOnly) {
      top().array.fill(0);
      scatterLastSteps(top().array, opts.dOutput, B, T, D * H, lengths);
    } else if (opts.dOutput) this.convertLayout(top().array, opts.dOutput, B, T, D * H, false, lengths);
    else top().array.fill(0);
    const topFinal = viaFinalState && (opts.dOutput || opts.dhN);

    if (D === 1 && !lengths) this.backwardByChunks(ws, st, { ...opts, inputGrad }, viaFinalState, !!topFinal);
    else for (let l = L - 1; l >= 0; l--) {
      const W = l === 0 ? I : D * H;
      // The gradient on this layer's input: the layer below's output gradient, or layer 0's dx.
      const dInput = l === 0 ? null : this.layerOutputGrad(ws, l - 1);
      for (let d = 0; d < D; d++) {
        const r = this.run(ws, l, d, st);
        if (D === 2) deinterleaveDirection(r.slice('dh').array, ws.view(`l${l}.dout`).array, d === 1 ? st.revMap : null, H, d);
        // One direction: the kernel accumulates dx straight into the layer below's output gradient.
        const direct = dInput !== null && D === 1;
        const dx = l === 0 && !inputGrad ? null : direct ? dInput : r.slice('dx');
        dx?.array.fill(0);
        runCellBackward(this.backend, r, {
          dx,
          dh0: hasInitial ? slot('dh0', l, d) : null,
          dc0: hasInitial && isLstm ? slot('dc0', l, d) : null,
          dhT: opts.dhN || (l === L - 1 && topFinal) ? slot('dhN', l, d) : null,
          ...(l === L - 1 && viaFinalState ? { dh: null } : {}),
          dcT: opts.dcN ? slot('dcN', l, d) : null,
          grads: this.directionParams(l, d, this.grads),
        });
        if (dInput && !direct) {
          if (d === 0) dInput.array.set(dx!.array);
          else scatterAddRows(dInput.array, dx!.array, st.revMap!, W);
        }
      }
      if (dInput && dropped) {
        // forward: drop = out * mask  =>  dout = ddrop * mask
        const mask = ws.view(`l${l - 1}.mask`).array;
        const g = dInput.array;
        for (let i = 0; i < g.length; i++) g[i] *= mask[i];
      }
    }
    // Layer 0's input gradient: both directions summed, batch-first.
    let dx: Float32Array | null = null;
    if (inputGrad) {
      const dx0 = ws.view(this.sliceName(0, 0, 'dx')).array;
      if (D === 2) scatterAddRows(dx0, ws.view(this.sliceName(0, 1, 'dx')).array, st.revMap!, I);
      dx = opts.dxOut ?? new Float32Array(B * T * I);
      this.convertLayout(dx0, dx, B, T, I, true, lengths);
    }
    return {
      dx,
      dh0: hasInitial ? ws.view('dh0').array.slice() : null,
      dc0: hasInitial && isLstm ? ws.view('dc0').array.slice() : null,
    };
  }

  /**
   * Backward of a one-direction stack without lengths, chunk of steps by chunk (kernels.h
   * backward_chunk_steps, the kernels' own chunks), from the last chunk to the first and in each
   * from the top layer down: a layer's dx for the chunk is the gradient the layer below reads next,
   * so only one chunk of it is ever held, and each layer carries its (dh, dc) to the earlier chunk
   * as a final-state gradient. The same products in the same order as one call per layer over all
   * steps (native: bit-identical; WASM's weight-gradient products group sums by blocks of steps, so
   * it agrees to float32 rounding), without a (T, B, H) gradient per layer.
   */
  private backwardByChunks(ws: Workspace, st: ForwardState, opts: BackwardOptions, viaFinalState: boolean, topFinal: boolean): void {
    const { B, T, hasInitial, dropped } = st;
    const { inputSize: I, hiddenSize: H, numLayers: L } = this;
    const isLstm = this.cell === 'lstm';
    const Tc = backwardChunkSteps(T, B);
    const state = (name: string, l: number): F32Buffer => ws.view(name).sub(l * B * H, B * H);
    // carry[l]: [dh in, dh out, dc in, dc out], each (B, H); in and out swap after every chunk.
    const carry = Array.from({ length: L }, (_, l) => [0, 1, 2, 3].map((k) => ws.view(`l${l}.carry`).sub(k * B * H, B * H)));
    const runs = Array.from({ length: L }, (_, l) => this.run(ws, l, 0, st));
    for (let t0 = Math.floor((T - 1) / Tc) * Tc, first = true; t0 >= 0; t0 -= Tc, first = false) {
      const n = Math.min(T, t0 + Tc) - t0;
      for (let l = L - 1; l >= 0; l--) {
        const r = runs[l];
        const W = l === 0 ? I : H;
        const part = stepRange(r, t0, n);
        if (t0 > 0) {
          part.h0 = r.slice('h').sub((t0 - 1) * B * H, B * H);
          part.c0 = isLstm ? r.slice('c').sub((t0 - 1) * B * H, B * H) : null;
        }
        const [dhIn, dhOut, dcIn, dcOut] = carry[l];
        const upstream =
          l < L - 1 ? ws.view(`l${l}.dhc`).sub(0, n * B * H) : viaFinalState ? null : this.layerOutputGrad(ws, l).sub(t0 * B * H, n * B * H);
        const dx = l > 0 ? ws.view(`l${l - 1}.dhc`).sub(0, n * B * W) : opts.inputGrad ? r.slice('dx').sub(t0 * B * I, n * B * I) : null;
        dx?.array.fill(0);
        const last = t0 === 0;
        if (!last) {
          dhOut.array.fill(0);
          if (isLstm) dcOut.array.fill(0);
        }
        runCellBackward(this.backend, part, {
          dx,
          dh: upstream,
          dhT: first ? (opts.dhN || (l === L - 1 && topFinal) ? state('dhN', l) : null) : dhIn,
          dcT: isLstm ? (first ? (opts.dcN ? state('dcN', l) : null) : dcIn) : null,
          dh0: last ? (hasInitial ? state('dh0', l) : null) : dhOut,
          dc0: isLstm ? (last ? (hasInitial ? state('dc0', l) : null) : dcOut) : null,
          grads: this.directionParams(l, 0, this.grads),
        });
        carry[l] = [dhOut, dhIn, dcOut, dcIn];
        if (l > 0 && dropped) {
          // forward: drop = out * mask  =>  dout = ddrop * mask (this chunk's rows)
          const mask = ws.view(`l${l - 1}.mask`).array.subarray(t0 * B * H, (t0 + n) * B * H);
          const g = dx!.array;
          for (let i = 0; i < g.length; i++) g[i] *= mask[i];
        }
      }
    }
  }

  /** Batch-first <-> time-major (time-layout.ts convertLayout), in native code when the backend has it. */
  private convertLayout(tm: Float32Array, bf: Float32Array, B: number, T: number, W: number, toBatch: boolean, lengths: Int32Array | null): void {
    if (this.backend.convertLayout) this.backend.convertLayout(tm, bf, B, T, W, toBatch, lengths);
    else convertLayout(tm, bf, B, T, W, toBatch, lengths);
  }

  /** Releases the workspace and parameters (WASM memory is reused by later allocations). */
  dispose(): void {
    if (this.disposed) return;
    this.ws?.dispose();
    if (this.ownsBuffers) {
      this.backend.free(this.params);
      this.backend.free(this.grads);
    }
    this.ws = null;
    this.disposed = true;
  }

  private assertUsable(): void {
    if (this.disposed) throw new Error(`${this.cell.toUpperCase()}: this layer was disposed; create a new one`);
  }
}
