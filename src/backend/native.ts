// The native backend: maps the named-buffer contract onto the N-API addon's positional kernels
// (argument order as in native/include/seqcast/kernels.h). Typed arrays cross without copies.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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
import { checkStreamBind, STREAM_CELL_CODES } from '../layout/stream.js';
import { convertLayout } from '../model/time-layout.js';

type Arr = Float32Array | null;
type Len = Lengths;

/** What the compiled addon exports (native/binding/addon.cpp). */
interface Addon {
  lstm_forward(h: Arr, c: Arr, gates: Arr, x: Arr, lengths: Len, h0: Arr, c0: Arr, w_ih: Arr, w_hh: Arr, b_ih: Arr,
    b_hh: Arr, w_t: Arr, T: number, B: number, I: number, H: number): void;
  lstm_backward(dx: Arr, dh0: Arr, dc0: Arr, dw_ih: Arr, dw_hh: Arr, db_ih: Arr, db_hh: Arr, dh: Arr, dhT: Arr,
    dcT: Arr, x: Arr, lengths: Len, h0: Arr, c0: Arr, h: Arr, c: Arr, gates: Arr, w_ih: Arr, w_hh: Arr,
    dgates: Arr, dh_next: Arr, dc_next: Arr, T: number, B: number, I: number, H: number): void;
  gru_forward(h: Arr, gates: Arr, hn: Arr, x: Arr, lengths: Len, h0: Arr, w_ih: Arr, w_hh: Arr, b_ih: Arr, b_hh: Arr,
    w_t: Arr, T: number, B: number, I: number, H: number): void;
  gru_backward(dx: Arr, dh0: Arr, dw_ih: Arr, dw_hh: Arr, db_ih: Arr, db_hh: Arr, dh: Arr, dhT: Arr, x: Arr,
    lengths: Len, h0: Arr, h: Arr, gates: Arr, hn: Arr, w_ih: Arr, w_hh: Arr, dgates: Arr, dgates_hn: Arr,
    dh_next: Arr, T: number, B: number, I: number, H: number): void;
  rnn_forward(h: Arr, x: Arr, lengths: Len, h0: Arr, w_ih: Arr, w_hh: Arr, b_ih: Arr, b_hh: Arr, w_t: Arr,
    T: number, B: number, I: number, H: number, relu: number): void;
  rnn_backward(dx: Arr, dh0: Arr, dw_ih: Arr, dw_hh: Arr, db_ih: Arr, db_hh: Arr, dh: Arr, dhT: Arr, x: Arr,
    lengths: Len, h0: Arr, h: Arr, w_ih: Arr, w_hh: Arr, dgates: Arr, dh_next: Arr, T: number, B: number,
    I: number, H: number, relu: number): void;
  linear_forward(y: Arr, x: Arr, w: Arr, b: Arr, N: number, In: number, O: number): void;
  linear_backward(dx: Arr, dw: Arr, db: Arr, dy: Arr, x: Arr, w: Arr, N: number, In: number, O: number): void;
  adam_step(p: Arr, m: Arr, v: Arr, vmax: Arr, g: Arr, lr: number, beta1: number, beta2: number, eps: number,
    weight_decay: number, step_size: number, bc2_sqrt: number, flags: number): void;
  sgd_step(p: Arr, buf: Arr, g: Arr, lr: number, momentum: number, dampening: number, weight_decay: number,
    flags: number): void;
  rmsprop_step(p: Arr, sq: Arr, ga: Arr, buf: Arr, g: Arr, lr: number, alpha: number, eps: number,
    weight_decay: number, momentum: number, flags: number): void;
  grad_norm(g: Arr, norm_type: number): number;
  scale(x: Arr, alpha: number): void;
  gemm_nn(C: Arr, A: Arr, B: Arr, M: number, N: number, K: number, ldc: number, lda: number, ldb: number): void;
  gemm_tn(C: Arr, A: Arr, B: Arr, M: number, N: number, K: number, ldc: number, lda: number, ldb: number): void;
  set_threads(n: number): void;
  get_threads(): number;
  set_variant(name: string): boolean;
  info(): { variant: string; variants: string[]; threads: number; hardwareThreads: number };
  _set_parallel_threshold(macs: number): number;
  /** Absent from addons built before it (native/binding/layout.cpp). */
  convert_layout?(tm: Float32Array, bf: Float32Array, B: number, T: number, W: number, toBatch: boolean, lengths: Int32Array | null): void;
  /** n zeroed floats in 64-byte-aligned native memory, freed when the array is collected. */
  alloc(n: number): Float32Array;
  /** Absent from addons built before streaming (native/binding/stream.cpp). */
  stream_bind?(y: Arr, h: Arr, c: Arr, x: Arr, params: Arr, head_w: Arr, head_b: Arr, cell: number, L: number,
    I: number, H: number, O: number): () => void;
}

/**
 * Where `npm install` (scripts/build-native.mjs) puts the addon and the record of how the build went.
 * SEQCAST_NATIVE_ADDON points elsewhere (a custom build; tests use it to simulate a missing addon).
 */
