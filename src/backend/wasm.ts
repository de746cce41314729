// The WASM backend: the AssemblyScript kernels (assembly/, compiled with SIMD) behind the same
// contract. Buffers live in the module's memory; kernels get byte pointers (0 = null).
// Portable: no Node API here, so the browser build uses this file as it is. Where the bytes come
// from is the caller's business: wasm-node.ts reads the file, browser/select.ts fetches it.
import type { LoadAttempt } from '../errors.js';
import type {
  AdamStepArgs, Backend, BackendInfo, CellDims, F32Buffer, GemmArgs, GruBackwardArgs, GruForwardArgs, Lengths,
  LinearBackwardArgs, LinearDims, LinearForwardArgs, LstmBackwardArgs, LstmForwardArgs, NormType, Nonlinearity,
  RmspropStepArgs, RnnBackwardArgs, RnnForwardArgs, SgdStepArgs, StreamBindArgs, StreamDims, StreamStepper,
} from './types.js';
import {
  checkAdamStep, checkGemm, checkGruBackward, checkGruForward, checkLinearBackward, checkLinearForward,
  checkLstmBackward, checkLstmForward, checkRmspropStep, checkRnnBackward, checkRnnForward, checkSgdStep, normCode,
  reluFlag,
} from './validate.js';
import { ADAM_AMSGRAD, ADAM_DECOUPLED, RMSPROP_CENTERED, SGD_FIRST_STEP, SGD_NESTEROV } from './flags.js';
import { WasmArena } from './wasm-arena.js';
import { checkStreamBind, STREAM_CELL_CODES, streamGates, streamPackedFloats, streamScratchFloats } from '../layout/stream.js';

type Ptr = number;

/** What assembly/index.ts exports. */
interface WasmExports {
  memory: WebAssembly.Memory;
  heap_base(): number;
  lstm_forward(h: Ptr, c: Ptr, gates: Ptr, x: Ptr, lengths: Ptr, h0: Ptr, c0: Ptr, w_ih: Ptr, w_hh: Ptr, b_ih: Ptr,
    b_hh: Ptr, w_t: Ptr, T: number, B: number, I: number, H: number): void;
  lstm_backward(dx: Ptr, dh0: Ptr, dc0: Ptr, dw_ih: Ptr, dw_hh: Ptr, db_ih: Ptr, db_hh: Ptr, dh: Ptr, dhT: Ptr,
    dcT: Ptr, x: Ptr, lengths: Ptr, h0: Ptr, c0: Ptr, h: Ptr, c: Ptr, gates: Ptr, w_ih: Ptr, w_hh: Ptr,
    dgates: Ptr, dh_next: Ptr, dc_next: Ptr, T: number, B: number, I: number, H: number): void;
  gru_forward(h: Ptr, gates: Ptr, hn: Ptr, x: Ptr, lengths: Ptr, h0: Ptr, w_ih: Ptr, w_hh: Ptr, b_ih: Ptr, b_hh: Ptr,
    w_t: Ptr, T: number, B: number, I: number, H: number): void;
  gru_backward(dx: Ptr, dh0: Ptr, dw_ih: Ptr, dw_hh: Ptr, db_ih: Ptr, db_hh: Ptr, dh: Ptr, dhT: Ptr, x: Ptr,
    lengths: Ptr, h0: Ptr, h: Ptr, gates: Ptr, hn: Ptr, w_ih: Ptr, w_hh: Ptr, dgates: Ptr, dgates_hn: Ptr,
    dh_next: Ptr, T: number, B: number, I: number, H: number): void;
  rnn_forward(h: Ptr, x: Ptr, lengths: Ptr, h0: Ptr, w_ih: Ptr, w_hh: Ptr, b_ih: Ptr, b_hh: Ptr, w_t: Ptr,
    T: number, B: number, I: number, H: number, relu: number): void;
  rnn_backward(dx: Ptr, dh0: Ptr, dw_ih: Ptr, dw_hh: Ptr, db_ih: Ptr, db_hh: Ptr, dh: Ptr, dhT: Ptr, x: Ptr,
    lengths: Ptr, h0: Ptr, h: Ptr, w_ih: Ptr, w_hh: Ptr, dgates: Ptr, dh_next: Ptr, T: number, B: number,
    I: number, H: number, relu: number): void;
  linear_forward(y: Ptr, x: Ptr, w: Ptr, b: Ptr, N: number, In: number, O: number): void;
  linear_backward(dx: Ptr, dw: Ptr, db: Ptr, dy: Ptr, x: Ptr, w: Ptr, N: number, In: number, O: number): void;
  adam_step(p: Ptr, m: Ptr, v: Ptr, vmax: Ptr, g: Ptr, n: number, lr: number, beta1: number, beta2: number,
    eps: number, weight_decay: number, step_size: number, bc2_sqrt: number, flags: number): void;
  sgd_step(p: Ptr, buf: Ptr, g: Ptr, n: number, lr: number, momentum: number, dampening: number,
    weight_decay: number, flags: number): void;
  rmsprop_step(p: Ptr, sq: Ptr, ga: Ptr, buf: Ptr, g: Ptr, n: number, lr: number, alpha: number, eps: number,
    weight_decay: number, momentum: number, flags: number): void;
  grad_norm(g: Ptr, n: number, norm_type: number): number;
  scale(x: Ptr, n: number, alpha: number): void;
  gemm_nn(C: Ptr, A: Ptr, B: Ptr, M: number, N: number, K: number, ldc: number, lda: number, ldb: number): void;
  gemm_tn(C: Ptr, A: Ptr, B: Ptr, M: number, N: number, K: number, ldc: number, lda: number, ldb: number): void;
  /** Absent from modules built before streaming (assembly/stream.ts). */
  stream_pack?(w_p: Ptr, w_ih: Ptr, w_hh: Ptr, cell: number, I: number, H: number): void;
  stream_step?(y: Ptr, x: Ptr, layers: Ptr, head_w: Ptr, head_b: Ptr, scratch: Ptr, cell: number, L: number,
    H: number, O: number): void;
}

