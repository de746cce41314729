// A recurrent stack plus dense heads: the trainable model. Many-to-one heads read each sequence's
// last valid step (PyTorch's output[:, -1, :] for full-length rows); many-to-many heads read every
// step. Every parameter of the model lives in ONE flat buffer (recurrent first, then the heads), so a
// single optimizer kernel call updates them all. State dict keys follow PyTorch's module naming:
// `rnn.weight_ih_l0`, `head.weight`, `head.bias`.
import { BusyError, ShapeError } from '../errors.js';
import { fit, isFitting, type FitOptions } from '../train/fit.js';
import type { FitResult } from '../train/fit-loop.js';
import type { TrainingData } from '../train/dataset.js';
import type { Backend, F32Buffer } from '../backend/types.js';
import { loadBackend, type BackendOptions } from '../backend/select.js';
import { paramLayout } from '../layout/params.js';
import { plan, Workspace } from '../layout/workspace.js';
import { Rng } from '../random.js';
import { Recurrent, type NamedTensor, type RecurrentOptions } from './recurrent.js';
import { ModelStream, type StreamOptions } from './stream.js';

export interface HeadOptions {
  /** State-dict prefix; default 'head' (then 'head1', 'head2', ... for more heads). */
  name?: string;
  /** Outputs per prediction. */
  outputs: number;
  /** 'last' (many-to-one, default): one prediction per sequence; 'all' (many-to-many): one per step. */
  on?: 'last' | 'all';
}

export interface SequenceModelOptions extends RecurrentOptions {
  heads?: HeadOptions[];
}

export interface ModelForwardOptions {
  batchSize: number;
  seqLen: number;
  lengths?: ArrayLike<number>;
  training?: boolean;
  /** Inference only: nothing saved for backward() (Recurrent's noGrad; predict() sets it). */
  noGrad?: boolean;
  /** Initial recurrent states (numLayers * directions, B, H), e.g. carried from the previous batch. */
  h0?: Float32Array;
  c0?: Float32Array;
}

/** The recurrent state after a forward pass: what stateful training and TBPTT carry on. */
export interface RecurrentState {
  hN: Float32Array;
  cN: Float32Array | null;
}

interface Head {
  name: string;
  outputs: number;
  on: 'last' | 'all';
  /** Offsets of weight (outputs, in) and bias (outputs) in the model's flat buffer. */
  weight: { offset: number; length: number };
  bias: { offset: number; length: number };
}

const ALIGN_FLOATS = 16;
const align = (n: number): number => Math.ceil(n / ALIGN_FLOATS) * ALIGN_FLOATS;

export class SequenceModel {
  readonly recurrent: Recurrent;
  readonly heads: readonly Head[];
  /** Every parameter of the model; `grads` has the same layout. */
  readonly params: F32Buffer;
  readonly grads: F32Buffer;
  private readonly width: number; // D*H, the recurrent output width the heads read
  private ws: Workspace | null = null;
  private shape: { B: number; T: number } | null = null;
  private last: { B: number; T: number; lengths: Int32Array | null; output: Float32Array; state: RecurrentState; noGrad: boolean } | null = null;
  private io: { output: Float32Array; dOutput: Float32Array } | null = null;
  private disposed = false;

  static async create(opts: SequenceModelOptions & BackendOptions): Promise<SequenceModel> {
    return new SequenceModel(opts, await loadBackend(opts));
  }

