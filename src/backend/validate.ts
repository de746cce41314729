// Size checks for every kernel call, shared by both adapters. The WASM kernels trust their pointers,
// so a short buffer there would corrupt memory instead of failing; checking here makes both backends
// fail the same way, with the kernel, the buffer, and the expected and actual sizes in the message.
import { ShapeError } from '../errors.js';
import type {
  AdamStepArgs, CellDims, F32Buffer, GemmArgs, GruBackwardArgs, GruForwardArgs, Lengths, LinearBackwardArgs,
  LinearDims, LinearForwardArgs, LstmBackwardArgs, LstmForwardArgs, NormType, Nonlinearity, RmspropStepArgs,
  RnnBackwardArgs, RnnForwardArgs, SgdStepArgs,
} from './types.js';
import { backwardChunkSteps, forwardScratch } from '../layout/cells.js';

export function checkDims(kernel: string, dims: Record<string, number>): void {
  for (const [name, v] of Object.entries(dims)) {
    if (!Number.isInteger(v) || v <= 0 || v > 0x7fffffff)
      throw new RangeError(`${kernel}: ${name} must be a positive integer, got ${v}`);
  }
}

/** The kernels' int flag for the plain RNN's nonlinearity (0 = tanh, 1 = relu). */
export function reluFlag(nonlinearity: Nonlinearity): number {
  if (nonlinearity === 'relu') return 1;
  if (nonlinearity === 'tanh') return 0;
  throw new RangeError(`nonlinearity must be 'tanh' or 'relu', got '${String(nonlinearity)}'`);
}

/** [argument name, size formula for the message, required length, optional (null allowed)] */
type Need = readonly [string, string, number, boolean?];

function checkBuffers(kernel: string, args: object, needs: readonly Need[]): void {
  const a = args as Record<string, F32Buffer | null>;
  for (const [name, formula, n, optional] of needs) {
    const buf = a[name];
    if (buf === null || buf === undefined) {
      if (optional) continue;
      throw new TypeError(`${kernel}: ${name} is required, got ${buf}`);
    }
    if (buf.length !== n) throw new ShapeError(`${kernel}: ${name} must have ${formula} = ${n} elements, got ${buf.length}`);
  }
}

export function checkLengths(kernel: string, lengths: Lengths, { T, B }: CellDims): void {
  if (lengths === null) return;
  if (!(lengths instanceof Int32Array))
    throw new TypeError(`${kernel}: lengths must be an Int32Array or null, got ${(lengths as object)?.constructor?.name}`);
  if (lengths.length !== B) throw new ShapeError(`${kernel}: lengths must have B = ${B} elements, got ${lengths.length}`);
  for (let b = 0; b < B; b++) {
    if (lengths[b] < 1 || lengths[b] > T) throw new RangeError(`${kernel}: lengths[${b}] must be in [1, T=${T}], got ${lengths[b]}`);
  }
}

/** The buffers every cell's forward and backward share: input, states, and their gradients. */
function commonNeeds({ T, B, I, H }: CellDims, G: number, forward: boolean): Need[] {
  const needs: Need[] = [
    ['x', 'T*B*I', T * B * I],
    ['h0', 'B*H', B * H, true],
    ['w_ih', `${G}*H*I`, G * H * I],
    ['w_hh', `${G}*H*H`, G * H * H],
  ];
  if (forward) needs.push(['h', 'T*B*H', T * B * H], ['b_ih', `${G}*H`, G * H], ['b_hh', `${G}*H`, G * H]);
  else
    needs.push(
      ['h', 'T*B*H', T * B * H],
      ['dx', 'T*B*I', T * B * I, true],
      ['dh0', 'B*H', B * H, true],
      ['dw_ih', `${G}*H*I`, G * H * I],
      ['dw_hh', `${G}*H*H`, G * H * H],
      ['db_ih', `${G}*H`, G * H],
      ['db_hh', `${G}*H`, G * H],
      ['dh', 'T*B*H', T * B * H, true],
      ['dhT', 'B*H', B * H, true],
      ['dh_next', 'B*H', B * H],
    );
  return needs;
}

/**
 * Size lists already built, per kernel and shape. A training loop calls every kernel with the same
 * dims each step, and building a list (its tuples and message strings) cost more than checking the
 * buffers against it; so a list is built, and its dims checked, on a shape's first call only. The
 * buffers are still checked on every call.
 */