class WasmBuffer implements F32Buffer {
  private view: Float32Array | null = null;
  constructor(
    private readonly memory: WebAssembly.Memory,
    readonly ptr: number,
    readonly length: number,
    /** The allocation this buffer belongs to; a sub-buffer is not freed on its own. */
    readonly root: WasmBuffer | null,
  ) {}

  /** Rebuilt when memory has grown, since growing detaches the old ArrayBuffer. */
  get array(): Float32Array {
    if (!this.view || this.view.buffer !== this.memory.buffer)
      this.view = new Float32Array(this.memory.buffer, this.ptr, this.length);
    return this.view;
  }

  sub(offset: number, length: number): F32Buffer {
    if (offset < 0 || length < 0 || offset + length > this.length)
      throw new RangeError(`sub(${offset}, ${length}) is outside a buffer of ${this.length} floats`);
    return new WasmBuffer(this.memory, this.ptr + offset * 4, length, this.root ?? this);
  }
}

const ptr = (b: F32Buffer | null): Ptr => (b ? (b as WasmBuffer).ptr : 0);

export class WasmBackend implements Backend {
  readonly name = 'wasm' as const;
  fallbackReason: string | null = null;
  private readonly arena: WasmArena;
  /** Where per-call lengths are copied in: grown to the largest batch seen, then reused. */
  private lengthsSlot = { ptr: 0, capacity: 0 };
  /** Buffers dropped without free() (a model never disposed): their blocks return to the arena when
   * the buffer and every sub-buffer of it are collected, as the native addon's finalizer does. */
  private readonly unfreed = new FinalizationRegistry<number>((ptr) => this.arena.release(ptr));