export const NATIVE_ADDON_PATH =
  process.env.SEQCAST_NATIVE_ADDON || fileURLToPath(new URL('../../build/Release/seqcast.node', import.meta.url));
export const NATIVE_BUILD_STATUS_PATH = fileURLToPath(new URL('../../build/native-build-status.json', import.meta.url));

class NativeBuffer implements F32Buffer {
  constructor(readonly array: Float32Array) {}
  get length(): number {
    return this.array.length;
  }
  sub(offset: number, length: number): F32Buffer {
    return new NativeBuffer(this.array.subarray(offset, offset + length));
  }
}

const arr = (b: F32Buffer | null): Arr => (b ? b.array : null);


export class NativeBackend implements Backend {
  readonly name = 'native' as const;
  fallbackReason: string | null = null;
  constructor(private readonly addon: Addon) {}

  info(): BackendInfo {
    const i = this.addon.info();
    return { name: 'native', variant: i.variant, threads: i.threads, fallbackReason: this.fallbackReason };
  }

  /** SIMD variants this CPU can run, best first; setVariant() is for tests and benches. */
  variants(): string[] {
    return this.addon.info().variants;
  }

  setVariant(name: string): void {
    if (!this.addon.set_variant(name))
      throw new RangeError(`setVariant: '${name}' is not available on this CPU; available: ${this.variants().join(', ')}`);
  }

  /**
   * Tests only: the per-step multiply-adds above which kernels use threads (returns the previous
   * value). 0 forces threading on tiny shapes, so thread-count invariance can be checked cheaply.
   */
  setParallelThreshold(macs: number): number {
    return this.addon._set_parallel_threshold(macs);
  }

