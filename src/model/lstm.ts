// A stacked, optionally bidirectional LSTM layer in PyTorch's nn.LSTM(batch_first=True) semantics,
// running on either backend. The user sees batch-first (B, T, I) arrays; inside, everything is
// time-major in one workspace planned per (batchSize, seqLen) and reused while the shape is unchanged.
import { NonFiniteError, ShapeError } from '../errors.js';
import type { Backend, F32Buffer } from '../backend/types.js';
import { loadBackend, type BackendOptions } from '../backend/select.js';
import { paramLayout, type ParamLayout } from '../layout/params.js';
import { plan, planLstmDirection, Workspace } from '../layout/workspace.js';
import { Rng } from '../random.js';

export interface LstmOptions {
  inputSize: number;
  hiddenSize: number;
  numLayers?: number;
  bidirectional?: boolean;
  /** Seed of the PyTorch-style uniform(-1/sqrt(H), 1/sqrt(H)) initialization. */
  seed?: number;
}

export interface LstmForwardOptions {
  batchSize: number;
  seqLen: number;
  /** Initial states, (numLayers * directions, batchSize, hiddenSize) as in PyTorch; default zeros. */
  h0?: Float32Array;
  c0?: Float32Array;
}

export interface LstmOutput {
  output: Float32Array; // (B, T, D*H)
  hN: Float32Array; // (L*D, B, H)
  cN: Float32Array; // (L*D, B, H)
}

export interface LstmBackwardOptions {
  /** dL/d(output), (B, T, D*H); omitted means zero (for example when only hN feeds the loss). */
  dOutput?: Float32Array;
  /** dL/d(hN), dL/d(cN), (L*D, B, H); omitted means zero. */
  dhN?: Float32Array;
  dcN?: Float32Array;
}

export interface LstmInputGrads {
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

function positiveInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
    throw new RangeError(`${name} must be a positive integer, got ${String(v)}`);
  return v;
}

function checkArray(where: string, name: string, a: unknown, n: number, shape: string): Float32Array {
  if (!(a instanceof Float32Array))
    throw new TypeError(`${where}: ${name} must be a Float32Array, got ${a?.constructor?.name ?? typeof a}`);
  if (a.length !== n) throw new ShapeError(`${where}: ${name} must have ${shape} = ${n} elements, got ${a.length}`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(a[i]))
      throw new NonFiniteError(`${where}: ${name}[${i}] is ${a[i]}; inputs must be finite (fill or mask missing values first)`);
  }
  return a;
}

interface Shape {
  B: number;
  T: number;
}

export class Lstm {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bidirectional: boolean;
  readonly layout: ParamLayout;
  /** All parameters in one flat buffer (layout.entries give names, shapes and offsets). */
  readonly params: F32Buffer;
  /** Gradients in the same layout; backward() accumulates, zeroGrad() clears. */
  readonly grads: F32Buffer;

  private ws: Workspace | null = null;
  private shape: Shape | null = null;
  /** What the last forward() was given, so backward() knows which inputs it differentiates. */
  private forwardState: { B: number; T: number; hasInitial: boolean } | null = null;
  private disposed = false;

  static async create(opts: LstmOptions & BackendOptions): Promise<Lstm> {
    return new Lstm(opts, await loadBackend(opts));
  }

  constructor(
    opts: LstmOptions,
    readonly backend: Backend,
  ) {
    this.inputSize = positiveInt('inputSize', opts.inputSize);
    this.hiddenSize = positiveInt('hiddenSize', opts.hiddenSize);
    this.numLayers = positiveInt('numLayers', opts.numLayers ?? 1);
    this.bidirectional = opts.bidirectional ?? false;
    this.layout = paramLayout({
      cell: 'lstm',
      inputSize: this.inputSize,
      hiddenSize: this.hiddenSize,
      numLayers: this.numLayers,
      bidirectional: this.bidirectional,
    });
    this.params = backend.alloc(this.layout.total);
    this.grads = backend.alloc(this.layout.total);
    this.resetParameters(opts.seed ?? 0);
  }

  get directions(): 1 | 2 {
    return this.bidirectional ? 2 : 1;
  }

  /** PyTorch's default: every weight and bias uniform in (-1/sqrt(H), 1/sqrt(H)). */
  resetParameters(seed: number): void {
    const rng = new Rng(seed);
    const k = 1 / Math.sqrt(this.hiddenSize);
    const p = this.params.array;
    for (const e of this.layout.entries) for (let i = 0; i < e.length; i++) p[e.offset + i] = rng.uniform(-k, k);
  }

