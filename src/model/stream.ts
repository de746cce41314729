// Streaming inference: a SequenceModel stepped one input at a time (batch 1), its recurrent state
// carried between calls, for online forecasting (Forecaster.update) and low-latency serving.
//
//   const s = model.stream();
//   for (const x of inputs) y = s.step(x);   // y: the first head's outputs after this step
//
// Stepping x_1..x_T from a zero (or given) state ends in the state forward() ends in over the whole
// sequence, and the last y equals predict()'s output of the first head for it (its last step, for a
// head on: 'all'). On one backend the numbers are bit-identical to predict's (test/model/stream.test.ts);
// across backends they agree to float32 rounding.
//
// Speed: everything is bound once, when the stream is made: a snapshot of the weights (the stream
// does not see later training or loadStateDict(): make a new stream then), the state, the input and
// the output buffers. step() only copies x in (checking its length and that it is finite) and makes
// ONE backend call, stream_bind's step: every layer and the head on weights packed once (native:
// native/kernels/stream_impl.h; WASM: assembly/stream.ts). A build without it (an addon or module
// from before streaming) runs the *_forward kernels at T = 1 per layer and linear_forward instead,
// on the same prebound buffers: same numbers, slower.
import { NonFiniteError, ShapeError } from '../errors.js';
import type { Backend, F32Buffer, StreamCell, StreamStepper } from '../backend/types.js';
import { forwardScratch, GATES, type CellKind } from '../layout/cells.js';
import type { RecurrentState, SequenceModel } from './sequence-model.js';

export interface StreamOptions {
  /**
   * false: step with the per-layer kernels even when the backend has a fused step (tests compare the
   * two, benches time both). Default true.
   */
  fused?: boolean;
}

/** One layer's parameters in the stream's snapshot, PyTorch shapes. */
interface LayerParams {
  w_ih: F32Buffer;
  w_hh: F32Buffer;
  b_ih: F32Buffer;
  b_hh: F32Buffer;
}

export class ModelStream {
  readonly cell: CellKind;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  /** Outputs of the first head: the length of what step() returns. */
  readonly outputs: number;
  /** True when each step is one fused backend call (native); false for the per-layer kernels. */
  readonly fused: boolean;

  private readonly backend: Backend;
  private readonly owned: F32Buffer[] = [];
  private readonly h: F32Buffer; // (L, H)
  private readonly c: F32Buffer | null; // (L, H), LSTM
  private readonly x: F32Buffer; // (I)
  private readonly y: F32Buffer; // (O)
  private stepper: StreamStepper | null;

  constructor(model: SequenceModel, opts: StreamOptions = {}) {
    const rec = model.recurrent;
    if (rec.bidirectional)
      throw new RangeError(
        'SequenceModel.stream: a bidirectional model cannot be streamed (its reverse direction reads each ' +
          'sequence from the end, so no output is final until the sequence is); use predict() on whole windows, ' +
          'or train a unidirectional model for streaming',
      );
    this.backend = model.backend;
    this.cell = rec.cell;
    const I = (this.inputSize = rec.inputSize);
    const H = (this.hiddenSize = rec.hiddenSize);
    const L = (this.numLayers = rec.numLayers);
    const head = model.heads[0];
    const O = (this.outputs = head.outputs);
    const alloc = (n: number): F32Buffer => {
      const b = this.backend.alloc(n);
      this.owned.push(b);
      return b;
    };

    // The snapshot: every layer's w_ih, w_hh, b_ih, b_hh back to back (stream_bind's params), then the head.
    const kinds = ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'] as const;
    const entries = Array.from({ length: L }, (_, l) => kinds.map((k) => rec.layout.byName.get(`${k}_l${l}`)!));
    const paramFloats = entries.flat().reduce((n, e) => n + e.length, 0);
    const weights = alloc(paramFloats + O * H + O);
    this.h = alloc(L * H);
    this.c = this.cell === 'lstm' ? alloc(L * H) : null;
    this.x = alloc(I);
    this.y = alloc(O);
    const w = weights.array; // no allocation until the copies are done
    const src = rec.params.array;
    const layers: LayerParams[] = [];
    let at = 0;
    for (const layer of entries) {
      const views = layer.map((e) => {
        w.set(src.subarray(e.offset, e.offset + e.length), at);
        at += e.length;
        return weights.sub(at - e.length, e.length);
      });
      layers.push({ w_ih: views[0], w_hh: views[1], b_ih: views[2], b_hh: views[3] });
    }
    const p = model.params.array;
    w.set(p.subarray(head.weight.offset, head.weight.offset + head.weight.length), paramFloats);
    w.set(p.subarray(head.bias.offset, head.bias.offset + head.bias.length), paramFloats + O * H);
    const head_w = weights.sub(paramFloats, O * H);
    const head_b = weights.sub(paramFloats + O * H, O);

    const streamCell: StreamCell = this.cell === 'rnn' ? (rec.nonlinearity === 'relu' ? 'rnn_relu' : 'rnn_tanh') : this.cell;
    const fused =
      (opts.fused ?? true) && this.backend.stream_bind
        ? this.backend.stream_bind(
            { y: this.y, h: this.h, c: this.c, x: this.x, params: weights.sub(0, paramFloats), head_w, head_b },
            { cell: streamCell, L, I, H, O },
          )
        : null;
    this.fused = fused !== null;
    this.stepper = fused ?? this.kernelSteps(layers, head_w, head_b, rec.nonlinearity, alloc);
  }

