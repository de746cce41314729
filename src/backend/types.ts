// The kernel contract in TypeScript: one Backend interface, implemented by native.ts (N-API addon)
// and wasm.ts (AssemblyScript module). Mirrors native/include/seqcast/kernels.h.
//
// Kernel method names are a wire contract and stay snake_case (STYLE.md section 3). Buffers are
// F32Buffers allocated by the backend itself, so that WASM kernels get pointers into their own memory
// and native kernels get zero-copy typed arrays. All buffers are time-major: x (T, B, I), h (T, B, H).

export type BackendName = 'native' | 'wasm';

/** A float32 buffer owned by a backend. */
export interface F32Buffer {
  readonly length: number;
  /** A current view of the data. For WASM, re-read it after any allocation (memory may grow). */
  readonly array: Float32Array;
  /** A window [offset, offset + length) of this buffer, sharing its memory. */
  sub(offset: number, length: number): F32Buffer;
}

export interface LstmDims {
  T: number;
  B: number;
  I: number;
  H: number;
}
/** Dims of every cell kernel: the same four sizes. */
export type CellDims = LstmDims;

/**
 * Per-row sequence lengths (B values in [1, T]) or null for all T. Steps t >= lengths[b] are padding:
 * forward carries row b's state through them, backward passes its gradient through unchanged.
 * A small host array: the native addon reads it in place, the WASM adapter copies it in.
 */
export type Lengths = Int32Array | null;

/** Arguments of lstm_forward, by name; adapters map them to the positional kernel call. */
export interface LstmForwardArgs {
  h: F32Buffer; // (T, B, H) written
  c: F32Buffer; // (T, B, H) written
  gates: F32Buffer | null; // (T, B, 4H) written: post-activation i, f, g, o; null = inference only (nothing saved)
  x: F32Buffer; // (T, B, I)
  lengths: Lengths;
  h0: F32Buffer | null; // (B, H), null = zeros
  c0: F32Buffer | null; // (B, H), null = zeros
  w_ih: F32Buffer; // (4H, I)
  w_hh: F32Buffer; // (4H, H)
  b_ih: F32Buffer; // (4H)
  b_hh: F32Buffer; // (4H)
  w_t: F32Buffer; // scratch, lstmForwardScratch(dims) floats
}

/** Arguments of lstm_backward. Every d* output is accumulated (+=); the caller zeroes it. */
export interface LstmBackwardArgs {
  dx: F32Buffer | null; // (T, B, I), null = not wanted
  dh0: F32Buffer | null; // (B, H), null = not wanted
  dc0: F32Buffer | null; // (B, H), null = not wanted
  dw_ih: F32Buffer; // (4H, I)
  dw_hh: F32Buffer; // (4H, H)
  db_ih: F32Buffer; // (4H)
  db_hh: F32Buffer; // (4H)
  dh: F32Buffer | null; // (T, B, H) dL/dh_t at every step, null = none
  dhT: F32Buffer | null; // (B, H) dL/dh_{T-1}, null = zeros
  dcT: F32Buffer | null; // (B, H) dL/dc_{T-1}, null = zeros
  x: F32Buffer;
  lengths: Lengths;
  h0: F32Buffer | null;
  c0: F32Buffer | null;
  h: F32Buffer; // saved by forward
  c: F32Buffer;
  gates: F32Buffer;
  w_ih: F32Buffer;
  w_hh: F32Buffer;
  dgates: F32Buffer; // scratch (Tc, B, 4H), Tc = backwardChunkSteps(T, B) (layout/cells.ts)
  dh_next: F32Buffer; // scratch (B, H)
  dc_next: F32Buffer; // scratch (B, H)
}

/** Arguments of gru_forward (PyTorch gate order r, z, n). */
export interface GruForwardArgs {
  h: F32Buffer; // (T, B, H) written
  gates: F32Buffer | null; // (T, B, 3H) written: post-activation r, z, n; null (with hn) = inference only
  hn: F32Buffer | null; // (T, B, H) written: W_hn h_prev + b_hn, which backward needs; null with gates
  x: F32Buffer; // (T, B, I)
  lengths: Lengths;
  h0: F32Buffer | null; // (B, H), null = zeros
  w_ih: F32Buffer; // (3H, I)
  w_hh: F32Buffer; // (3H, H)
  b_ih: F32Buffer; // (3H)
  b_hh: F32Buffer; // (3H)
  w_t: F32Buffer; // scratch, gruForwardScratch(dims) floats
}