  private paramView(name: string, buffer: F32Buffer = this.params): F32Buffer {
    const e = this.layout.byName.get(name)!;
    return buffer.sub(e.offset, e.length);
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

  /**
   * Loads parameters by PyTorch state_dict key. Every key must be present with its exact size and
   * finite values; nothing is loaded unless everything checks.
   */
  loadStateDict(dict: Record<string, NamedTensor | Float32Array | ArrayLike<number>>): void {
    const where = 'loadStateDict';
    const unexpected = Object.keys(dict).filter((k) => !this.layout.byName.has(k));
    const missing = this.layout.entries.filter((e) => !(e.name in dict)).map((e) => e.name);
    if (unexpected.length || missing.length)
      throw new ShapeError(
        `${where}: keys do not match an LSTM(inputSize=${this.inputSize}, hiddenSize=${this.hiddenSize}, ` +
          `numLayers=${this.numLayers}, bidirectional=${this.bidirectional})` +
          (missing.length ? `; missing: ${missing.join(', ')}` : '') +
          (unexpected.length ? `; unexpected: ${unexpected.join(', ')}` : ''),
      );
    const staged: Array<[number, Float32Array]> = [];
    for (const e of this.layout.entries) {
      const v = dict[e.name];
      const data = v && 'data' in v && 'shape' in v ? v.data : (v as ArrayLike<number>);
      if (v && 'shape' in v && v.shape.join(',') !== e.shape.join(','))
        throw new ShapeError(`${where}: ${e.name} must have shape [${e.shape}], got [${v.shape}]`);
      staged.push([e.offset, checkArray(where, e.name, Float32Array.from(data), e.length, `[${e.shape.join(' * ')}]`)]);
    }
    for (const [offset, data] of staged) this.params.array.set(data, offset);
  }

  zeroGrad(): void {
    this.grads.array.fill(0);
  }

  // ---- workspace

  private sliceName(l: number, d: number, slice: string): string {
    return `l${l}d${d}.${slice}`;
  }

  /** One arena for the whole stack at this (B, T); re-planned only when the shape changes. */
  private workspace(B: number, T: number): Workspace {
    if (this.ws && this.shape && this.shape.B === B && this.shape.T === T) return this.ws;
    this.ws?.dispose();
    const H = this.hiddenSize;
    const D = this.directions;
    const L = this.numLayers;
    const entries: Array<[string, number]> = [
      ['x', T * B * this.inputSize],
      ['h0', L * D * B * H],
      ['c0', L * D * B * H],
      ['dhN', L * D * B * H],
      ['dcN', L * D * B * H],
      ['dh0', L * D * B * H],
      ['dc0', L * D * B * H],
    ];
    for (let l = 0; l < L; l++) {
      const I = l === 0 ? this.inputSize : D * H;
      // With two directions the layer output interleaves them; with one it is the direction's h itself.
      if (D === 2) entries.push([`l${l}.out`, T * B * 2 * H], [`l${l}.dout`, T * B * 2 * H]);
      for (let d = 0; d < D; d++) {
        for (const [name, { length }] of planLstmDirection({ T, B, I, H }, d === 1).slices)
          entries.push([this.sliceName(l, d, name), length]);
      }
    }
    this.ws = new Workspace(this.backend, plan(entries));
    this.shape = { B, T };
    return this.ws;
  }

  // ---- forward and backward

  forward(x: Float32Array, opts: LstmForwardOptions): LstmOutput {
    this.assertUsable();
    const where = 'Lstm.forward';
    const B = positiveInt(`${where}: batchSize`, opts?.batchSize);
    const T = positiveInt(`${where}: seqLen`, opts?.seqLen);
    const { inputSize: I, hiddenSize: H, numLayers: L } = this;
    const D = this.directions;
    checkArray(where, 'x', x, B * T * I, 'batchSize * seqLen * inputSize');
    const stateShape = 'numLayers * directions * batchSize * hiddenSize';
    if ((opts.h0 === undefined) !== (opts.c0 === undefined))
      throw new TypeError(`${where}: give both h0 and c0, or neither (PyTorch's LSTM takes them as a pair)`);
    const hasInitial = opts.h0 !== undefined;
    if (hasInitial) {
      checkArray(where, 'h0', opts.h0, L * D * B * H, stateShape);
      checkArray(where, 'c0', opts.c0, L * D * B * H, stateShape);
    }

    const ws = this.workspace(B, T);
    batchToTime(ws.view('x').array, x, B, T, I, false);
    if (hasInitial) {
      ws.view('h0').array.set(opts.h0!);
      ws.view('c0').array.set(opts.c0!);
    }
    const state = (name: 'h0' | 'c0', l: number, d: number): F32Buffer | null =>
      hasInitial ? ws.view(name).sub((l * D + d) * B * H, B * H) : null;

    let input = ws.view('x');
    let W = I;
    const hN = new Float32Array(L * D * B * H);
    const cN = new Float32Array(L * D * B * H);
    for (let l = 0; l < L; l++) {
      for (let d = 0; d < D; d++) {
        const v = (s: string): F32Buffer => ws.view(this.sliceName(l, d, s));
        let xin = input;
        if (d === 1) {
          xin = v('x_rev');
          reverseTime(xin.array, input.array, T, B * W);
        }
        const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
        this.backend.lstm_forward(
          {
            h: v('h'), c: v('c'), gates: v('gates'), x: xin,
            h0: state('h0', l, d), c0: state('c0', l, d),
            w_ih: this.paramView('weight_ih' + sfx), w_hh: this.paramView('weight_hh' + sfx),
            b_ih: this.paramView('bias_ih' + sfx), b_hh: this.paramView('bias_hh' + sfx),
            w_t: v('w_t'),
          },
          { T, B, I: W, H },
        );
        hN.set(v('h').array.subarray((T - 1) * B * H), (l * D + d) * B * H);
        cN.set(v('c').array.subarray((T - 1) * B * H), (l * D + d) * B * H);
        if (D === 2) interleaveDirection(ws.view(`l${l}.out`).array, v('h').array, T, B, H, d);
      }
      input = D === 2 ? ws.view(`l${l}.out`) : ws.view(this.sliceName(l, 0, 'h'));
      W = D * H;
    }
    const output = new Float32Array(B * T * D * H);
    batchToTime(input.array, output, B, T, D * H, true);
    this.forwardState = { B, T, hasInitial };
    return { output, hN, cN };
  }

  /**
   * Backpropagation through time for the last forward(). Accumulates parameter gradients into
   * `grads` (as PyTorch's .grad does until zero_grad) and returns the input gradients.
   */
  backward(opts: LstmBackwardOptions = {}): LstmInputGrads {
    this.assertUsable();
    const where = 'Lstm.backward';
    if (!this.forwardState) throw new Error(`${where}: call forward() first; backward() differentiates the last forward()`);
    const { B, T, hasInitial } = this.forwardState;
    const { inputSize: I, hiddenSize: H, numLayers: L } = this;
    const D = this.directions;
    const stateShape = 'numLayers * directions * batchSize * hiddenSize';
    if (opts.dOutput !== undefined) checkArray(where, 'dOutput', opts.dOutput, B * T * D * H, 'batchSize * seqLen * directions * hiddenSize');
    if (opts.dhN !== undefined) checkArray(where, 'dhN', opts.dhN, L * D * B * H, stateShape);
    if (opts.dcN !== undefined) checkArray(where, 'dcN', opts.dcN, L * D * B * H, stateShape);

    const ws = this.workspace(B, T);
    if (opts.dhN) ws.view('dhN').array.set(opts.dhN);
    if (opts.dcN) ws.view('dcN').array.set(opts.dcN);
    ws.zero('dh0');
    ws.zero('dc0');
    const slot = (name: string, l: number, d: number): F32Buffer => ws.view(name).sub((l * D + d) * B * H, B * H);

    // The gradient on the top layer's output, time-major: for one direction it is that direction's dh.
    const top = D === 2 ? ws.view(`l${L - 1}.dout`) : ws.view(this.sliceName(L - 1, 0, 'dh'));
    if (opts.dOutput) batchToTime(top.array, opts.dOutput, B, T, D * H, false);
    else top.array.fill(0);

    for (let l = L - 1; l >= 0; l--) {
      const W = l === 0 ? I : D * H;
      const input = l === 0 ? ws.view('x') : D === 2 ? ws.view(`l${l - 1}.out`) : ws.view(this.sliceName(l - 1, 0, 'h'));
      // Where the gradient on this layer's input goes: the layer below's dout (or dh), or dx for layer 0.
      const dInput = l === 0 ? null : D === 2 ? ws.view(`l${l - 1}.dout`) : ws.view(this.sliceName(l - 1, 0, 'dh'));
      for (let d = 0; d < D; d++) {
        const v = (s: string): F32Buffer => ws.view(this.sliceName(l, d, s));
        if (D === 2) deinterleaveDirection(v('dh').array, ws.view(`l${l}.dout`).array, T, B, H, d);
        const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
        const dx = v('dx');
        dx.array.fill(0);
        this.backend.lstm_backward(
          {
            dx,
            dh0: hasInitial ? slot('dh0', l, d) : null,
            dc0: hasInitial ? slot('dc0', l, d) : null,
            dw_ih: this.paramView('weight_ih' + sfx, this.grads), dw_hh: this.paramView('weight_hh' + sfx, this.grads),
            db_ih: this.paramView('bias_ih' + sfx, this.grads), db_hh: this.paramView('bias_hh' + sfx, this.grads),
            dh: v('dh'),
            dhT: opts.dhN ? slot('dhN', l, d) : null,
            dcT: opts.dcN ? slot('dcN', l, d) : null,
            x: d === 1 ? v('x_rev') : input,
            h0: hasInitial ? slot('h0', l, d) : null,
            c0: hasInitial ? slot('c0', l, d) : null,
            h: v('h'), c: v('c'), gates: v('gates'),
            w_ih: this.paramView('weight_ih' + sfx), w_hh: this.paramView('weight_hh' + sfx),
            dgates: v('dgates'), dh_next: v('dh_next'), dc_next: v('dc_next'),
          },
          { T, B, I: W, H },
        );
        if (dInput) {
          if (d === 0) dInput.array.set(dx.array);
          else addReversedTime(dInput.array, dx.array, T, B * W);
        }
      }
    }
    // Layer 0's input gradient: sum of both directions, batch-first.
    const dxOut = new Float32Array(B * T * I);
    const dx0 = ws.view(this.sliceName(0, 0, 'dx')).array;
    if (D === 2) addReversedTime(dx0, ws.view(this.sliceName(0, 1, 'dx')).array, T, B * I);
    batchToTime(dx0, dxOut, B, T, I, true);
    return {
      dx: dxOut,
      dh0: hasInitial ? ws.view('dh0').array.slice() : null,
      dc0: hasInitial ? ws.view('dc0').array.slice() : null,
    };
  }

  /** Releases the workspace and parameters (WASM memory is reused by later allocations). */
  dispose(): void {
    if (this.disposed) return;
    this.ws?.dispose();
    this.backend.free(this.params);
    this.backend.free(this.grads);
    this.ws = null;
    this.disposed = true;
  }

  private assertUsable(): void {
    if (this.disposed) throw new Error('Lstm: this layer was disposed; create a new one');
  }
}

// ---- layout conversions (O(T*B*width) copies, once per call, never per step)

/** time-major (T, B, W) <-> batch-first (B, T, W). toBatch=false: dst is time-major, src batch-first. */
function batchToTime(tm: Float32Array, bf: Float32Array, B: number, T: number, W: number, toBatch: boolean): void {
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) {
      const ti = (t * B + b) * W;
      const bi = (b * T + t) * W;
      if (toBatch) bf.set(tm.subarray(ti, ti + W), bi);
      else tm.set(bf.subarray(bi, bi + W), ti);
    }
}