  /** The same step from the per-layer kernels at T = 1 (buffers bound here, reused every step). */
  private kernelSteps(
    layers: LayerParams[], head_w: F32Buffer, head_b: F32Buffer, nonlinearity: 'tanh' | 'relu',
    alloc: (n: number) => F32Buffer,
  ): StreamStepper {
    const { backend, cell, hiddenSize: H, numLayers: L, outputs: O } = this;
    const hOut = alloc(H);
    const cOut = alloc(H);
    const gates = alloc(GATES[cell] * H);
    const hn = alloc(H);
    const w_t = alloc(Math.max(...layers.map((_, l) => forwardScratch(cell, { T: 1, B: 1, I: this.layerInput(l), H }))));
    const state = (b: F32Buffer | null, l: number): F32Buffer | null => (b ? b.sub(l * H, H) : null);
    const steps = layers.map((p, l) => {
      const h0 = state(this.h, l)!;
      const c0 = state(this.c, l);
      const x = l === 0 ? this.x : state(this.h, l - 1)!;
      const dims = { T: 1, B: 1, I: this.layerInput(l), H };
      const common = {
        h: hOut, x, lengths: null, h0, w_ih: p.w_ih, w_hh: p.w_hh, b_ih: p.b_ih, b_hh: p.b_hh,
        w_t: w_t.sub(0, forwardScratch(cell, dims)),
      };
      const forward =
        cell === 'lstm'
          ? () => backend.lstm_forward({ ...common, c: cOut, gates, c0 }, dims)
          : cell === 'gru'
            ? () => backend.gru_forward({ ...common, gates, hn }, dims)
            : () => backend.rnn_forward(common, dims, nonlinearity);
      return () => {
        forward();
        h0.array.set(hOut.array);
        if (c0) c0.array.set(cOut.array);
      };
    });
    const top = state(this.h, L - 1)!;
    const step = (): void => {
      for (const s of steps) s();
      backend.linear_forward({ y: this.y, x: top, w: head_w, b: head_b }, { N: 1, In: H, O });
    };
    return { step, release: () => {} }; // its buffers are in this.owned
  }

  private layerInput(l: number): number {
    return l === 0 ? this.inputSize : this.hiddenSize;
  }

  /**
   * Advances the state by one step on x (inputSize values) and returns the first head's outputs.
   * The returned Float32Array is the stream's own output buffer, overwritten by the next step():
   * copy it (`.slice()`) to keep it.
   */
  step(x: ArrayLike<number>): Float32Array {
    const stepper = this.stepper;
    if (stepper === null) throw new Error('ModelStream.step: this stream was disposed; call model.stream() for a new one');
    const n = this.inputSize;
    if (x?.length !== n)
      throw new ShapeError(
        `ModelStream.step: x must have inputSize = ${n} values, got ` +
          (typeof x === 'number' ? `the number ${x} (pass [${x}])` : String(x?.length ?? x)),
      );
    const xa = this.x.array;
    for (let i = 0; i < n; i++) {
      const v = x[i];
      if (!Number.isFinite(v))
        throw new NonFiniteError(`ModelStream.step: x[${i}] is ${v}; inputs must be finite (fill missing values first)`);
      xa[i] = v;
    }
    stepper.step();
    return this.y.array;
  }

  /**
   * Restarts from zeros, or from `state`: (numLayers, 1, hiddenSize) arrays as model.finalState()
   * returns for one sequence (cN for LSTM only). The weights stay those of the snapshot.
   */
  reset(state?: RecurrentState): void {
    if (this.stepper === null) throw new Error('ModelStream.reset: this stream was disposed; call model.stream() for a new one');
    if (state === undefined) {
      this.h.array.fill(0);
      this.c?.array.fill(0);
      return;
    }
    const n = this.numLayers * this.hiddenSize;
    const shape = `numLayers * hiddenSize = ${n}`;
    const check = (name: string, a: unknown): Float32Array => {
      if (!(a instanceof Float32Array))
        throw new TypeError(`ModelStream.reset: state.${name} must be a Float32Array, got ${a === null ? 'null' : typeof a}`);
      if (a.length !== n)
        throw new ShapeError(
          `ModelStream.reset: state.${name} must have ${shape} values (one sequence; take its row of a batch's ` +
            `finalState()), got ${a.length}`,
        );
      const bad = a.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new NonFiniteError(`ModelStream.reset: state.${name}[${bad}] is ${a[bad]}; states must be finite`);
      return a;
    };
    const hN = check('hN', state.hN);
    if (this.c) {
      const cN = check('cN', state.cN);
      this.h.array.set(hN);
      this.c.array.set(cN);
    } else {
      if (state.cN !== null && state.cN !== undefined)
        throw new TypeError(`ModelStream.reset: state.cN is for LSTM cells only; a ${this.cell.toUpperCase()} has no cell state`);
      this.h.array.set(hN);
    }
  }

  /** Copies of the current state, (numLayers, 1, hiddenSize) each, as model.finalState() returns them. */
  get state(): RecurrentState {
    return { hN: this.h.array.slice(), cN: this.c ? this.c.array.slice() : null };
  }

  /** Releases the stream's buffers (WASM memory is reused); step() and reset() then throw. */
  dispose(): void {
    if (this.stepper === null) return;
    this.stepper.release();
    this.stepper = null;
    for (const b of this.owned) this.backend.free(b);
    this.owned.length = 0;
  }
}