const knownShapes = new Map<string, Array<{ dims: number[]; needs: Need[] }>>();
/** Shapes kept per kernel: every layer and direction of a stack, with room to spare. */
const SHAPES_KEPT = 8;

/** The size list of `kernel` at `dims` (values of the dims called `names`): remembered, or checked and built. */
function needsAt(kernel: string, names: readonly string[], dims: number[], build: () => Need[]): Need[] {
  const shapes = knownShapes.get(kernel) ?? [];
  for (const s of shapes) if (s.dims.every((v, i) => v === dims[i])) return s.needs;
  checkDims(kernel, Object.fromEntries(names.map((n, i) => [n, dims[i]])));
  const needs = build();
  if (shapes.length === SHAPES_KEPT) shapes.shift();
  shapes.push({ dims, needs });
  knownShapes.set(kernel, shapes);
  return needs;
}

const CELL_DIMS = ['T', 'B', 'I', 'H'] as const;
const LINEAR_DIMS = ['N', 'In', 'O'] as const;

function check(kernel: string, args: { lengths: Lengths }, d: CellDims, needs: () => Need[]): void {
  checkBuffers(kernel, args, needsAt(kernel, CELL_DIMS, [d.T, d.B, d.I, d.H], needs));
  checkLengths(kernel, args.lengths, d);
}

export function checkLstmForward(a: LstmForwardArgs, d: CellDims): void {
  const { T, B, H } = d;
  check('lstm_forward', a, d, () => [
    ...commonNeeds(d, 4, true),
    ['c', 'T*B*H', T * B * H],
    ['gates', 'T*B*4H', T * B * 4 * H, true],
    ['c0', 'B*H', B * H, true],
    ['w_t', '4*H*(I+H+B)', forwardScratch('lstm', d)],
  ]);
}

/** The size formula of the backward dgates scratch: one chunk of Tc steps (layout/cells.ts). */
function chunkFormula(gates: string, { T, B }: CellDims): string {
  return `Tc*B*${gates} (Tc = backwardChunkSteps(T, B) = ${backwardChunkSteps(T, B)})`;
}

export function checkLstmBackward(a: LstmBackwardArgs, d: CellDims): void {
  const { T, B, H } = d;
  const Tc = backwardChunkSteps(T, B);
  check('lstm_backward', a, d, () => [
    ...commonNeeds(d, 4, false),
    ['c', 'T*B*H', T * B * H],
    ['gates', 'T*B*4H', T * B * 4 * H],
    ['c0', 'B*H', B * H, true],
    ['dc0', 'B*H', B * H, true],
    ['dcT', 'B*H', B * H, true],
    ['dgates', chunkFormula('4H', d), Tc * B * 4 * H],
    ['dc_next', 'B*H', B * H],
  ]);
}

export function checkGruForward(a: GruForwardArgs, d: CellDims): void {
  const { T, B, H } = d;
  check('gru_forward', a, d, () => [
    ...commonNeeds(d, 3, true),
    ['gates', 'T*B*3H', T * B * 3 * H, true],
    ['hn', 'T*B*H', T * B * H, true],
    ['w_t', '3*H*(I+H)+6*B*H', forwardScratch('gru', d)],
  ]);
  if ((a.gates === null) !== (a.hn === null))
    throw new TypeError('gru_forward: give gates and hn together (training), or neither (inference only)');
}

export function checkGruBackward(a: GruBackwardArgs, d: CellDims): void {
  const { T, B, H } = d;
  const Tc = backwardChunkSteps(T, B);
  check('gru_backward', a, d, () => [
    ...commonNeeds(d, 3, false),
    ['gates', 'T*B*3H', T * B * 3 * H],
    ['hn', 'T*B*H', T * B * H],
    ['dgates', chunkFormula('3H', d), Tc * B * 3 * H],
    ['dgates_hn', chunkFormula('H', d), Tc * B * H],
  ]);
}

export function checkRnnForward(a: RnnForwardArgs, d: CellDims): void {
  check('rnn_forward', a, d, () => [...commonNeeds(d, 1, true), ['w_t', 'H*(I+H)', forwardScratch('rnn', d)]]);
}

export function checkRnnBackward(a: RnnBackwardArgs, d: CellDims): void {
  const Tc = backwardChunkSteps(d.T, d.B);
  check('rnn_backward', a, d, () => [...commonNeeds(d, 1, false), ['dgates', chunkFormula('H', d), Tc * d.B * d.H]]);
}