  /** Cache-line-aligned memory: threads' column ranges then never share a line (10-15 % at 2 threads). */
  alloc(length: number): F32Buffer {
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`alloc: length must be a non-negative integer, got ${length}`);
    return new NativeBuffer(this.addon.alloc(length));
  }

  free(_buffer: F32Buffer): void {
    // The addon's finalizer releases the memory once the array is collected.
  }

  setThreads(n: number): void {
    if (!Number.isInteger(n)) throw new RangeError(`setThreads: n must be an integer, got ${n}`);
    this.addon.set_threads(n);
  }

  convertLayout(tm: Float32Array, bf: Float32Array, B: number, T: number, W: number, toBatch: boolean, lengths: Int32Array | null): void {
    if (this.addon.convert_layout) this.addon.convert_layout(tm, bf, B, T, W, toBatch, lengths);
    else convertLayout(tm, bf, B, T, W, toBatch, lengths);
  }

  lstm_forward(a: LstmForwardArgs, d: CellDims): void {
    checkLstmForward(a, d);
    this.addon.lstm_forward(arr(a.h), arr(a.c), arr(a.gates), arr(a.x), a.lengths, arr(a.h0), arr(a.c0),
      arr(a.w_ih), arr(a.w_hh), arr(a.b_ih), arr(a.b_hh), arr(a.w_t), d.T, d.B, d.I, d.H);
  }

  lstm_backward(a: LstmBackwardArgs, d: CellDims): void {
    checkLstmBackward(a, d);
    this.addon.lstm_backward(arr(a.dx), arr(a.dh0), arr(a.dc0), arr(a.dw_ih), arr(a.dw_hh), arr(a.db_ih),
      arr(a.db_hh), arr(a.dh), arr(a.dhT), arr(a.dcT), arr(a.x), a.lengths, arr(a.h0), arr(a.c0), arr(a.h),
      arr(a.c), arr(a.gates), arr(a.w_ih), arr(a.w_hh), arr(a.dgates), arr(a.dh_next), arr(a.dc_next),
      d.T, d.B, d.I, d.H);
  }

  gru_forward(a: GruForwardArgs, d: CellDims): void {
    checkGruForward(a, d);
    this.addon.gru_forward(arr(a.h), arr(a.gates), arr(a.hn), arr(a.x), a.lengths, arr(a.h0), arr(a.w_ih),
      arr(a.w_hh), arr(a.b_ih), arr(a.b_hh), arr(a.w_t), d.T, d.B, d.I, d.H);
  }

  gru_backward(a: GruBackwardArgs, d: CellDims): void {
    checkGruBackward(a, d);
    this.addon.gru_backward(arr(a.dx), arr(a.dh0), arr(a.dw_ih), arr(a.dw_hh), arr(a.db_ih), arr(a.db_hh),
      arr(a.dh), arr(a.dhT), arr(a.x), a.lengths, arr(a.h0), arr(a.h), arr(a.gates), arr(a.hn), arr(a.w_ih),
      arr(a.w_hh), arr(a.dgates), arr(a.dgates_hn), arr(a.dh_next), d.T, d.B, d.I, d.H);
  }

  rnn_forward(a: RnnForwardArgs, d: CellDims, nonlinearity: Nonlinearity): void {
    checkRnnForward(a, d);
    this.addon.rnn_forward(arr(a.h), arr(a.x), a.lengths, arr(a.h0), arr(a.w_ih), arr(a.w_hh), arr(a.b_ih),
      arr(a.b_hh), arr(a.w_t), d.T, d.B, d.I, d.H, reluFlag(nonlinearity));
  }

  rnn_backward(a: RnnBackwardArgs, d: CellDims, nonlinearity: Nonlinearity): void {
    checkRnnBackward(a, d);
    this.addon.rnn_backward(arr(a.dx), arr(a.dh0), arr(a.dw_ih), arr(a.dw_hh), arr(a.db_ih), arr(a.db_hh),
      arr(a.dh), arr(a.dhT), arr(a.x), a.lengths, arr(a.h0), arr(a.h), arr(a.w_ih), arr(a.w_hh), arr(a.dgates),
      arr(a.dh_next), d.T, d.B, d.I, d.H, reluFlag(nonlinearity));
  }

  linear_forward(a: LinearForwardArgs, d: LinearDims): void {
    checkLinearForward(a, d);
    this.addon.linear_forward(arr(a.y), arr(a.x), arr(a.w), arr(a.b), d.N, d.In, d.O);
  }

  linear_backward(a: LinearBackwardArgs, d: LinearDims): void {
    checkLinearBackward(a, d);
    this.addon.linear_backward(arr(a.dx), arr(a.dw), arr(a.db), arr(a.dy), arr(a.x), arr(a.w), d.N, d.In, d.O);
  }

  adam_step(a: AdamStepArgs): void {
    checkAdamStep(a);
    const flags = (a.amsgrad ? ADAM_AMSGRAD : 0) | (a.decoupled ? ADAM_DECOUPLED : 0);
    this.addon.adam_step(arr(a.p), arr(a.m), arr(a.v), arr(a.vmax), arr(a.g), a.lr, a.beta1, a.beta2, a.eps, a.weightDecay,
      a.stepSize, a.bc2Sqrt, flags);
  }

  sgd_step(a: SgdStepArgs): void {
    checkSgdStep(a);
    const flags = (a.nesterov ? SGD_NESTEROV : 0) | (a.firstStep ? SGD_FIRST_STEP : 0);
    this.addon.sgd_step(arr(a.p), arr(a.buf), arr(a.g), a.lr, a.momentum, a.dampening, a.weightDecay, flags);
  }

  rmsprop_step(a: RmspropStepArgs): void {
    checkRmspropStep(a);
    this.addon.rmsprop_step(arr(a.p), arr(a.sq), arr(a.ga), arr(a.buf), arr(a.g), a.lr, a.alpha, a.eps, a.weightDecay,
      a.momentum, a.centered ? RMSPROP_CENTERED : 0);
  }

  grad_norm(g: F32Buffer, normType: NormType): number {
    return this.addon.grad_norm(arr(g), normCode(normType));
  }

  scale(x: F32Buffer, alpha: number): void {
    if (!Number.isFinite(alpha)) throw new RangeError(`scale: alpha must be a finite number, got ${alpha}`);
    this.addon.scale(arr(x), alpha);
  }

  gemm_nn(g: GemmArgs): void {
    checkGemm('gemm_nn', g);
    this.addon.gemm_nn(g.C.array, g.A.array, g.B.array, g.M, g.N, g.K, g.ldc, g.lda, g.ldb);
  }

  gemm_tn(g: GemmArgs): void {
    checkGemm('gemm_tn', g);
    this.addon.gemm_tn(g.C.array, g.A.array, g.B.array, g.M, g.N, g.K, g.ldc, g.lda, g.ldb);
  }

  /** The addon checks every buffer once here; the returned step takes no arguments and checks nothing. */
  stream_bind(a: StreamBindArgs, d: StreamDims): StreamStepper | null {
    if (!this.addon.stream_bind) return null;
    checkStreamBind(a, d);
    const step = this.addon.stream_bind(arr(a.y), arr(a.h), arr(a.c), arr(a.x), arr(a.params), arr(a.head_w),
      arr(a.head_b), STREAM_CELL_CODES[d.cell], d.L, d.I, d.H, d.O);
    return { step, release: () => {} };
  }
}

/** The reason recorded by the install-time build, when it failed or was skipped. */
function recordedBuildFailure(): string | null {
  try {
    const status = JSON.parse(readFileSync(NATIVE_BUILD_STATUS_PATH, 'utf8'));
    return status.ok ? null : String(status.reason);
  } catch {
    return null;
  }
}

/** Loads the addon, or records why not in `attempts` and returns null. */
export function loadNative(attempts: LoadAttempt[]): NativeBackend | null {
  if (!existsSync(NATIVE_ADDON_PATH)) {
    const build = recordedBuildFailure();
    attempts.push({
      backend: 'native',
      where: NATIVE_ADDON_PATH,
      reason: build ? `not found; the install-time build failed: ${build}` : 'not found (the native build has not run)',
    });
    return null;
  }
  try {
    const addon = createRequire(import.meta.url)(NATIVE_ADDON_PATH) as Addon;
    return new NativeBackend(addon);
  } catch (e) {
    attempts.push({ backend: 'native', where: NATIVE_ADDON_PATH, reason: `failed to load: ${(e as Error).message}` });
    return null;
  }
}