  constructor(
    private readonly k: WasmExports,
    /** The compiled module: a browser training worker instantiates it again instead of fetching it. */
    readonly module: WebAssembly.Module | null = null,
  ) {
    this.arena = new WasmArena(k.memory, k.heap_base());
  }

  info(): BackendInfo {
    return { name: 'wasm', variant: 'wasm-simd128', threads: 1, fallbackReason: this.fallbackReason };
  }

  /** Bytes of WebAssembly memory: the soak tests watch that it stops growing. */
  memoryBytes(): number {
    return this.k.memory.buffer.byteLength;
  }

  alloc(length: number): F32Buffer {
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`alloc: length must be a non-negative integer, got ${length}`);
    const buffer = new WasmBuffer(this.k.memory, this.arena.alloc(length * 4), length, null);
    this.unfreed.register(buffer, buffer.ptr, buffer);
    return buffer;
  }

  free(buffer: F32Buffer): void {
    const b = buffer as WasmBuffer;
    if (b.root !== null) throw new Error('free: pass the buffer returned by alloc(), not a sub-buffer of it');
    this.unfreed.unregister(b);
    this.arena.release(b.ptr);
  }

  setThreads(_n: number): void {
    // WebAssembly kernels run on the calling thread; training in workers is the facade's job.
  }

  /** Copies lengths into WASM memory (B int32s) and returns their address, or 0 for null. */
  private lengthsPtr(lengths: Lengths): Ptr {
    if (lengths === null) return 0;
    if (lengths.length > this.lengthsSlot.capacity) {
      if (this.lengthsSlot.ptr) this.arena.release(this.lengthsSlot.ptr);
      this.lengthsSlot = { ptr: this.arena.alloc(lengths.length * 4), capacity: lengths.length };
    }
    new Int32Array(this.k.memory.buffer, this.lengthsSlot.ptr, lengths.length).set(lengths);
    return this.lengthsSlot.ptr;
  }

  lstm_forward(a: LstmForwardArgs, d: CellDims): void {
    checkLstmForward(a, d);
    this.k.lstm_forward(ptr(a.h), ptr(a.c), ptr(a.gates), ptr(a.x), this.lengthsPtr(a.lengths), ptr(a.h0), ptr(a.c0),
      ptr(a.w_ih), ptr(a.w_hh), ptr(a.b_ih), ptr(a.b_hh), ptr(a.w_t), d.T, d.B, d.I, d.H);
  }

  lstm_backward(a: LstmBackwardArgs, d: CellDims): void {
    checkLstmBackward(a, d);
    this.k.lstm_backward(ptr(a.dx), ptr(a.dh0), ptr(a.dc0), ptr(a.dw_ih), ptr(a.dw_hh), ptr(a.db_ih), ptr(a.db_hh),
      ptr(a.dh), ptr(a.dhT), ptr(a.dcT), ptr(a.x), this.lengthsPtr(a.lengths), ptr(a.h0), ptr(a.c0), ptr(a.h),
      ptr(a.c), ptr(a.gates), ptr(a.w_ih), ptr(a.w_hh), ptr(a.dgates), ptr(a.dh_next), ptr(a.dc_next),
      d.T, d.B, d.I, d.H);
  }

  gru_forward(a: GruForwardArgs, d: CellDims): void {
    checkGruForward(a, d);
    this.k.gru_forward(ptr(a.h), ptr(a.gates), ptr(a.hn), ptr(a.x), this.lengthsPtr(a.lengths), ptr(a.h0),
      ptr(a.w_ih), ptr(a.w_hh), ptr(a.b_ih), ptr(a.b_hh), ptr(a.w_t), d.T, d.B, d.I, d.H);
  }

  gru_backward(a: GruBackwardArgs, d: CellDims): void {
    checkGruBackward(a, d);
    this.k.gru_backward(ptr(a.dx), ptr(a.dh0), ptr(a.dw_ih), ptr(a.dw_hh), ptr(a.db_ih), ptr(a.db_hh), ptr(a.dh),
      ptr(a.dhT), ptr(a.x), this.lengthsPtr(a.lengths), ptr(a.h0), ptr(a.h), ptr(a.gates), ptr(a.hn),
      ptr(a.w_ih), ptr(a.w_hh), ptr(a.dgates), ptr(a.dgates_hn), ptr(a.dh_next), d.T, d.B, d.I, d.H);
  }

  rnn_forward(a: RnnForwardArgs, d: CellDims, nonlinearity: Nonlinearity): void {
    checkRnnForward(a, d);
    this.k.rnn_forward(ptr(a.h), ptr(a.x), this.lengthsPtr(a.lengths), ptr(a.h0), ptr(a.w_ih), ptr(a.w_hh),
      ptr(a.b_ih), ptr(a.b_hh), ptr(a.w_t), d.T, d.B, d.I, d.H, reluFlag(nonlinearity));
  }

  rnn_backward(a: RnnBackwardArgs, d: CellDims, nonlinearity: Nonlinearity): void {
    checkRnnBackward(a, d);
    this.k.rnn_backward(ptr(a.dx), ptr(a.dh0), ptr(a.dw_ih), ptr(a.dw_hh), ptr(a.db_ih), ptr(a.db_hh), ptr(a.dh),
      ptr(a.dhT), ptr(a.x), this.lengthsPtr(a.lengths), ptr(a.h0), ptr(a.h), ptr(a.w_ih), ptr(a.w_hh),
      ptr(a.dgates), ptr(a.dh_next), d.T, d.B, d.I, d.H, reluFlag(nonlinearity));
  }

  linear_forward(a: LinearForwardArgs, d: LinearDims): void {
    checkLinearForward(a, d);
    this.k.linear_forward(ptr(a.y), ptr(a.x), ptr(a.w), ptr(a.b), d.N, d.In, d.O);
  }

  linear_backward(a: LinearBackwardArgs, d: LinearDims): void {
    checkLinearBackward(a, d);
    this.k.linear_backward(ptr(a.dx), ptr(a.dw), ptr(a.db), ptr(a.dy), ptr(a.x), ptr(a.w), d.N, d.In, d.O);
  }

  adam_step(a: AdamStepArgs): void {
    checkAdamStep(a);
    const flags = (a.amsgrad ? ADAM_AMSGRAD : 0) | (a.decoupled ? ADAM_DECOUPLED : 0);
    this.k.adam_step(ptr(a.p), ptr(a.m), ptr(a.v), ptr(a.vmax), ptr(a.g), a.p.length, a.lr, a.beta1, a.beta2, a.eps, a.weightDecay,
      a.stepSize, a.bc2Sqrt, flags);
  }

  sgd_step(a: SgdStepArgs): void {
    checkSgdStep(a);
    const flags = (a.nesterov ? SGD_NESTEROV : 0) | (a.firstStep ? SGD_FIRST_STEP : 0);
    this.k.sgd_step(ptr(a.p), ptr(a.buf), ptr(a.g), a.p.length, a.lr, a.momentum, a.dampening, a.weightDecay, flags);
  }

  rmsprop_step(a: RmspropStepArgs): void {
    checkRmspropStep(a);
    this.k.rmsprop_step(ptr(a.p), ptr(a.sq), ptr(a.ga), ptr(a.buf), ptr(a.g), a.p.length, a.lr, a.alpha, a.eps, a.weightDecay,
      a.momentum, a.centered ? RMSPROP_CENTERED : 0);
  }

  grad_norm(g: F32Buffer, normType: NormType): number {
    return this.k.grad_norm(ptr(g), g.length, normCode(normType));
  }

  scale(x: F32Buffer, alpha: number): void {
    if (!Number.isFinite(alpha)) throw new RangeError(`scale: alpha must be a finite number, got ${alpha}`);
    this.k.scale(ptr(x), x.length, alpha);
  }

  gemm_nn(g: GemmArgs): void {
    checkGemm('gemm_nn', g);
    this.k.gemm_nn(ptr(g.C), ptr(g.A), ptr(g.B), g.M, g.N, g.K, g.ldc, g.lda, g.ldb);
  }

  gemm_tn(g: GemmArgs): void {
    checkGemm('gemm_tn', g);
    this.k.gemm_tn(ptr(g.C), ptr(g.A), ptr(g.B), g.M, g.N, g.K, g.ldc, g.lda, g.ldb);
  }

  /**
   * Packs every layer once into arena memory it owns (with the layer table and scratch); params,
   * head and the bound buffers are read in place, so they must outlive the stepper.
   */
  stream_bind(a: StreamBindArgs, d: StreamDims): StreamStepper | null {
    const { stream_pack, stream_step } = this.k;
    if (!stream_pack || !stream_step) return null;
    checkStreamBind(a, d);
    const { cell, L, I, H, O } = d;
    const GH = streamGates(cell) * H;
    const packed = Array.from({ length: L }, (_, l) => this.alloc(streamPackedFloats(cell, l === 0 ? I : H, H)));
    const scratch = this.alloc(streamScratchFloats(cell, H));
    const table = this.alloc(6 * L); // per layer: w_p, b_ih, b_hh, h, c, I as 32-bit words
    const words = new Uint32Array(this.k.memory.buffer, ptr(table), 6 * L);
    let at = 0;
    for (let l = 0; l < L; l++) {
      const Il = l === 0 ? I : H;
      const w_ih = a.params.sub(at, GH * Il);
      const w_hh = a.params.sub(at + GH * Il, GH * H);
      const b_ih = a.params.sub(at + GH * (Il + H), GH);
      const b_hh = a.params.sub(at + GH * (Il + H + 1), GH);
      at += GH * (Il + H + 2);
      stream_pack(ptr(packed[l]), ptr(w_ih), ptr(w_hh), STREAM_CELL_CODES[cell], Il, H);
      words.set([ptr(packed[l]), ptr(b_ih), ptr(b_hh), ptr(a.h) + 4 * l * H, a.c ? ptr(a.c) + 4 * l * H : 0, Il], 6 * l);
    }
    const args = [ptr(a.y), ptr(a.x), ptr(table), ptr(a.head_w), ptr(a.head_b), ptr(scratch), STREAM_CELL_CODES[cell], L, H, O] as const;
    return {
      step: () => stream_step(...args),
      release: () => [...packed, scratch, table].forEach((b) => this.free(b)),
    };
  }
}