/** A row-major (rows, cols) operand with leading dimension ld fits in `length` floats. */
function fits(kernel: string, name: string, buf: F32Buffer, rows: number, cols: number, ld: number, ldName: string): void {
  if (ld < cols) throw new RangeError(`${kernel}: ${ldName} must be >= ${cols}, got ${ld}`);
  const n = (rows - 1) * ld + cols;
  if (buf.length < n)
    throw new ShapeError(`${kernel}: ${name} must have at least (${rows}-1)*${ldName}+${cols} = ${n} elements, got ${buf.length}`);
}

export function checkGemm(kernel: 'gemm_nn' | 'gemm_tn', a: GemmArgs): void {
  checkDims(kernel, { M: a.M, N: a.N, K: a.K, ldc: a.ldc, lda: a.lda, ldb: a.ldb });
  fits(kernel, 'C', a.C, a.M, a.N, a.ldc, 'ldc');
  if (kernel === 'gemm_nn') fits(kernel, 'A', a.A, a.M, a.K, a.lda, 'lda');
  else fits(kernel, 'A', a.A, a.K, a.M, a.lda, 'lda');
  fits(kernel, 'B', a.B, a.K, a.N, a.ldb, 'ldb');
}

export function checkLinearForward(a: LinearForwardArgs, d: LinearDims): void {
  checkBuffers('linear_forward', a, needsAt('linear_forward', LINEAR_DIMS, [d.N, d.In, d.O], () => [
    ['y', 'N*O', d.N * d.O],
    ['x', 'N*In', d.N * d.In],
    ['w', 'O*In', d.O * d.In],
    ['b', 'O', d.O, true],
  ]));
}

export function checkLinearBackward(a: LinearBackwardArgs, d: LinearDims): void {
  checkBuffers('linear_backward', a, needsAt('linear_backward', LINEAR_DIMS, [d.N, d.In, d.O], () => [
    ['dx', 'N*In', d.N * d.In, true],
    ['dw', 'O*In', d.O * d.In],
    ['db', 'O', d.O, true],
    ['dy', 'N*O', d.N * d.O],
    ['x', 'N*In', d.N * d.In],
    ['w', 'O*In', d.O * d.In],
  ]));
}

/** Optimizer state and gradients have the parameters' length; hyper-parameters are finite. */
function checkStep(kernel: string, a: { p: F32Buffer } & object, buffers: readonly string[], scalars: Record<string, number>): void {
  const n = a.p.length;
  // Checked in place (no list built per call: an optimizer step runs once per batch).
  const b = a as unknown as Record<string, F32Buffer | null>;
  for (const name of buffers) {
    const buf = b[name];
    if (buf === null || buf === undefined) throw new TypeError(`${kernel}: ${name} is required, got ${buf}`);
    if (buf.length !== n) throw new ShapeError(`${kernel}: ${name} must have p.length = ${n} elements, got ${buf.length}`);
  }
  for (const name in scalars)
    if (!Number.isFinite(scalars[name])) throw new RangeError(`${kernel}: ${name} must be a finite number, got ${scalars[name]}`);
}

export function checkAdamStep(a: AdamStepArgs): void {
  checkStep('adam_step', a, ['m', 'v', 'g', ...(a.amsgrad ? ['vmax'] : [])], {
    lr: a.lr, beta1: a.beta1, beta2: a.beta2, eps: a.eps, weightDecay: a.weightDecay, stepSize: a.stepSize, bc2Sqrt: a.bc2Sqrt,
  });
}

export function checkSgdStep(a: SgdStepArgs): void {
  checkStep('sgd_step', a, ['g', ...(a.momentum !== 0 ? ['buf'] : [])], {
    lr: a.lr, momentum: a.momentum, dampening: a.dampening, weightDecay: a.weightDecay,
  });
}

export function checkRmspropStep(a: RmspropStepArgs): void {
  checkStep('rmsprop_step', a, ['sq', 'g', ...(a.centered ? ['ga'] : []), ...(a.momentum !== 0 ? ['buf'] : [])], {
    lr: a.lr, alpha: a.alpha, eps: a.eps, weightDecay: a.weightDecay, momentum: a.momentum,
  });
}

/** The kernels' int code of a norm type: 2, 1, or 0 for the inf-norm. */
export function normCode(normType: NormType): number {
  if (normType === 2 || normType === 1) return normType;
  if (normType === Infinity) return 0;
  throw new RangeError(`norm type must be 1, 2 or Infinity, got ${String(normType)}`);
}