/** Arguments of gru_backward. Every d* output is accumulated (+=). */
export interface GruBackwardArgs {
  dx: F32Buffer | null; // (T, B, I), null = not wanted
  dh0: F32Buffer | null; // (B, H), null = not wanted
  dw_ih: F32Buffer; // (3H, I)
  dw_hh: F32Buffer; // (3H, H)
  db_ih: F32Buffer; // (3H)
  db_hh: F32Buffer; // (3H)
  dh: F32Buffer | null; // (T, B, H), null = none
  dhT: F32Buffer | null; // (B, H), null = zeros
  x: F32Buffer;
  lengths: Lengths;
  h0: F32Buffer | null;
  h: F32Buffer; // saved by forward
  gates: F32Buffer;
  hn: F32Buffer;
  w_ih: F32Buffer;
  w_hh: F32Buffer;
  dgates: F32Buffer; // scratch (Tc, B, 3H), Tc = backwardChunkSteps(T, B)
  dgates_hn: F32Buffer; // scratch (Tc, B, H)
  dh_next: F32Buffer; // scratch (B, H)
}

/** Arguments of rnn_forward: h = act(x W_ih^T + b_ih + h_prev W_hh^T + b_hh). */
export interface RnnForwardArgs {
  h: F32Buffer; // (T, B, H) written
  x: F32Buffer; // (T, B, I)
  lengths: Lengths;
  h0: F32Buffer | null; // (B, H), null = zeros
  w_ih: F32Buffer; // (H, I)
  w_hh: F32Buffer; // (H, H)
  b_ih: F32Buffer; // (H)
  b_hh: F32Buffer; // (H)
  w_t: F32Buffer; // scratch, rnnForwardScratch(dims) floats
}

/** Arguments of rnn_backward. Every d* output is accumulated (+=). */
export interface RnnBackwardArgs {
  dx: F32Buffer | null; // (T, B, I), null = not wanted
  dh0: F32Buffer | null; // (B, H), null = not wanted
  dw_ih: F32Buffer; // (H, I)
  dw_hh: F32Buffer; // (H, H)
  db_ih: F32Buffer; // (H)
  db_hh: F32Buffer; // (H)
  dh: F32Buffer | null; // (T, B, H), null = none
  dhT: F32Buffer | null; // (B, H), null = zeros
  x: F32Buffer;
  lengths: Lengths;
  h0: F32Buffer | null;
  h: F32Buffer; // saved by forward
  w_ih: F32Buffer;
  w_hh: F32Buffer;
  dgates: F32Buffer; // scratch (Tc, B, H), Tc = backwardChunkSteps(T, B)
  dh_next: F32Buffer; // scratch (B, H)
}

/** The plain RNN's nonlinearity, as PyTorch's nn.RNN(nonlinearity=...). */
export type Nonlinearity = 'tanh' | 'relu';

/** Dense layer y (N, O) = x (N, In) W^T + b, as nn.Linear. */
export interface LinearForwardArgs {
  y: F32Buffer; // (N, O) written
  x: F32Buffer; // (N, In)
  w: F32Buffer; // (O, In)
  b: F32Buffer | null; // (O), null = no bias
}

/** Backward of the dense layer; accumulates into dx (unless null), dw and db (unless null). */
export interface LinearBackwardArgs {
  dx: F32Buffer | null; // (N, In)
  dw: F32Buffer; // (O, In)
  db: F32Buffer | null; // (O)
  dy: F32Buffer; // (N, O)
  x: F32Buffer;
  w: F32Buffer;
}

export interface LinearDims {
  N: number;
  In: number;
  O: number;
}

/** One Adam/AdamW step over a flat buffer; the caller computes the step-dependent scalars. */
export interface AdamStepArgs {
  p: F32Buffer;
  m: F32Buffer;
  v: F32Buffer;
  vmax: F32Buffer | null; // amsgrad only
  g: F32Buffer;
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** lr / (1 - beta1^t) */
  stepSize: number;
  /** sqrt(1 - beta2^t) */
  bc2Sqrt: number;
  amsgrad: boolean;
  /** AdamW's decoupled weight decay. */
  decoupled: boolean;
}

export interface SgdStepArgs {
  p: F32Buffer;
  buf: F32Buffer | null; // momentum buffer, null when momentum = 0
  g: F32Buffer;
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  firstStep: boolean;
}

export interface RmspropStepArgs {
  p: F32Buffer;
  sq: F32Buffer;
  ga: F32Buffer | null; // centered only
  buf: F32Buffer | null; // momentum > 0 only
  g: F32Buffer;
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
}

/** 2: Euclidean, 1: sum of absolute values, Infinity: largest absolute value. */
export type NormType = 1 | 2 | typeof Infinity;