/** What the module can be instantiated from: its bytes, a fetch() response (streamed), or a compiled module. */
export type WasmSource = BufferSource | Response | WebAssembly.Module;

const IMPORTS = {
  env: {
    abort: () => {
      throw new Error('wasm backend: a kernel aborted (an internal assertion failed)');
    },
  },
};

/** Compiles a source; a Response served without the application/wasm type falls back to its bytes. */
export async function compileWasm(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (typeof Response === 'function' && source instanceof Response) {
    if (!source.ok) throw new Error(`HTTP ${source.status} ${source.statusText}`.trim());
    const typed = (source.headers.get('content-type') ?? '').startsWith('application/wasm');
    if (typed && typeof WebAssembly.compileStreaming === 'function') return WebAssembly.compileStreaming(source);
    return WebAssembly.compile(await source.arrayBuffer());
  }
  return WebAssembly.compile(source as BufferSource);
}

/**
 * Instantiates the module, or records why not in `attempts` (under `where`, the file or URL it came
 * from) and returns null.
 */
export async function instantiateWasm(source: WasmSource, where: string, attempts: LoadAttempt[]): Promise<WasmBackend | null> {
  try {
    const module = await compileWasm(source);
    const instance = await WebAssembly.instantiate(module, IMPORTS);
    return new WasmBackend(instance.exports as unknown as WasmExports, module);
  } catch (e) {
    attempts.push({ backend: 'wasm', where, reason: `failed to instantiate: ${(e as Error).message}` });
    return null;
  }
}