  constructor(
    /** What the model was built from: a training worker rebuilds the same model from it. */
    readonly options: SequenceModelOptions,
    readonly backend: Backend,
  ) {
    const opts = options;
    const rnnLayout = paramLayout({
      cell: opts.cell,
      inputSize: opts.inputSize,
      hiddenSize: opts.hiddenSize,
      numLayers: opts.numLayers ?? 1,
      bidirectional: opts.bidirectional ?? false,
    });
    this.width = (opts.bidirectional ? 2 : 1) * opts.hiddenSize;
    const specs = opts.heads ?? [{ outputs: 1 }];
    if (specs.length === 0) throw new RangeError('SequenceModel: heads must list at least one head');
    let offset = align(rnnLayout.total);
    const names = new Set<string>();
    this.heads = specs.map((h, i) => {
      const name = h.name ?? (i === 0 ? 'head' : `head${i}`);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || name === 'rnn' || names.has(name))
        throw new RangeError(`SequenceModel: head name '${name}' must be a unique identifier other than 'rnn'`);
      names.add(name);
      if (!Number.isInteger(h.outputs) || h.outputs <= 0)
        throw new RangeError(`SequenceModel: head '${name}' outputs must be a positive integer, got ${h.outputs}`);
      const on = h.on ?? 'last';
      if (on !== 'last' && on !== 'all') throw new RangeError(`SequenceModel: head '${name}' on must be 'last' or 'all', got '${on}'`);
      const weight = { offset, length: h.outputs * this.width };
      offset += align(weight.length);
      const bias = { offset, length: h.outputs };
      offset += align(bias.length);
      return { name, outputs: h.outputs, on, weight, bias };
    });
    this.params = backend.alloc(offset);
    this.grads = backend.alloc(offset);
    this.recurrent = new Recurrent(opts, backend, {
      params: this.params.sub(0, rnnLayout.total),
      grads: this.grads.sub(0, rnnLayout.total),
    });
    this.resetHeads(opts.seed ?? 0);
  }

  /** nn.Linear's default: weight and bias uniform in (-1/sqrt(in), 1/sqrt(in)). */
  private resetHeads(seed: number): void {
    const rng = new Rng(seed ^ 0x4ead);
    const k = 1 / Math.sqrt(this.width);
    const p = this.params.array;
    for (const h of this.heads)
      for (const part of [h.weight, h.bias]) for (let i = 0; i < part.length; i++) p[part.offset + i] = rng.uniform(-k, k);
  }

  zeroGrad(): void {
    this.grads.array.fill(0);
  }

  /** Floats of one sample's target per head: outputs for 'last' heads, seqLen * outputs for 'all'. */
  targetWidths(seqLen: number): number[] {
    return this.heads.map((h) => (h.on === 'last' ? h.outputs : seqLen * h.outputs));
  }

  /** Named views of every parameter (or gradient) under PyTorch-style module keys. */
  private named(buffer: F32Buffer): Record<string, NamedTensor> {
    const out: Record<string, NamedTensor> = {};
    const rnn = buffer === this.params ? this.recurrent.stateDict() : this.recurrent.gradDict();
    for (const [k, v] of Object.entries(rnn)) out[`rnn.${k}`] = v;
    for (const h of this.heads) {
      out[`${h.name}.weight`] = { shape: [h.outputs, this.width], data: buffer.array.slice(h.weight.offset, h.weight.offset + h.weight.length) };
      out[`${h.name}.bias`] = { shape: [h.outputs], data: buffer.array.slice(h.bias.offset, h.bias.offset + h.bias.length) };
    }
    return out;
  }

  stateDict(): Record<string, NamedTensor> {
    return this.named(this.params);
  }

  gradDict(): Record<string, NamedTensor> {
    return this.named(this.grads);
  }

  /** Loads every parameter by key (all keys required, exact shapes); nothing changes unless all check. */
  loadStateDict(dict: Record<string, NamedTensor | Float32Array | ArrayLike<number>>): void {
    this.assertIdle('loadStateDict');
    const rnn: Record<string, NamedTensor | Float32Array | ArrayLike<number>> = {};
    const mine = new Set(this.heads.flatMap((h) => [`${h.name}.weight`, `${h.name}.bias`]));
    const unexpected = Object.keys(dict).filter((k) => !k.startsWith('rnn.') && !mine.has(k));
    const missing = [...mine].filter((k) => !(k in dict));
    if (unexpected.length || missing.length)
      throw new ShapeError(
        'SequenceModel.loadStateDict: keys do not match' +
          (missing.length ? `; missing: ${missing.join(', ')}` : '') +
          (unexpected.length ? `; unexpected: ${unexpected.join(', ')}` : ''),
      );
    for (const [k, v] of Object.entries(dict)) if (k.startsWith('rnn.')) rnn[k.slice(4)] = v;
    const staged: Array<[number, Float32Array]> = [];
    for (const h of this.heads) {
      for (const [part, shape] of [[h.weight, [h.outputs, this.width]], [h.bias, [h.outputs]]] as const) {
        const key = `${h.name}.${part === h.weight ? 'weight' : 'bias'}`;
        const v = dict[key];
        const named = typeof v === 'object' && v !== null && 'shape' in v && 'data' in v;
        if (named && (v as NamedTensor).shape.join(',') !== shape.join(','))
          throw new ShapeError(`SequenceModel.loadStateDict: ${key} must have shape [${shape}], got [${(v as NamedTensor).shape}]`);
        const data = Float32Array.from(named ? (v as NamedTensor).data : (v as ArrayLike<number>));
        if (data.length !== part.length)
          throw new ShapeError(`SequenceModel.loadStateDict: ${key} must have ${part.length} elements, got ${data.length}`);
        if (!data.every(Number.isFinite)) throw new RangeError(`SequenceModel.loadStateDict: ${key} holds NaN or Infinity`);
        staged.push([part.offset, data]);
      }
    }
    this.recurrent.loadStateDict(rnn); // checks its own keys and values before changing anything
    for (const [offset, data] of staged) this.params.array.set(data, offset);
  }

  /** Head buffers for one (B, T): the rows each head reads, its outputs and their gradients. */
  private workspace(B: number, T: number): Workspace {
    if (this.ws && this.shape?.B === B && this.shape.T === T) return this.ws;
    this.ws?.dispose();
    const entries: Array<[string, number]> = [['last', B * this.width], ['dlast', B * this.width]];
    if (!this.lastOnly) entries.push(['all', B * T * this.width], ['dall', B * T * this.width]);
    for (const h of this.heads) {
      const rows = h.on === 'last' ? B : B * T;
      entries.push([`${h.name}.y`, rows * h.outputs], [`${h.name}.dy`, rows * h.outputs]);
    }
    this.ws = new Workspace(this.backend, plan(entries));
    this.shape = { B, T };
    return this.ws;
  }

  /**
   * The recurrent layer's batch-first output and its gradient for (B, T), kept while the shape holds:
   * (B, W), each row's last step, when every head reads only that; else (B, T, W).
   */
  private recurrentArrays(B: number, T: number): { output: Float32Array; dOutput: Float32Array } {
    const n = (this.lastOnly ? 1 : T) * B * this.width;
    if (this.io?.output.length !== n) this.io = { output: new Float32Array(n), dOutput: new Float32Array(n) };
    return this.io;
  }

  /** Every head reads each row's last step: the recurrent layer need not copy out the whole sequence. */
  private get lastOnly(): boolean {
    return this.heads.every((h) => h.on === 'last');
  }

  private view(buffer: F32Buffer, part: { offset: number; length: number }): F32Buffer {
    return buffer.sub(part.offset, part.length);
  }

  /**
   * Predictions of every head: (B, outputs) for 'last' heads, (B, T, outputs) for 'all' heads
   * (padded steps of variable-length rows predict from zero outputs; mask their targets with NaN).
   */
  forward(x: Float32Array, opts: ModelForwardOptions): Float32Array[] {
    this.assertIdle('forward');
    const { batchSize: B, seqLen: T } = opts;
    // The recurrent output and its gradient stay inside the model: arrays reused while the shape is
    // unchanged (fresh ones per call would cost a page fault per 4 KiB; see bench/NOTES.md).
    const io = this.recurrentArrays(B, T);
    const lastOnly = this.lastOnly;
    const { output, hN, cN } = this.recurrent.forward(x, { ...opts, out: io.output, output: lastOnly ? 'last' : 'all' });
    const lengths = opts.lengths ? Int32Array.from(opts.lengths) : null;
    const W = this.width;
    const ws = this.workspace(B, T);
    const last = ws.view('last');
    if (lastOnly) last.array.set(output);
    else {
      for (let b = 0; b < B; b++) {
        const t = (lengths ? lengths[b] : T) - 1;
        last.array.set(output.subarray((b * T + t) * W, (b * T + t + 1) * W), b * W);
      }
      ws.view('all').array.set(output);
    }
    const out = this.heads.map((h) => {
      const y = ws.view(`${h.name}.y`);
      const rows = h.on === 'last' ? B : B * T;
      this.backend.linear_forward(
        { y, x: ws.view(h.on), w: this.view(this.params, h.weight), b: this.view(this.params, h.bias) },
        { N: rows, In: W, O: h.outputs },
      );
      return y.array.slice();
    });
    this.last = { B, T, lengths, output, state: { hN, cN }, noGrad: opts.noGrad ?? false };
    return out;
  }

  /** The recurrent state the last forward() ended in (each row's last valid step). */
  finalState(): RecurrentState {
    if (!this.last) throw new Error('SequenceModel.finalState: call forward() first');
    return this.last.state;
  }

  /** Backward from the gradients on every head's predictions; accumulates into `grads`. */
  backward(dPredictions: Float32Array[]): void {
    this.assertIdle('backward');
    if (!this.last) throw new Error('SequenceModel.backward: call forward() first');
    // Checked before any head gradient is accumulated, so a refused call changes nothing.
    if (this.last.noGrad)
      throw new Error('SequenceModel.backward: the last forward() was predict() or ran with noGrad: true, which saves nothing to differentiate; run forward() without noGrad first');
    const { B, T, lengths } = this.last;
    const W = this.width;
    if (dPredictions.length !== this.heads.length)
      throw new ShapeError(`SequenceModel.backward: expected ${this.heads.length} head gradients, got ${dPredictions.length}`);
    const ws = this.workspace(B, T);
    const lastOnly = this.lastOnly;
    ws.zero('dlast');
    if (!lastOnly) ws.zero('dall');
    this.heads.forEach((h, i) => {
      const rows = h.on === 'last' ? B : B * T;
      const dy = ws.view(`${h.name}.dy`);
      if (dPredictions[i].length !== rows * h.outputs)
        throw new ShapeError(`SequenceModel.backward: gradient of head '${h.name}' must have ${rows * h.outputs} elements, got ${dPredictions[i].length}`);
      dy.array.set(dPredictions[i]);
      this.backend.linear_backward(
        {
          dx: ws.view(h.on === 'last' ? 'dlast' : 'dall'), dw: this.view(this.grads, h.weight), db: this.view(this.grads, h.bias),
          dy, x: ws.view(h.on), w: this.view(this.params, h.weight),
        },
        { N: rows, In: W, O: h.outputs },
      );
    });
    // Gradient on the recurrent output: every step from 'all' heads, plus each row's last step
    // (only the latter when the forward produced last steps only). Training needs no dL/dx.
    const io = this.recurrentArrays(B, T);
    const dOutput = io.dOutput;
    const dlast = ws.view('dlast').array;
    if (lastOnly) dOutput.set(dlast);
    else {
      dOutput.set(ws.view('dall').array);
      for (let b = 0; b < B; b++) {
        const t = (lengths ? lengths[b] : T) - 1;
        for (let k = 0; k < W; k++) dOutput[(b * T + t) * W + k] += dlast[b * W + k];
      }
    }
    this.recurrent.backward({ dOutput, inputGrad: false });
  }

  /**
   * Trains in a worker thread (the event loop stays responsive) with progress events, cancellation
   * by AbortSignal, early stopping and a divergence guard; the model holds the result when it resolves.
   */
  async fit(data: TrainingData, opts: FitOptions): Promise<FitResult> {
    this.assertIdle('fit'); // async: a busy model rejects the promise rather than throwing
    return fit(this, data, opts);
  }

  /** Predictions in inference mode (no dropout), one array per head. */
  predict(x: Float32Array, opts: Omit<ModelForwardOptions, 'training' | 'noGrad'>): Float32Array[] {
    return this.forward(x, { ...opts, training: false, noGrad: true });
  }

  /**
   * A batch-1 stepper for online inference: s.step(x) feeds one input and returns the first head's
   * outputs, carrying the state between calls (see model/stream.ts). It snapshots the weights now:
   * after fit() or loadStateDict(), make a new stream. Bidirectional models cannot stream.
   */
  stream(opts?: StreamOptions): ModelStream {
    this.assertIdle('stream');
    return new ModelStream(this, opts);
  }

  private assertIdle(what: string): void {
    if (this.disposed) throw new Error('SequenceModel: this model was disposed; create a new one');
    if (isFitting(this)) throw new BusyError(`Model is busy: await the previous fit() before calling ${what}()`);
  }

  /** True after dispose(): the parameters are released and the model can no longer be used. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    if (isFitting(this)) throw new BusyError('Model is busy: await the previous fit() before calling dispose()');
    this.recurrent.dispose();
    this.ws?.dispose();
    this.io = null;
    this.backend.free(this.params);
    this.backend.free(this.grads);
    this.disposed = true;
  }
}