/** Row-major matrix product operands with leading dimensions. */
export interface GemmArgs {
  C: F32Buffer;
  A: F32Buffer;
  B: F32Buffer;
  M: number;
  N: number;
  K: number;
  ldc: number;
  lda: number;
  ldb: number;
}

/** The cell of a streamed stack, as stream_bind numbers it (kernels.h STREAM_*). */
export type StreamCell = 'lstm' | 'gru' | 'rnn_tanh' | 'rnn_relu';

/**
 * Arguments of stream_bind: a stack of unidirectional layers and a dense head bound once for batch-1
 * streaming (src/model/stream.ts). The backend packs params once when binding and keeps every buffer
 * given (native copies params and the head; WASM reads them in place, so they must outlive the
 * stepper): each step() advances h (and c) by one step on x and writes y = head(h of the top layer).
 */
export interface StreamBindArgs {
  y: F32Buffer; // (O) written
  h: F32Buffer; // (L, H) state, read and written
  c: F32Buffer | null; // (L, H) LSTM cell state, null otherwise
  x: F32Buffer; // (I) the step's input
  /** Every layer's w_ih, w_hh, b_ih, b_hh in that order, layer 0 first (PyTorch shapes). */
  params: F32Buffer;
  head_w: F32Buffer; // (O, H)
  head_b: F32Buffer | null; // (O)
}

export interface StreamDims {
  cell: StreamCell;
  L: number;
  I: number;
  H: number;
  O: number;
}

/** What stream_bind returns. */
export interface StreamStepper {
  /** One step on the bound buffers: no arguments, no checks. */
  step(): void;
  /** Frees what binding allocated (WASM arena memory; native memory goes with the garbage collector). */
  release(): void;
}

export interface BackendInfo {
  name: BackendName;
  /** The SIMD level actually dispatched: avx512, avx2, neon, scalar or wasm-simd128. */
  variant: string;
  /** Worker threads the kernels use. */
  threads: number;
  /** Why the preferred backend was not used, when 'auto' fell back. */
  fallbackReason: string | null;
}

export interface Backend {
  readonly name: BackendName;
  /** Set by selection when 'auto' fell back to this backend; reported by info(). */
  fallbackReason: string | null;
  info(): BackendInfo;
  /** A zero-filled buffer of `length` floats (64-byte aligned on WASM; native kernels load unaligned). */
  alloc(length: number): F32Buffer;
  /** Returns a buffer from alloc() to the backend. Using it afterwards is an error. */
  free(buffer: F32Buffer): void;
  /** Kernel threads; n <= 0 means all cores. WASM is single-threaded and ignores it. */
  setThreads(n: number): void;
  /**
   * Optional: time-major tm (T, B, W) to batch-first bf (B, T, W) (toBatch) or back, zeroing steps
   * t >= lengths[b] in the destination: model/time-layout.ts convertLayout's contract, in native code.
   * Either array may be a plain Float32Array. Backends without it use convertLayout.
   */
  convertLayout?(tm: Float32Array, bf: Float32Array, B: number, T: number, W: number, toBatch: boolean, lengths: Int32Array | null): void;

  lstm_forward(args: LstmForwardArgs, dims: CellDims): void;
  lstm_backward(args: LstmBackwardArgs, dims: CellDims): void;
  gru_forward(args: GruForwardArgs, dims: CellDims): void;
  gru_backward(args: GruBackwardArgs, dims: CellDims): void;
  rnn_forward(args: RnnForwardArgs, dims: CellDims, nonlinearity: Nonlinearity): void;
  rnn_backward(args: RnnBackwardArgs, dims: CellDims, nonlinearity: Nonlinearity): void;
  linear_forward(args: LinearForwardArgs, dims: LinearDims): void;
  linear_backward(args: LinearBackwardArgs, dims: LinearDims): void;
  adam_step(args: AdamStepArgs): void;
  sgd_step(args: SgdStepArgs): void;
  rmsprop_step(args: RmspropStepArgs): void;
  /** The norm of a flat buffer, accumulated in double in a fixed order. */
  grad_norm(g: F32Buffer, normType: NormType): number;
  /** x *= alpha */
  scale(x: F32Buffer, alpha: number): void;

  /** C (M,N) += A (M,K) * B (K,N) */
  gemm_nn(args: GemmArgs): void;
  /** C (M,N) += A^T * B, with A (K,M) and B (K,N) */
  gemm_tn(args: GemmArgs): void;

  /**
   * Optional: a fused batch-1 streaming step (native: one N-API call for all layers and the head).
   * Returns null when this build cannot (an addon built before streaming); callers then step with
   * the *_forward kernels at T = 1.
   */
  stream_bind?(args: StreamBindArgs, dims: StreamDims): StreamStepper | null;
}