/** dst[t] = src[T-1-t] for rows of `row` floats. */
function reverseTime(dst: Float32Array, src: Float32Array, T: number, row: number): void {
  for (let t = 0; t < T; t++) dst.set(src.subarray((T - 1 - t) * row, (T - t) * row), t * row);
}

/** dst[t] += src[T-1-t] for rows of `row` floats. */
function addReversedTime(dst: Float32Array, src: Float32Array, T: number, row: number): void {
  for (let t = 0; t < T; t++) {
    const s = (T - 1 - t) * row;
    const o = t * row;
    for (let k = 0; k < row; k++) dst[o + k] += src[s + k];
  }
}

/** Writes direction d's h (T, B, H) into columns [d*H, (d+1)*H) of out (T, B, 2H); reverse runs backwards in time. */
function interleaveDirection(out: Float32Array, h: Float32Array, T: number, B: number, H: number, d: number): void {
  for (let t = 0; t < T; t++) {
    const tk = d === 1 ? T - 1 - t : t;
    for (let b = 0; b < B; b++) out.set(h.subarray((tk * B + b) * H, (tk * B + b + 1) * H), (t * B + b) * 2 * H + d * H);
  }
}

/** The inverse of interleaveDirection, for gradients. */
function deinterleaveDirection(dh: Float32Array, dout: Float32Array, T: number, B: number, H: number, d: number): void {
  for (let t = 0; t < T; t++) {
    const tk = d === 1 ? T - 1 - t : t;
    for (let b = 0; b < B; b++) {
      const s = (t * B + b) * 2 * H + d * H;
      dh.set(dout.subarray(s, s + H), (tk * B + b) * H);
    }
  }
}
